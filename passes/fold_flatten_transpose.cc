#include "passes/fold_flatten_transpose.h"

#include <numeric>

#include "passes/pass_util.h"
#include "passes/rewrite_driver.h"

namespace optconv {
namespace {

absl::StatusOr<bool> FoldFlatten(RewriteState& s, int i) {
  Graph& g = s.graph();
  const Op& flatten = g.ops()[static_cast<size_t>(i)];
  const TensorId mid = flatten.inputs[0];
  const TensorId flat = flatten.outputs[0];
  const int t = s.Producer(mid);
  if (t < 0 || !s.HasSingleUse(mid) || g.IsGraphOutput(flat)) return false;
  const Op& transpose = g.ops()[static_cast<size_t>(t)];
  if (transpose.kind != OpKind::kTranspose) return false;
  auto perm = TransposePerm(g, transpose);
  const TensorId x = transpose.inputs[0];
  const Shape& xs = g.tensor(x).shape;
  if (!perm || perm->empty() || (*perm)[0] != 0 || xs.size() < 2) return false;
  const Shape inner(xs.begin() + 1, xs.end());
  auto k = NumElements(inner);
  const Shape& fs = g.tensor(flat).shape;
  if (!k || fs.size() != 2 || fs[0] != xs[0] || fs[1] != *k) return false;
  const std::vector<int>& users = s.Consumers(flat);
  if (users.empty()) return false;
  for (int u : users) {
    const Op& fc = g.ops()[static_cast<size_t>(u)];
    if (fc.kind != OpKind::kFullyConnected || fc.inputs[0] != flat || fc.inputs.size() < 2) return false;
    for (size_t slot = 1; slot < fc.inputs.size(); ++slot) {
      if (fc.inputs[slot] == flat) return false;
    }
    auto w = ConstFloats(g, fc.inputs[1]);
    const Shape& ws = g.tensor(fc.inputs[1]).shape;
    if (!w || ws.size() != 2 || ws[1] != *k || g.tensor(fc.inputs[1]).quant) return false;
  }
  // src[j]: index, in x's flattening, of the j-th element of mid's flattening.
  Perm sub;
  for (size_t d = 1; d < perm->size(); ++d) sub.push_back((*perm)[d] - 1);
  std::vector<int32_t> iota(static_cast<size_t>(*k));
  std::iota(iota.begin(), iota.end(), 0);
  const std::vector<int32_t> src =
      TransposeBytes(*Buffer::FromValues<int32_t>(iota), inner, sizeof(int32_t), sub)->AsVector<int32_t>();
  for (int u : users) {
    const TensorId wid = g.ops()[static_cast<size_t>(u)].inputs[1];
    const std::vector<float> w = g.tensor(wid).data->AsVector<float>();
    const Shape ws = g.tensor(wid).shape;
    std::vector<float> permuted(w.size());
    const size_t cols = static_cast<size_t>(*k);
    for (size_t r = 0; r < static_cast<size_t>(ws[0]); ++r) {
      for (size_t j = 0; j < cols; ++j) permuted[r * cols + static_cast<size_t>(src[j])] = w[r * cols + j];
    }
    TensorId nw = AddFloatConstant(g, g.tensor(wid).name + "_unflattened", ws, permuted);
    g.ops()[static_cast<size_t>(u)].inputs[1] = nw;
  }
  g.ops()[static_cast<size_t>(i)].inputs[0] = x;
  s.Erase(t);
  return true;
}

}  // namespace

absl::StatusOr<bool> FoldFlattenTransposePass::Run(Graph& graph, PassContext& context) {
  std::vector<RewritePattern> patterns;
  patterns.push_back({"folded", {OpKind::kReshape}, nullptr, &FoldFlatten});
  return ApplyPatterns(graph, patterns, context, name());
}

}  // namespace optconv
