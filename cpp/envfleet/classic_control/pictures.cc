#include "envfleet/classic_control/pictures.h"

#include <array>
#include <cmath>
#include <numbers>

#include "envfleet/classic_control/numpy_math.h"
#include "envfleet/raster/canvas.h"

namespace envfleet::classic_control {
namespace {

using raster::Canvas;
using raster::Point;
using raster::Rgb;
using raster::RotateRad;

constexpr Rgb kWhite{255, 255, 255};
constexpr Rgb kBlack{0, 0, 0};

// A polygon drawn as Gymnasium draws its shapes: anti-aliased outline, then filled.
void Shape(Canvas& canvas, std::span<const Point> points, Rgb color) {
  canvas.AaPolygon(points, color);
  canvas.FilledPolygon(points, color);
}

// A disc drawn as Gymnasium draws its joints: anti-aliased circle, then filled.
void Disc(Canvas& canvas, int x, int y, int radius, Rgb color) {
  canvas.AaCircle(x, y, radius, color);
  canvas.FilledCircle(x, y, radius, color);
}

// A rectangle (left, right, top, bottom), rotated by `angle`, then moved by (dx, dy).
std::array<Point, 4> Box(double left, double right, double top, double bottom, double angle,
                         double dx, double dy) {
  std::array<Point, 4> corners = {Point{left, bottom}, Point{left, top}, Point{right, top},
                                  Point{right, bottom}};
  for (Point& corner : corners) {
    const Point turned = RotateRad(corner, angle);
    corner = {turned.x + dx, turned.y + dy};
  }
  return corners;
}

// np.sin and np.cos of a float64 or float32 NumPy scalar.
double Sin(double x) { return std::sin(x); }
float Sin(float x) { return NumpySinf(x); }
double Cos(double x) { return std::cos(x); }
float Cos(float x) { return NumpyCosf(x); }

// MountainCar's track height at x: np.sin(3 * x) * 0.45 + 0.55, in float64 or float32.
double TrackHeight(double x) { return Sin(3 * x) * 0.45 + 0.55; }
float TrackHeight(float x) {
  return Sin(3.0f * x) * static_cast<float>(0.45) + static_cast<float>(0.55);
}

// MountainCar's picture with the car's arithmetic in `Real`, NumPy's type for the position.
template <typename Real>
void DrawMountainCarIn(Real position, double goal_position, std::uint8_t* rgb) {
  constexpr double kMinPosition = -1.2;
  constexpr double kMaxPosition = 0.6;
  constexpr double kScale = kMountainCarWidth / (kMaxPosition - kMinPosition);
  constexpr double kCarWidth = 40;
  constexpr double kCarHeight = 20;
  constexpr double kClearance = 10;
  Canvas canvas(rgb, kMountainCarWidth, kMountainCarHeight);
  canvas.Fill(kWhite);

  // The track: np.linspace(min, max, 100) and its heights, as one anti-aliased polyline.
  constexpr int kTrackPoints = 100;
  std::array<Point, kTrackPoints> track;
  const double step = (kMaxPosition - kMinPosition) / (kTrackPoints - 1);
  for (int i = 0; i < kTrackPoints; ++i) {
    const double x = i == kTrackPoints - 1 ? kMaxPosition : i * step + kMinPosition;
    track[i] = {(x - kMinPosition) * kScale, TrackHeight(x) * kScale};
  }
  canvas.AaLines(track, kBlack);

  // The car, tilted by cos(3 * position), standing `clearance` above the track.
  const double tilt = std::cos(static_cast<double>(Real(3) * position));
  const Real car_x = (position - static_cast<Real>(kMinPosition)) * static_cast<Real>(kScale);
  const Real car_y = TrackHeight(position) * static_cast<Real>(kScale);
  std::array<Point, 4> car;
  const std::array<Point, 4> corners = {Point{-kCarWidth / 2, 0}, Point{-kCarWidth / 2, kCarHeight},
                                        Point{kCarWidth / 2, kCarHeight}, Point{kCarWidth / 2, 0}};
  for (int i = 0; i < 4; ++i) {
    const Point turned = RotateRad(corners[i], tilt);
    car[i] = {static_cast<double>(static_cast<Real>(turned.x) + car_x),
              static_cast<double>(static_cast<Real>(turned.y + kClearance) + car_y)};
  }
  Shape(canvas, car, kBlack);
  for (const double wheel_x : {kCarWidth / 4, -kCarWidth / 4}) {
    const Point turned = RotateRad({wheel_x, 0}, tilt);
    const Real x = static_cast<Real>(turned.x) + car_x;
    const Real y = static_cast<Real>(turned.y + kClearance) + car_y;
    Disc(canvas, static_cast<int>(x), static_cast<int>(y), static_cast<int>(kCarHeight / 2.5),
         {128, 128, 128});
  }

  // The flag: a pole 50 pixels high at the goal, a yellow pennant at its top.
  const int flag_x = static_cast<int>((goal_position - kMinPosition) * kScale);
  const int flag_bottom = static_cast<int>(TrackHeight(goal_position) * kScale);
  const int flag_top = flag_bottom + 50;
  canvas.VLine(flag_x, flag_bottom, flag_top, kBlack);
  const std::array<Point, 3> pennant = {Point{double(flag_x), double(flag_top)},
                                        Point{double(flag_x), double(flag_top - 10)},
                                        Point{double(flag_x + 25), double(flag_top - 5)}};
  Shape(canvas, pennant, {204, 204, 0});
}

// Acrobot's picture with the angles' arithmetic in `Real`, NumPy's type for the state.
template <typename Real>
void DrawAcrobotIn(Real theta1, Real theta2, std::uint8_t* rgb) {
  constexpr double kLinkLength = 1.0;
  constexpr double kBound = kLinkLength + kLinkLength + 0.2;
  constexpr double kScale = kAcrobotSize / (kBound * 2);
  constexpr double kOffset = kAcrobotSize / 2.0;
  constexpr Real kQuarterTurn = static_cast<Real>(std::numbers::pi / 2);
  Canvas canvas(rgb, kAcrobotSize, kAcrobotSize);
  canvas.Fill(kWhite);

  // The target height line.
  canvas.Line({-2.2 * kScale + kOffset, 1 * kScale + kOffset},
              {2.2 * kScale + kOffset, 1 * kScale + kOffset}, kBlack);

  // Each link from its joint (the second joint's position only: the end point is not drawn), x
  // and y swapped as Gymnasium swaps them (xys[:, ::-1]).
  const Real p1_x = static_cast<Real>(-kLinkLength) * Cos(theta1) * static_cast<Real>(kScale);
  const Real p1_y = static_cast<Real>(kLinkLength) * Sin(theta1) * static_cast<Real>(kScale);
  const std::array<Point, 2> joints = {Point{0.0, 0.0}, Point{double(p1_y), double(p1_x)}};
  const std::array<Real, 2> angles = {theta1 - kQuarterTurn, theta1 + theta2 - kQuarterTurn};
  for (int link = 0; link < 2; ++link) {
    const double x = joints[link].x + kOffset;
    const double y = joints[link].y + kOffset;
    Shape(canvas, Box(0, kLinkLength * kScale, 0.1 * kScale, -0.1 * kScale, angles[link], x, y),
          {0, 204, 204});
    Disc(canvas, static_cast<int>(x), static_cast<int>(y), static_cast<int>(0.1 * kScale),
         {204, 204, 0});
  }
}

}  // namespace

std::vector<std::int64_t> RenderShape(int width, int height) { return {height, width, 3}; }

void DrawCartPole(double x, double theta, std::uint8_t* rgb) {
  constexpr double kScale = kCartPoleWidth / (2.4 * 2);
  constexpr double kPoleWidth = 10.0;
  constexpr double kPoleLength = kScale * (2 * 0.5);
  constexpr double kCartWidth = 50.0;
  constexpr double kCartHeight = 30.0;
  constexpr double kAxleOffset = kCartHeight / 4.0;
  constexpr double kCartTop = 100;
  Canvas canvas(rgb, kCartPoleWidth, kCartPoleHeight);
  canvas.Fill(kWhite);

  // The cart, the pole hinged at its axle, the axle, then the track line.
  const double cart_x = x * kScale + kCartPoleWidth / 2.0;
  Shape(canvas,
        Box(-kCartWidth / 2, kCartWidth / 2, kCartHeight / 2, -kCartHeight / 2, 0.0, cart_x,
            kCartTop),
        kBlack);
  Shape(canvas,
        Box(-kPoleWidth / 2, kPoleWidth / 2, kPoleLength - kPoleWidth / 2, -kPoleWidth / 2, -theta,
            cart_x, kCartTop + kAxleOffset),
        {202, 152, 101});
  Disc(canvas, static_cast<int>(cart_x), static_cast<int>(kCartTop + kAxleOffset),
       static_cast<int>(kPoleWidth / 2), {129, 132, 203});
  canvas.HLine(0, kCartPoleWidth, static_cast<int>(kCartTop), kBlack);
}

void DrawMountainCar(double position, double goal_position, std::uint8_t* rgb) {
  DrawMountainCarIn(position, goal_position, rgb);
}

void DrawMountainCar(float position, double goal_position, std::uint8_t* rgb) {
  DrawMountainCarIn(position, goal_position, rgb);
}

void DrawPendulum(double theta, std::optional<float> last_torque, const TorqueArrow& arrow,
                  std::uint8_t* rgb) {
  constexpr double kBound = 2.2;
  constexpr double kScale = kPendulumSize / (kBound * 2);
  constexpr int kOffset = kPendulumSize / 2;
  constexpr double kRodLength = 1 * kScale;
  constexpr double kRodWidth = 0.2 * kScale;
  constexpr Rgb kRod{204, 77, 77};
  Canvas canvas(rgb, kPendulumSize, kPendulumSize);
  canvas.Fill(kWhite);

  // The rod from the pivot, with round ends.
  const double angle = theta + std::numbers::pi / 2;
  Shape(canvas, Box(0, kRodLength, kRodWidth / 2, -kRodWidth / 2, angle, kOffset, kOffset), kRod);
  Disc(canvas, kOffset, kOffset, static_cast<int>(kRodWidth / 2), kRod);
  const Point rod_end = RotateRad({kRodLength, 0}, angle);
  Disc(canvas, static_cast<int>(rod_end.x + kOffset), static_cast<int>(rod_end.y + kOffset),
       static_cast<int>(kRodWidth / 2), kRod);

  // The torque arrow, sized by the last torque (float32 arithmetic, as on NumPy's float32).
  if (last_torque) {
    const int side = static_cast<int>(static_cast<float>(kScale) * std::fabs(*last_torque) / 2.0f);
    if (side > 0) {
      const RgbaImage image = arrow.Scaled(side, side, *last_torque > 0);
      canvas.BlendImage(image.rgba.data(), side, side, kOffset - side / 2, kOffset - side / 2);
    }
  }

  // The axle.
  Disc(canvas, kOffset, kOffset, static_cast<int>(0.05 * kScale), kBlack);
}

void DrawAcrobot(double theta1, double theta2, std::uint8_t* rgb) {
  DrawAcrobotIn(theta1, theta2, rgb);
}

void DrawAcrobot(float theta1, float theta2, std::uint8_t* rgb) {
  DrawAcrobotIn(theta1, theta2, rgb);
}

}  // namespace envfleet::classic_control
