#include "envfleet/atari/screen_processor.h"

#include <algorithm>
#include <cstring>

namespace envfleet::atari {
namespace {

// Whether `size` bytes at a and b are equal; inline, as rows are short (160 bytes).
bool BytesEqual(const std::uint8_t* a, const std::uint8_t* b, int size) {
  std::uint64_t difference = 0;
  int i = 0;
  for (; i + 8 <= size; i += 8) {
    std::uint64_t x, y;
    std::memcpy(&x, a + i, 8);
    std::memcpy(&y, b + i, 8);
    difference |= x ^ y;
  }
  for (; i < size; ++i) difference |= a[i] ^ b[i];
  return difference == 0;
}

}  // namespace

ScreenProcessor::ScreenProcessor(const Palette& palette, int screen_height, int screen_width,
                                 ImageSize frame, bool area_resize)
    : screen_height_(screen_height), screen_width_(screen_width), frame_(frame) {
  // Lookup tables as ALE's applyPaletteGrayscale / applyPaletteRGB read the palette.
  for (int value = 0; value < 256; ++value) {
    gray_[value] = value < 255 ? static_cast<std::uint8_t>(palette[value + 1] & 0xFF) : 0;
    for (int c = 0; c < 3; ++c) {
      rgb_[value * 3 + c] = static_cast<std::uint8_t>(palette[value] >> (16 - 8 * c));
    }
  }

  // Index caches, the converted screen and the resizer for this fixed geometry.
  const std::size_t screen_pixels = static_cast<std::size_t>(screen_height) * screen_width;
  second_last_.resize(screen_pixels);
  last_.resize(screen_pixels);
  row_changed_.assign(screen_height, 1);
  const ImageSize converted{screen_height, screen_width, frame.channels};
  converted_.resize(converted.bytes());
  resized_.resize(frame.bytes());
  if (area_resize) {
    area_resizer_ = std::make_unique<AreaResizer>(converted, frame);
  } else {
    bilinear_resizer_ = std::make_unique<BilinearResizer>(converted, frame);
  }
}

ScreenProcessor::~ScreenProcessor() = default;

void ScreenProcessor::UpdateRows(const std::uint8_t* screen, std::vector<std::uint8_t>& cached) {
  for (int y = 0; y < screen_height_; ++y) {
    const std::uint8_t* row = screen + y * screen_width_;
    std::uint8_t* cached_row = cached.data() + y * screen_width_;
    if (!BytesEqual(row, cached_row, screen_width_)) {
      std::memcpy(cached_row, row, screen_width_);
      row_changed_[y] = 1;
    }
  }
}

void ScreenProcessor::CaptureSecondLast(const std::uint8_t* screen) {
  UpdateRows(screen, second_last_);
}

void ScreenProcessor::ConvertRow(int y, bool pooled) {
  const std::uint8_t* last = last_.data() + y * screen_width_;
  const std::uint8_t* second_last = second_last_.data() + y * screen_width_;
  std::uint8_t* out = converted_.data() + y * screen_width_ * frame_.channels;
  if (frame_.channels == 1) {
    // Grayscale through the palette, the brighter of the two screens where pooled.
    if (pooled) {
      for (int x = 0; x < screen_width_; ++x) {
        out[x] = std::max(gray_[last[x]], gray_[second_last[x]]);
      }
    } else {
      for (int x = 0; x < screen_width_; ++x) out[x] = gray_[last[x]];
    }
    return;
  }
  // RGB, channel by channel.
  for (int x = 0; x < screen_width_; ++x) {
    for (int c = 0; c < 3; ++c) {
      const std::uint8_t value = rgb_[last[x] * 3 + c];
      out[x * 3 + c] = pooled ? std::max(value, rgb_[second_last[x] * 3 + c]) : value;
    }
  }
}

void ScreenProcessor::Process(const std::uint8_t* screen, bool pooled, std::uint8_t* frame) {
  // Which rows changed: all of them after a switch between pooled and single screens.
  UpdateRows(screen, last_);
  if (!primed_ || pooled != pooled_) std::fill(row_changed_.begin(), row_changed_.end(), 1);

  // Convert the changed rows, then resize (the area resizer redoes only what they reach).
  for (int y = 0; y < screen_height_; ++y) {
    if (row_changed_[y]) ConvertRow(y, pooled);
  }
  if (area_resizer_) {
    area_resizer_->Resize(converted_.data(), resized_.data(), row_changed_.data());
  } else {
    bilinear_resizer_->Resize(converted_.data(), resized_.data());
  }
  if (frame_.channels == 1) {
    std::memcpy(frame, resized_.data(), resized_.size());
  } else {
    InterleavedToPlanar(resized_.data(), frame_, frame);
  }

  // The caches now hold this frame.
  std::fill(row_changed_.begin(), row_changed_.end(), 0);
  primed_ = true;
  pooled_ = pooled;
}

}  // namespace envfleet::atari
