// Canvas: envfleet's small rasteriser, drawing pictures as Gymnasium draws them with pygame.
//
// Gymnasium 1.2's classic-control and CarRacing render() fill a pygame Surface with a few
// primitives of pygame.gfxdraw (SDL_gfx: filled and anti-aliased polygons and circles, horizontal
// and vertical lines) and pygame.draw (filled polygons, anti-aliased polylines, lines), then flip
// it upside down (CarRacing draws its dashboard after the flip). Canvas offers
// those primitives with the same pixel rules: coordinates truncated to integers where pygame
// truncates them, the same scanline, midpoint-circle and Wu-line stepping, and the same integer
// alpha blending of a 32-bit XRGB surface, so a picture matches Gymnasium's pixel for pixel up to
// the rounding of the float coordinates (tests/classic_control/test_render.py bounds the rest).
// Every primitive clips to the canvas; coordinates far outside it are clamped first.
//
// Coordinates are the Surface's: x to the right, y down from the top row. By default the canvas
// draws straight into the caller's picture upside down, as Gymnasium returns it after
// pygame.transform.flip(surf, False, True): Surface row y is picture row height - 1 - y; a canvas
// made with Rows::kAsDrawn draws what is drawn after the flip (row y is picture row y).
// Thread-safety: none; one canvas per picture being drawn. Ownership: draws into memory it does
// not own, which must outlive it.
#ifndef ENVFLEET_RASTER_CANVAS_H_
#define ENVFLEET_RASTER_CANVAS_H_

#include <cstdint>
#include <span>

namespace envfleet::raster {

struct Rgb {
  std::uint8_t r;
  std::uint8_t g;
  std::uint8_t b;
};

// A point of a primitive, in Surface coordinates.
struct Point {
  double x;
  double y;
};

// pygame.math.Vector2(p).rotate_rad(angle): counter-clockwise in Surface coordinates, with
// rotations within 1e-6 of a multiple of 90 degrees made exact, as pygame makes them.
Point RotateRad(Point p, double angle);

// Where Surface row y lands in the picture.
enum class Rows {
  kUpsideDown,  // picture row height - 1 - y (drawn before pygame.transform.flip)
  kAsDrawn,     // picture row y (drawn after the flip, or never flipped)
};

class Canvas {
 public:
  // Draws into `rgb`, height x width x 3 bytes.
  Canvas(std::uint8_t* rgb, int width, int height, Rows rows = Rows::kUpsideDown);

  int width() const { return width_; }
  int height() const { return height_; }

  // Every pixel set to `color` (Surface.fill).
  void Fill(Rgb color);

  // gfxdraw.filled_polygon: the vertices truncated to integers, scanlines between edge crossings.
  void FilledPolygon(std::span<const Point> points, Rgb color);
  // pygame.draw.polygon (filled, width 0): the vertices truncated to integers, each scanline
  // filled between its sorted edge crossings (computed in double precision), plus the
  // horizontal edges strictly between the top and bottom rows.
  void DrawPolygon(std::span<const Point> points, Rgb color);
  // pygame.draw.lines(closed=False, width=width): Bresenham segments between points truncated to
  // integers, thickened across their minor axis, clipped as pygame clips them.
  void DrawLines(std::span<const Point> points, int width, Rgb color);
  // gfxdraw.aapolygon: each edge as an anti-aliased line without its last pixel.
  void AaPolygon(std::span<const Point> points, Rgb color);
  // gfxdraw.filled_circle and gfxdraw.aacircle, with integer centre and radius.
  void FilledCircle(int cx, int cy, int radius, Rgb color);
  void AaCircle(int cx, int cy, int radius, Rgb color);
  // gfxdraw.hline and gfxdraw.vline: both ends included.
  void HLine(int x1, int x2, int y, Rgb color);
  void VLine(int x, int y1, int y2, Rgb color);
  // pygame.draw.line of width 1 between points truncated to integers (Bresenham).
  void Line(Point from, Point to, Rgb color);
  // pygame.draw.aalines(closed=False): a polyline of anti-aliased float-coordinate segments.
  void AaLines(std::span<const Point> points, Rgb color);
  // Surface.blit of an RGBA image with its top-left corner at (x, y), blended by its alpha as
  // pygame blends it.
  void BlendImage(const std::uint8_t* rgba, int width, int height, int x, int y);

 private:
  bool Inside(int x, int y) const { return x >= 0 && x < width_ && y >= 0 && y < height_; }
  std::uint8_t* At(int x, int y) {
    const int row = upside_down_ ? height_ - 1 - y : y;
    return rgb_ + 3 * (static_cast<std::size_t>(row) * width_ + x);
  }
  // pygame.draw's thick line of one segment (draw_line_width).
  void LineWidth(int x1, int y1, int x2, int y2, int width, Rgb color);
  // SDL_gfx's pixel write: stored when alpha is 255, else blended with its integer formula.
  void PutPixel(int x, int y, Rgb color, std::uint32_t alpha);
  // The same with the alpha scaled by `weight` / 256 (an anti-aliasing coverage).
  void PutPixelWeighted(int x, int y, Rgb color, std::uint32_t weight);
  // pygame.draw's anti-aliasing write: color and background mixed by `brightness` in floats.
  void PutPixelBright(int x, int y, Rgb color, float brightness);
  // SDL_gfx's anti-aliased line from (x1, y1) to (x2, y2), without its last pixel.
  void AaLineOpenEnd(int x1, int y1, int x2, int y2, Rgb color);
  // pygame.draw's anti-aliased line between float points.
  void AaLine(float from_x, float from_y, float to_x, float to_y, Rgb color);

  std::uint8_t* rgb_;
  int width_;
  int height_;
  bool upside_down_;
};

}  // namespace envfleet::raster

#endif  // ENVFLEET_RASTER_CANVAS_H_
