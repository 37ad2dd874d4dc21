// ScreenProcessor: an env's emulator screens in, observation frames out.
//
// Takes ALE's screen as palette indices (one byte per pixel, as ALEScreen holds it), converts it
// through the palette to grayscale or RGB exactly as ALE's getScreenGrayscale / getScreenRGB do,
// max-pools a step's last two screens, resizes (area or bilinear) and writes one frame, planar
// (channels, height, width) for RGB.
//
// Row cache: consecutive Atari screens mostly repeat (backgrounds, walls, idle sprites); in Pong
// about 16% of the rows change from one step to the next, in Breakout 5%. The processor keeps the
// index rows it last saw and converts, max-pools and (area resize) shrinks only the rows whose
// indices changed in either pooled screen, and recomputes only the frame rows they reach; the rest
// keep their results from the previous frame. The output is byte for byte what processing the whole
// screen gives; only the work is skipped. A switch between pooled and single screens reprocesses
// every row.
//
// Ownership and threads: owns all its buffers (allocated in the constructor, nothing per frame);
// belongs to one env and is used by one thread at a time. Never blocks.
#ifndef ENVFLEET_ATARI_SCREEN_PROCESSOR_H_
#define ENVFLEET_ATARI_SCREEN_PROCESSOR_H_

#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "envfleet/atari/image.h"

namespace envfleet::atari {

// ALE's palette: entry p (even) is the 0xRRGGBB colour of screen value p, entry p + 1 holds its
// grayscale in the low byte (ALE's ColourPalette layout).
using Palette = std::array<std::uint32_t, 256>;

class ScreenProcessor {
 public:
  // Screens of `screen_height` x `screen_width` indices into frames of `frame` size (1 channel:
  // grayscale, 3: RGB), shrunk by area averaging if `area_resize`, else bilinear.
  ScreenProcessor(const Palette& palette, int screen_height, int screen_width, ImageSize frame,
                  bool area_resize);
  ~ScreenProcessor();

  // Records the screen of a step's second-to-last frame, to be max-pooled with the last one.
  void CaptureSecondLast(const std::uint8_t* screen);

  // Processes `screen` (max-pooled with the captured second-to-last screen if `pooled`) into
  // `frame` (frame.bytes() bytes).
  void Process(const std::uint8_t* screen, bool pooled, std::uint8_t* frame);

 private:
  // Copies the rows of `screen` that differ from `cached` into it, flagging them changed.
  void UpdateRows(const std::uint8_t* screen, std::vector<std::uint8_t>& cached);
  // Converts (and max-pools) source row `y` from the cached indices into `converted_`.
  void ConvertRow(int y, bool pooled);

  int screen_height_;
  int screen_width_;
  ImageSize frame_;
  std::array<std::uint8_t, 256> gray_{};     // screen value -> grayscale
  std::array<std::uint8_t, 256 * 3> rgb_{};  // screen value -> r, g, b
  std::vector<std::uint8_t> second_last_;    // indices of the last captured second-to-last screen
  std::vector<std::uint8_t> last_;           // indices of the last processed screen
  std::vector<std::uint8_t> row_changed_;    // per source row, since the last Process()
  bool primed_ = false;                      // a frame was processed (the caches hold one)
  bool pooled_ = false;                      // whether that frame was pooled
  std::vector<std::uint8_t> converted_;      // the pooled screen, grayscale or RGB interleaved
  std::vector<std::uint8_t> resized_;        // the last frame, interleaved (kept for the cache)
  std::unique_ptr<AreaResizer> area_resizer_;
  std::unique_ptr<BilinearResizer> bilinear_resizer_;
};

}  // namespace envfleet::atari

#endif  // ENVFLEET_ATARI_SCREEN_PROCESSOR_H_
