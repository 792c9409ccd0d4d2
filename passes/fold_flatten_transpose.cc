#include "passes/fold_flatten_transpose.h"

#include <cstring>
#include <numeric>

#include "passes/fusion_util.h"
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
    const Tensor& w = g.tensor(fc.inputs[1]);
    if (!w.is_constant() || w.type != DataType::kFloat32 || w.quant || w.shape.size() != 2 ||
        w.shape[1] != *k) {
      return false;
    }
  }
  // src[j]: index, in x's flattening, of the j-th element of mid's flattening.
  Perm sub;
  for (size_t d = 1; d < perm->size(); ++d) sub.push_back((*perm)[d] - 1);
  std::vector<int32_t> iota(static_cast<size_t>(*k));
  std::iota(iota.begin(), iota.end(), 0);
  const std::vector<int32_t> src =
      TransposeBytes(*Buffer::FromValues<int32_t>(iota), inner, sizeof(int32_t), sub)->AsVector<int32_t>();
  for (int u : users) {
    Op& fc = g.ops()[static_cast<size_t>(u)];
    const Tensor& w = g.tensor(fc.inputs[1]);
    const uint8_t* bytes = w.data->data();  // read with memcpy: a mapped weight may be unaligned
    const size_t rows = static_cast<size_t>(w.shape[0]), cols = static_cast<size_t>(*k);
    std::vector<float> permuted(rows * cols);
    for (size_t r = 0; r < rows; ++r) {
      for (size_t j = 0; j < cols; ++j) {
        std::memcpy(&permuted[r * cols + static_cast<size_t>(src[j])],
                    bytes + (r * cols + j) * sizeof(float), sizeof(float));
      }
    }
    SetConstantOperand(s, fc, 1, "_unflattened", std::move(permuted));
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
