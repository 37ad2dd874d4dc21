// How a domain registers its tasks: an EnvType per id over a SuiteEnv subclass.
//
// RegisterTask<Task>(types, id, variant, args...) adds the id `id`, served by
// Task(config, variant, args...), with the options every suite task takes (SuiteEnv::Options).
// Each domain's file defines its tasks and an Add<Domain>() that registers them; EnvTypes()
// (env_types.h) calls every one. Thread-safety: the EnvTypes are immutable once built; their
// factories may run on any thread.
#ifndef ENVFLEET_DM_CONTROL_REGISTRATION_H_
#define ENVFLEET_DM_CONTROL_REGISTRATION_H_

#include <memory>
#include <string>
#include <vector>

#include "envfleet/core/env_type.h"
#include "envfleet/dm_control/suite_env.h"

namespace envfleet::dm_control {

template <typename Task, typename... Args>
void RegisterTask(std::vector<EnvType>& types, const std::string& id, const Variant& variant,
                  Args... args) {
  EnvType type;
  type.id = id;
  type.options = SuiteEnv::Options(variant);
  type.make_spec = [variant, args...](const Config& config) {
    return Task(config, variant, args...).Spec();
  };
  type.make_env = [variant, args...](const Config& config) -> std::unique_ptr<Env> {
    return std::make_unique<Task>(config, variant, args...);
  };
  types.push_back(std::move(type));
}

// Each domain's tasks, with their EnvPool ids (DomainTask-v1).
void AddCartpole(std::vector<EnvType>& types, const std::string& suite_dir);
void AddPendulum(std::vector<EnvType>& types, const std::string& suite_dir);
void AddAcrobot(std::vector<EnvType>& types, const std::string& suite_dir);
void AddCheetah(std::vector<EnvType>& types, const std::string& suite_dir);
void AddWalker(std::vector<EnvType>& types, const std::string& suite_dir);
void AddHopper(std::vector<EnvType>& types, const std::string& suite_dir);
void AddReacher(std::vector<EnvType>& types, const std::string& suite_dir);
void AddFinger(std::vector<EnvType>& types, const std::string& suite_dir);
void AddBallInCup(std::vector<EnvType>& types, const std::string& suite_dir);
void AddPointMass(std::vector<EnvType>& types, const std::string& suite_dir);
void AddHumanoid(std::vector<EnvType>& types, const std::string& suite_dir);
void AddFish(std::vector<EnvType>& types, const std::string& suite_dir);
void AddHumanoidCmu(std::vector<EnvType>& types, const std::string& suite_dir);
void AddQuadruped(std::vector<EnvType>& types, const std::string& suite_dir);
// Domains whose models dm_control generates procedurally.
void AddSwimmer(std::vector<EnvType>& types, const std::string& suite_dir);
void AddManipulator(std::vector<EnvType>& types, const std::string& suite_dir);
void AddStacker(std::vector<EnvType>& types, const std::string& suite_dir);
void AddLqr(std::vector<EnvType>& types, const std::string& suite_dir);

}  // namespace envfleet::dm_control

#endif  // ENVFLEET_DM_CONTROL_REGISTRATION_H_
