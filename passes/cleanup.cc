#include "passes/cleanup.h"

#include <algorithm>

#include "passes/pass_util.h"
#include "passes/rewrite_driver.h"

namespace optconv {
namespace {

constexpr std::string_view kPass = "cleanup";

// Replaces the single output of op `i` by `in` and erases the op. Refused when
// that would make a graph output alias a graph input or a constant.
bool ForwardInput(RewriteState& s, int i, TensorId in) {
  Graph& g = s.graph();
  TensorId out = g.ops()[static_cast<size_t>(i)].outputs[0];
  if (g.IsGraphOutput(out) &&
      (g.IsGraphInput(in) || g.tensor(in).is_constant() || g.IsGraphOutput(in))) {
    return false;
  }
  if (g.tensor(in).type != g.tensor(out).type) return false;
  g.ReplaceAllUses(out, in);
  s.Erase(i);
  return true;
}

bool SameShapeUpToOneUnknown(const Shape& a, const Shape& b) {
  return a == b && UnknownDims(a) <= 1;
}

// x*1, x/1, x+0, x-0 with a constant that does not broadcast x to a bigger shape.
absl::StatusOr<bool> IdentityArithmetic(RewriteState& s, int i) {
  const Graph& g = s.graph();
  const Op& op = g.ops()[static_cast<size_t>(i)];
  if (op.inputs.size() != 2 || op.opts<BinaryOptions>().activation != Activation::kNone) return false;
  const bool multiplicative = op.kind == OpKind::kMul || op.kind == OpKind::kDiv;
  const bool commutative = op.kind == OpKind::kMul || op.kind == OpKind::kAdd;
  const float neutral = multiplicative ? 1.0f : 0.0f;
  for (int c : {1, 0}) {
    if (c == 0 && !commutative) break;
    auto values = ConstFloats(g, op.inputs[static_cast<size_t>(c)]);
    if (!values || values->empty()) continue;
    bool all = true;
    for (float v : *values) all &= (v == neutral);
    const TensorId x = op.inputs[static_cast<size_t>(1 - c)];
    if (!all || g.tensor(x).shape != g.tensor(op.outputs[0]).shape || g.tensor(x).quant) continue;
    return ForwardInput(s, i, x);
  }
  return false;
}

// SLICE / STRIDED_SLICE (unit strides, no axis-changing masks) whose static
// output shape equals its input's: a unit-stride window as long as the dim
// can only start at 0, so the op copies the whole tensor.
absl::StatusOr<bool> WholeSlice(RewriteState& s, int i) {
  const Graph& g = s.graph();
  const Op& op = g.ops()[static_cast<size_t>(i)];
  const Shape& in = g.tensor(op.inputs[0]).shape;
  if (!IsStatic(in) || in != g.tensor(op.outputs[0]).shape) return false;
  if (op.kind == OpKind::kStridedSlice) {
    const auto& o = op.opts<StridedSliceOptions>();
    if (o.ellipsis_mask != 0 || o.new_axis_mask != 0 || o.shrink_axis_mask != 0) return false;
    auto strides = op.inputs.size() > 3 ? ConstInts(g, op.inputs[3]) : std::nullopt;
    if (!strides || std::any_of(strides->begin(), strides->end(),
                                [](int64_t v) { return v != 1; })) {
      return false;
    }
  }
  return ForwardInput(s, i, op.inputs[0]);
}

bool IsReducer(OpKind k) {
  return k == OpKind::kMean || k == OpKind::kSum || k == OpKind::kReduceMax ||
         k == OpKind::kReduceMin || k == OpKind::kReduceProd;
}

// A reduction (keep_dims == `keep_dims`) whose single-use output is reshaped
// to exactly the other keep_dims form: the reduction writes that form itself.
//   keep_dims=true:  MEAN(keep) -> RESHAPE dropping the 1s   -> MEAN(no keep)
//   keep_dims=false: MEAN(no keep) -> RESHAPE adding the 1s -> MEAN(keep)
// (Keras' squeeze-excite block reduces without keep_dims, then reshapes.)
absl::StatusOr<bool> ReduceThenReshape(RewriteState& s, int i, bool keep_dims) {
  Graph& g = s.graph();
  const Op& op = g.ops()[static_cast<size_t>(i)];
  TensorId mid = op.inputs[0];
  int p = s.Producer(mid);
  if (p < 0 || !s.HasSingleUse(mid)) return false;
  const Op& red = g.ops()[static_cast<size_t>(p)];
  if (!IsReducer(red.kind) || red.opts<ReducerOptions>().keep_dims != keep_dims) return false;
  auto axes = ConstInts(g, red.inputs[1]);
  const Shape& in = g.tensor(red.inputs[0]).shape;
  if (!axes) return false;
  std::vector<bool> reduced(in.size(), false);
  for (int64_t a : *axes) {
    auto n = NormalizeAxis(a, static_cast<int>(in.size()));
    if (!n) return false;
    reduced[static_cast<size_t>(*n)] = true;
  }
  Shape other;  // the output shape of the other keep_dims form
  for (size_t d = 0; d < in.size(); ++d) {
    if (!reduced[d]) other.push_back(in[d]);
    else if (!keep_dims) other.push_back(1);
  }
  if (other != g.tensor(op.outputs[0]).shape || UnknownDims(other) > 1) return false;
  TensorId out = op.outputs[0];
  Op& mut = g.ops()[static_cast<size_t>(p)];
  mut.opts<ReducerOptions>().keep_dims = !keep_dims;
  mut.outputs[0] = out;
  s.Erase(i);
  return true;
}

// FULLY_CONNECTED's bias is optional in TFLite: an all-zero one is dropped
// (4 bytes per output feature in the file; TF's converter drops it too).
// fuse-bias re-creates one if a later ADD needs it.
absl::StatusOr<bool> ZeroFullyConnectedBias(RewriteState& s, int i) {
  Graph& g = s.graph();
  Op& op = g.ops()[static_cast<size_t>(i)];
  if (op.inputs.size() < 3 || op.inputs[2] == kNoTensor || g.tensor(op.inputs[2]).quant) {
    return false;
  }
  std::optional<std::vector<float>> bias = ConstFloats(g, op.inputs[2]);
  if (!bias || std::any_of(bias->begin(), bias->end(), [](float v) { return v != 0.0f; })) {
    return false;
  }
  op.inputs[2] = kNoTensor;
  return true;
}

std::vector<RewritePattern> Patterns() {
  std::vector<RewritePattern> p;
  p.push_back({"identity_arithmetic", {OpKind::kMul, OpKind::kDiv, OpKind::kAdd, OpKind::kSub},
               nullptr, &IdentityArithmetic});
  p.push_back({"identity_reshape", {OpKind::kReshape, OpKind::kSqueeze, OpKind::kExpandDims},
               nullptr, [](RewriteState& s, int i) -> absl::StatusOr<bool> {
                 const Op& op = s.graph().ops()[static_cast<size_t>(i)];
                 const Shape& in = s.graph().tensor(op.inputs[0]).shape;
                 const Shape& out = s.graph().tensor(op.outputs[0]).shape;
                 if (!SameShapeUpToOneUnknown(in, out)) return false;
                 return ForwardInput(s, i, op.inputs[0]);
               }});
  p.push_back({"identity_transpose", {OpKind::kTranspose}, nullptr,
               [](RewriteState& s, int i) -> absl::StatusOr<bool> {
                 const Op& op = s.graph().ops()[static_cast<size_t>(i)];
                 auto perm = TransposePerm(s.graph(), op);
                 if (!perm || !IsIdentityPerm(*perm)) return false;
                 return ForwardInput(s, i, op.inputs[0]);
               }});
  p.push_back({"identity_cast", {OpKind::kCast}, nullptr,
               [](RewriteState& s, int i) -> absl::StatusOr<bool> {
                 const Op& op = s.graph().ops()[static_cast<size_t>(i)];
                 const Tensor& in = s.graph().tensor(op.inputs[0]);
                 const Tensor& out = s.graph().tensor(op.outputs[0]);
                 if (in.type != out.type || in.quant != out.quant) return false;
                 return ForwardInput(s, i, op.inputs[0]);
               }});
  p.push_back({"single_input_concat", {OpKind::kConcatenation}, nullptr,
               [](RewriteState& s, int i) -> absl::StatusOr<bool> {
                 const Op& op = s.graph().ops()[static_cast<size_t>(i)];
                 if (op.inputs.size() != 1 ||
                     op.opts<ConcatenationOptions>().activation != Activation::kNone) {
                   return false;
                 }
                 return ForwardInput(s, i, op.inputs[0]);
               }});
  p.push_back({"zero_pad", {OpKind::kPad, OpKind::kPadV2, OpKind::kMirrorPad}, nullptr,
               [](RewriteState& s, int i) -> absl::StatusOr<bool> {
                 const Op& op = s.graph().ops()[static_cast<size_t>(i)];
                 if (op.inputs.size() < 2) return false;
                 auto pads = ConstInts(s.graph(), op.inputs[1]);
                 if (!pads || std::any_of(pads->begin(), pads->end(),
                                          [](int64_t v) { return v != 0; })) {
                   return false;
                 }
                 return ForwardInput(s, i, op.inputs[0]);
               }});
  p.push_back({"whole_slice", {OpKind::kSlice, OpKind::kStridedSlice}, nullptr, &WholeSlice});
  p.push_back({"zero_fc_bias", {OpKind::kFullyConnected}, nullptr, &ZeroFullyConnectedBias});
  p.push_back({"merge_reshapes", {OpKind::kReshape}, nullptr,
               [](RewriteState& s, int i) -> absl::StatusOr<bool> {
                 Graph& g = s.graph();
                 Op& op = g.ops()[static_cast<size_t>(i)];
                 if (op.inputs.size() != 2) return false;
                 int p = s.Producer(op.inputs[0]);
                 if (p < 0) return false;
                 const Op& inner = g.ops()[static_cast<size_t>(p)];
                 if (inner.kind != OpKind::kReshape && inner.kind != OpKind::kSqueeze &&
                     inner.kind != OpKind::kExpandDims) {
                   return false;
                 }
                 if (UnknownDims(g.tensor(op.outputs[0]).shape) > 1) return false;
                 op.inputs[0] = inner.inputs[0];
                 return true;
               }});
  p.push_back({"merge_transposes", {OpKind::kTranspose}, nullptr,
               [](RewriteState& s, int i) -> absl::StatusOr<bool> {
                 Graph& g = s.graph();
                 int p = s.Producer(g.ops()[static_cast<size_t>(i)].inputs[0]);
                 if (p < 0 || g.ops()[static_cast<size_t>(p)].kind != OpKind::kTranspose) {
                   return false;
                 }
                 auto outer = TransposePerm(g, g.ops()[static_cast<size_t>(i)]);
                 auto inner = TransposePerm(g, g.ops()[static_cast<size_t>(p)]);
                 if (!outer || !inner) return false;
                 Perm composed = ComposePerms(*inner, *outer);
                 std::vector<int32_t> values(composed.begin(), composed.end());
                 TensorId inner_in = g.ops()[static_cast<size_t>(p)].inputs[0];
                 TensorId perm_id = AddInt32Vector(g, "perm", values);
                 Op& op = g.ops()[static_cast<size_t>(i)];
                 op.inputs = {inner_in, perm_id};
                 return true;
               }});
  p.push_back({"transpose_to_reshape", {OpKind::kTranspose}, nullptr,
               [](RewriteState& s, int i) -> absl::StatusOr<bool> {
                 Graph& g = s.graph();
                 const Op& op = g.ops()[static_cast<size_t>(i)];
                 auto perm = TransposePerm(g, op);
                 if (!perm || IsIdentityPerm(*perm)) return false;
                 const Shape& in = g.tensor(op.inputs[0]).shape;
                 const Shape& out = g.tensor(op.outputs[0]).shape;
                 if (!PermMovesOnlyUnitDims(in, *perm) || UnknownDims(out) > 1) return false;
                 std::vector<int32_t> dims;
                 for (int64_t d : out) dims.push_back(static_cast<int32_t>(d));
                 TensorId shape_id = AddInt32Vector(g, "shape", dims);
                 Op& mut = g.ops()[static_cast<size_t>(i)];
                 mut.kind = OpKind::kReshape;
                 mut.options = DefaultOptions(OpKind::kReshape);
                 mut.inputs[1] = shape_id;
                 return true;
               }});
  p.push_back({"reduce_squeeze", {OpKind::kReshape, OpKind::kSqueeze}, nullptr,
               [](RewriteState& s, int i) { return ReduceThenReshape(s, i, /*keep_dims=*/true); }});
  p.push_back({"reduce_unsqueeze", {OpKind::kReshape, OpKind::kExpandDims}, nullptr,
               [](RewriteState& s, int i) { return ReduceThenReshape(s, i, /*keep_dims=*/false); }});
  return p;
}

}  // namespace

absl::StatusOr<bool> CleanupPass::Run(Graph& graph, PassContext& context) {
  int dead = graph.RemoveDeadOps();
  auto changed = ApplyPatterns(graph, Patterns(), context, kPass);
  if (!changed.ok()) return changed.status();
  dead += graph.RemoveDeadOps();
  if (dead > 0) {
    context.Count(kPass, "dead_ops", dead);
    graph.RemoveUnusedTensors();
  }
  return *changed || dead > 0;
}

}  // namespace optconv
