#include "envfleet/raster/smooth_scale.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

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

// Which source samples make destination sample j: `count` whole samples from `first`, then the
// sample `first + count` split into `weight` (for j) and `rest` (carried to j + 1). pygame walks a
// counter along each line; the walk is the same for every line, so it is planned once.
struct Share {
  int first;
  int count;
  std::uint16_t weight;
  std::uint16_t rest;
};

std::vector<Share> Plan(int src_length, int dst_length) {
  const int space = kOne * src_length / dst_length;
  std::vector<Share> plan;
  plan.reserve(dst_length);
  int counter = space;
  int first = 0;
  for (int k = 0; k < src_length && static_cast<int>(plan.size()) < dst_length; ++k) {
    if (counter > kOne) {
      counter -= kOne;
      continue;
    }
    const auto weight = static_cast<std::uint16_t>(counter);
    plan.push_back({first, k - first, weight, static_cast<std::uint16_t>(kOne - weight)});
    first = k + 1;
    counter += space - kOne;
  }
  return plan;
}

// One destination channel value: the accumulated whole samples plus the edge sample's share.
inline std::uint8_t Output(std::uint16_t accumulated, std::uint8_t edge, std::uint16_t weight,
                           std::uint16_t recip) {
  const auto sample = static_cast<std::uint16_t>(edge << 2);
  return Saturate(
      MulHigh(static_cast<std::uint16_t>(accumulated + MulHigh(sample, weight)), recip));
}

#if defined(__SSE2__)
// Byte masks selecting channel c of up to kMaxRun interleaved RGB pixels, in 16-byte vectors:
// for a run of `count` pixels, vector v of channel c keeps byte b when 16 v + b < 3 count and
// (16 v + b) % 3 == c.
constexpr int kMaxRun = 15;
struct RunMasks {
  __m128i keep[kMaxRun + 1][3][3];
  RunMasks() {
    for (int count = 0; count <= kMaxRun; ++count) {
      for (int c = 0; c < 3; ++c) {
        for (int v = 0; v < 3; ++v) {
          alignas(16) std::uint8_t bytes[16];
          for (int b = 0; b < 16; ++b) {
            const int at = 16 * v + b;
            bytes[b] = at < 3 * count && at % 3 == c ? 0xFF : 0;
          }
          keep[count][c][v] = _mm_load_si128(reinterpret_cast<const __m128i*>(bytes));
        }
      }
    }
  }
};

// The sums of each channel of `count` (<= kMaxRun) pixels from `pixel`, which may be read for 48
// bytes. Channel c's bytes lie at offsets = c (mod 3) of the 48, i.e. on lanes = c, c + 2 and
// c + 1 (mod 3) of the three 16-byte loads: masked, they never share a lane, so they are OR-ed
// into one vector and summed by one psadbw (three per pixel run, not nine). At most 15 x 255:
// pygame's 16-bit sum never wraps here.
inline void SumRun(const std::uint8_t* pixel, int count, const RunMasks& masks,
                   std::uint16_t sum[3]) {
  const __m128i zero = _mm_setzero_si128();
  const __m128i v0 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(pixel));
  const __m128i v1 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(pixel + 16));
  const __m128i v2 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(pixel + 32));
  for (int c = 0; c < 3; ++c) {
    const auto& keep = masks.keep[count][c];
    const __m128i bytes =
        _mm_or_si128(_mm_or_si128(_mm_and_si128(v0, keep[0]), _mm_and_si128(v1, keep[1])),
                     _mm_and_si128(v2, keep[2]));
    const __m128i total = _mm_sad_epu8(bytes, zero);
    sum[c] = static_cast<std::uint16_t>(_mm_cvtsi128_si32(total) +
                                        _mm_cvtsi128_si32(_mm_unpackhi_epi64(total, total)));
  }
}

#endif  // __SSE2__

