// FrameStack: the last `depth` processed frames, written out oldest first as one observation.
//
// A ring of fixed-size frames: Push() overwrites the oldest slot (or hands out a slot to write
// in place), Write() copies all of them into an observation. Allocates only in the constructor.
// Not thread-safe: it belongs to one env.
#ifndef ENVFLEET_ATARI_FRAME_STACK_H_
#define ENVFLEET_ATARI_FRAME_STACK_H_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "envfleet/core/snapshot.h"

namespace envfleet::atari {

class FrameStack {
 public:
  FrameStack() = default;
  FrameStack(int depth, std::size_t frame_bytes)
      : depth_(depth), frame_bytes_(frame_bytes), frames_(depth * frame_bytes) {}

  // The slot the next frame goes into; it becomes the newest frame.
  std::uint8_t* NextSlot() {
    newest_ = (newest_ + 1) % depth_;
    return Slot(newest_);
  }

  // Copies the newest frame into every other slot (a new episode starts with a full stack).
  void FillWithNewest() {
    for (int k = 0; k < depth_; ++k) {
      if (k != newest_) std::memcpy(Slot(k), Slot(newest_), frame_bytes_);
    }
  }

  // Snapshots: the frames and which is the newest (a stack of the same depth and frame size).
  void Save(StateWriter& out) const {
    out.PutVector(frames_);
    out.Put(newest_);
  }
  void Load(StateReader& in) {
    in.GetArray(frames_.data(), frames_.size());
    newest_ = in.Get<int>();
    if (newest_ < 0 || newest_ >= depth_) StateReader::Corrupt();
  }

  // The whole stack, oldest frame first, into `observation` (depth * frame_bytes bytes).
  void Write(std::uint8_t* observation) const {
    for (int k = 0; k < depth_; ++k) {
      const int slot = (newest_ + 1 + k) % depth_;
      std::memcpy(observation + k * frame_bytes_, Slot(slot), frame_bytes_);
    }
  }

 private:
  std::uint8_t* Slot(int k) { return frames_.data() + k * frame_bytes_; }
  const std::uint8_t* Slot(int k) const { return frames_.data() + k * frame_bytes_; }

  int depth_ = 1;
  std::size_t frame_bytes_ = 0;
  std::vector<std::uint8_t> frames_;
  int newest_ = 0;
};

}  // namespace envfleet::atari

#endif  // ENVFLEET_ATARI_FRAME_STACK_H_
