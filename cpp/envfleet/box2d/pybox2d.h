// The pieces of pybox2d (Box2D's SWIG binding, which Gymnasium's Box2D envs are written against)
// that the envs' C++ repeats: Python floats handed to Box2D, fixtureDef(...) of a body's solid
// part, and a contact listener subclass's BeginContact / EndContact.
//
// Thread-safety: free functions of their arguments; a ContactCallback is used by the one thread
// that steps its world. Ownership: a ContactCallback points at its owner, which outlives it (the
// owner holds it as a member).
#ifndef ENVFLEET_BOX2D_PYBOX2D_H_
#define ENVFLEET_BOX2D_PYBOX2D_H_

#include <Box2D/Box2D.h>

#include <cstdint>

namespace envfleet::box2d {

// A pair of Python floats (double) as SWIG hands them to Box2D: each rounded to float32.
inline b2Vec2 Vec(double x, double y) {
  return b2Vec2(static_cast<float>(x), static_cast<float>(y));
}

// fixtureDef(shape=shape, density=density, categoryBits=category_bits, maskBits=mask_bits,
// restitution=0.0): a solid part that collides with the `mask_bits` categories only. Its friction
// is Box2D's default; the caller sets another where Gymnasium gives one. `shape` must outlive the
// returned definition's use.
inline b2FixtureDef SolidFixture(const b2Shape& shape, float density, std::uint16_t category_bits,
                                 std::uint16_t mask_bits) {
  b2FixtureDef fixture;
  fixture.shape = &shape;
  fixture.density = density;
  fixture.filter.categoryBits = category_bits;
  fixture.filter.maskBits = mask_bits;
  fixture.restitution = 0.0f;
  return fixture;
}

// Whether `body` is one of the two bodies `contact` joins.
inline bool Touches(const b2Contact& contact, const b2Body* body) {
  return contact.GetFixtureA()->GetBody() == body || contact.GetFixtureB()->GetBody() == body;
}

// A b2ContactListener that hands each contact's begin (`begin` true) and end (false) to one
// member function of its owner: Gymnasium's ContactDetector / FrictionDetector classes, whose
// BeginContact and EndContact differ only in that flag.
template <typename Owner>
class ContactCallback final : public b2ContactListener {
 public:
  using Handler = void (Owner::*)(b2Contact* contact, bool begin);

  ContactCallback(Owner* owner, Handler handler) : owner_(owner), handler_(handler) {}
  void BeginContact(b2Contact* contact) override { (owner_->*handler_)(contact, true); }
  void EndContact(b2Contact* contact) override { (owner_->*handler_)(contact, false); }

 private:
  Owner* owner_;
  Handler handler_;
};

}  // namespace envfleet::box2d

#endif  // ENVFLEET_BOX2D_PYBOX2D_H_
