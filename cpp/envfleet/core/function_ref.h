// FunctionRef: a non-owning reference to a callable, for per-call callbacks on hot paths.
//
// Unlike std::function it never allocates: it stores a pointer to the callable and a trampoline.
// Ownership: the referenced callable must outlive every call through the FunctionRef (pass
// lambdas inline as arguments). Thread-safety: calls are as thread-safe as the callable.
#ifndef ENVFLEET_CORE_FUNCTION_REF_H_
#define ENVFLEET_CORE_FUNCTION_REF_H_

#include <memory>
#include <type_traits>
#include <utility>

namespace envfleet {

template <typename Signature>
class FunctionRef;

template <typename Result, typename... Args>
class FunctionRef<Result(Args...)> {
 public:
  template <typename Callable,
            typename = std::enable_if_t<!std::is_same_v<std::decay_t<Callable>, FunctionRef>>>
  FunctionRef(Callable&& callable)  // NOLINT(google-explicit-constructor): used like std::function
      : object_(const_cast<void*>(static_cast<const void*>(std::addressof(callable)))),
        call_([](void* object, Args... args) -> Result {
          return (*static_cast<std::remove_reference_t<Callable>*>(object))(
              std::forward<Args>(args)...);
        }) {}

  Result operator()(Args... args) const { return call_(object_, std::forward<Args>(args)...); }

 private:
  void* object_;
  Result (*call_)(void*, Args...);
};

}  // namespace envfleet

#endif  // ENVFLEET_CORE_FUNCTION_REF_H_
