#include "envfleet/toy_text/env_types.h"

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "envfleet/toy_text/blackjack.h"
#include "envfleet/toy_text/cliff_walking.h"
#include "envfleet/toy_text/frozen_lake.h"
#include "envfleet/toy_text/taxi.h"

namespace envfleet::toy_text {

std::vector<EnvType> EnvTypes() {
  return {
      MakeEnvType<FrozenLake>("FrozenLake-v1", 100, 0.70),
      MakeEnvType<FrozenLake>("FrozenLake8x8-v1", 200, 0.85, {{"map_name", std::string("8x8")}}),
      MakeEnvType<Taxi>("Taxi-v3", 200, 8.0),
      MakeEnvType<CliffWalking>("CliffWalking-v1", 0, std::nullopt),
      MakeEnvType<CliffWalking>("CliffWalkingSlippery-v1", 0, std::nullopt,
                                {{"is_slippery", true}}),
      MakeEnvType<Blackjack>("Blackjack-v1", 0, std::nullopt),
  };
}

}  // namespace envfleet::toy_text
