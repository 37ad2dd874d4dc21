// Model files: where Gymnasium's `xml_file` names point, and the compiled models, shared.
//
// ResolveModelPath() follows Gymnasium's expand_model_path(): a name that starts with '.', '/' or
// '~' is a path of its own; any other name is a file in Gymnasium's assets folder. LoadModel()
// compiles a model file once per process and shares the read-only mjModel among every env and spec
// that uses it (MuJoCo steps many mjData over one const mjModel concurrently). A file is known by
// its path, size and modification time, so a file edited between two pools is compiled again;
// models stay cached for the life of the process (a few per task file). MuJoCo's warning about a
// file (such as Gymnasium's deprecated `settotalmass`) is printed to stderr only for the files
// a user names by path: Gymnasium's own assets load silently.
//
// Thread-safety: both functions may be called from any thread. Blocking: LoadModel() holds a
// process-wide mutex while it looks up or compiles a file (milliseconds, once per file).
// Errors: std::invalid_argument naming the file when it does not exist or MuJoCo cannot compile it.
#ifndef ENVFLEET_MUJOCO_MODEL_CACHE_H_
#define ENVFLEET_MUJOCO_MODEL_CACHE_H_

#include <mujoco/mujoco.h>

#include <memory>
#include <string>

namespace envfleet::mujoco {

// Whether `xml_file` names a file in Gymnasium's assets folder (rather than a path of its own).
bool NamesAnAsset(const std::string& xml_file);

// The file `xml_file` names, with Gymnasium's rules; `asset_dir` is Gymnasium's assets folder.
std::string ResolveModelPath(const std::string& xml_file, const std::string& asset_dir);

// The compiled model of the file at `path` (a resolved path), shared; `show_warnings`: print
// MuJoCo's warning about the file, if any, to stderr when it is compiled.
std::shared_ptr<const mjModel> LoadModel(const std::string& path, bool show_warnings);

}  // namespace envfleet::mujoco

#endif  // ENVFLEET_MUJOCO_MODEL_CACHE_H_
