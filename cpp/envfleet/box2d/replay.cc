#include "envfleet/box2d/replay.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace envfleet::box2d {
namespace {

// Access to the private members a WorldHistory reads and writes (b2BroadPhase::m_tree, the
// tree's node pool, b2World::m_inv_dt0). Box2D has no accessors for them; C++ allows naming a
// private member in an explicit template instantiation, and the instantiation's friend function
// hands out the member pointer ([temp.spec.general]: access checking does not apply to the
// names in an explicit instantiation).
template <typename Tag, typename Tag::Type kMember>
struct MemberAccess {
  friend typename Tag::Type Member(Tag) { return kMember; }
};

#define ENVFLEET_BOX2D_MEMBER(TagName, Class, MemberType, member) \
  struct TagName {                                                \
    using Type = MemberType Class::*;                             \
    friend Type Member(TagName);                                  \
  };                                                              \
  template struct MemberAccess<TagName, &Class::member>

ENVFLEET_BOX2D_MEMBER(BroadPhaseTree, b2BroadPhase, b2DynamicTree, m_tree);
ENVFLEET_BOX2D_MEMBER(TreeRoot, b2DynamicTree, int32, m_root);
ENVFLEET_BOX2D_MEMBER(TreeNodes, b2DynamicTree, b2TreeNode*, m_nodes);
ENVFLEET_BOX2D_MEMBER(TreeNodeCount, b2DynamicTree, int32, m_nodeCount);
ENVFLEET_BOX2D_MEMBER(TreeNodeCapacity, b2DynamicTree, int32, m_nodeCapacity);
ENVFLEET_BOX2D_MEMBER(TreeFreeList, b2DynamicTree, int32, m_freeList);
ENVFLEET_BOX2D_MEMBER(WorldInvDt0, b2World, float32, m_inv_dt0);

#undef ENVFLEET_BOX2D_MEMBER

b2DynamicTree& TreeOf(const b2World& world) {
  // The contact manager is the world's own member; GetContactManager() only makes it const.
  auto& manager = const_cast<b2ContactManager&>(world.GetContactManager());
  if (manager.m_broadPhase.GetProxyCount() != 0) {
    throw std::logic_error("a Box2D world's history is read or set with bodies in it");
  }
  b2DynamicTree& tree = manager.m_broadPhase.*Member(BroadPhaseTree{});
  if (tree.*Member(TreeNodeCount{}) != 0) {
    throw std::logic_error("a Box2D world's history is read or set with a non-empty tree");
  }
  return tree;
}

}  // namespace

void WorldHistory::Save(StateWriter& out) const {
  out.PutVector(free_nodes);
  out.Put(inv_dt0);
}

void WorldHistory::Load(StateReader& in) {
  free_nodes = in.GetVector<std::int32_t>();
  inv_dt0 = in.Get<float>();
  std::vector<bool> seen(free_nodes.size(), false);
  for (std::int32_t node : free_nodes) {
    if (node < 0 || static_cast<std::size_t>(node) >= seen.size() || seen[node]) {
      StateReader::Corrupt();
    }
    seen[node] = true;
  }
  if (free_nodes.empty()) StateReader::Corrupt();
}

WorldHistory CaptureWorldHistory(const b2World& world) {
  b2DynamicTree& tree = TreeOf(world);
  const b2TreeNode* nodes = tree.*Member(TreeNodes{});
  WorldHistory history;
  history.free_nodes.reserve(static_cast<std::size_t>(tree.*Member(TreeNodeCapacity{})));
  for (int32 node = tree.*Member(TreeFreeList{}); node != b2_nullNode; node = nodes[node].next) {
    history.free_nodes.push_back(node);
  }
  if (static_cast<int32>(history.free_nodes.size()) != tree.*Member(TreeNodeCapacity{})) {
    throw std::logic_error("a Box2D world's empty tree does not hold every node free");
  }
  history.inv_dt0 = world.*Member(WorldInvDt0{});
  return history;
}

void RestoreWorldHistory(b2World& world, const WorldHistory& history) {
  b2DynamicTree& tree = TreeOf(world);
  const auto capacity = static_cast<int32>(history.free_nodes.size());
  // A pool of that capacity, as b2DynamicTree allocates it (b2Alloc, zeroed), its free list
  // chained in the saved order.
  auto* nodes =
      static_cast<b2TreeNode*>(b2Alloc(capacity * static_cast<int32>(sizeof(b2TreeNode))));
  std::memset(static_cast<void*>(nodes), 0,
              static_cast<std::size_t>(capacity) * sizeof(b2TreeNode));
  for (int32 k = 0; k < capacity; ++k) {
    b2TreeNode& node = nodes[history.free_nodes[k]];
    node.next = k + 1 < capacity ? history.free_nodes[k + 1] : b2_nullNode;
    node.height = -1;
  }
  b2Free(tree.*Member(TreeNodes{}));
  tree.*Member(TreeNodes{}) = nodes;
  tree.*Member(TreeNodeCapacity{}) = capacity;
  tree.*Member(TreeNodeCount{}) = 0;
  tree.*Member(TreeRoot{}) = b2_nullNode;
  tree.*Member(TreeFreeList{}) = history.free_nodes[0];
  world.*Member(WorldInvDt0{}) = history.inv_dt0;
}

void EpisodeReplay::Save(StateWriter& out) const {
  out.Put(started_);
  out.Put(rng_);
  out.PutVector(actions_);
}

void EpisodeReplay::Load(StateReader& in) {
  started_ = in.Get<bool>();
  rng_ = in.Get<Rng>();
  actions_ = in.GetVector<std::uint8_t>();
  if (actions_.size() % action_bytes_ != 0 || (!started_ && !actions_.empty())) {
    StateReader::Corrupt();
  }
}

void ReplayEpisode(Env& env, const EpisodeReplay& episode, const std::function<void()>& start,
                   const EnvOutput& scratch) {
  if (!episode.started()) return;
  const Rng saved = env.random_stream();
  env.set_random_stream(episode.rng());
  start();
  for (std::size_t k = 0; k < episode.steps(); ++k) env.Step(episode.action(k), scratch);
  const Rng& replayed = env.random_stream();
  if (std::memcmp(&replayed, &saved, sizeof(Rng)) != 0) {
    throw std::invalid_argument(
        "snapshot replay diverged: the env's random stream differs from the saved one");
  }
}

}  // namespace envfleet::box2d
