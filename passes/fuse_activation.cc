#include "passes/fuse_activation.h"

#include "passes/pass_util.h"
#include "passes/rewrite_driver.h"

namespace optconv {
namespace {

bool AcceptsFusedActivation(OpKind k) {
  switch (k) {
    case OpKind::kConv2D: case OpKind::kDepthwiseConv2D: case OpKind::kFullyConnected:
    case OpKind::kAdd: case OpKind::kSub: case OpKind::kMul: case OpKind::kDiv:
    case OpKind::kAveragePool2D: case OpKind::kMaxPool2D:
      return true;
    default:
      return false;
  }
}

absl::StatusOr<bool> Fuse(RewriteState& state, int op_index, Activation act) {
  Graph& g = state.graph();
  const Op& op = g.ops()[static_cast<size_t>(op_index)];
  const TensorId x = op.inputs[0];
  const TensorId y = op.outputs[0];
  const int p = state.Producer(x);
  if (p < 0 || !state.HasSingleUse(x)) return false;
  Op& prod = g.ops()[static_cast<size_t>(p)];
  if (!AcceptsFusedActivation(prod.kind) || prod.outputs.size() != 1) return false;
  Activation* current = FusedActivation(prod);
  if (current == nullptr || *current != Activation::kNone) return false;
  const Tensor& xt = g.tensor(x);
  const Tensor& yt = g.tensor(y);
  // Quantized fusion needs matching output scales; leave it to the quantizer.
  if (xt.quant || yt.quant || xt.type != yt.type || xt.shape != yt.shape) return false;
  *current = act;
  prod.outputs[0] = y;
  state.Erase(op_index);
  return true;
}

}  // namespace

absl::StatusOr<bool> FuseActivationPass::Run(Graph& graph, PassContext& context) {
  std::vector<RewritePattern> patterns;
  patterns.push_back({"fused_relu", {OpKind::kRelu}, nullptr,
                      [](RewriteState& s, int i) { return Fuse(s, i, Activation::kRelu); }});
  patterns.push_back({"fused_relu6", {OpKind::kRelu6}, nullptr,
                      [](RewriteState& s, int i) { return Fuse(s, i, Activation::kRelu6); }});
  patterns.push_back({"fused_relu_n1_to_1", {OpKind::kReluN1To1}, nullptr,
                      [](RewriteState& s, int i) { return Fuse(s, i, Activation::kReluN1To1); }});
  return ApplyPatterns(graph, patterns, context, name());
}

}  // namespace optconv
