#include "envfleet/dm_control/env_types.h"

#include "envfleet/dm_control/registration.h"

namespace envfleet::dm_control {

std::vector<EnvType> EnvTypes(const std::string& suite_dir) {
  std::vector<EnvType> types;
  AddCartpole(types, suite_dir);
  AddPendulum(types, suite_dir);
  AddAcrobot(types, suite_dir);
  AddCheetah(types, suite_dir);
  AddWalker(types, suite_dir);
  AddHopper(types, suite_dir);
  AddReacher(types, suite_dir);
  AddFinger(types, suite_dir);
  AddBallInCup(types, suite_dir);
  AddPointMass(types, suite_dir);
  AddHumanoid(types, suite_dir);
  AddFish(types, suite_dir);
  AddHumanoidCmu(types, suite_dir);
  AddQuadruped(types, suite_dir);
  // Domains whose models dm_control generates procedurally.
  AddSwimmer(types, suite_dir);
  AddManipulator(types, suite_dir);
  AddStacker(types, suite_dir);
  AddLqr(types, suite_dir);
  return types;
}

}  // namespace envfleet::dm_control
