#include "envfleet/classic_control/env_types.h"

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "envfleet/classic_control/acrobot.h"
#include "envfleet/classic_control/cart_pole.h"
#include "envfleet/classic_control/mountain_car.h"
#include "envfleet/classic_control/pendulum.h"

namespace envfleet::classic_control {

std::vector<EnvType> EnvTypes(const std::string& assets_dir) {
  // Every Pendulum shares one arrow picture, read when first drawn.
  auto arrow = std::make_shared<const TorqueArrow>(assets_dir + "/clockwise.png");
  return {
      MakeEnvType<CartPole>("CartPole-v0", 200, 195.0),
      MakeEnvType<CartPole>("CartPole-v1", 500, 475.0),
      MakeEnvType<MountainCar>("MountainCar-v0", 200, -110.0),
      MakeEnvType<MountainCarContinuous>("MountainCarContinuous-v0", 999, 90.0),
      MakeEnvType<Pendulum>("Pendulum-v1", 200, std::nullopt, {},
                            [arrow](const Config& config) -> std::unique_ptr<Env> {
                              return std::make_unique<Pendulum>(config, arrow);
                            }),
      MakeEnvType<Acrobot>("Acrobot-v1", 500, -100.0),
  };
}

}  // namespace envfleet::classic_control
