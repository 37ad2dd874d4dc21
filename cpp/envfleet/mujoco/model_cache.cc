#include "envfleet/mujoco/model_cache.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>
#include <stdexcept>

#include "envfleet/mujoco/warnings.h"

namespace envfleet::mujoco {

bool NamesAnAsset(const std::string& xml_file) {
  return !xml_file.starts_with('.') && !xml_file.starts_with('/') && !xml_file.starts_with('~');
}

std::string ResolveModelPath(const std::string& xml_file, const std::string& asset_dir) {
  // Paths of their own, as Gymnasium: '.' and '/' as given, '~' expanded.
  if (xml_file.starts_with('.') || xml_file.starts_with('/')) return xml_file;
  if (xml_file.starts_with('~')) {
    const char* home = std::getenv("HOME");
    return (home != nullptr ? std::string(home) : std::string("~")) + xml_file.substr(1);
  }
  // Any other name is one of Gymnasium's asset files.
  return (std::filesystem::path(asset_dir) / xml_file).string();
}

std::shared_ptr<const mjModel> LoadModel(const std::string& path, bool show_warnings) {
  // The file must exist; its size and modification time tell an edited file from a known one.
  std::error_code error;
  const auto size = std::filesystem::file_size(path, error);
  const auto mtime = std::filesystem::last_write_time(path, error);
  if (error || !std::filesystem::is_regular_file(path, error)) {
    throw std::invalid_argument("xml_file: model file " + path +
                                " does not exist or is not a file");
  }
  const std::string key =
      path + '\n' + std::to_string(size) + '\n' + std::to_string(mtime.time_since_epoch().count());

  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<const mjModel>> models;
  const std::lock_guard<std::mutex> lock(mutex);
  if (auto it = models.find(key); it != models.end()) return it->second;

  // Compile it once, with a message naming the file if MuJoCo cannot. A warning comes back in
  // `message` too, so MuJoCo's handler is kept quiet meanwhile.
  char message[1024] = "";
  mjModel* raw = nullptr;
  {
    const QuietWarnings quiet;
    raw = mj_loadXML(path.c_str(), nullptr, message, sizeof(message));
  }
  if (raw == nullptr) {
    throw std::invalid_argument("xml_file: MuJoCo cannot load " + path + ": " + message);
  }
  if (show_warnings && message[0] != '\0') {
    std::fprintf(stderr, "MuJoCo warning while loading %s: %s\n", path.c_str(), message);
  }
  std::shared_ptr<const mjModel> model(
      raw, [](const mjModel* m) { mj_deleteModel(const_cast<mjModel*>(m)); });
  models.emplace(key, model);
  return model;
}

}  // namespace envfleet::mujoco
