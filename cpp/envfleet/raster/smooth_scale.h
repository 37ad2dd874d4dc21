// SmoothScaleDown: pygame.transform.smoothscale's area-averaging shrink, with pygame's integer
// arithmetic, so that a picture drawn at the size Gymnasium draws it shrinks to the same bytes.
//
// pygame 2.x on x86-64 picks its SSE filters (pygame.transform.get_smoothscale_backend() is
// "SSE"), whose 16-bit fixed point (14-bit pixel fractions, pmulhuw products, saturating packs)
// rounds differently from its portable C filters in about 2% of the pixels of a random picture.
// This function computes what the SSE filters compute, channel by channel: first along x into
// an 8-bit temporary of `dst_width` x `src_height`, then along y.
// Thread-safety: a pure function of its arguments; the temporary is the caller's `scratch`.
#ifndef ENVFLEET_RASTER_SMOOTH_SCALE_H_
#define ENVFLEET_RASTER_SMOOTH_SCALE_H_

#include <cstdint>
#include <vector>

namespace envfleet::raster {

// Shrinks the RGB picture `src` (src_height x src_width x 3) to `dst` (dst_height x dst_width x
// 3). Both sizes must shrink: 0 < dst_width < src_width and 0 < dst_height < src_height.
// `scratch` is resized as needed and may be reused across calls.
void SmoothScaleDown(const std::uint8_t* src, int src_width, int src_height, std::uint8_t* dst,
                     int dst_width, int dst_height, std::vector<std::uint8_t>& scratch);

}  // namespace envfleet::raster

#endif  // ENVFLEET_RASTER_SMOOTH_SCALE_H_
