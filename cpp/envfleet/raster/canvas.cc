#include "envfleet/raster/canvas.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <numbers>
#include <utility>
#include <vector>

namespace envfleet::raster {
namespace {

// Coordinates are clamped to this before they become integers (pygame keeps 16-bit ones).
constexpr double kCoordinateLimit = 30000.0;

// Truncation toward zero, as pygame converts a float coordinate to an integer.
int Truncate(double value) {
  return static_cast<int>(std::clamp(value, -kCoordinateLimit, kCoordinateLimit));
}

// One channel of SDL_gfx's blend of `source` over `dest` with `alpha`, computed as it computes it
// on a 32-bit surface: in unsigned 32-bit arithmetic with the channel at bit `shift`, so that a
// darker source rounds the way it does there.
std::uint8_t BlendChannel(std::uint8_t dest, std::uint8_t source, std::uint32_t alpha, int shift) {
  const std::uint32_t d = static_cast<std::uint32_t>(dest) << shift;
  const std::uint32_t s = static_cast<std::uint32_t>(source) << shift;
  const std::uint32_t mixed = (d + ((((s - d) >> shift) * alpha >> 8) << shift)) & (0xFFu << shift);
  return static_cast<std::uint8_t>(mixed >> shift);
}

// Cohen-Sutherland outcodes of SDL_gfx's line clipping.
constexpr int kLeft = 1;
constexpr int kRight = 2;
constexpr int kBottom = 4;
constexpr int kTop = 8;

int OutCode(int x, int y, int right, int bottom) {
  int code = 0;
  if (x < 0) {
    code |= kLeft;
  } else if (x > right) {
    code |= kRight;
  }
  if (y < 0) {
    code |= kTop;
  } else if (y > bottom) {
    code |= kBottom;
  }
  return code;
}

}  // namespace

Point RotateRad(Point p, double angle) {
  constexpr double kTwoPi = 2.0 * std::numbers::pi;
  constexpr double kHalfPi = std::numbers::pi / 2.0;
  constexpr double kEpsilon = 1e-6;
  angle = std::fmod(angle, kTwoPi);
  if (angle < 0) angle += kTwoPi;
  if (std::fmod(angle + kEpsilon, kHalfPi) < 2 * kEpsilon) {
    switch (static_cast<int>((angle + kEpsilon) / kHalfPi)) {
      case 1:
        return {-p.y, p.x};
      case 2:
        return {-p.x, -p.y};
      case 3:
        return {p.y, -p.x};
      default:
        return p;
    }
  }
  const double sine = std::sin(angle);
  const double cosine = std::cos(angle);
  return {cosine * p.x - sine * p.y, sine * p.x + cosine * p.y};
}

Canvas::Canvas(std::uint8_t* rgb, int width, int height, Rows rows)
    : rgb_(rgb), width_(width), height_(height), upside_down_(rows == Rows::kUpsideDown) {}

void Canvas::Fill(Rgb color) {
  // One row pixel by pixel, then copies of it.
  const std::size_t row_bytes = 3 * static_cast<std::size_t>(width_);
  for (std::size_t i = 0; i < row_bytes; i += 3) {
    rgb_[i] = color.r;
    rgb_[i + 1] = color.g;
    rgb_[i + 2] = color.b;
  }
  for (int row = 1; row < height_; ++row) std::memcpy(rgb_ + row_bytes * row, rgb_, row_bytes);
}

void Canvas::PutPixel(int x, int y, Rgb color, std::uint32_t alpha) {
  if (!Inside(x, y)) return;
  std::uint8_t* pixel = At(x, y);
  if (alpha == 255) {
    pixel[0] = color.r;
    pixel[1] = color.g;
    pixel[2] = color.b;
    return;
  }
  pixel[0] = BlendChannel(pixel[0], color.r, alpha, 16);
  pixel[1] = BlendChannel(pixel[1], color.g, alpha, 8);
  pixel[2] = BlendChannel(pixel[2], color.b, alpha, 0);
}

void Canvas::PutPixelWeighted(int x, int y, Rgb color, std::uint32_t weight) {
  PutPixel(x, y, color, (255 * weight) >> 8);
}

void Canvas::PutPixelBright(int x, int y, Rgb color, float brightness) {
  if (!Inside(x, y)) return;
  std::uint8_t* pixel = At(x, y);
  const std::uint8_t source[3] = {color.r, color.g, color.b};
  for (int c = 0; c < 3; ++c) {
    pixel[c] = static_cast<std::uint8_t>(brightness * static_cast<float>(source[c]) +
                                         (1 - brightness) * static_cast<float>(pixel[c]));
  }
}

void Canvas::HLine(int x1, int x2, int y, Rgb color) {
  if (x1 > x2) std::swap(x1, x2);
  if (y < 0 || y >= height_ || x2 < 0 || x1 >= width_) return;
  x1 = std::max(x1, 0);
  x2 = std::min(x2, width_ - 1);
  std::uint8_t* pixel = At(x1, y);
  for (int x = x1; x <= x2; ++x, pixel += 3) {
    pixel[0] = color.r;
    pixel[1] = color.g;
    pixel[2] = color.b;
  }
}

void Canvas::VLine(int x, int y1, int y2, Rgb color) {
  if (y1 > y2) std::swap(y1, y2);
  if (x < 0 || x >= width_ || y2 < 0 || y1 >= height_) return;
  y1 = std::max(y1, 0);
  y2 = std::min(y2, height_ - 1);
  for (int y = y1; y <= y2; ++y) PutPixel(x, y, color, 255);
}

void Canvas::FilledPolygon(std::span<const Point> points, Rgb color) {
  const int n = static_cast<int>(points.size());
  if (n < 3) return;
  std::vector<int> xs(n);
  std::vector<int> ys(n);
  for (int i = 0; i < n; ++i) {
    xs[i] = Truncate(points[i].x);
    ys[i] = Truncate(points[i].y);
  }
  const int min_y = *std::min_element(ys.begin(), ys.end());
  const int max_y = *std::max_element(ys.begin(), ys.end());

  // Each scanline: the edges' crossings in 16.16 fixed point, sorted, filled pairwise between.
  std::vector<int> crossings;
  for (int y = std::max(min_y, 0); y <= std::min(max_y, height_ - 1); ++y) {
    crossings.clear();
    for (int i = 0; i < n; ++i) {
      const int previous = i == 0 ? n - 1 : i - 1;
      int x1 = xs[previous], y1 = ys[previous], x2 = xs[i], y2 = ys[i];
      if (y1 == y2) continue;
      if (y1 > y2) {
        std::swap(x1, x2);
        std::swap(y1, y2);
      }
      // Half-open edges, except that the bottom row closes the edges ending on it.
      if ((y >= y1 && y < y2) || (y == max_y && y > y1 && y <= y2)) {
        crossings.push_back(((65536 * (y - y1)) / (y2 - y1)) * (x2 - x1) + 65536 * x1);
      }
    }
    std::sort(crossings.begin(), crossings.end());
    for (std::size_t i = 0; i + 1 < crossings.size(); i += 2) {
      const int a = crossings[i] + 1;
      const int b = crossings[i + 1] - 1;
      HLine((a >> 16) + ((a & 32768) >> 15), (b >> 16) + ((b & 32768) >> 15), y, color);
    }
  }
}

void Canvas::DrawPolygon(std::span<const Point> points, Rgb color) {
  const int n = static_cast<int>(points.size());
  if (n < 3) return;
  int xs[16];
  int ys[16];
  std::vector<int> heap_xs;
  std::vector<int> heap_ys;
  int* px = xs;
  int* py = ys;
  if (n > 16) {
    heap_xs.resize(n);
    heap_ys.resize(n);
    px = heap_xs.data();
    py = heap_ys.data();
  }
  for (int i = 0; i < n; ++i) {
    px[i] = Truncate(points[i].x);
    py[i] = Truncate(points[i].y);
  }
  const int min_y = *std::min_element(py, py + n);
  const int max_y = *std::max_element(py, py + n);
  if (min_y == max_y) {
    HLine(*std::min_element(px, px + n), *std::max_element(px, px + n), min_y, color);
    return;
  }
  std::vector<int> heap_crossings;
  int small_crossings[16];
  int* crossings = small_crossings;
  if (n > 16) {
    heap_crossings.resize(n);
    crossings = heap_crossings.data();
  }
  for (int y = std::max(min_y, 0); y <= std::min(max_y, height_ - 1); ++y) {
    int count = 0;
    for (int i = 0; i < n; ++i) {
      const int previous = i == 0 ? n - 1 : i - 1;
      double x1, y1, x2, y2;
      if (py[previous] < py[i]) {
        x1 = px[previous], y1 = py[previous], x2 = px[i], y2 = py[i];
      } else if (py[previous] > py[i]) {
        x1 = px[i], y1 = py[i], x2 = px[previous], y2 = py[previous];
      } else {
        continue;
      }
      const double row = y;
      if ((row >= y1 && row < y2) || (y == max_y && y2 == max_y)) {
        crossings[count++] = static_cast<int>((row - y1) * (x2 - x1) / (y2 - y1) + x1);
      }
    }
    std::sort(crossings, crossings + count);
    for (int i = 0; i + 1 < count; i += 2) HLine(crossings[i], crossings[i + 1], y, color);
  }
  // Horizontal edges between the top and bottom rows, which the scanlines can miss.
  for (int i = 0; i < n; ++i) {
    const int previous = i == 0 ? n - 1 : i - 1;
    const int y = py[i];
    if (min_y < y && py[previous] == y && y < max_y) HLine(px[i], px[previous], y, color);
  }
}

void Canvas::DrawLines(std::span<const Point> points, int width, Rgb color) {
  if (width < 1) return;
  for (std::size_t i = 1; i < points.size(); ++i) {
    LineWidth(Truncate(points[i - 1].x), Truncate(points[i - 1].y), Truncate(points[i].x),
              Truncate(points[i].y), width, color);
  }
}

void Canvas::LineWidth(int x1, int y1, int x2, int y2, int width, Rgb color) {
  // Bresenham's state comes from the unclipped segment; the walk starts at the clipped one.
  const bool thick_in_x = std::abs(x1 - x2) <= std::abs(y1 - y2);
  const int end_x = x2;
  const int end_y = y2;
  const int dx = std::abs(x2 - x1);
  const int sx = x1 < x2 ? 1 : -1;
  const int dy = std::abs(y2 - y1);
  const int sy = y1 < y2 ? 1 : -1;
  int error = (dx > dy ? dx : -dy) / 2;

  // Liang-Barsky clipping to the canvas, the ends rounded half away from zero.
  {
    const int p1 = x1 - x2, p2 = -p1, p3 = y1 - y2, p4 = -p3;
    const int q1 = x1, q2 = width_ - x1, q3 = y1, q4 = height_ - y1;
    if ((p1 == 0 && q1 < 0) || (p2 == 0 && q2 < 0) || (p3 == 0 && q3 < 0) || (p4 == 0 && q4 < 0)) {
      return;
    }
    double n_max = 0;
    double p_min = 1;
    auto bound = [&](int p, int q_low, int q_high, int p_neg) {
      if (p == 0) return;
      const double r1 = static_cast<double>(q_low) / p;
      const double r2 = static_cast<double>(q_high) / p_neg;
      if (p < 0) {
        n_max = std::max(n_max, r1);
        p_min = std::min(p_min, r2);
      } else {
        n_max = std::max(n_max, r2);
        p_min = std::min(p_min, r1);
      }
    };
    bound(p1, q1, q2, p2);
    bound(p3, q3, q4, p4);
    if (n_max > p_min) return;
    auto round_away = [](double v) { return static_cast<int>(v < 0 ? v - 0.5 : v + 0.5); };
    const int old_x1 = x1, old_y1 = y1;
    x1 = old_x1 + round_away(p2 * n_max);
    y1 = old_y1 + round_away(p4 * n_max);
    x2 = old_x1 + round_away(p2 * p_min);
    y2 = old_y1 + round_away(p4 * p_min);
  }
  if (width == 1) {
    Line({double(x1), double(y1)}, {double(x2), double(y2)}, color);
    return;
  }
  auto sign = [](int v, int otherwise) { return v > 0 ? 1 : (v < 0 ? -1 : otherwise); };
  auto across = [&](int at_x, int at_y, int low, int high) {
    if (thick_in_x) {
      HLine(low, high, at_y, color);
    } else {
      for (int y = low; y <= high; ++y) PutPixel(at_x, y, color, 255);
    }
  };
  int low = (thick_in_x ? x1 : y1) - (width - 1) / 2;
  int high = (thick_in_x ? x1 : y1) + width / 2;
  while (sign(x1 - x2, sx) != sx || sign(y1 - y2, sy) != sy) {
    across(x1, y1, low, high);
    const int e2 = error;
    if (e2 > -dx) {
      error -= dy;
      x1 += sx;
      if (thick_in_x) low += sx, high += sx;
    }
    if (e2 < dy) {
      error += dx;
      y1 += sy;
      if (!thick_in_x) low += sy, high += sy;
    }
  }
  if (thick_in_x) {
    while (y1 != end_y && (Inside(low, y1) || Inside(high, y1))) {
      across(x1, y1, low, high);
      const int e2 = error;
      if (e2 > -dx) {
        error -= dy;
        x1 += sx;
        low += sx;
        high += sx;
      }
      if (e2 < dy) {
        error += dx;
        y1 += sy;
      }
    }
  } else {
    while (x1 != end_x && (Inside(x1, low) || Inside(x1, high))) {
      across(x1, y1, low, high);
      const int e2 = error;
      if (e2 > -dx) {
        error -= dy;
        x1 += sx;
      }
      if (e2 < dy) {
        error += dx;
        y1 += sy;
        low += sy;
        high += sy;
      }
    }
  }
  across(x1, y1, low, high);
}

void Canvas::AaPolygon(std::span<const Point> points, Rgb color) {
  const std::size_t n = points.size();
  if (n < 3) return;
  for (std::size_t i = 0; i < n; ++i) {
    const Point& from = points[i];
    const Point& to = points[(i + 1) % n];
    AaLineOpenEnd(Truncate(from.x), Truncate(from.y), Truncate(to.x), Truncate(to.y), color);
  }
}

void Canvas::AaLineOpenEnd(int x1, int y1, int x2, int y2, Rgb color) {
  // Clip to the canvas (Cohen-Sutherland, as SDL_gfx does it, moving the outside end).
  const int right = width_ - 1;
  const int bottom = height_ - 1;
  while (true) {
    int code1 = OutCode(x1, y1, right, bottom);
    const int code2 = OutCode(x2, y2, right, bottom);
    if ((code1 | code2) == 0) break;
    if ((code1 & code2) != 0) return;
    if (code1 == 0) {
      std::swap(x1, x2);
      std::swap(y1, y2);
      code1 = code2;
    }
    const float slope = x2 != x1 ? static_cast<float>(y2 - y1) / static_cast<float>(x2 - x1) : 1.0f;
    if (code1 & kLeft) {
      y1 += static_cast<int>(static_cast<float>(0 - x1) * slope);
      x1 = 0;
    } else if (code1 & kRight) {
      y1 += static_cast<int>(static_cast<float>(right - x1) * slope);
      x1 = right;
    } else if (code1 & kBottom) {
      if (x2 != x1) x1 += static_cast<int>(static_cast<float>(bottom - y1) / slope);
      y1 = bottom;
    } else {
      if (x2 != x1) x1 += static_cast<int>(static_cast<float>(0 - y1) / slope);
      y1 = 0;
    }
  }

  // Walk from the upper end; axis-parallel lines are solid.
  int x0 = x1, y0 = y1, x_end = x2, y_end = y2;
  if (y0 > y_end) {
    std::swap(x0, x_end);
    std::swap(y0, y_end);
  }
  int dx = x_end - x0;
  int dy = y_end - y0;
  if (dx == 0) {
    if (dy > 0) {
      VLine(x1, y0, y0 + dy, color);
    } else {
      PutPixel(x1, y1, color, 255);
    }
    return;
  }
  if (dy == 0) {
    HLine(x0, x0 + dx, y1, color);
    return;
  }
  const int x_step = dx >= 0 ? 1 : -1;
  dx = std::abs(dx);

  // Wu's line: a 32-bit error accumulator whose top 8 bits weigh the pixel pair at each step;
  // the first pixel (of the unreordered line) is solid, the last is left out.
  PutPixel(x1, y1, color, 255);
  std::uint32_t error = 0;
  if (dy > dx) {
    const std::uint32_t adjust = static_cast<std::uint32_t>((dx << 16) / dy) << 16;
    int x_next = x0 + x_step;
    while (--dy) {
      const std::uint32_t before = error;
      error += adjust;
      if (error <= before) {
        x0 = x_next;
        x_next += x_step;
      }
      ++y0;
      const std::uint32_t weight = (error >> 24) & 255;
      PutPixelWeighted(x0, y0, color, 255 - weight);
      PutPixelWeighted(x_next, y0, color, weight);
    }
  } else {
    const std::uint32_t adjust = static_cast<std::uint32_t>((dy << 16) / dx) << 16;
    int y_next = y0 + 1;
    while (--dx) {
      const std::uint32_t before = error;
      error += adjust;
      if (error <= before) {
        y0 = y_next;
        ++y_next;
      }
      x0 += x_step;
      const std::uint32_t weight = (error >> 24) & 255;
      PutPixelWeighted(x0, y0, color, 255 - weight);
      PutPixelWeighted(x0, y_next, color, weight);
    }
  }
}

void Canvas::FilledCircle(int cx, int cy, int radius, Rgb color) {
  if (radius < 0) return;
  if (radius == 0) {
    PutPixel(cx, cy, color, 255);
    return;
  }
  // Midpoint circle: each octant step fills the horizontal spans it newly reaches.
  int x = 0;
  int y = radius;
  int last_x = -1;
  int last_y = -1;
  int decision = 1 - radius;
  int delta_e = 3;
  int delta_se = -2 * radius + 5;
  do {
    if (last_y != y) {
      if (y > 0) {
        HLine(cx - x, cx + x, cy + y, color);
        HLine(cx - x, cx + x, cy - y, color);
      } else {
        HLine(cx - x, cx + x, cy, color);
      }
      last_y = y;
    }
    if (last_x != x) {
      if (x != y) {
        if (x > 0) {
          HLine(cx - y, cx + y, cy - x, color);
          HLine(cx - y, cx + y, cy + x, color);
        } else {
          HLine(cx - y, cx + y, cy, color);
        }
      }
      last_x = x;
    }
    if (decision < 0) {
      decision += delta_e;
      delta_e += 2;
      delta_se += 2;
    } else {
      decision += delta_se;
      delta_e += 2;
      delta_se += 4;
      --y;
    }
    ++x;
  } while (x <= y);
}

void Canvas::AaCircle(int cx, int cy, int radius, Rgb color) {
  if (radius < 0) return;
  if (radius == 0) {
    VLine(cx, cy, cy, color);
    return;
  }
  // SDL_gfx's anti-aliased ellipse with equal radii: two arcs of an octant walk, each step
  // weighing a pixel pair by the distance error, mirrored into the four quadrants.
  const int a2 = radius * radius;
  const int b2 = radius * radius;
  const int ds = 2 * a2;
  const int dt = 2 * b2;
  const int cx2 = 2 * cx;
  const int cy2 = 2 * cy;
  const double diagonal = std::sqrt(static_cast<double>(a2 + b2));
  int t = 0;
  int s = -2 * a2 * radius;
  int d = 0;
  int xp = cx;
  int yp = cy - radius;
  PutPixel(xp, yp, color, 255);
  PutPixel(cx2 - xp, yp, color, 255);
  PutPixel(xp, cy2 - yp, color, 255);
  PutPixel(cx2 - xp, cy2 - yp, color, 255);
  auto coverage = [](int error, int scale) -> std::uint32_t {
    float share = 1.0f;
    if (scale != 0) share = std::min(1.0f, static_cast<float>(std::abs(error)) / std::abs(scale));
    return static_cast<std::uint8_t>(share * 255);
  };

  const int x_steps = static_cast<int>(std::lrint(static_cast<double>(a2) / diagonal));
  for (int i = 1; i <= x_steps; ++i) {
    --xp;
    d += t - b2;
    int ys;
    if (d >= 0) {
      ys = yp - 1;
    } else if ((d - s - a2) > 0) {
      if ((2 * d - s - a2) >= 0) {
        ys = yp + 1;
      } else {
        ys = yp;
        ++yp;
        d -= s + a2;
        s += ds;
      }
    } else {
      ++yp;
      ys = yp + 1;
      d -= s + a2;
      s += ds;
    }
    t -= dt;
    const std::uint32_t weight = coverage(d, s);
    const std::uint32_t inverse = 255 - weight;
    const int xx = cx2 - xp;
    PutPixelWeighted(xp, yp, color, inverse);
    PutPixelWeighted(xx, yp, color, inverse);
    PutPixelWeighted(xp, ys, color, weight);
    PutPixelWeighted(xx, ys, color, weight);
    PutPixelWeighted(xp, cy2 - yp, color, inverse);
    PutPixelWeighted(xx, cy2 - yp, color, inverse);
    PutPixelWeighted(xp, cy2 - ys, color, weight);
    PutPixelWeighted(xx, cy2 - ys, color, weight);
  }

  const int y_steps = static_cast<int>(std::lrint(static_cast<double>(b2) / diagonal));
  for (int i = 1; i <= y_steps; ++i) {
    ++yp;
    d -= s + a2;
    int xs;
    if (d <= 0) {
      xs = xp + 1;
    } else if ((d + t - b2) < 0) {
      if ((2 * d + t - b2) <= 0) {
        xs = xp - 1;
      } else {
        xs = xp;
        --xp;
        d += t - b2;
        t -= dt;
      }
    } else {
      --xp;
      xs = xp - 1;
      d += t - b2;
      t -= dt;
    }
    s += ds;
    const std::uint32_t weight = coverage(d, t);
    const std::uint32_t inverse = 255 - weight;
    const int xx = cx2 - xp;
    const int yy = cy2 - yp;
    PutPixelWeighted(xp, yp, color, inverse);
    PutPixelWeighted(xx, yp, color, inverse);
    PutPixelWeighted(xp, yy, color, inverse);
    PutPixelWeighted(xx, yy, color, inverse);
    PutPixelWeighted(xs, yp, color, weight);
    PutPixelWeighted(cx2 - xs, yp, color, weight);
    PutPixelWeighted(xs, yy, color, weight);
    PutPixelWeighted(cx2 - xs, yy, color, weight);
  }
}

void Canvas::Line(Point from, Point to, Rgb color) {
  int x1 = Truncate(from.x), y1 = Truncate(from.y);
  const int x2 = Truncate(to.x), y2 = Truncate(to.y);
  // Bresenham, both ends included.
  const int dx = std::abs(x2 - x1);
  const int dy = std::abs(y2 - y1);
  const int sx = x1 < x2 ? 1 : -1;
  const int sy = y1 < y2 ? 1 : -1;
  int error = (dx > dy ? dx : -dy) / 2;
  while (x1 != x2 || y1 != y2) {
    PutPixel(x1, y1, color, 255);
    const int e2 = error;
    if (e2 > -dx) {
      error -= dy;
      x1 += sx;
    }
    if (e2 < dy) {
      error += dx;
      y1 += sy;
    }
  }
  PutPixel(x2, y2, color, 255);
}

void Canvas::AaLines(std::span<const Point> points, Rgb color) {
  for (std::size_t i = 1; i < points.size(); ++i) {
    AaLine(static_cast<float>(points[i - 1].x), static_cast<float>(points[i - 1].y),
           static_cast<float>(points[i].x), static_cast<float>(points[i].y), color);
  }
}

void Canvas::AaLine(float from_x, float from_y, float to_x, float to_y, Rgb color) {
  float dx = to_x - from_x;
  float dy = to_y - from_y;
  // A zero-length line is one full pixel.
  if (std::fabs(dx) < 0.0001f && std::fabs(dy) < 0.0001f) {
    PutPixelBright(static_cast<int>(std::floor(from_x + 0.5f)),
                   static_cast<int>(std::floor(from_y + 0.5f)), color, 1.0f);
    return;
  }

  // Walk along the major axis (x after swapping a steep line's axes), left to right, clipped to
  // one pixel beyond the canvas on every side.
  float clip_left = -1.0f;
  float clip_right = clip_left + static_cast<float>(width_) + 1.0f;
  float clip_top = -1.0f;
  float clip_bottom = clip_top + static_cast<float>(height_) + 1.0f;
  const bool steep = std::fabs(dx) < std::fabs(dy);
  if (steep) {
    std::swap(from_x, from_y);
    std::swap(to_x, to_y);
    std::swap(dx, dy);
    std::swap(clip_left, clip_top);
    std::swap(clip_right, clip_bottom);
  }
  if (dx < 0) {
    std::swap(from_x, to_x);
    std::swap(from_y, to_y);
    dx = -dx;
    dy = -dy;
  }
  if (to_x <= clip_left || from_x >= clip_right) return;
  const float gradient = dy / dx;
  if (from_x < clip_left) {
    from_y += gradient * (clip_left - from_x);
    from_x = clip_left;
  }
  if (to_x > clip_right) {
    to_y += gradient * (clip_right - to_x);
    to_x = clip_right;
  }
  if (gradient > 0.0f) {
    if (to_y <= clip_top || from_y >= clip_bottom) return;
    if (from_y < clip_top) {
      from_x += (clip_top - from_y) / gradient;
      from_y = clip_top;
    }
    if (to_y > clip_bottom) {
      to_x += (clip_bottom - to_y) / gradient;
      to_y = clip_bottom;
    }
  } else {
    if (from_y <= clip_top || to_y >= clip_bottom) return;
    if (to_y < clip_top) {
      to_x += (clip_top - to_y) / gradient;
      to_y = clip_top;
    }
    if (from_y > clip_bottom) {
      from_x += (clip_bottom - from_y) / gradient;
      from_y = clip_bottom;
    }
  }
  // One pixel down, so truncation rounds down; pixels are drawn one higher.
  from_y += 1.0f;
  to_y += 1.0f;
  auto plot = [&](int major, int minor, float brightness) {
    if (steep) {
      PutPixelBright(minor, major, color, brightness);
    } else {
      PutPixelBright(major, minor, color, brightness);
    }
  };

  // The two ends, each covering part of its pixel column.
  int x_start = static_cast<int>(from_x);
  float y_end = from_y + gradient * (static_cast<float>(x_start) - from_x);
  float intersect_y = y_end;
  if (to_x > clip_left + 1.0f) {
    const float x_gap = 1 + static_cast<float>(x_start) - from_x;
    const float brightness = y_end - static_cast<float>(static_cast<int>(y_end));
    const int minor = static_cast<int>(y_end);
    if (static_cast<float>(minor) < y_end) plot(x_start, minor, brightness * x_gap);
    plot(x_start, minor - 1, (1 - brightness) * x_gap);
    intersect_y += gradient;
    ++x_start;
  }
  const int x_end = static_cast<int>(std::ceil(to_x));
  if (from_x < clip_right - 1.0f) {
    y_end = to_y + gradient * (static_cast<float>(x_end) - to_x);
    const float x_gap = 1 - static_cast<float>(x_end) + to_x;
    const float brightness = y_end - static_cast<float>(static_cast<int>(y_end));
    const int minor = static_cast<int>(y_end);
    if (static_cast<float>(minor) < y_end) plot(x_end, minor, brightness * x_gap);
    plot(x_end, minor - 1, (1 - brightness) * x_gap);
  }

  // The columns between: the pixel pair straddling the line, weighed by its distance.
  for (int x = x_start; x < x_end; ++x) {
    const int y = static_cast<int>(intersect_y);
    const float brightness = 1 - intersect_y + static_cast<float>(y);
    plot(x, y - 1, brightness);
    if (static_cast<float>(y) < intersect_y) plot(x, y, 1 - brightness);
    intersect_y += gradient;
  }
}

void Canvas::BlendImage(const std::uint8_t* rgba, int width, int height, int x, int y) {
  // pygame's own alpha blit onto a surface without alpha: per channel,
  // dest + ((source - dest) * alpha + source) >> 8, with an arithmetic shift.
  for (int row = 0; row < height; ++row) {
    for (int column = 0; column < width; ++column) {
      if (!Inside(x + column, y + row)) continue;
      const std::uint8_t* source = rgba + 4 * (static_cast<std::size_t>(row) * width + column);
      const int alpha = source[3];
      std::uint8_t* pixel = At(x + column, y + row);
      for (int c = 0; c < 3; ++c) {
        const int dest = pixel[c];
        pixel[c] =
            static_cast<std::uint8_t>((((source[c] - dest) * alpha + source[c]) >> 8) + dest);
      }
    }
  }
}

}  // namespace envfleet::raster
