// AtariEnv: one Atari 2600 game on its own ALE emulator, with the DeepMind / OpenAI-Baselines
// preprocessing that EnvPool applies (frame skip with a two-frame max-pool, random no-ops and FIRE
// at reset, grayscale, resize, frame stack, optional episodic life and reward clipping).
//
// The semantics, step by step (docs/atari.md spells them out for users):
// - Step: the action is repeated for `frame_skip` emulator frames, summing the rewards. The frame
//   is captured only on the last two of them; the observation is their pixel-wise max. If the game
//   ends before the last frame, the frame it ended on is the observation and no further frames run.
//   With repeat_action_probability p, each frame keeps the previous frame's action with chance p
//   (ALE v5's sticky actions, drawn from this env's Rng).
// - Reset: a new game (ALE reset_game), then EnvPool's reset sequence: n in 1..noop_max random
//   single-frame actions, all no-ops, except that the last is FIRE if use_fire_reset and the
//   action set has FIRE (noop_max 0: no no-ops, FIRE alone where it applies). All stack slots
//   hold the frame after that. With episodic_life, a lost life (lives fall and stay above 0)
//   ends the agent's episode; the autoreset that follows continues the same game (the FIRE frame
//   only), while game over, a time-limit end or a reset the caller asks for starts a new game.
// - Info: lives, the unclipped reward, `terminated` (true game over, not a lost life),
//   `discount` (0 on a lost life when zero_discount_on_life_loss, else 1; the dm_env API uses it)
//   `episode_frame_number` (emulator frames since the game started, as ale-py reports it) and
//   `ram` (the console's 128 bytes of RAM after the step, as EnvPool reports it).
//
// Thread-safety: as every Env, used by one thread at a time. Each AtariEnv owns its emulator; ALE
// keeps no shared mutable state between instances. Construction loads the ROM (a few ms).
#ifndef ENVFLEET_ATARI_ATARI_ENV_H_
#define ENVFLEET_ATARI_ATARI_ENV_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "envfleet/atari/frame_stack.h"
#include "envfleet/atari/screen_processor.h"
#include "envfleet/core/config.h"
#include "envfleet/core/env.h"
#include "envfleet/core/env_spec.h"

namespace ale {
class ALEInterface;
}

namespace envfleet::atari {

// The options of every Atari task, validated.
struct AtariSettings {
  std::string rom_path;
  int stack_num;
  int frame_skip;
  int noop_max;
  bool episodic_life;
  bool zero_discount_on_life_loss;
  bool reward_clip;
  bool use_fire_reset;
  int img_height;
  int img_width;
  bool gray_scale;
  bool use_inter_area_resize;
  double repeat_action_probability;
  bool full_action_space;
  int mode;        // -1: the game's default mode
  int difficulty;  // -1: the game's default difficulty

  // Reads and range-checks the options; `default_rom_path` serves an empty `rom_path`.
  // Throws std::invalid_argument naming the first bad option.
  static AtariSettings FromConfig(const Config& config, const std::string& default_rom_path);
  int channels() const { return gray_scale ? 1 : 3; }
};

// The mode and difficulty a game starts in when none is asked for (-1).
struct GameDefaults {
  int mode = 0;
  int difficulty = 0;
};

// Checks `mode` and `difficulty` (-1: `defaults`') against the ones the loaded game offers,
// throwing std::invalid_argument that names the game (the stem of `rom_path`) and lists them, and
// sets them; ALE takes them up at its next reset_game().
void SetModeAndDifficulty(ale::ALEInterface& ale, const std::string& rom_path, int mode,
                          int difficulty, const GameDefaults& defaults);

class AtariEnv : public Env {
 public:
  explicit AtariEnv(const AtariSettings& settings);
  ~AtariEnv() override;

  // The declared options with EnvPool's defaults, and the spec of a game with given settings
  // (loads the ROM once to learn its action set and check mode and difficulty).
  static OptionList Options();
  static EnvSpec Spec(const AtariSettings& settings);

  void OnResetRequested() override { continue_game_ = false; }
  void Reset(const EnvOutput& out) override;
  void Step(const void* action, const EnvOutput& out) override;
  void Render(std::uint8_t* rgb) const override;
  // Episode statistics: the game's reward before reward_clip, and a lost life under
  // episodic_life as no end of the game.
  double UnclippedReward(double /*reward*/) const override { return raw_reward_; }
  bool EpisodeEndsGame() const override { return !continue_game_; }
  // Per-env options at reset (EnvType::reset_options): mode and difficulty, checked against the
  // game's (std::invalid_argument listing them); the next Reset() starts a new game with them.
  // ALE's state, and so a snapshot, holds them.
  static std::vector<std::string> ResetOptions() { return {"mode", "difficulty"}; }
  void Reconfigure(const Config& config) override;
  // Snapshots: ALE's whole system state with its random stream (cloneState(true), serialised),
  // the sticky action, lives, the episodic-life flag, the last raw reward and the frame stack.
  void SaveState(StateWriter& out) const override;
  void LoadState(StateReader& in) override;

 private:
  // One emulator frame of `action`, sticky with repeat_action_probability; returns its reward.
  int EmulateFrame(int action);
  // ALE's current screen: one palette index per pixel.
  const std::uint8_t* Screen() const;
  // The current screen (max-pooled with the captured second-to-last one if `pooled`) into the
  // next frame of the stack; into every frame of it if `fill_stack`.
  void ProcessFrame(bool pooled, bool fill_stack);
  void WriteInfo(const EnvOutput& out, double raw_reward, bool game_over, bool life_lost) const;

  AtariSettings settings_;
  GameDefaults defaults_;
  std::unique_ptr<ale::ALEInterface> ale_;
  std::vector<int> action_set_;  // action index -> ALE action
  bool has_fire_ = false;
  int previous_action_ = 0;  // the action of the last emulated frame (sticky actions)
  int lives_ = 0;
  bool continue_game_ = false;  // the last step lost a life under episodic_life
  double raw_reward_ = 0.0;     // the last step's reward before clipping

  std::unique_ptr<ScreenProcessor> screen_;
  FrameStack stack_;
};

}  // namespace envfleet::atari

#endif  // ENVFLEET_ATARI_ATARI_ENV_H_
