#include "passes/channel_shuffle.h"

#include <numeric>

#include "passes/pass_util.h"
#include "passes/rewrite_driver.h"

namespace optconv {
namespace {

// Longest RESHAPE/TRANSPOSE chain walked back from a root, and the largest
// tensor whose element map is simulated (an int32 per element).
constexpr int kMaxChain = 8;
constexpr int64_t kMaxElements = int64_t{1} << 22;

int64_t Product(const Shape& s, size_t from, size_t to) {
  int64_t p = 1;
  for (size_t i = from; i < to; ++i) p *= s[i];
  return p;
}

// `map` gathered along `axis` of `shape` at `indices` (already in range).
std::vector<int32_t> GatherAlong(const std::vector<int32_t>& map, const Shape& shape, int axis,
                                 const std::vector<int64_t>& indices) {
  const auto a = static_cast<size_t>(axis);
  const int64_t outer = Product(shape, 0, a), dim = shape[a];
  const int64_t inner = Product(shape, a + 1, shape.size());
  std::vector<int32_t> out;
  out.reserve(static_cast<size_t>(outer * static_cast<int64_t>(indices.size()) * inner));
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t j : indices) {
      const auto* row = map.data() + (o * dim + j) * inner;
      out.insert(out.end(), row, row + inner);
    }
  }
  return out;
}

// One op of the chain applied to the element map (which source element sits
// at each position): RESHAPE keeps it, TRANSPOSE and GATHER move it. `out` is
// the op's output shape (its batch bound to 1 when `per_batch`, and then the
// op must keep dim 0 to itself).
bool Apply(const Graph& g, const Op& op, const Shape& out, bool per_batch,
           std::vector<int32_t>& map, Shape& shape) {
  if (op.kind == OpKind::kTranspose) {
    auto perm = TransposePerm(g, op);
    if (!perm || (per_batch && (*perm)[0] != 0)) return false;
    map = TransposeBytes(*Buffer::FromValues<int32_t>(map), shape, sizeof(int32_t), *perm)
              ->AsVector<int32_t>();
  } else if (op.kind == OpKind::kGather) {
    const std::optional<int> axis =
        NormalizeAxis(op.opts<GatherOptions>().axis, static_cast<int>(shape.size()));
    auto indices = ConstInts(g, op.inputs[1]);
    if (!axis || !indices || op.opts<GatherOptions>().batch_dims != 0) return false;
    if (per_batch && *axis == 0) return false;
    const int64_t dim = shape[static_cast<size_t>(*axis)];
    for (int64_t& i : *indices) {
      if (i < 0) i += dim;
      if (i < 0 || i >= dim) return false;
    }
    map = GatherAlong(map, shape, *axis, *indices);
  }
  shape = out;
  // For a RESHAPE under `per_batch` this also checks that the other dims
  // keep their product, so dim 0 stays the batch.
  return NumElements(shape) == static_cast<int64_t>(map.size());
}

// The axis and indices for which GATHER(x) reproduces `map` over `out`.
std::optional<std::pair<int, std::vector<int32_t>>> AsAxisGather(const Shape& x,
                                                                 const std::vector<int32_t>& map,
                                                                 const Shape& out) {
  if (out.size() != x.size()) return std::nullopt;
  std::vector<int32_t> iota(static_cast<size_t>(NumElements(x).value_or(0)));
  std::iota(iota.begin(), iota.end(), 0);
  for (size_t a = 0; a < x.size(); ++a) {
    bool same_elsewhere = true;
    for (size_t i = 0; i < x.size(); ++i) same_elsewhere &= i == a || out[i] == x[i];
    if (!same_elsewhere) continue;
    // Position (0, .., c, .., 0) of the result names the source index on `a`.
    const int64_t out_stride = Product(out, a + 1, out.size());
    const int64_t x_stride = Product(x, a + 1, x.size());
    std::vector<int64_t> picks;
    bool identity = out[a] == x[a];
    for (int64_t c = 0; c < out[a]; ++c) {
      const int64_t src = map[static_cast<size_t>(c * out_stride)];
      if (src % x_stride != 0 || src / x_stride >= x[a]) break;
      picks.push_back(src / x_stride);
      identity &= picks.back() == c;
    }
    if (identity || static_cast<int64_t>(picks.size()) != out[a]) continue;
    if (GatherAlong(iota, x, static_cast<int>(a), picks) == map) {
      return std::make_pair(static_cast<int>(a), std::vector<int32_t>(picks.begin(), picks.end()));
    }
  }
  return std::nullopt;
}

// A RESHAPE/TRANSPOSE chain (optionally ending in a constant GATHER) that only
// selects or reorders entries along one axis of its source `x`.
struct ChainMatch {
  TensorId x;
  int axis = 0;
  std::vector<int32_t> indices;
  std::vector<int> chain;  // root first
};

bool DiffersInAtMostOneDim(const Shape& a, const Shape& b) {
  if (a.size() != b.size()) return false;
  int differing = 0;
  for (size_t i = 0; i < a.size(); ++i) differing += a[i] != b[i];
  return differing <= 1;
}

