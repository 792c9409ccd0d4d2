#include "passes/fuse_depth_to_space.h"

#include "converter/depth_space_order.h"

#include "passes/pass_util.h"
#include "passes/rewrite_driver.h"

namespace optconv {
namespace {

const Perm kCrdPerm = {0, 1, 4, 2, 5, 3};
const Perm kDcrPerm = {0, 3, 4, 1, 5, 2};

// Batch dims agree when equal or either is unknown.
bool SameBatch(int64_t a, int64_t b) { return a < 0 || b < 0 || a == b; }

absl::StatusOr<bool> PixelShuffleToDepthToSpace(RewriteState& state, int op_index) {
  Graph& g = state.graph();
  const Op& merge = g.ops()[static_cast<size_t>(op_index)];
  const int t = state.Producer(merge.inputs[0]);
  if (t < 0 || !state.HasSingleUse(merge.inputs[0])) return false;
  const Op& transpose = g.ops()[static_cast<size_t>(t)];
  if (transpose.kind != OpKind::kTranspose) return false;
  const std::optional<Perm> perm = TransposePerm(g, transpose);
  if (!perm || (*perm != kCrdPerm && *perm != kDcrPerm)) return false;
  const bool crd = *perm == kCrdPerm;
  const int s = state.Producer(transpose.inputs[0]);
  if (s < 0 || !state.HasSingleUse(transpose.inputs[0])) return false;
  const Op& split = g.ops()[static_cast<size_t>(s)];
  if (split.kind != OpKind::kReshape) return false;

  const TensorId x = split.inputs[0];
  // Copies: the graph's op and tensor vectors grow below.
  const Shape xs = g.tensor(x).shape;                    // [N, C*r*r, H, W]
  const Shape six = g.tensor(split.outputs[0]).shape;
  const Shape out = g.tensor(merge.outputs[0]).shape;    // [N, C, H*r, W*r]
  const TensorId result = merge.outputs[0];
  const DataType type = g.tensor(x).type;
  if (xs.size() != 4 || six.size() != 6 || out.size() != 4) return false;
  const int64_t c = crd ? six[1] : six[3];
  const int64_t r = crd ? six[2] : six[1];
  const int64_t r2 = crd ? six[3] : six[2];
  const int64_t h = six[4], w = six[5];
  if (c <= 0 || r <= 1 || r != r2 || h <= 0 || w <= 0) return false;
  if (!SameBatch(xs[0], six[0]) || !SameBatch(xs[0], out[0])) return false;
  if (xs[1] != c * r * r || xs[2] != h || xs[3] != w) return false;
  if (out[1] != c || out[2] != h * r || out[3] != w * r) return false;

  const SourceLoc origin = transpose.origin;
  const std::string base = g.tensor(result).name;
  TensorId nhwc = AppendTranspose(g, x, {0, 2, 3, 1}, origin, base + "_nhwc_in");
  if (crd && c > 1) {
    const std::vector<int32_t> order = CrdToDcrChannelOrder(c, r);
    TensorId reordered = g.AddActivation(base + "_dcr", type,
                                         {xs[0], h, w, c * r * r});
    Op gather = MakeOp(OpKind::kGather, {nhwc, AddInt32Vector(g, base + "_dcr_order", order)},
                       {reordered}, origin);
    gather.opts<GatherOptions>().axis = 3;
    g.AddOp(std::move(gather));
    nhwc = reordered;
  }
  TensorId spread = g.AddActivation(base + "_nhwc", type, {out[0], h * r, w * r, c});
  Op d2s = MakeOp(OpKind::kDepthToSpace, {nhwc}, {spread}, origin);
  d2s.opts<BlockSizeOptions>().block_size = static_cast<int32_t>(r);
  g.AddOp(std::move(d2s));
  Op back = MakeOp(OpKind::kTranspose,
                   {spread, AddInt32Vector(g, base + "_nchw_perm", {0, 3, 1, 2})}, {result},
                   origin);
  state.Erase(op_index);
  state.Erase(t);
  state.Erase(s);
  g.AddOp(std::move(back));
  return true;
}

}  // namespace

absl::StatusOr<bool> FuseDepthToSpacePass::Run(Graph& graph, PassContext& context) {
  std::vector<RewritePattern> patterns;
  patterns.push_back({"fused", {OpKind::kReshape}, nullptr, &PixelShuffleToDepthToSpace});
  return ApplyPatterns(graph, patterns, context, name());
}

}  // namespace optconv
