#include "passes/fold_constants.h"

#include "passes/pass_util.h"
#include "runtime/evaluate.h"

namespace optconv {
namespace {

constexpr std::string_view kPass = "fold-constants";

bool AllInputsConstant(const Graph& g, const Op& op) {
  bool any = false;
  for (TensorId t : op.inputs) {
    if (t < 0) continue;
    if (!g.tensor(t).is_constant()) return false;
    any = true;
  }
  return any;
}

// Output tensors must be plain activations with a static shape and a
// fixed-size type to receive folded data.
bool OutputsFoldable(const Graph& g, const Op& op, int64_t* bytes) {
  *bytes = 0;
  for (TensorId t : op.outputs) {
    if (t < 0) return false;
    const Tensor& out = g.tensor(t);
    if (g.IsGraphOutput(t) || out.is_variable || out.is_constant()) return false;
    if (out.type == DataType::kString) return false;
    auto n = NumElements(out.shape);
    if (!n) return false;
    *bytes += *n * static_cast<int64_t>(ElementSize(out.type));
  }
  return true;
}

// Pure data movement, folded without a kernel; nullopt when not applicable.
std::optional<BufferPtr> FoldMovement(const Graph& g, const Op& op) {
  const Tensor& in = g.tensor(op.inputs[0]);
  const Tensor& out = g.tensor(op.outputs[0]);
  if (in.type != out.type || in.quant != out.quant) return std::nullopt;
  if (op.kind == OpKind::kReshape || op.kind == OpKind::kSqueeze ||
      op.kind == OpKind::kExpandDims) {
    if (in.data->size() != static_cast<size_t>(*NumElements(out.shape)) * ElementSize(out.type)) {
      return std::nullopt;
    }
    return in.data;
  }
  if (op.kind == OpKind::kTranspose) {
    auto perm = TransposePerm(g, op);
    if (!perm || !IsStatic(in.shape) || in.type == DataType::kString) return std::nullopt;
    return TransposeBytes(*in.data, in.shape, ElementSize(in.type), *perm);
  }
  return std::nullopt;
}

// SHAPE of a tensor whose shape is static, whatever its values: the shape
// subgraphs exporters write (flatten to [N, -1], resize targets) fold away
// once the shape is known; nullopt when a dim is unknown.
std::optional<BufferPtr> FoldStaticShape(const Graph& g, const Op& op) {
  if (op.kind != OpKind::kShape || op.inputs.empty() || op.inputs[0] < 0) return std::nullopt;
  const Shape& in = g.tensor(op.inputs[0]).shape;
  if (!IsStatic(in)) return std::nullopt;
  switch (g.tensor(op.outputs[0]).type) {
    case DataType::kInt32:
      return Buffer::FromValues<int32_t>(std::vector<int32_t>(in.begin(), in.end()));
    case DataType::kInt64:
      return Buffer::FromValues<int64_t>(in);
    default:
      return std::nullopt;
  }
}

}  // namespace

absl::StatusOr<bool> FoldConstantsPass::Run(Graph& graph, PassContext& context) {
  std::vector<bool> erased(graph.ops().size(), false);
  bool changed = false;
  for (size_t i = 0; i < graph.ops().size(); ++i) {
    const Op& op = graph.ops()[i];
    if (op.outputs.size() == 1 && !graph.IsGraphOutput(op.outputs[0])) {
      if (auto shape = FoldStaticShape(graph, op)) {
        graph.tensor(op.outputs[0]).data = *shape;
        erased[i] = true;
        changed = true;
        context.Count(kPass, "static_shape");
        continue;
      }
    }
    if (op.outputs.empty() || !AllInputsConstant(graph, op)) continue;
    int64_t out_bytes = 0;
    if (!OutputsFoldable(graph, op, &out_bytes)) continue;
    if (FoldingWouldBloat(graph, op, max_bytes_)) {
      context.Count(kPass, "skipped_too_large");
      continue;
    }
    std::vector<BufferPtr> results;
    if (auto moved = FoldMovement(graph, op)) {
      results.push_back(*moved);
    } else {
      if (!CanEvaluate(op.kind)) continue;
      bool quantized = false;
      for (TensorId t : op.inputs) quantized |= (t >= 0 && graph.tensor(t).quant.has_value());
      for (TensorId t : op.outputs) quantized |= graph.tensor(t).quant.has_value();
      if (quantized) continue;
      auto evaluated = EvaluateOp(graph, op);
      if (!evaluated.ok()) {
        // No kernel for this type combination, or a kernel rejecting the
        // inputs: folding is an optimisation, so leave the op to run (and
        // fail, if it must) at inference.
        context.Count(kPass, absl::IsUnimplemented(evaluated.status()) ? "no_kernel" : "eval_failed");
        continue;
      }
      results = *std::move(evaluated);
    }
    if (results.size() != op.outputs.size()) continue;
    for (size_t k = 0; k < results.size(); ++k) {
      graph.tensor(op.outputs[k]).data = results[k];
    }
    erased[i] = true;
    changed = true;
    context.Count(kPass, "folded");
  }
  if (!changed) return false;
  absl::Status status = CompactGraph(graph, erased);
  if (!status.ok()) return status;
  return true;
}

}  // namespace optconv
