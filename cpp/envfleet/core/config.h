// Config: the keyword options an env was made with, each checked against a declared default.
//
// An env type declares its accepted options with their defaults (`OptionList`); `Config::Make`
// starts from those defaults and applies the caller's values, so every lookup an env makes is of
// a known name with a known type. Thread-safety: immutable after construction; safe to share.
#ifndef ENVFLEET_CORE_CONFIG_H_
#define ENVFLEET_CORE_CONFIG_H_

#include <cmath>
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace envfleet {

// One option value. Integers are int64, reals double.
using OptionValue = std::variant<bool, std::int64_t, double, std::string, std::vector<double>>;

// An accepted option and its default value; the default also fixes the option's type.
struct Option {
  std::string name;
  OptionValue default_value;
  std::string doc;
};

using OptionList = std::vector<Option>;

class Config {
 public:
  Config() = default;

  // Defaults from `options`, overridden by `values`. Throws std::invalid_argument when a value
  // names no declared option, has a type other than the default's (an int where a real is
  // expected is accepted and converted) or is (or holds) NaN.
  static Config Make(const OptionList& options, const std::map<std::string, OptionValue>& values) {
    Config config;
    for (const Option& option : options) config.values_[option.name] = option.default_value;
    for (const auto& [name, value] : values) {
      auto it = config.values_.find(name);
      if (it == config.values_.end()) {
        throw std::invalid_argument("unknown option '" + name + "'");
      }
      // Ints widen to reals; every other mismatch is an error.
      if (std::holds_alternative<double>(it->second) &&
          std::holds_alternative<std::int64_t>(value)) {
        it->second = static_cast<double>(std::get<std::int64_t>(value));
      } else if (it->second.index() != value.index()) {
        throw std::invalid_argument("option '" + name + "' has the wrong type");
      } else {
        it->second = value;
      }
      // No option has a meaning for NaN.
      if (const double* real = std::get_if<double>(&it->second); real && std::isnan(*real)) {
        throw std::invalid_argument("option '" + name + "' is NaN");
      }
      if (const auto* reals = std::get_if<std::vector<double>>(&it->second)) {
        for (double real : *reals) {
          if (std::isnan(real)) throw std::invalid_argument("option '" + name + "' holds NaN");
        }
      }
    }
    return config;
  }

  // The value of a declared option. Throws std::out_of_range for an undeclared name and
  // std::bad_variant_access for a type other than the declared one (both programming errors).
  template <typename T>
  const T& Get(const std::string& name) const {
    return std::get<T>(values_.at(name));
  }

  const std::map<std::string, OptionValue>& values() const { return values_; }

 private:
  std::map<std::string, OptionValue> values_;
};

}  // namespace envfleet

#endif  // ENVFLEET_CORE_CONFIG_H_
