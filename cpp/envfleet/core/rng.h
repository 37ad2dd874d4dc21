// Rng: each env's own random stream, and StreamSeed: how a pool seed becomes per-env streams.
//
// Rng is xoshiro256** seeded through splitmix64. StreamSeed mixes (seed, env index) with a
// strong 64-bit hash, so pools made with adjacent seeds (s and s + 1) share no streams, unlike
// the `seed + index` scheme. Thread-safety: an Rng belongs to one env and is used by whichever
// single thread steps that env; it is not safe to share between threads.
#ifndef ENVFLEET_CORE_RNG_H_
#define ENVFLEET_CORE_RNG_H_

#include <cstdint>

namespace envfleet {

// splitmix64's finaliser: a bijective 64-bit mix.
constexpr std::uint64_t Mix64(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

// The seed of stream `index` of pool seed `seed`.
constexpr std::uint64_t StreamSeed(std::uint64_t seed, std::uint64_t index) {
  return Mix64(Mix64(seed) ^ Mix64(index ^ 0x5851F42D4C957F2DULL));
}

class Rng {
 public:
  explicit Rng(std::uint64_t seed = 0) { Seed(seed); }

  // Restarts the stream; the four words of state come from splitmix64 steps of `seed`.
  void Seed(std::uint64_t seed) {
    for (std::uint64_t& word : state_) {
      seed += 0x9E3779B97F4A7C15ULL;
      word = Mix64(seed - 0x9E3779B97F4A7C15ULL);
    }
  }

  // The next 64 random bits (xoshiro256**).
  std::uint64_t NextU64() {
    const std::uint64_t result = Rotl(state_[1] * 5, 7) * 9;
    const std::uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = Rotl(state_[3], 45);
    return result;
  }

  // Uniform in [0, 1) with 53 random bits.
  double Uniform01() { return static_cast<double>(NextU64() >> 11) * 0x1.0p-53; }

  // Uniform in [low, high).
  double Uniform(double low, double high) { return low + (high - low) * Uniform01(); }

  // Uniform integer in [0, n) (n > 0), without modulo bias.
  std::uint64_t UniformInt(std::uint64_t n) {
    const std::uint64_t limit = -n % n;  // 2^64 mod n: values below it are rejected
    std::uint64_t x;
    do {
      x = NextU64();
    } while (x < limit);
    return x % n;
  }

 private:
  static constexpr std::uint64_t Rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

  std::uint64_t state_[4];
};

}  // namespace envfleet

#endif  // ENVFLEET_CORE_RNG_H_
