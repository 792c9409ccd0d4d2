#include "passes/channel_shuffle.h"

#include <numeric>

#include "passes/pass_util.h"
#include "passes/rewrite_driver.h"

namespace optconv {
namespace {

// For x of shape `s` reshaped to `split` and transposed by `perm`: the axis
// `a` whose dims are the only ones split and permuted, with the gather index
// vector that reproduces the result on that axis.
std::optional<std::pair<int, std::vector<int32_t>>> AxisPermutation(const Shape& s,
                                                                    const Shape& split,
                                                                    const Perm& perm) {
  const int r = static_cast<int>(s.size());
  const int m = static_cast<int>(split.size());
  const int k = m - r + 1;  // number of factors the axis is split into
  if (k < 2) return std::nullopt;
  for (int a = 0; a < r; ++a) {
    if (s[static_cast<size_t>(a)] <= 0) continue;
    bool ok = true;
    for (int i = 0; i < a && ok; ++i) ok = split[static_cast<size_t>(i)] == s[static_cast<size_t>(i)];
    for (int i = a + 1; i < r && ok; ++i) {
      ok = split[static_cast<size_t>(i + k - 1)] == s[static_cast<size_t>(i)];
    }
    int64_t product = 1;
    for (int j = 0; j < k && ok; ++j) {
      const int64_t f = split[static_cast<size_t>(a + j)];
      ok = f > 0;
      product *= f;
    }
    if (!ok || product != s[static_cast<size_t>(a)]) continue;
    for (int i = 0; i < m && ok; ++i) {
      const bool inside = i >= a && i < a + k;
      const int p = perm[static_cast<size_t>(i)];
      ok = inside ? (p >= a && p < a + k) : p == i;
    }
    if (!ok) continue;
    // Transpose an iota over the factors to get the source index per position.
    Shape factors(split.begin() + a, split.begin() + a + k);
    Perm sub;
    for (int j = 0; j < k; ++j) sub.push_back(perm[static_cast<size_t>(a + j)] - a);
    std::vector<int32_t> iota(static_cast<size_t>(s[static_cast<size_t>(a)]));
    std::iota(iota.begin(), iota.end(), 0);
    BufferPtr moved = TransposeBytes(*Buffer::FromValues<int32_t>(iota), factors, sizeof(int32_t), sub);
    return std::make_pair(a, moved->AsVector<int32_t>());
  }
  return std::nullopt;
}

absl::StatusOr<bool> ShuffleToGather(RewriteState& state, int op_index) {
  Graph& g = state.graph();
  const Op& merge = g.ops()[static_cast<size_t>(op_index)];
  const int t = state.Producer(merge.inputs[0]);
  if (t < 0 || !state.HasSingleUse(merge.inputs[0])) return false;
  const Op& transpose = g.ops()[static_cast<size_t>(t)];
  if (transpose.kind != OpKind::kTranspose) return false;
  auto perm = TransposePerm(g, transpose);
  const int r = state.Producer(transpose.inputs[0]);
  if (!perm || r < 0 || !state.HasSingleUse(transpose.inputs[0])) return false;
  const Op& split = g.ops()[static_cast<size_t>(r)];
  if (split.kind != OpKind::kReshape) return false;
  const TensorId x = split.inputs[0];
  const Shape& s = g.tensor(x).shape;
  if (g.tensor(merge.outputs[0]).shape != s) return false;
  auto found = AxisPermutation(s, g.tensor(split.outputs[0]).shape, *perm);
  if (!found) return false;
  const TensorId out = merge.outputs[0];
  const SourceLoc origin = transpose.origin;
  TensorId indices = AddInt32Vector(g, g.tensor(out).name + "_shuffle", found->second);
  Op gather = MakeOp(OpKind::kGather, {x, indices}, {out}, origin);
  gather.opts<GatherOptions>().axis = found->first;
  state.Erase(op_index);
  state.Erase(t);
  state.Erase(r);
  g.AddOp(std::move(gather));
  return true;
}

}  // namespace

absl::StatusOr<bool> ChannelShufflePass::Run(Graph& graph, PassContext& context) {
  std::vector<RewritePattern> patterns;
  patterns.push_back({"shuffles_to_gather", {OpKind::kReshape}, nullptr, &ShuffleToGather});
  return ApplyPatterns(graph, patterns, context, name());
}

}  // namespace optconv
