#include "envfleet/atari/image.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <utility>

namespace envfleet::atari {
namespace {

// Float to uint8 the way OpenCV's saturate_cast does: round to nearest, ties to even, clamp.
// Adding and subtracting 1.5 * 2^23 rounds a float of magnitude under 2^22 to an integer in the
// default rounding mode (to nearest, ties to even), inline and vectorisable.
std::uint8_t RoundToByte(float value) {
  constexpr float kRounder = 12582912.0f;
  const float rounded = (std::clamp(value, 0.0f, 255.0f) + kRounder) - kRounder;
  return static_cast<std::uint8_t>(rounded);
}

void CheckGeometry(ImageSize source, ImageSize destination) {
  if (source.height <= 0 || source.width <= 0 || destination.height <= 0 ||
      destination.width <= 0 || source.channels <= 0 || source.channels != destination.channels) {
    throw std::invalid_argument("resize: sizes must be positive and channel counts equal");
  }
}

}  // namespace

// ---- AreaResizer ---------------------------------------------------------------------------

AreaResizer::AxisTaps AreaResizer::Taps(int source_size, int destination_size) {
  const double scale = static_cast<double>(source_size) / destination_size;
  std::vector<std::vector<std::pair<int, float>>> per_target(destination_size);
  for (int d = 0; d < destination_size; ++d) {
    // The footprint [begin, end) of destination pixel d, in source pixels.
    const double begin = d * scale;
    const double end = begin + scale;
    const double cell = std::min(scale, source_size - begin);
    int first_whole = static_cast<int>(std::ceil(begin));
    const int last_whole = std::min(static_cast<int>(std::floor(end)), source_size - 1);
    first_whole = std::min(first_whole, last_whole);

    // A partly covered pixel on the left, the wholly covered ones, a partly covered one on the
    // right; fractions under 1e-3 of a pixel are dropped.
    auto& taps = per_target[d];
    if (first_whole - begin > 1e-3) {
      taps.emplace_back(first_whole - 1, static_cast<float>((first_whole - begin) / cell));
    }
    for (int s = first_whole; s < last_whole; ++s) {
      taps.emplace_back(s, static_cast<float>(1.0 / cell));
    }
    if (end - last_whole > 1e-3) {
      const double covered = std::min(std::min(end - last_whole, 1.0), cell);
      taps.emplace_back(last_whole, static_cast<float>(covered / cell));
    }
  }

  // Pad every target to the longest tap list with zero weights on its last source.
  AxisTaps axis;
  for (const auto& taps : per_target) {
    axis.per_target = std::max(axis.per_target, static_cast<int>(taps.size()));
  }
  for (const auto& taps : per_target) {
    for (int k = 0; k < axis.per_target; ++k) {
      const bool real = k < static_cast<int>(taps.size());
      axis.sources.push_back(real ? taps[k].first : taps.back().first);
      axis.weights.push_back(real ? taps[k].second : 0.0f);
    }
  }
  return axis;
}

AreaResizer::AreaResizer(ImageSize source, ImageSize destination)
    : source_(source), destination_(destination) {
  CheckGeometry(source, destination);
  if (destination.height > source.height || destination.width > source.width) {
    throw std::invalid_argument("area resize only shrinks: " + std::to_string(source.height) + "x" +
                                std::to_string(source.width) + " to " +
                                std::to_string(destination.height) + "x" +
                                std::to_string(destination.width));
  }
  // Whole-number scales average exact blocks in integers, as OpenCV's fast path does.
  if (source.height % destination.height == 0 && source.width % destination.width == 0) {
    block_height_ = source.height / destination.height;
    block_width_ = source.width / destination.width;
    return;
  }
  x_taps_ = Taps(source.width, destination.width);
  y_taps_ = Taps(source.height, destination.height);
  const std::size_t row_size = static_cast<std::size_t>(destination.width) * destination.channels;
  rows_.resize(row_size * source.height);
  sum_.resize(row_size);
  source_rows_.resize(static_cast<std::size_t>(source.width) * source.channels * kLanes);
  shrunk_rows_.resize(row_size * kLanes);
}

template <int kChannels>
void AreaResizer::ShrinkRowsHorizontally(const std::uint8_t* source,
                                         const std::uint8_t* changed_rows) {
  const int channels = kChannels > 0 ? kChannels : source_.channels;
  const int height = source_.height;
  const int per_target = x_taps_.per_target;
  const std::size_t source_stride = static_cast<std::size_t>(source_.width) * channels;
  const std::size_t row_size = sum_.size();
  float* in = source_rows_.data();
  float* block = shrunk_rows_.data();
  for (int y = 0; y < height; y += kLanes) {
    // Rows unchanged since the previous call keep their shrunk values.
    const int rows = std::min(kLanes, height - y);
    if (changed_rows != nullptr &&
        std::none_of(changed_rows + y, changed_rows + y + rows, [](auto flag) { return flag; })) {
      continue;
    }
    // kLanes rows as floats, interleaved: in[i * kLanes + lane] is byte i of row y + lane (rows
    // past the end repeat the last one and are not written out).
    for (int lane = 0; lane < kLanes; ++lane) {
      const std::uint8_t* bytes = source + std::min(y + lane, height - 1) * source_stride;
      for (std::size_t i = 0; i < source_stride; ++i) {
        in[i * kLanes + lane] = static_cast<float>(bytes[i]);
      }
    }
    // Each output value's taps summed in order, for all lanes at once (one vector operation).
    const int* sources = x_taps_.sources.data();
    const float* weights = x_taps_.weights.data();
    for (int x = 0; x < destination_.width; ++x, sources += per_target, weights += per_target) {
      for (int c = 0; c < channels; ++c) {
        float sum[kLanes] = {};
        for (int k = 0; k < per_target; ++k) {
          const float* value = in + (sources[k] * channels + c) * kLanes;
          for (int lane = 0; lane < kLanes; ++lane) sum[lane] += value[lane] * weights[k];
        }
        std::copy(sum, sum + kLanes, block + (x * channels + c) * kLanes);
      }
    }
    // Out to the rows, de-interleaved.
    for (int lane = 0; lane < rows; ++lane) {
      float* row = rows_.data() + (y + lane) * row_size;
      for (std::size_t i = 0; i < row_size; ++i) row[i] = block[i * kLanes + lane];
    }
  }
}

void AreaResizer::Resize(const std::uint8_t* source, std::uint8_t* destination,
                         const std::uint8_t* changed_rows) {
  if (block_height_ > 0) {
    ResizeWholeBlocks(source, destination);
    return;
  }
  // Shrink the (changed) source rows horizontally (grayscale and RGB get fixed-length loops).
  const bool reuse = rows_filled_ && changed_rows != nullptr;
  const std::uint8_t* rows_to_shrink = reuse ? changed_rows : nullptr;
  switch (source_.channels) {
    case 1:
      ShrinkRowsHorizontally<1>(source, rows_to_shrink);
      break;
    case 3:
      ShrinkRowsHorizontally<3>(source, rows_to_shrink);
      break;
    default:
      ShrinkRowsHorizontally<0>(source, rows_to_shrink);
  }
  rows_filled_ = true;

  // Then each destination row: its source rows, weighted and summed in order, rounded. A row
  // whose source rows are all unchanged keeps the value it has.
  const std::size_t row_size = sum_.size();
  const int per_target = y_taps_.per_target;
  for (int target_row = 0; target_row < destination_.height; ++target_row) {
    const int* sources = &y_taps_.sources[target_row * per_target];
    const float* weights = &y_taps_.weights[target_row * per_target];
    if (reuse && std::none_of(sources, sources + per_target,
                              [changed_rows](int row) { return changed_rows[row]; })) {
      continue;
    }
    std::fill(sum_.begin(), sum_.end(), 0.0f);
    for (int k = 0; k < per_target; ++k) {
      const float* row = rows_.data() + sources[k] * row_size;
      const float weight = weights[k];
      for (std::size_t i = 0; i < row_size; ++i) sum_[i] += row[i] * weight;
    }
    std::uint8_t* out = destination + target_row * row_size;
    for (std::size_t i = 0; i < row_size; ++i) out[i] = RoundToByte(sum_[i]);
  }
}

void AreaResizer::ResizeWholeBlocks(const std::uint8_t* source, std::uint8_t* destination) {
  const int channels = source_.channels;
  const std::size_t source_stride = static_cast<std::size_t>(source_.width) * channels;
  const int area = block_height_ * block_width_;
  const float inverse_area = 1.0f / static_cast<float>(area);
  const bool two_by_two = block_height_ == 2 && block_width_ == 2;
  for (int y = 0; y < destination_.height; ++y) {
    for (int x = 0; x < destination_.width; ++x) {
      for (int c = 0; c < channels; ++c) {
        // The integer sum of the block, then its mean: rounded half up for 2x2 blocks, else the
        // float product rounded to nearest (OpenCV's two fast paths).
        int sum = 0;
        for (int dy = 0; dy < block_height_; ++dy) {
          const std::uint8_t* row = source + (y * block_height_ + dy) * source_stride;
          for (int dx = 0; dx < block_width_; ++dx) {
            sum += row[(x * block_width_ + dx) * channels + c];
          }
        }
        destination[(y * destination_.width + x) * channels + c] =
            two_by_two ? static_cast<std::uint8_t>((sum + 2) >> 2)
                       : RoundToByte(static_cast<float>(sum) * inverse_area);
      }
    }
  }
}

// ---- BilinearResizer -----------------------------------------------------------------------

namespace {
constexpr int kWeightBits = 11;
constexpr float kWeightOne = 1 << kWeightBits;
}  // namespace

std::vector<BilinearResizer::Taps> BilinearResizer::AxisTaps(int source_size,
                                                             int destination_size) {
  const double scale = static_cast<double>(source_size) / destination_size;
  std::vector<Taps> taps(destination_size);
  for (int d = 0; d < destination_size; ++d) {
    // The source coordinate of d's centre, split into a pixel and a fraction; clamped at edges.
    float position = static_cast<float>((d + 0.5) * scale - 0.5);
    int first = static_cast<int>(std::floor(position));
    float fraction = position - first;
    if (first < 0) first = 0, fraction = 0.0f;
    if (first >= source_size - 1) first = source_size - 1, fraction = 0.0f;
    taps[d].first = first;
    taps[d].second = std::min(first + 1, source_size - 1);
    taps[d].weights[0] = static_cast<std::int32_t>(std::lrint((1.0f - fraction) * kWeightOne));
    taps[d].weights[1] = static_cast<std::int32_t>(std::lrint(fraction * kWeightOne));
  }
  return taps;
}

BilinearResizer::BilinearResizer(ImageSize source, ImageSize destination)
    : source_(source), destination_(destination) {
  CheckGeometry(source, destination);
  x_taps_ = AxisTaps(source.width, destination.width);
  y_taps_ = AxisTaps(source.height, destination.height);
  for (auto& row : rows_) row.resize(static_cast<std::size_t>(destination.width) * source.channels);
}

void BilinearResizer::Resize(const std::uint8_t* source, std::uint8_t* destination) {
  const int channels = source_.channels;
  const std::size_t source_stride = static_cast<std::size_t>(source_.width) * channels;
  const std::size_t row_size = rows_[0].size();
  for (int target_row = 0; target_row < destination_.height; ++target_row) {
    const Taps& y = y_taps_[target_row];
    // Resize the two source rows horizontally, in 11-bit fixed point.
    for (int k = 0; k < 2; ++k) {
      const std::uint8_t* source_row = source + (k == 0 ? y.first : y.second) * source_stride;
      std::int32_t* row = rows_[k].data();
      for (int x = 0; x < destination_.width; ++x) {
        const Taps& tap = x_taps_[x];
        for (int c = 0; c < channels; ++c) {
          row[x * channels + c] = source_row[tap.first * channels + c] * tap.weights[0] +
                                  source_row[tap.second * channels + c] * tap.weights[1];
        }
      }
    }
    // Blend them vertically. As OpenCV's vectorised uint8 path: drop 4 bits of each row, keep
    // the high 16 bits of each product, then round away the last 2 bits.
    std::uint8_t* out = destination + target_row * row_size;
    for (std::size_t i = 0; i < row_size; ++i) {
      const std::int32_t value = (((y.weights[0] * (rows_[0][i] >> 4)) >> 16) +
                                  ((y.weights[1] * (rows_[1][i] >> 4)) >> 16) + 2) >>
                                 2;
      out[i] = static_cast<std::uint8_t>(std::clamp(value, 0, 255));
    }
  }
}

// ---- Frame helpers -------------------------------------------------------------------------

void InterleavedToPlanar(const std::uint8_t* interleaved, ImageSize size, std::uint8_t* planar) {
  const std::size_t pixels = static_cast<std::size_t>(size.height) * size.width;
  for (int c = 0; c < size.channels; ++c) {
    std::uint8_t* plane = planar + c * pixels;
    for (std::size_t p = 0; p < pixels; ++p) plane[p] = interleaved[p * size.channels + c];
  }
}

}  // namespace envfleet::atari
