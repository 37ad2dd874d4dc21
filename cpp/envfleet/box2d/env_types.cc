#include "envfleet/box2d/env_types.h"

#include <map>
#include <memory>
#include <string>
#include <utility>

#include "envfleet/box2d/bipedal_walker.h"
#include "envfleet/box2d/car_racing.h"
#include "envfleet/box2d/lunar_lander.h"

namespace envfleet::box2d {

std::vector<EnvType> EnvTypes() {
  return {
      MakeEnvType<LunarLander>("LunarLander-v3", 1000, 200),
      MakeEnvType<LunarLander>("LunarLanderContinuous-v3", 1000, 200, {{"continuous", true}}),
      MakeEnvType<BipedalWalker>("BipedalWalker-v3", 1600, 300),
      MakeEnvType<BipedalWalker>("BipedalWalkerHardcore-v3", 2000, 300, {{"hardcore", true}}),
      MakeEnvType<CarRacing>("CarRacing-v3", 1000, 900),
  };
}

}  // namespace envfleet::box2d
