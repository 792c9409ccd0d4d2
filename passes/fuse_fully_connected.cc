#include "passes/fuse_fully_connected.h"

#include <optional>

#include "passes/pass_util.h"
#include "passes/pattern_util.h"
#include "passes/rewrite_driver.h"

namespace optconv {
namespace {

bool IsPlainFloat(const Graph& g, TensorId t) {
  return t >= 0 && g.tensor(t).type == DataType::kFloat32 && !g.tensor(t).quant;
}

bool IsWeighted(OpKind k) {
  return k == OpKind::kConv2D || k == OpKind::kDepthwiseConv2D ||
         k == OpKind::kFullyConnected || k == OpKind::kTransposeConv;
}

// RESHAPE -> FC -> RESHAPE, the tensordot of a Dense layer on [..., K].
absl::StatusOr<bool> KeepNumDims(RewriteState& s, int i) {
  Graph& g = s.graph();
  Op& fc = g.ops()[static_cast<size_t>(i)];
  if (fc.opts<FullyConnectedOptions>().keep_num_dims || fc.inputs.size() < 2) return false;
  const int in_index = s.Producer(fc.inputs[0]);
  if (in_index < 0 || !s.HasSingleUse(fc.inputs[0]) || !s.HasSingleUse(fc.outputs[0])) {
    return false;
  }
  const Op& flatten = g.ops()[static_cast<size_t>(in_index)];
  const int out_index = s.Consumers(fc.outputs[0]).front();
  const Op& unflatten = g.ops()[static_cast<size_t>(out_index)];
  if (flatten.kind != OpKind::kReshape || unflatten.kind != OpKind::kReshape ||
      unflatten.inputs[0] != fc.outputs[0]) {
    return false;
  }
  const TensorId x = flatten.inputs[0];
  const Shape& xs = g.tensor(x).shape;
  const Shape& flat = g.tensor(fc.inputs[0]).shape;
  const Shape& ws = g.tensor(fc.inputs[1]).shape;
  const Shape& out = g.tensor(unflatten.outputs[0]).shape;
  if (xs.size() < 3 || flat.size() != 2 || ws.size() != 2 || xs.back() != ws[1] ||
      flat.back() != ws[1] || xs.back() < 0) {
    return false;
  }
  Shape expected(xs.begin(), xs.end() - 1);
  expected.push_back(ws[0]);
  if (out != expected || UnknownDims(out) > 1) return false;
  const TensorId y = unflatten.outputs[0];
  fc.inputs[0] = x;
  fc.outputs[0] = y;
  fc.opts<FullyConnectedOptions>().keep_num_dims = true;
  s.Erase(in_index);
  s.Erase(out_index);
  return true;
}

/// `c` (shape `cs`) broadcast to the trailing dims `split` and flattened;
/// nullopt unless c is constant over the leading `lead` dims of the
/// reshaped value (1s there, right-aligned).
std::optional<std::vector<float>> FlattenOverSplit(const std::vector<float>& c, const Shape& cs,
                                                   size_t lead, const Shape& split) {
  const size_t rank = lead + split.size();
  if (cs.size() > rank) return std::nullopt;
  Shape aligned(rank - cs.size(), 1);
  aligned.insert(aligned.end(), cs.begin(), cs.end());
  for (size_t d = 0; d < lead; ++d) {
    if (aligned[d] != 1) return std::nullopt;
  }
  for (size_t d = 0; d < split.size(); ++d) {
    const int64_t a = aligned[lead + d];
    if (a != 1 && a != split[d]) return std::nullopt;
  }
  int64_t total = 1;
  for (int64_t d : split) total *= d;
  std::vector<float> out(static_cast<size_t>(total));
  for (int64_t flat = 0; flat < total; ++flat) {
    // Row-major index over `split`, mapped into c (broadcast dims read index 0).
    int64_t rest = flat, ci = 0, stride = 1;
    for (size_t d = split.size(); d-- > 0;) {
      const int64_t idx = rest % split[d];
      rest /= split[d];
      const int64_t a = aligned[lead + d];
      if (a != 1) ci += idx * stride;
      stride *= a;
    }
    out[static_cast<size_t>(flat)] = c[static_cast<size_t>(ci)];
  }
  return out;
}

// OP(RESHAPE(y), c) -> RESHAPE(OP(y, c')) for a weighted op's y.
absl::StatusOr<bool> ConstPastReshape(RewriteState& s, int i) {
  Graph& g = s.graph();
  const Op& op = g.ops()[static_cast<size_t>(i)];
  if (op.inputs.size() != 2 || !HasNoActivation(op) || !IsPlainFloat(g, op.outputs[0])) {
    return false;
  }
  for (int slot : {0, 1}) {
    const TensorId r_out = op.inputs[static_cast<size_t>(slot)];
    const TensorId c = op.inputs[static_cast<size_t>(1 - slot)];
    std::optional<std::vector<float>> values = ConstFloats(g, c);
    const int r_index = s.Producer(r_out);
    if (!values || r_index < 0 || !s.HasSingleUse(r_out)) continue;
    const Op& reshape = g.ops()[static_cast<size_t>(r_index)];
    if (reshape.kind != OpKind::kReshape) continue;
    const TensorId y = reshape.inputs[0];
    const int w_index = s.Producer(y);
    if (w_index < 0 || !s.HasSingleUse(y) ||
        !IsWeighted(g.ops()[static_cast<size_t>(w_index)].kind) || !IsPlainFloat(g, y)) {
      continue;
    }
    // Copies: adding tensors below may move the tensor table.
    const Shape ys = g.tensor(y).shape;
    const Shape rs = g.tensor(r_out).shape;
    if (ys.empty() || ys.back() < 0 || g.tensor(op.outputs[0]).shape != rs) continue;
    const size_t lead = ys.size() - 1;
    if (rs.size() < lead || !std::equal(ys.begin(), ys.end() - 1, rs.begin())) continue;
    const Shape split(rs.begin() + static_cast<std::ptrdiff_t>(lead), rs.end());
    int64_t product = 1;
    for (int64_t d : split) product = d < 0 ? -1 : product * d;
    if (product != ys.back()) continue;
    std::optional<std::vector<float>> flat =
        FlattenOverSplit(*values, g.tensor(c).shape, lead, split);
    if (!flat) continue;
    const TensorId c_flat =
        AddFloatConstant(g, g.tensor(c).name + "_flat", Shape{ys.back()}, *flat);
    const TensorId moved = g.AddActivation(g.UniqueTensorName(g.tensor(y).name + "_adjusted"),
                                           DataType::kFloat32, ys);
    const TensorId out = g.ops()[static_cast<size_t>(i)].outputs[0];
    Op& mut = g.ops()[static_cast<size_t>(i)];
    mut.inputs[static_cast<size_t>(slot)] = y;
    mut.inputs[static_cast<size_t>(1 - slot)] = c_flat;
    mut.outputs[0] = moved;
    Op& r = g.ops()[static_cast<size_t>(r_index)];
    r.inputs[0] = moved;
    r.outputs[0] = out;
    return true;
  }
  return false;
}

}  // namespace

absl::StatusOr<bool> FuseFullyConnectedPass::Run(Graph& graph, PassContext& context) {
  std::vector<RewritePattern> patterns;
  patterns.push_back({"keep_num_dims", {OpKind::kFullyConnected}, nullptr, &KeepNumDims});
  patterns.push_back({"const_past_reshape",
                      {OpKind::kAdd, OpKind::kSub, OpKind::kMul, OpKind::kDiv}, nullptr,
                      &ConstPastReshape});
  return ApplyPatterns(graph, patterns, context, name());
}

}  // namespace optconv
