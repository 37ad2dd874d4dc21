#include "envfleet/raster/smooth_scale.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace envfleet::raster {
namespace {

// One pixel fraction is 0x4000 (14 bits), as in pygame's SSE filters.
constexpr int kOne = 0x4000;

// pmulhuw: the high 16 bits of an unsigned 16 x 16-bit product.
inline std::uint16_t MulHigh(std::uint16_t a, std::uint16_t b) {
  return static_cast<std::uint16_t>((static_cast<std::uint32_t>(a) * b) >> 16);
}

// packuswb: a 16-bit word read as signed, saturated to [0, 255].
inline std::uint8_t Saturate(std::uint16_t word) {
  const auto value = static_cast<std::int16_t>(word);
  return static_cast<std::uint8_t>(std::clamp<int>(value, 0, 255));
}

// Shrinks `count` lines of `src_length` samples each into `dst_length` samples. Sample k of line
// j is at src[j * line_stride + k * sample_stride] (3 channels, contiguous), and lands at the same
// place of `dst` with its own strides. The filter runs along the sample axis.
void ShrinkAxis(const std::uint8_t* src, std::size_t src_line_stride, std::size_t src_stride,
                int src_length, std::uint8_t* dst, std::size_t dst_line_stride,
                std::size_t dst_stride, int dst_length, int count) {
  const int space = kOne * src_length / dst_length;
  const auto recip = static_cast<std::uint16_t>(0x40000000 / space);
  for (int line = 0; line < count; ++line) {
    const std::uint8_t* in = src + line * src_line_stride;
    std::uint8_t* out = dst + line * dst_line_stride;
    std::uint16_t accumulate[3] = {0, 0, 0};
    int counter = space;
    for (int k = 0; k < src_length; ++k, in += src_stride) {
      if (counter > kOne) {
        for (int c = 0; c < 3; ++c)
          accumulate[c] = static_cast<std::uint16_t>(accumulate[c] + in[c]);
        counter -= kOne;
        continue;
      }
      const auto weight = static_cast<std::uint16_t>(counter);
      const auto rest = static_cast<std::uint16_t>(kOne - weight);
      for (int c = 0; c < 3; ++c) {
        const auto sample = static_cast<std::uint16_t>(in[c] << 2);
        const auto sum = static_cast<std::uint16_t>(accumulate[c] + MulHigh(sample, weight));
        out[c] = Saturate(MulHigh(sum, recip));
        accumulate[c] = MulHigh(sample, rest);
      }
      out += dst_stride;
      counter += space - kOne;
    }
  }
}

}  // namespace

void SmoothScaleDown(const std::uint8_t* src, int src_width, int src_height, std::uint8_t* dst,
                     int dst_width, int dst_height, std::vector<std::uint8_t>& scratch) {
  if (!(0 < dst_width && dst_width < src_width && 0 < dst_height && dst_height < src_height)) {
    throw std::invalid_argument("SmoothScaleDown only shrinks");
  }
  // Along x, row by row, into dst_width x src_height; then along y, column by column. The y pass
  // of pygame keeps one accumulator line and walks rows; per column it is the same arithmetic.
  scratch.resize(static_cast<std::size_t>(3) * dst_width * src_height);
  ShrinkAxis(src, 3 * static_cast<std::size_t>(src_width), 3, src_width, scratch.data(),
             3 * static_cast<std::size_t>(dst_width), 3, dst_width, src_height);
  ShrinkAxis(scratch.data(), 3, 3 * static_cast<std::size_t>(dst_width), src_height, dst, 3,
             3 * static_cast<std::size_t>(dst_width), dst_height, dst_width);
}

}  // namespace envfleet::raster
