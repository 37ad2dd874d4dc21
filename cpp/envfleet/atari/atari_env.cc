#include "envfleet/atari/atari_env.h"

#include <algorithm>
#include <filesystem>
#include <stdexcept>
#include <string>

#include "ale/ale_interface.hpp"
#include "ale/environment/stella_environment.hpp"

namespace envfleet::atari {
namespace {

constexpr int kNoop = ale::PLAYER_A_NOOP;
constexpr int kFire = ale::PLAYER_A_FIRE;
// The console's RAM, in bytes (info["ram"]).
constexpr std::int64_t kRamSize = 128;

int GetInt(const Config& config, const char* name, int min, int max) {
  const std::int64_t value = config.Get<std::int64_t>(name);
  if (value < min || value > max) {
    throw std::invalid_argument(std::string(name) + " must be in [" + std::to_string(min) + ", " +
                                std::to_string(max) + "], got " + std::to_string(value));
  }
  return static_cast<int>(value);
}

// "0, 4, 8": the values a game offers, for error messages.
template <typename T>
std::string Listed(const std::vector<T>& values) {
  std::string text;
  for (const T value : values) {
    text += (text.empty() ? "" : ", ") + std::to_string(static_cast<int>(value));
  }
  return text;
}

}  // namespace

void SetModeAndDifficulty(ale::ALEInterface& ale, const std::string& rom_path, int mode,
                          int difficulty, const GameDefaults& defaults) {
  const std::string game = std::filesystem::path(rom_path).stem().string();
  const auto modes = ale.getAvailableModes();
  if (mode >= 0 &&
      std::find(modes.begin(), modes.end(), static_cast<ale::game_mode_t>(mode)) == modes.end()) {
    throw std::invalid_argument("mode " + std::to_string(mode) + " is not available for " + game +
                                " (its modes: " + Listed(modes) + "; -1: the default)");
  }
  const auto difficulties = ale.getAvailableDifficulties();
  if (difficulty >= 0 &&
      std::find(difficulties.begin(), difficulties.end(),
                static_cast<ale::difficulty_t>(difficulty)) == difficulties.end()) {
    throw std::invalid_argument(
        "difficulty " + std::to_string(difficulty) + " is not available for " + game +
        " (its difficulties: " + Listed(difficulties) + "; -1: the default)");
  }
  // Set only where it changes. The game's own start values go straight to the environment: ALE's
  // check refuses some of them (Backgammon starts in difficulty 0 and lists only 3).
  const auto target_mode = static_cast<ale::game_mode_t>(mode >= 0 ? mode : defaults.mode);
  if (target_mode != ale.getMode()) {
    if (mode >= 0) {
      ale.setMode(target_mode);
    } else {
      ale.environment->setMode(target_mode);
    }
  }
  const auto target_difficulty =
      static_cast<ale::difficulty_t>(difficulty >= 0 ? difficulty : defaults.difficulty);
  if (target_difficulty != ale.getDifficulty()) {
    if (difficulty >= 0) {
      ale.setDifficulty(target_difficulty);
    } else {
      ale.environment->setDifficulty(target_difficulty);
    }
  }
}

namespace {

// A quiet emulator with `settings`' ROM loaded, mode and difficulty set (the game's own before
// that into `defaults` when given). Sticky actions and frame skipping are done by AtariEnv, so
// ALE repeats nothing itself.
std::unique_ptr<ale::ALEInterface> LoadGame(const AtariSettings& settings,
                                            GameDefaults* defaults = nullptr) {
  // ALE's log level is one process-wide variable: set once, not by every env a pool makes at once.
  [[maybe_unused]] static const bool quiet = [] {
    ale::Logger::setMode(ale::Logger::Error);
    return true;
  }();
  if (!std::filesystem::is_regular_file(settings.rom_path)) {
    throw std::invalid_argument("ROM file not found: " + settings.rom_path);
  }
  if (!ale::ALEInterface::isSupportedROM(settings.rom_path)) {
    throw std::invalid_argument("not a ROM that ALE supports: " + settings.rom_path);
  }
  auto ale = std::make_unique<ale::ALEInterface>();
  ale->setInt("random_seed", 0);
  ale->setFloat("repeat_action_probability", 0.0f);
  ale->setInt("frame_skip", 1);
  ale->loadROM(settings.rom_path);

  // Mode and difficulty: -1 keeps the game's default; others must be ones the game offers.
  const GameDefaults game{static_cast<int>(ale->getMode()), static_cast<int>(ale->getDifficulty())};
  if (defaults != nullptr) *defaults = game;
  SetModeAndDifficulty(*ale, settings.rom_path, settings.mode, settings.difficulty, game);
  return ale;
}

std::vector<int> ActionSet(ale::ALEInterface& ale, bool full_action_space) {
  const ale::ActionVect actions =
      full_action_space ? ale.getLegalActionSet() : ale.getMinimalActionSet();
  return std::vector<int>(actions.begin(), actions.end());
}

}  // namespace

AtariSettings AtariSettings::FromConfig(const Config& config, const std::string& default_rom_path) {
  AtariSettings s;
  const std::string& rom_path = config.Get<std::string>("rom_path");
  s.rom_path = rom_path.empty() ? default_rom_path : rom_path;
  s.stack_num = GetInt(config, "stack_num", 1, 64);
  s.frame_skip = GetInt(config, "frame_skip", 1, 1000);
  s.noop_max = GetInt(config, "noop_max", 0, 100000);
  s.episodic_life = config.Get<bool>("episodic_life");
  s.zero_discount_on_life_loss = config.Get<bool>("zero_discount_on_life_loss");
  s.reward_clip = config.Get<bool>("reward_clip");
  s.use_fire_reset = config.Get<bool>("use_fire_reset");
  s.img_height = GetInt(config, "img_height", 1, 4096);
  s.img_width = GetInt(config, "img_width", 1, 4096);
  s.gray_scale = config.Get<bool>("gray_scale");
  s.use_inter_area_resize = config.Get<bool>("use_inter_area_resize");
  s.repeat_action_probability = config.Get<double>("repeat_action_probability");
  if (!(s.repeat_action_probability >= 0.0 && s.repeat_action_probability <= 1.0)) {
    throw std::invalid_argument("repeat_action_probability must be in [0, 1], got " +
                                std::to_string(s.repeat_action_probability));
  }
  s.full_action_space = config.Get<bool>("full_action_space");
  s.mode = GetInt(config, "mode", -1, 255);
  s.difficulty = GetInt(config, "difficulty", -1, 255);
  return s;
}

OptionList AtariEnv::Options() {
  return {
      {"stack_num", std::int64_t{4}, "frames stacked on the first axis"},
      {"frame_skip", std::int64_t{4}, "emulator frames per step (the last two are max-pooled)"},
      {"noop_max", std::int64_t{30},
       "a new game starts with 1..noop_max random frames: no-ops, the last FIRE where it applies"},
      {"episodic_life", false, "a lost life ends the episode (the game goes on)"},
      {"zero_discount_on_life_loss", false, "info['discount'] is 0 on a lost life"},
      {"reward_clip", false, "rewards are clipped to their sign"},
      {"use_fire_reset", true, "the last reset frame is FIRE, in games that have it"},
      {"img_height", std::int64_t{84}, "observation height"},
      {"img_width", std::int64_t{84}, "observation width"},
      {"gray_scale", true, "grayscale frames (else RGB, 3 channels per frame)"},
      {"use_inter_area_resize", true, "area-average resize (else bilinear)"},
      {"repeat_action_probability", 0.0, "sticky actions: chance a frame repeats the last action"},
      {"full_action_space", false, "all 18 actions (else the game's minimal set)"},
      {"mode", std::int64_t{-1}, "ALE game mode (-1: the game's default)"},
      {"difficulty", std::int64_t{-1}, "ALE difficulty (-1: the game's default)"},
      {"rom_path", std::string(), "ROM file (empty: the one the installed ale-py ships)"},
  };
}

EnvSpec AtariEnv::Spec(const AtariSettings& settings) {
  const std::unique_ptr<ale::ALEInterface> ale = LoadGame(settings);
  const std::int64_t screen_height = ale->getScreen().height();
  const std::int64_t screen_width = ale->getScreen().width();
  if (settings.use_inter_area_resize &&
      (settings.img_height > screen_height || settings.img_width > screen_width)) {
    throw std::invalid_argument("use_inter_area_resize only shrinks: img_height and img_width " +
                                std::string("must be at most the screen's ") +
                                std::to_string(screen_height) + "x" + std::to_string(screen_width));
  }

  EnvSpec spec;
  spec.observation = ArraySpec::Box(
      DType::kUInt8,
      {settings.stack_num * settings.channels(), settings.img_height, settings.img_width}, {0.0},
      {255.0});
  spec.action = ArraySpec::Discrete(
      static_cast<std::int64_t>(ActionSet(*ale, settings.full_action_space).size()));
  spec.info = {
      {"lives", ArraySpec::Unbounded(DType::kInt32, {})},
      {"reward", ArraySpec::Unbounded(DType::kFloat64, {})},
      {"terminated", ArraySpec::Box(DType::kBool, {}, {0.0}, {1.0})},
      {"discount", ArraySpec::Box(DType::kFloat32, {}, {0.0}, {1.0})},
      {"episode_frame_number", ArraySpec::Unbounded(DType::kInt32, {})},
      {"ram", ArraySpec::Box(DType::kUInt8, {kRamSize}, {0.0}, {255.0})},
  };
  spec.render_shape = {screen_height, screen_width, 3};
  // The console draws 60 frames a second; a step covers frame_skip of them.
  spec.render_fps = std::max(1, 60 / settings.frame_skip);
  return spec;
}

AtariEnv::AtariEnv(const AtariSettings& settings)
    : settings_(settings), ale_(LoadGame(settings, &defaults_)) {
  action_set_ = ActionSet(*ale_, settings.full_action_space);
  has_fire_ = std::find(action_set_.begin(), action_set_.end(), kFire) != action_set_.end();

  // The screen pipeline for the fixed screen and observation geometry, with ALE's palette.
  Palette palette;
  const ale::ColourPalette& colours = ale_->theOSystem->colourPalette();
  for (int value = 0; value < 256; ++value) palette[value] = colours.getRGB(value);
  const ImageSize frame_size{settings.img_height, settings.img_width, settings.channels()};
  screen_ = std::make_unique<ScreenProcessor>(palette, static_cast<int>(ale_->getScreen().height()),
                                              static_cast<int>(ale_->getScreen().width()),
                                              frame_size, settings.use_inter_area_resize);
  stack_ = FrameStack(settings.stack_num, frame_size.bytes());
}

AtariEnv::~AtariEnv() = default;

int AtariEnv::EmulateFrame(int action) {
  // Sticky actions: with probability p the previous frame's action is kept.
  if (settings_.repeat_action_probability == 0.0 ||
      rng().Uniform01() >= settings_.repeat_action_probability) {
    previous_action_ = action;
  }
  return ale_->act(static_cast<ale::Action>(previous_action_));
}

const std::uint8_t* AtariEnv::Screen() const { return ale_->getScreen().getArray(); }

void AtariEnv::ProcessFrame(bool pooled, bool fill_stack) {
  screen_->Process(Screen(), pooled, stack_.NextSlot());
  if (fill_stack) stack_.FillWithNewest();
}

void AtariEnv::WriteInfo(const EnvOutput& out, double raw_reward, bool game_over,
                         bool life_lost) const {
  *out.Info<std::int32_t>(0) = lives_;
  *out.Info<double>(1) = raw_reward;
  *out.Info<bool>(2) = game_over;
  *out.Info<float>(3) = life_lost && settings_.zero_discount_on_life_loss ? 0.0f : 1.0f;
  *out.Info<std::int32_t>(4) = ale_->getEpisodeFrameNumber();
  const ale::ALERAM& ram = ale_->getRAM();
  std::copy(ram.array(), ram.array() + kRamSize, out.Info<std::uint8_t>(5));
}

void AtariEnv::Reset(const EnvOutput& out) {
  // A new game, unless this reset continues one after a lost life (episodic_life). A new game
  // runs 1..noop_max reset frames (EnvPool's sequence): no-ops, the last of them FIRE where the
  // game waits for it; with noop_max 0, FIRE alone.
  const bool fire = settings_.use_fire_reset && has_fire_;
  if (!continue_game_) {
    ale_->reset_game();
    previous_action_ = kNoop;
    const int reset_frames =
        settings_.noop_max > 0 ? 1 + static_cast<int>(rng().UniformInt(settings_.noop_max)) : 0;
    const int noops = fire ? std::max(reset_frames - 1, 0) : reset_frames;
    for (int i = 0; i < noops; ++i) {
      EmulateFrame(kNoop);
      if (ale_->game_over(/*with_truncation=*/false)) ale_->reset_game();
    }
  }
  continue_game_ = false;

  // Launch play where the game waits for FIRE.
  if (fire) {
    EmulateFrame(kFire);
    if (ale_->game_over(/*with_truncation=*/false)) ale_->reset_game();
  }
  lives_ = ale_->lives();

  // The first observation: the current screen in every slot of the stack.
  ProcessFrame(/*pooled=*/false, /*fill_stack=*/true);
  stack_.Write(out.Observation<std::uint8_t>());
  WriteInfo(out, 0.0, false, false);
}

void AtariEnv::Step(const void* action, const EnvOutput& out) {
  const int ale_action = action_set_[*static_cast<const std::int64_t*>(action)];

  // Repeat the action; capture only the last two frames, or the one the game ended on.
  int reward = 0;
  bool game_over = false;
  bool pooled = false;
  const int frame_skip = settings_.frame_skip;
  for (int i = 0; i < frame_skip; ++i) {
    reward += EmulateFrame(ale_action);
    game_over = ale_->game_over(/*with_truncation=*/false);
    if (game_over || i == frame_skip - 1) {
      // Max-pool with frame i - 1 when it was captured: the step ran all its frames.
      pooled = i == frame_skip - 1 && frame_skip > 1;
      break;
    }
    if (i == frame_skip - 2) screen_->CaptureSecondLast(Screen());
  }
  ProcessFrame(pooled, /*fill_stack=*/false);
  stack_.Write(out.Observation<std::uint8_t>());

  // Lives, the episode's end and the rewards.
  const int lives = ale_->lives();
  const bool life_lost = lives < lives_ && lives > 0;
  lives_ = lives;
  continue_game_ = settings_.episodic_life && life_lost && !game_over;
  *out.terminated = game_over || continue_game_;
  const double raw_reward = reward;
  raw_reward_ = raw_reward;
  *out.reward =
      settings_.reward_clip ? static_cast<double>((reward > 0) - (reward < 0)) : raw_reward;
  WriteInfo(out, raw_reward, game_over, life_lost);
}

void AtariEnv::Render(std::uint8_t* rgb) const {
  // ALE fills a vector: one per rendering thread, reused, so a picture allocates nothing.
  thread_local std::vector<unsigned char> screen;
  ale_->getScreenRGB(screen);
  std::copy(screen.begin(), screen.end(), rgb);
}

void AtariEnv::Reconfigure(const Config& config) {
  const int mode = GetInt(config, "mode", -1, 255);
  const int difficulty = GetInt(config, "difficulty", -1, 255);
  SetModeAndDifficulty(*ale_, settings_.rom_path, mode, difficulty, defaults_);
  settings_.mode = mode;
  settings_.difficulty = difficulty;
  // The new mode and difficulty hold from a new game on: the next Reset() starts one.
  continue_game_ = false;
}

void AtariEnv::SaveState(StateWriter& out) const {
  out.PutString(ale_->cloneState(/*include_rng=*/true).serialize());
  out.Put(previous_action_);
  out.Put(lives_);
  out.Put(continue_game_);
  out.Put(raw_reward_);
  stack_.Save(out);
}

void AtariEnv::LoadState(StateReader& in) {
  const ale::ALEState state(in.GetString());
  ale_->restoreState(state);
  previous_action_ = in.Get<int>();
  lives_ = in.Get<int>();
  continue_game_ = in.Get<bool>();
  raw_reward_ = in.Get<double>();
  stack_.Load(in);
}

}  // namespace envfleet::atari