// The map of the chain's first `len` ops (root first), from their source.
std::optional<ChainMatch> MatchSegment(const Graph& g, const std::vector<int>& ops, size_t len) {
  ChainMatch m;
  m.chain.assign(ops.begin(), ops.begin() + static_cast<std::ptrdiff_t>(len));
  m.x = g.ops()[static_cast<size_t>(m.chain.back())].inputs[0];
  const Op& root = g.ops()[static_cast<size_t>(m.chain.front())];
  bool has_transpose = false;
  for (int i : m.chain) has_transpose |= g.ops()[static_cast<size_t>(i)].kind == OpKind::kTranspose;
  Shape shape = g.tensor(m.x).shape;
  // An unknown batch: when every op keeps dim 0 to itself, each batch entry
  // moves alike, so the map of one entry (batch 1) serves any batch.
  const bool per_batch = !shape.empty() && shape[0] == kUnknownDim && UnknownDims(shape) == 1;
  if (per_batch) shape[0] = 1;
  const Shape x_shape = shape;
  const std::optional<int64_t> n = NumElements(shape);
  // Cheap rejections before simulating the element map.
  if (!has_transpose || shape.empty() || !n || *n <= 0 || *n > kMaxElements ||
      !DiffersInAtMostOneDim(shape, g.tensor(root.outputs[0]).shape)) {
    return std::nullopt;
  }
  std::vector<int32_t> map(static_cast<size_t>(*n));
  std::iota(map.begin(), map.end(), 0);
  for (auto it = m.chain.rbegin(); it != m.chain.rend(); ++it) {
    const Op& op = g.ops()[static_cast<size_t>(*it)];
    Shape out = g.tensor(op.outputs[0]).shape;
    if (per_batch) {
      if (out.empty() || out[0] != kUnknownDim) return std::nullopt;
      out[0] = 1;
    }
    if (UnknownDims(out) > 0 || !Apply(g, op, out, per_batch, map, shape)) return std::nullopt;
  }
  auto found = AsAxisGather(x_shape, map, shape);
  if (!found || (per_batch && found->first == 0)) return std::nullopt;
  m.axis = found->first;
  m.indices = std::move(found->second);
  return m;
}

// Walks back from the root through RESHAPE/TRANSPOSE producers and matches
// the longest segment that is a one-axis GATHER. Shorter segments matter: a
// layout TRANSPOSE the importer put before the chain is not part of it.
std::optional<ChainMatch> MatchChain(const RewriteState& state, int op_index) {
  const Graph& g = state.graph();
  const Op& root = g.ops()[static_cast<size_t>(op_index)];
  if (root.kind == OpKind::kGather && !ConstInts(g, root.inputs[1])) return std::nullopt;
  std::vector<int> ops = {op_index};
  TensorId x = root.inputs[0];
  while (static_cast<int>(ops.size()) < kMaxChain) {
    const int p = state.Producer(x);
    if (p < 0) break;
    const Op& op = g.ops()[static_cast<size_t>(p)];
    if (op.kind != OpKind::kReshape && op.kind != OpKind::kTranspose) break;
    ops.push_back(p);
    x = op.inputs[0];
  }
  for (size_t len = ops.size(); len > 1; --len) {
    if (auto m = MatchSegment(g, ops, len)) return m;
  }
  return std::nullopt;
}

// True when the chain dies once the root and its sibling GATHERs (other
// readers of the root's input that match too) are rewritten: otherwise the
// new GATHER would add work instead of replacing it.
bool ChainDiesWithRoot(const RewriteState& state, const ChainMatch& m) {
  const Graph& g = state.graph();
  for (size_t i = 1; i < m.chain.size(); ++i) {
    const TensorId t = g.ops()[static_cast<size_t>(m.chain[i])].outputs[0];
    if (i > 1) {
      if (!state.HasSingleUse(t)) return false;
      continue;
    }
    const std::vector<int>& readers = state.Consumers(t);
    if (state.UseCount(t) != static_cast<int>(readers.size())) return false;  // graph output
    for (int r : readers) {
      if (r != m.chain[0] && !MatchChain(state, r)) return false;
    }
  }
  return true;
}

// Replaces the root with one GATHER on `x`; the driver drops the dead chain.
absl::StatusOr<bool> ChainToGather(RewriteState& state, int op_index) {
  std::optional<ChainMatch> m = MatchChain(state, op_index);
  if (!m || !ChainDiesWithRoot(state, *m)) return false;
  Graph& g = state.graph();
  const Op& root = g.ops()[static_cast<size_t>(op_index)];
  const TensorId out = root.outputs[0];
  const SourceLoc origin = root.origin;
  TensorId indices = AddInt32Vector(g, g.tensor(out).name + "_shuffle", m->indices);
  Op gather = MakeOp(OpKind::kGather, {m->x, indices}, {out}, origin);
  gather.opts<GatherOptions>().axis = m->axis;
  state.Erase(op_index);
  g.AddOp(std::move(gather));
  return true;
}

}  // namespace

absl::StatusOr<bool> ChannelShufflePass::Run(Graph& graph, PassContext& context) {
  std::vector<RewritePattern> patterns;
  patterns.push_back(
      {"shuffles_to_gather", {OpKind::kReshape, OpKind::kGather}, nullptr, &ChainToGather});
  return ApplyPatterns(graph, patterns, context, name());
}

}  // namespace optconv
