#include "passes/fusion_util.h"

#include "passes/pass_util.h"

namespace optconv {
namespace {

bool IsWeighted(OpKind k) {
  return k == OpKind::kConv2D || k == OpKind::kDepthwiseConv2D ||
         k == OpKind::kFullyConnected || k == OpKind::kTransposeConv;
}

// Output channel count of a weighted op, from its weights.
std::optional<int64_t> OutputChannels(const Graph& g, const Op& op) {
  const Shape& w = g.tensor(op.inputs[static_cast<size_t>(WeightsSlot(op.kind))]).shape;
  if (w.empty()) return std::nullopt;
  return op.kind == OpKind::kDepthwiseConv2D ? w.back() : w.front();
}

// The constant as one value per channel: a scalar, or a tensor whose dims are
// all 1 except the last, which equals `channels`.
std::optional<std::vector<float>> PerChannel(const Graph& g, TensorId c, int64_t channels,
                                             size_t out_rank) {
  auto values = ConstFloats(g, c);
  if (!values) return std::nullopt;
  const Shape& shape = g.tensor(c).shape;
  if (shape.size() > out_rank) return std::nullopt;
  if (values->size() == 1) return std::vector<float>(static_cast<size_t>(channels), (*values)[0]);
  for (size_t i = 0; i + 1 < shape.size(); ++i) {
    if (shape[i] != 1) return std::nullopt;
  }
  if (shape.empty() || shape.back() != channels) return std::nullopt;
  return values;
}

}  // namespace

bool IsFloatConst(const Graph& g, TensorId t) {
  if (t < 0) return false;
  const Tensor& tensor = g.tensor(t);
  return tensor.is_constant() && tensor.type == DataType::kFloat32 && !tensor.quant;
}

int WeightsSlot(OpKind) { return 1; }
int BiasSlot(OpKind kind) { return kind == OpKind::kTransposeConv ? 3 : 2; }

std::optional<AffineMatch> MatchAffineAfterWeightedOp(const RewriteState& state, int binary_op) {
  const Graph& g = state.graph();
  const Op& bin = g.ops()[static_cast<size_t>(binary_op)];
  if (bin.inputs.size() != 2) return std::nullopt;
  const bool commutative = bin.kind == OpKind::kMul || bin.kind == OpKind::kAdd;
  for (int act_slot : {0, 1}) {
    if (act_slot == 1 && !commutative) break;
    const int const_slot = 1 - act_slot;
    const TensorId x = bin.inputs[static_cast<size_t>(act_slot)];
    const TensorId c = bin.inputs[static_cast<size_t>(const_slot)];
    if (!IsFloatConst(g, c) || g.tensor(x).quant || g.tensor(bin.outputs[0]).quant) continue;
    const int p = state.Producer(x);
    if (p < 0 || !state.HasSingleUse(x)) continue;
    const Op& prod = g.ops()[static_cast<size_t>(p)];
    if (!IsWeighted(prod.kind) || prod.outputs.size() != 1) continue;
    Op copy = prod;
    if (*FusedActivation(copy) != Activation::kNone) continue;
    const size_t ws = static_cast<size_t>(WeightsSlot(prod.kind));
    const size_t bs = static_cast<size_t>(BiasSlot(prod.kind));
    if (prod.inputs.size() <= ws || !IsFloatConst(g, prod.inputs[ws])) continue;
    if (prod.inputs.size() > bs && prod.inputs[bs] >= 0 && !IsFloatConst(g, prod.inputs[bs])) continue;
    auto channels = OutputChannels(g, prod);
    const Shape& out_shape = g.tensor(x).shape;
    // The binary op must not broadcast the producer's output to a bigger shape.
    if (!channels || out_shape.empty() || out_shape.back() != *channels) continue;
    if (g.tensor(bin.outputs[0]).shape != out_shape) continue;
    auto values = PerChannel(g, c, *channels, out_shape.size());
    if (!values) continue;
    return AffineMatch{p, const_slot, *std::move(values)};
  }
  return std::nullopt;
}

void SetConstantOperand(RewriteState& state, Op& op, size_t slot, const std::string& suffix,
                        std::vector<float> values) {
  Graph& g = state.graph();
  const TensorId old = op.inputs[slot];
  BufferPtr data = Buffer::Own(std::move(values));
  if (state.HasSingleUse(old)) {
    g.tensor(old).data = std::move(data);
    return;
  }
  const Shape shape = g.tensor(old).shape;
  op.inputs[slot] = g.AddConstant(g.UniqueTensorName(g.tensor(old).name + suffix),
                                  DataType::kFloat32, shape, std::move(data));
}


void ScaleWeightedOp(RewriteState& state, Op& op, const std::vector<double>& scale) {
  Graph& g = state.graph();
  const size_t ws = static_cast<size_t>(WeightsSlot(op.kind));
  const TensorId w = op.inputs[ws];
  std::vector<float> values = g.tensor(w).data->AsVector<float>();
  const size_t channels = scale.size();
  const auto scaled = [&](float v, size_t c) { return static_cast<float>(v * scale[c]); };
  if (op.kind == OpKind::kDepthwiseConv2D) {
    for (size_t i = 0; i < values.size(); ++i) values[i] = scaled(values[i], i % channels);
  } else {
    const size_t per_channel = values.size() / channels;
    for (size_t i = 0; i < values.size(); ++i) values[i] = scaled(values[i], i / per_channel);
  }
  SetConstantOperand(state, op, ws, "_scaled", std::move(values));
  const size_t bs = static_cast<size_t>(BiasSlot(op.kind));
  if (op.inputs.size() > bs && op.inputs[bs] >= 0) {
    const TensorId b = op.inputs[bs];
    std::vector<float> bias = g.tensor(b).data->AsVector<float>();
    for (size_t c = 0; c < bias.size(); ++c) bias[c] = scaled(bias[c], c);
    SetConstantOperand(state, op, bs, "_scaled", bias);
  }
}

void ShiftWeightedOpBias(RewriteState& state, Op& op, const std::vector<float>& shift) {
  Graph& g = state.graph();
  const size_t bs = static_cast<size_t>(BiasSlot(op.kind));
  if (op.inputs.size() > bs && op.inputs[bs] >= 0) {
    std::vector<float> bias = g.tensor(op.inputs[bs]).data->AsVector<float>();
    for (size_t c = 0; c < bias.size(); ++c) bias[c] += shift[c];
    SetConstantOperand(state, op, bs, "_shifted", bias);
    return;
  }
  TensorId b = AddFloatConstant(g, g.tensor(op.outputs[0]).name + "_bias",
                                Shape{static_cast<int64_t>(shift.size())}, shift);
  if (op.inputs.size() <= bs) op.inputs.resize(bs + 1, kNoTensor);
  op.inputs[bs] = b;
}

void AbsorbBinaryOp(RewriteState& state, int binary_op, int producer) {
  Graph& g = state.graph();
  Op& bin = g.ops()[static_cast<size_t>(binary_op)];
  const Activation act = bin.opts<BinaryOptions>().activation;
  const TensorId out = bin.outputs[0];
  Op& prod = g.ops()[static_cast<size_t>(producer)];
  prod.outputs[0] = out;
  *FusedActivation(prod) = act;
  state.Erase(binary_op);
}

}  // namespace optconv
