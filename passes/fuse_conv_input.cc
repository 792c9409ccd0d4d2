#include "passes/fuse_conv_input.h"

#include <array>
#include <optional>

#include "passes/fusion_util.h"
#include "passes/pass_util.h"
#include "passes/pattern_util.h"
#include "passes/rewrite_driver.h"

namespace optconv {
namespace {

bool IsPlainFloat(const Graph& g, TensorId t) {
  return t >= 0 && g.tensor(t).type == DataType::kFloat32 && !g.tensor(t).quant;
}

bool IsConv(OpKind k) { return k == OpKind::kConv2D || k == OpKind::kDepthwiseConv2D; }

/// Pads {top, bottom, left, right} of a PAD/PADV2 of zeros on a rank-4 NHWC
/// tensor that leaves N and C alone; nullopt for anything else.
std::optional<std::array<int64_t, 4>> ZeroPadHW(const Graph& g, const Op& pad) {
  if (pad.kind != OpKind::kPad && pad.kind != OpKind::kPadV2) return std::nullopt;
  if (pad.inputs.size() < 2 || g.tensor(pad.inputs[0]).shape.size() != 4) return std::nullopt;
  if (pad.kind == OpKind::kPadV2 &&
      (pad.inputs.size() < 3 || !IsScalarConstNear(g, pad.inputs[2], 0.0, 0.0))) {
    return std::nullopt;
  }
  std::optional<std::vector<int64_t>> p = ConstInts(g, pad.inputs[1]);
  if (!p || p->size() != 8 || (*p)[0] != 0 || (*p)[1] != 0 || (*p)[6] != 0 || (*p)[7] != 0) {
    return std::nullopt;
  }
  for (int64_t v : *p) {
    if (v < 0) return std::nullopt;
  }
  return std::array<int64_t, 4>{(*p)[2], (*p)[3], (*p)[4], (*p)[5]};
}

/// What SAME padding adds before and after a dim of `size` (TFLite's rule).
std::array<int64_t, 2> SamePads(int64_t size, int64_t kernel, int64_t stride, int64_t dilation) {
  const int64_t effective = (kernel - 1) * dilation + 1;
  const int64_t out = (size + stride - 1) / stride;
  const int64_t total = std::max<int64_t>((out - 1) * stride + effective - size, 0);
  return {total / 2, total - total / 2};
}

struct Window {
  Padding* padding;
  int64_t stride_h, stride_w, dilation_h, dilation_w;
};

Window WindowOf(Op& conv) {
  if (conv.kind == OpKind::kMaxPool2D) {
    auto& o = conv.opts<Pool2DOptions>();
    return {&o.padding, o.stride_h, o.stride_w, 1, 1};
  }
  if (conv.kind == OpKind::kConv2D) {
    auto& o = conv.opts<Conv2DOptions>();
    return {&o.padding, o.stride_h, o.stride_w, o.dilation_h, o.dilation_w};
  }
  auto& o = conv.opts<DepthwiseConv2DOptions>();
  return {&o.padding, o.stride_h, o.stride_w, o.dilation_h, o.dilation_w};
}

/// True when every value of `t` is >= 0: the output of a RELU/RELU6 or of an
/// op with such a fused activation.
bool NonNegative(const RewriteState& s, TensorId t) {
  const int p = s.Producer(t);
  if (p < 0) return false;
  const Op& op = s.graph().ops()[static_cast<size_t>(p)];
  if (op.kind == OpKind::kRelu || op.kind == OpKind::kRelu6) return true;
  const Activation* act = FusedActivation(op);
  return act != nullptr && (*act == Activation::kRelu || *act == Activation::kRelu6);
}

// PAD (zeros) -> conv VALID with SAME's pads -> conv SAME on the unpadded
// input. A MAX_POOL_2D qualifies when its input is never negative: SAME
// max pooling ignores the border, which a zero border cannot win against.
absl::StatusOr<bool> PadToSame(RewriteState& s, int i) {
  Graph& g = s.graph();
  Op& conv = g.ops()[static_cast<size_t>(i)];
  const bool pool = conv.kind == OpKind::kMaxPool2D;
  if (conv.inputs.empty() || (!pool && conv.inputs.size() < 2)) return false;
  Window w = WindowOf(conv);
  if (*w.padding != Padding::kValid) return false;
  const int pad_index = s.Producer(conv.inputs[0]);
  if (pad_index < 0 || !s.HasSingleUse(conv.inputs[0])) return false;
  const Op& pad = g.ops()[static_cast<size_t>(pad_index)];
  const std::optional<std::array<int64_t, 4>> pads = ZeroPadHW(g, pad);
  if (!pads) return false;
  if (pool && !NonNegative(s, pad.inputs[0])) return false;
  const Shape& in = g.tensor(pad.inputs[0]).shape;
  int64_t kh = 0, kw = 0;
  if (pool) {
    kh = conv.opts<Pool2DOptions>().filter_h;
    kw = conv.opts<Pool2DOptions>().filter_w;
  } else {
    const Shape& filter = g.tensor(conv.inputs[1]).shape;
    if (filter.size() != 4) return false;
    kh = filter[1];
    kw = filter[2];
  }
  if (in[1] < 0 || in[2] < 0) return false;
  if (SamePads(in[1], kh, w.stride_h, w.dilation_h) != std::array{(*pads)[0], (*pads)[1]} ||
      SamePads(in[2], kw, w.stride_w, w.dilation_w) != std::array{(*pads)[2], (*pads)[3]}) {
    return false;
  }
  *w.padding = Padding::kSame;
  conv.inputs[0] = pad.inputs[0];
  s.Erase(pad_index);
  return true;
}

/// The scale of a single-use MUL(x, c) as one value per channel of x (c a
/// scalar, or all 1s but a last dim equal to x's channels); nullopt otherwise.
std::optional<std::vector<float>> InputScale(const RewriteState& s, const Op& mul, TensorId* x) {
  const Graph& g = s.graph();
  if (mul.kind != OpKind::kMul || mul.inputs.size() != 2 || !HasNoActivation(mul)) {
    return std::nullopt;
  }
  for (int slot : {1, 0}) {
    const TensorId c = mul.inputs[static_cast<size_t>(slot)];
    const TensorId in = mul.inputs[static_cast<size_t>(1 - slot)];
    std::optional<std::vector<float>> values = ConstFloats(g, c);
    if (!values || g.tensor(c).quant || !IsPlainFloat(g, in)) continue;
    const Shape& xs = g.tensor(in).shape;
    if (xs.empty() || xs.back() < 0 || g.tensor(mul.outputs[0]).shape != xs) continue;
    const int64_t channels = xs.back();
    if (values->size() == 1) {
      *x = in;
      return std::vector<float>(static_cast<size_t>(channels), (*values)[0]);
    }
    const Shape& cs = g.tensor(c).shape;
    bool per_channel = !cs.empty() && cs.back() == channels && cs.size() <= xs.size();
    for (size_t d = 0; per_channel && d + 1 < cs.size(); ++d) per_channel = cs[d] == 1;
    if (!per_channel) continue;
    *x = in;
    return values;
  }
  return std::nullopt;
}

// MUL(x, c) -> [zero PAD ->] conv/FC: scale the weights' input channels instead.
absl::StatusOr<bool> InputScaleIntoWeights(RewriteState& s, int i) {
  Graph& g = s.graph();
  const Op& mul = g.ops()[static_cast<size_t>(i)];
  TensorId x = kNoTensor;
  std::optional<std::vector<float>> scale = InputScale(s, mul, &x);
  if (!scale || !s.HasSingleUse(mul.outputs[0])) return false;
  // Follow an optional zero PAD to the consumer.
  int pad_index = -1;
  TensorId value = mul.outputs[0];
  int consumer = s.Consumers(value).front();
  if (ZeroPadHW(g, g.ops()[static_cast<size_t>(consumer)]) &&
      g.ops()[static_cast<size_t>(consumer)].inputs[0] == value) {
    pad_index = consumer;
    value = g.ops()[static_cast<size_t>(pad_index)].outputs[0];
    if (!s.HasSingleUse(value)) return false;
    consumer = s.Consumers(value).front();
  }
  Op& op = g.ops()[static_cast<size_t>(consumer)];
  if (!IsConv(op.kind) && op.kind != OpKind::kFullyConnected) return false;
  if (op.inputs.size() < 2 || op.inputs[0] != value || !IsPlainFloat(g, op.inputs[1])) return false;
  std::optional<std::vector<float>> weights = ConstFloats(g, op.inputs[1]);
  if (!weights) return false;
  const Shape& ws = g.tensor(op.inputs[1]).shape;
  const size_t channels = scale->size();
  if (ws.empty()) return false;
  if (op.kind == OpKind::kDepthwiseConv2D) {
    // Filter [1,KH,KW,C*M]: output channel j reads input channel j / M.
    const int64_t depth = ws.back();
    if (depth % static_cast<int64_t>(channels) != 0) return false;
    const size_t multiplier = static_cast<size_t>(depth) / channels;
    for (size_t k = 0; k < weights->size(); ++k) {
      (*weights)[k] *= (*scale)[(k % static_cast<size_t>(depth)) / multiplier];
    }
  } else {
    // CONV_2D [Co,KH,KW,Ci] and FULLY_CONNECTED [out,in]: the last dim is the
    // input channel (an FC that flattens a wider input does not qualify).
    if (ws.back() != static_cast<int64_t>(channels)) return false;
    for (size_t k = 0; k < weights->size(); ++k) (*weights)[k] *= (*scale)[k % channels];
  }
  SetConstantOperand(s, op, 1, "_input_scaled", std::move(*weights));
  if (pad_index >= 0) {
    g.ops()[static_cast<size_t>(pad_index)].inputs[0] = x;
  } else {
    op.inputs[0] = x;
  }
  s.Erase(i);
  return true;
}

}  // namespace

absl::StatusOr<bool> FuseConvInputPass::Run(Graph& graph, PassContext& context) {
  std::vector<RewritePattern> patterns;
  patterns.push_back({"pad_to_same",
                      {OpKind::kConv2D, OpKind::kDepthwiseConv2D, OpKind::kMaxPool2D}, nullptr,
                      &PadToSame});
  patterns.push_back({"input_scale", {OpKind::kMul}, nullptr, &InputScaleIntoWeights});
  return ApplyPatterns(graph, patterns, context, name());
}

}  // namespace optconv
