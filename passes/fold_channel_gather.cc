#include "passes/fold_channel_gather.h"

#include <algorithm>
#include <cstring>

#include "passes/fusion_util.h"
#include "passes/pass_util.h"
#include "passes/rewrite_driver.h"

namespace optconv {
namespace {

// Rows of a [rows, ...] float constant in the order `perm`, copied once
// straight from its bytes (memcpy: a mapped weight may be unaligned).
std::vector<float> PermuteRows(const Buffer& data, const std::vector<int64_t>& perm) {
  const size_t row_bytes = data.size() / perm.size();
  std::vector<float> out(data.size() / sizeof(float));
  auto* dst = reinterpret_cast<uint8_t*>(out.data());
  for (size_t r = 0; r < perm.size(); ++r) {
    std::memcpy(dst + r * row_bytes, data.data() + static_cast<size_t>(perm[r]) * row_bytes,
                row_bytes);
  }
  return out;
}

absl::StatusOr<bool> FoldGatherIntoProducer(RewriteState& state, int op_index) {
  Graph& g = state.graph();
  const Op& gather = g.ops()[static_cast<size_t>(op_index)];
  const TensorId x = gather.inputs[0];
  const int rank = static_cast<int>(g.tensor(x).shape.size());
  const int axis = gather.opts<GatherOptions>().axis;
  if (rank == 0 || (axis != rank - 1 && axis != -1) || gather.opts<GatherOptions>().batch_dims != 0) {
    return false;
  }
  std::optional<std::vector<int64_t>> perm = ConstInts(g, gather.inputs[1]);
  const int64_t channels = g.tensor(x).shape.back();
  if (!perm || static_cast<int64_t>(perm->size()) != channels || g.tensor(x).quant) return false;
  std::vector<int64_t> sorted = *perm;
  std::sort(sorted.begin(), sorted.end());
  for (int64_t i = 0; i < channels; ++i) {
    if (sorted[static_cast<size_t>(i)] != i) return false;  // not a permutation
  }
  const int p = state.Producer(x);
  if (p < 0 || !state.HasSingleUse(x)) return false;
  Op& producer = g.ops()[static_cast<size_t>(p)];
  if (producer.kind != OpKind::kConv2D && producer.kind != OpKind::kFullyConnected) return false;
  const size_t ws = static_cast<size_t>(WeightsSlot(producer.kind));
  const size_t bs = static_cast<size_t>(BiasSlot(producer.kind));
  const bool has_bias = producer.inputs.size() > bs && producer.inputs[bs] != kNoTensor;
  if (!IsFloatConst(g, producer.inputs[ws]) || g.tensor(producer.inputs[ws]).shape[0] != channels ||
      (has_bias && !IsFloatConst(g, producer.inputs[bs]))) {
    return false;
  }
  SetConstantOperand(state, producer, ws, "_permuted",
                     PermuteRows(*g.tensor(producer.inputs[ws]).data, *perm));
  if (has_bias) {
    SetConstantOperand(state, producer, bs, "_permuted",
                       PermuteRows(*g.tensor(producer.inputs[bs]).data, *perm));
  }
  producer.outputs[0] = g.ops()[static_cast<size_t>(op_index)].outputs[0];
  state.Erase(op_index);
  return true;
}

}  // namespace

absl::StatusOr<bool> FoldChannelGatherPass::Run(Graph& graph, PassContext& context) {
  std::vector<RewritePattern> patterns;
  patterns.push_back({"folded", {OpKind::kGather}, nullptr, &FoldGatherIntoProducer});
  return ApplyPatterns(graph, patterns, context, name());
}

}  // namespace optconv
