// Image operations of the Atari preprocessing: resizing, and the planar transpose of RGB frames.
//
// Images are uint8, row-major, channels interleaved (height, width, channels), as ALE writes its
// screen. Each resizer precomputes its interpolation tables once for a fixed (source, destination,
// channels) geometry and owns its scratch buffers, so Resize() allocates nothing; for the same
// reason one resizer belongs to one env and must not be used from two threads at once.
//
// Both resizers follow OpenCV's uint8 arithmetic (documented per class), so their output equals
// cv2.resize's on almost every pixel; tests/atari/test_resize.py measures the rest.
#ifndef ENVFLEET_ATARI_IMAGE_H_
#define ENVFLEET_ATARI_IMAGE_H_

#include <cstddef>
#include <cstdint>
#include <vector>

namespace envfleet::atari {

struct ImageSize {
  int height = 0;
  int width = 0;
  int channels = 1;

  std::size_t bytes() const { return static_cast<std::size_t>(height) * width * channels; }
};

// Area-average ("INTER_AREA") shrinking. Each destination pixel is the mean of the source pixels
// its footprint covers, partly covered pixels weighted by the covered fraction. As OpenCV does
// for uint8, weights and sums are float, rows are summed horizontally first and then vertically,
// and the result is rounded to nearest (ties to even). When both scales are whole numbers, each
// destination pixel is the mean of its block: (sum + 2) / 4 for 2x2 blocks, else the float
// product sum * (1 / area) rounded to nearest (OpenCV's fast paths).
// Enlarging an axis is not an area operation; the constructor rejects it.
//
// Reuse across frames: given `changed_rows` (one flag per source row), Resize() recomputes only
// what depends on the rows flagged non-zero: it shrinks those rows horizontally and writes the
// destination rows they reach. The caller promises that the other source rows equal the previous
// call's and that `destination` still holds the previous call's output. The first call, and any
// call without `changed_rows`, computes everything.
class AreaResizer {
 public:
  AreaResizer(ImageSize source, ImageSize destination);

  void Resize(const std::uint8_t* source, std::uint8_t* destination,
              const std::uint8_t* changed_rows = nullptr);

 private:
  // Each destination index's source indices and weights in summation order, padded with
  // zero-weight taps to one count for every index (adding 0 leaves a float sum unchanged), so the
  // inner loops have a fixed length.
  struct AxisTaps {
    int per_target = 0;
    std::vector<int> sources;  // [target * per_target + k]
    std::vector<float> weights;
  };
  static AxisTaps Taps(int source_size, int destination_size);
  // Shrinks the source rows horizontally into rows_: all of them, or (given `changed_rows`) only
  // the groups of kLanes rows with a changed row.
  template <int kChannels>
  void ShrinkRowsHorizontally(const std::uint8_t* source, const std::uint8_t* changed_rows);
  void ResizeWholeBlocks(const std::uint8_t* source, std::uint8_t* destination);

  ImageSize source_;
  ImageSize destination_;
  int block_height_ = 0;  // whole-number scales, or 0 for the general case
  int block_width_ = 0;
  AxisTaps x_taps_;
  AxisTaps y_taps_;
  std::vector<float> rows_;         // every source row shrunk horizontally (source height rows)
  bool rows_filled_ = false;        // rows_ holds the previous call's rows
  std::vector<float> sum_;          // one destination row being accumulated vertically
  static constexpr int kLanes = 4;  // source rows shrunk together, as one float vector
  std::vector<float> source_rows_;  // kLanes source rows as floats, interleaved
  std::vector<float> shrunk_rows_;  // the same rows shrunk, interleaved
};

// Bilinear ("INTER_LINEAR") resizing with pixel centres aligned (x_src = (x + 0.5) * scale - 0.5,
// clamped to the edge). As OpenCV does for uint8, the two weights of each axis are fixed-point
// numbers with 11 fractional bits; the horizontal pass keeps integer sums, the vertical pass
// combines them with the rounding of OpenCV's vectorised path (see Resize()).
class BilinearResizer {
 public:
  BilinearResizer(ImageSize source, ImageSize destination);

  void Resize(const std::uint8_t* source, std::uint8_t* destination);

 private:
  // Source index `first` and first + 1 (clamped), weighted by `weights` (sum 2048).
  struct Taps {
    int first;
    int second;
    std::int32_t weights[2];
  };
  static std::vector<Taps> AxisTaps(int source_size, int destination_size);

  ImageSize source_;
  ImageSize destination_;
  std::vector<Taps> x_taps_;           // per destination column
  std::vector<Taps> y_taps_;           // per destination row
  std::vector<std::int32_t> rows_[2];  // the two horizontally resized source rows
};

// Interleaved (height, width, channels) to planar (channels, height, width).
void InterleavedToPlanar(const std::uint8_t* interleaved, ImageSize size, std::uint8_t* planar);

}  // namespace envfleet::atari

#endif  // ENVFLEET_ATARI_IMAGE_H_