// Along x: each row of `height` rows of `src_width` RGB pixels into `dst_width` pixels. Per row,
// the whole-pixel sums and edge samples are gathered first; the fixed-point outputs are then one
// loop over the row's channel values, which the compiler vectorises (pmulhuw, as pygame).
void ShrinkRows(const std::uint8_t* src, int src_width, int height, std::uint8_t* dst,
                int dst_width) {
#if defined(__SSE2__)
  static const RunMasks masks;
#endif
  const std::vector<Share> plan = Plan(src_width, dst_width);
  const auto recip = static_cast<std::uint16_t>(0x40000000 / (kOne * src_width / dst_width));
  const std::uint8_t* src_end = src + static_cast<std::size_t>(height) * src_width * 3;
  const int n = 3 * dst_width;
  // Per channel value: its output's edge weight, and the previous output's rest (its carry).
  std::vector<std::uint16_t> weight(n), rest_before(n, 0);
  for (int j = 0; j < dst_width; ++j) {
    for (int c = 0; c < 3; ++c) {
      weight[3 * j + c] = plan[j].weight;
      if (j > 0) rest_before[3 * j + c] = plan[j - 1].rest;
    }
  }
  std::vector<std::uint16_t> run(n), edge(n + 3, 0);
  for (int row = 0; row < height; ++row) {
    const std::uint8_t* in = src + static_cast<std::size_t>(row) * src_width * 3;
    std::uint8_t* out = dst + static_cast<std::size_t>(row) * dst_width * 3;
    for (int j = 0; j < dst_width; ++j) {
      const Share share = plan[j];
      // Summed in locals and stored once (the pixels are bytes, which may alias any store).
      std::uint16_t sum[3] = {0, 0, 0};
      const std::uint8_t* pixel = in + 3 * share.first;
#if defined(__SSE2__)
      const bool vector_run = share.count <= kMaxRun && pixel + 48 <= src_end;
#else
      // Without SSE2 (not x86-64), every run is summed a pixel at a time.
      const bool vector_run = false;
      (void)src_end;
#endif
      if (vector_run) {
#if defined(__SSE2__)
        SumRun(pixel, share.count, masks, sum);
        pixel += 3 * share.count;
#endif
      } else {
        for (int k = 0; k < share.count; ++k, pixel += 3) {
          sum[0] = static_cast<std::uint16_t>(sum[0] + pixel[0]);
          sum[1] = static_cast<std::uint16_t>(sum[1] + pixel[1]);
          sum[2] = static_cast<std::uint16_t>(sum[2] + pixel[2]);
        }
      }
      // edge[3 + i] is channel value i's edge sample (x4); edge[i] the previous output's.
      const std::uint16_t edges[3] = {static_cast<std::uint16_t>(pixel[0] << 2),
                                      static_cast<std::uint16_t>(pixel[1] << 2),
                                      static_cast<std::uint16_t>(pixel[2] << 2)};
      for (int c = 0; c < 3; ++c) {
        run[3 * j + c] = sum[c];
        edge[3 * j + 3 + c] = edges[c];
      }
    }
    const std::uint16_t* current = edge.data() + 3;
    const std::uint16_t* before = edge.data();
    for (int i = 0; i < n; ++i) {
      const auto total = static_cast<std::uint16_t>(run[i] + MulHigh(before[i], rest_before[i]) +
                                                    MulHigh(current[i], weight[i]));
      out[i] = Saturate(MulHigh(total, recip));
    }
  }
}

// Along y: `src_height` rows of `width` RGB pixels into `dst_height` rows, a line at a time.
void ShrinkColumns(const std::uint8_t* src, int width, int src_height, std::uint8_t* dst,
                   int dst_height, std::vector<std::uint16_t>& lines) {
  const std::vector<Share> plan = Plan(src_height, dst_height);
  const auto recip = static_cast<std::uint16_t>(0x40000000 / (kOne * src_height / dst_height));
  const int n = 3 * width;
  lines.assign(2 * static_cast<std::size_t>(n), 0);
  std::uint16_t* carry = lines.data();
  std::uint16_t* sum = lines.data() + n;
  for (const Share& share : plan) {
    std::copy(carry, carry + n, sum);
    for (int k = 0; k < share.count; ++k) {
      const std::uint8_t* in = src + static_cast<std::size_t>(share.first + k) * n;
      for (int i = 0; i < n; ++i) sum[i] = static_cast<std::uint16_t>(sum[i] + in[i]);
    }
    const std::uint8_t* edge = src + static_cast<std::size_t>(share.first + share.count) * n;
    for (int i = 0; i < n; ++i) {
      dst[i] = Output(sum[i], edge[i], share.weight, recip);
      carry[i] = MulHigh(static_cast<std::uint16_t>(edge[i] << 2), share.rest);
    }
    dst += n;
  }
}

}  // namespace

void SmoothScaleDown(const std::uint8_t* src, int src_width, int src_height, std::uint8_t* dst,
                     int dst_width, int dst_height, std::vector<std::uint8_t>& scratch) {
  if (!(0 < dst_width && dst_width < src_width && 0 < dst_height && dst_height < src_height)) {
    throw std::invalid_argument("SmoothScaleDown only shrinks");
  }
  // Along x into dst_width x src_height, then along y, as pygame does.
  thread_local std::vector<std::uint16_t> lines;
  scratch.resize(static_cast<std::size_t>(3) * dst_width * src_height);
  ShrinkRows(src, src_width, src_height, scratch.data(), dst_width);
  ShrinkColumns(scratch.data(), dst_width, src_height, dst, dst_height, lines);
}

}  // namespace envfleet::raster
