// The training run of ALE's profile-guided build (see fetch_ale.cmake).
//
// Plays a few games with random actions through an instrumented ALE, the way AtariEnv drives
// it (act, a raw screen read on the frames that are kept, lives, game over and reset), so that
// the compiler sees which branches of the emulator are hot. Usage:
//   ale_profile_training ROM_DIR FRAMES GAME...
// Exits 1 if a ROM cannot be loaded; the build then goes on without a profile.
#include <ale/ale_interface.hpp>
#include <cstdio>
#include <exception>
#include <random>
#include <string>

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: %s ROM_DIR FRAMES GAME...\n", argv[0]);
    return 2;
  }
  const std::string rom_dir = argv[1];
  const int frames = std::stoi(argv[2]);
  ale::Logger::setMode(ale::Logger::Error);
  std::mt19937 rng(0);
  long checksum = 0;  // uses what was read, so nothing is optimised away

  for (int i = 3; i < argc; ++i) {
    // One game: random minimal-set actions, four frames per action, the screen read on the
    // last two of every four frames.
    try {
      ale::ALEInterface ale;
      ale.setFloat("repeat_action_probability", 0.0f);
      ale.loadROM(rom_dir + "/" + argv[i] + ".bin");
      const auto actions = ale.getMinimalActionSet();
      ale::Action action = actions[0];
      for (int frame = 0; frame < frames; ++frame) {
        if (frame % 4 == 0) action = actions[rng() % actions.size()];
        checksum += ale.act(action);
        if (frame % 4 >= 2) checksum += ale.getScreen().getArray()[frame % 160];
        checksum += ale.lives();
        if (ale.game_over(false)) ale.reset_game();
      }
    } catch (const std::exception& error) {
      std::fprintf(stderr, "ale_profile_training: %s: %s\n", argv[i], error.what());
      return 1;
    }
  }
  std::printf("ale_profile_training: %d games, checksum %ld\n", argc - 3, checksum);
  return 0;
}
