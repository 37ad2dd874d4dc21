#include "envfleet/classic_control/torque_arrow.h"

#include <zlib.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <utility>

namespace envfleet::classic_control {
namespace {

constexpr int kChannels = 4;

std::uint32_t ReadBigEndian(const std::uint8_t* bytes) {
  return (static_cast<std::uint32_t>(bytes[0]) << 24) |
         (static_cast<std::uint32_t>(bytes[1]) << 16) |
         (static_cast<std::uint32_t>(bytes[2]) << 8) | bytes[3];
}

// PNG's Paeth predictor: whichever of left, up and upper-left is nearest to left + up - upper-left.
int Paeth(int left, int up, int upper_left) {
  const int estimate = left + up - upper_left;
  const int to_left = std::abs(estimate - left);
  const int to_up = std::abs(estimate - up);
  const int to_upper_left = std::abs(estimate - upper_left);
  if (to_left <= to_up && to_left <= to_upper_left) return left;
  if (to_up <= to_upper_left) return up;
  return upper_left;
}

// Decodes an 8-bit RGBA, non-interlaced PNG; throws std::runtime_error otherwise.
RgbaImage DecodePng(const std::vector<std::uint8_t>& file) {
  static constexpr std::uint8_t kSignature[8] = {137, 80, 78, 71, 13, 10, 26, 10};
  if (file.size() < 8 || !std::equal(kSignature, kSignature + 8, file.begin())) {
    throw std::runtime_error("not a PNG file");
  }

  // Chunks: the header's size and format, and the compressed data of every IDAT.
  RgbaImage image;
  std::vector<std::uint8_t> compressed;
  for (std::size_t at = 8; at + 12 <= file.size();) {
    const std::uint32_t length = ReadBigEndian(&file[at]);
    const std::string type(file.begin() + static_cast<std::ptrdiff_t>(at) + 4,
                           file.begin() + static_cast<std::ptrdiff_t>(at) + 8);
    const std::uint8_t* data = &file[at + 8];
    if (at + 12 + length > file.size()) throw std::runtime_error("truncated PNG chunk");
    if (type == "IHDR") {
      image.width = static_cast<int>(ReadBigEndian(data));
      image.height = static_cast<int>(ReadBigEndian(data + 4));
      if (data[8] != 8 || data[9] != 6 || data[12] != 0) {
        throw std::runtime_error("expected an 8-bit RGBA, non-interlaced PNG");
      }
    } else if (type == "IDAT") {
      compressed.insert(compressed.end(), data, data + length);
    }
    at += 12 + length;
  }

  // Inflate: one filter byte, then the row's pixels, per row.
  const std::size_t stride = static_cast<std::size_t>(image.width) * kChannels;
  std::vector<std::uint8_t> filtered((stride + 1) * static_cast<std::size_t>(image.height));
  uLongf size = filtered.size();
  if (image.width <= 0 ||
      uncompress(filtered.data(), &size, compressed.data(), compressed.size()) != Z_OK ||
      size != filtered.size()) {
    throw std::runtime_error("corrupt PNG data");
  }

  // Undo each row's filter against the row above (zeros above the first).
  image.rgba.assign(stride * static_cast<std::size_t>(image.height), 0);
  for (int y = 0; y < image.height; ++y) {
    const std::uint8_t* in = &filtered[(stride + 1) * y];
    std::uint8_t* out = &image.rgba[stride * y];
    const std::uint8_t* above = y > 0 ? out - stride : nullptr;
    for (std::size_t i = 0; i < stride; ++i) {
      const int left = i >= kChannels ? out[i - kChannels] : 0;
      const int up = above ? above[i] : 0;
      const int upper_left = above && i >= kChannels ? above[i - kChannels] : 0;
      int predicted = 0;
      switch (in[0]) {
        case 0:
          break;
        case 1:
          predicted = left;
          break;
        case 2:
          predicted = up;
          break;
        case 3:
          predicted = (left + up) / 2;
          break;
        case 4:
          predicted = Paeth(left, up, upper_left);
          break;
        default:
          throw std::runtime_error("unknown PNG row filter");
      }
      out[i] = static_cast<std::uint8_t>(in[1 + i] + predicted);
    }
  }
  return image;
}

// smoothscale's area-averaging shrink along one axis: `count` lines of `source_length` pixels
// (consecutive pixels `source_step` bytes apart, lines `source_line` bytes apart) into lines of
// `target_length`. Computed as pygame's SSE filter (its backend on x86-64) computes it: one
// source pixel is 0x4000, products are 16 x 16 -> high 16 bits, sums wrap at 16 bits.
void ShrinkAxis(const std::uint8_t* source, std::uint8_t* target, int count, int source_length,
                int target_length, std::size_t source_step, std::size_t source_line,
                std::size_t target_step, std::size_t target_line) {
  constexpr int kOne = 0x4000;
  const int space = kOne * source_length / target_length;
  const std::uint32_t reciprocal = static_cast<std::uint32_t>(0x40000000 / space);
  auto high_product = [](std::uint32_t a, std::uint32_t b) {
    return static_cast<std::uint16_t>((a * b) >> 16);
  };
  for (int line = 0; line < count; ++line) {
    const std::uint8_t* in = source + source_line * line;
    std::uint8_t* out = target + target_line * line;
    std::uint16_t sum[kChannels] = {0, 0, 0, 0};
    int counter = space;
    for (int i = 0; i < source_length; ++i, in += source_step) {
      if (counter > kOne) {
        for (int c = 0; c < kChannels; ++c) sum[c] = static_cast<std::uint16_t>(sum[c] + in[c]);
        counter -= kOne;
        continue;
      }
      // A target pixel ends inside this source pixel: its share completes the sum, the rest
      // starts the next.
      const std::uint32_t share = static_cast<std::uint32_t>(counter);
      const std::uint32_t rest = static_cast<std::uint32_t>(kOne - counter);
      for (int c = 0; c < kChannels; ++c) {
        const std::uint32_t scaled = static_cast<std::uint32_t>(in[c]) << 2;
        const auto total = static_cast<std::uint16_t>(sum[c] + high_product(scaled, share));
        out[c] = static_cast<std::uint8_t>(
            std::min<std::uint32_t>(255, high_product(total, reciprocal)));
        sum[c] = high_product(scaled, rest);
      }
      out += target_step;
      counter += space - kOne;
    }
  }
}

}  // namespace

TorqueArrow::TorqueArrow(std::string path) : path_(std::move(path)) {}

void TorqueArrow::Load() const {
  std::ifstream in(path_, std::ios::binary);
  if (!in) {
    load_error_ =
        "cannot read Pendulum's torque arrow " + path_ + " (it ships with the gymnasium package)";
    return;
  }
  const std::vector<std::uint8_t> file((std::istreambuf_iterator<char>(in)),
                                       std::istreambuf_iterator<char>());
  try {
    image_ = DecodePng(file);
  } catch (const std::runtime_error& error) {
    load_error_ = "cannot decode Pendulum's torque arrow " + path_ + ": " + error.what();
  }
}

RgbaImage TorqueArrow::Scaled(int width, int height, bool mirror) const {
  std::call_once(loaded_, [this] { Load(); });
  if (!load_error_.empty()) throw std::runtime_error(load_error_);
  if (width <= 0 || height <= 0 || width >= image_.width || height >= image_.height) {
    throw std::invalid_argument("the torque arrow only shrinks");
  }

  // Shrink along x, then along y, as smoothscale does.
  const std::size_t pixel = kChannels;
  std::vector<std::uint8_t> narrow(pixel * width * image_.height);
  ShrinkAxis(image_.rgba.data(), narrow.data(), image_.height, image_.width, width, pixel,
             pixel * image_.width, pixel, pixel * width);
  RgbaImage scaled{width, height, std::vector<std::uint8_t>(pixel * width * height)};
  ShrinkAxis(narrow.data(), scaled.rgba.data(), width, image_.height, height, pixel * width, pixel,
             pixel * width, pixel);

  // Mirror: always upside down, left-right when asked.
  RgbaImage flipped{width, height, std::vector<std::uint8_t>(scaled.rgba.size())};
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      const int source_x = mirror ? width - 1 - x : x;
      const std::uint8_t* from = &scaled.rgba[pixel * ((height - 1 - y) * width + source_x)];
      std::copy(from, from + pixel, &flipped.rgba[pixel * (y * width + x)]);
    }
  }
  return flipped;
}

}  // namespace envfleet::classic_control
