#include "importers/savedmodel/keras_lstm.h"

#include <cstring>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "importers/common/sequence_lstm.h"
#include "importers/savedmodel/tf_op_families.h"
#include "importers/savedmodel/tf_ops_util.h"
#include "importers/savedmodel/tf_static_values.h"

namespace optconv::tf_import {
namespace {

using tensorflow::FunctionDef;
using tensorflow::NodeDef;

// Keras' standard_lstm signature.
enum KerasLstmInput { kX, kInitH, kInitC, kKernel, kRecurrentKernel, kBias, kNumInputs };
enum KerasLstmOutput { kLastOutput, kOutputs, kFinalH, kFinalC, kRuntime };

const NodeDef* SkipIdentities(const TfNodeLookup& producer, std::string ref) {
  for (int hops = 0; hops < 16; ++hops) {
    const NodeDef* n = producer(ref);
    if (n == nullptr || (n->op() != "Identity" && n->op() != "StopGradient") ||
        n->input_size() == 0) {
      return n;
    }
    ref = n->input(0);
  }
  return nullptr;
}

bool IsZeroFloatProto(const tensorflow::TensorProto& t) {
  if (t.dtype() != tensorflow::DT_FLOAT) return false;
  for (float f : t.float_val()) {
    if (f != 0.0f) return false;
  }
  for (char c : t.tensor_content()) {
    if (c != 0) return false;
  }
  return true;
}

bool IsConstOp(const NodeDef* n) { return n != nullptr && n->op() == "Const"; }

// Zeros as Keras builds initial states: Fill(shape, 0.0), a zero Const, ZerosLike.
bool IsZeros(const TfNodeLookup& producer, const std::string& ref) {
  const NodeDef* n = SkipIdentities(producer, ref);
  if (n == nullptr) return false;
  if (n->op() == "ZerosLike") return true;
  if (n->op() == "Fill" && n->input_size() == 2) n = SkipIdentities(producer, n->input(1));
  if (!IsConstOp(n)) return false;
  auto value = n->attr().find("value");
  return value != n->attr().end() && IsZeroFloatProto(value->second.tensor());
}

bool BoolAttr(const FunctionDef& fn, const char* name) {
  auto it = fn.attr().find(name);
  return it != fn.attr().end() && it->second.b();
}

// Dim `axis` of a function-body tensor from its `_output_shapes`, or -1.
int64_t BodyDim(const FunctionDef& fn, const std::string& body_ref, int axis) {
  const std::string node = body_ref.substr(0, body_ref.find(':'));
  for (const NodeDef& n : fn.node_def()) {
    if (n.name() != node) continue;
    auto s = n.attr().find("_output_shapes");
    if (s == n.attr().end() || s->second.list().shape_size() == 0) return -1;
    const auto& shape = s->second.list().shape(0);
    return axis < shape.dim_size() ? shape.dim(axis).size() : -1;
  }
  return -1;
}

int64_t ArgDim(const FunctionDef& fn, int arg, int axis) {
  auto attrs = fn.arg_attr().find(arg);
  if (attrs == fn.arg_attr().end()) return -1;
  auto s = attrs->second.attr().find("_output_shapes");
  if (s == attrs->second.attr().end() || s->second.list().shape_size() == 0) return -1;
  const auto& shape = s->second.list().shape(0);
  return axis < shape.dim_size() ? shape.dim(axis).size() : -1;
}

}  // namespace

bool IsFusableKerasLstmCall(const NodeDef& call, const FunctionDef& fn,
                            const std::vector<bool>& outputs_used, const TfNodeLookup& producer) {
  auto api = fn.attr().find("api_implements");
  if (api == fn.attr().end() || !absl::StartsWith(api->second.s(), "lstm_")) return false;
  if (call.input_size() != kNumInputs || fn.signature().output_arg_size() != 5) return false;
  if (outputs_used.size() > kFinalC && outputs_used[kFinalC]) return false;
  if (!IsZeros(producer, call.input(kInitH)) || !IsZeros(producer, call.input(kInitC))) {
    return false;
  }
  for (int w : {kKernel, kRecurrentKernel, kBias}) {
    if (!IsConstOp(SkipIdentities(producer, call.input(w)))) return false;
  }
  if (outputs_used[kOutputs]) {
    // With return_sequences=False Keras keeps only the last step in `outputs`.
    const int time_axis = BoolAttr(fn, "time_major") ? 0 : 1;
    auto ret = fn.ret().find(fn.signature().output_arg(kOutputs).name());
    const int64_t steps = ArgDim(fn, kX, time_axis);
    if (ret == fn.ret().end() || steps < 0 || BodyDim(fn, ret->second, time_axis) != steps) {
      return false;
    }
  }
  return true;
}

absl::Status ConvertKerasLstm(TfContext& ctx, const NodeDef& node) {
  const FunctionDef* fn = ctx.CalledFunction(node);
  if (fn == nullptr || node.input_size() != kNumInputs) {
    return ctx.Unsupported(node, "a Keras LSTM call of an unexpected form",
                           "inputs (x, init_h, init_c, kernel, recurrent_kernel, bias)");
  }
  const bool time_major = BoolAttr(*fn, "time_major");
  absl::StatusOr<TensorId> x = ctx.Input(node, kX);
  if (!x.ok()) return x.status();
  const Shape xs = ctx.shape(*x);
  if (xs.size() != 3 || ctx.type(*x) != DataType::kFloat32) {
    return ctx.Unsupported(node, absl::StrCat("input of shape ", ShapeToString(xs)),
                           "a float32 rank-3 sequence");
  }
  std::vector<float> w[3];
  Shape wshape[3];
  for (int i = 0; i < 3; ++i) {
    absl::StatusOr<TensorId> id = ctx.Input(node, kKernel + i);
    if (!id.ok()) return id.status();
    std::optional<std::vector<float>> v = ctx.ConstantFloats(*id);
    if (!v) return ctx.Unsupported(node, "LSTM weights computed at run time", "constant weights");
    w[i] = *std::move(v);
    wshape[i] = ctx.shape(*id);
  }
  const int64_t in = xs[2];
  if (wshape[0].size() != 2 || wshape[0][1] % 4 != 0 || wshape[0][0] != in) {
    return ctx.Invalid(node, absl::StrCat("kernel of shape ", ShapeToString(wshape[0])),
                       absl::StrCat("[", in, ", 4*units]"));
  }
  const int64_t h = wshape[0][1] / 4;
  if (wshape[1] != Shape{h, 4 * h} || wshape[2] != Shape{4 * h}) {
    return ctx.Invalid(node, absl::StrCat("recurrent kernel ", ShapeToString(wshape[1]), ", bias ",
                                          ShapeToString(wshape[2])),
                       absl::StrCat("[", h, ", ", 4 * h, "] and [", 4 * h, "]"));
  }
  // Keras packs gates i, f, c, o along the kernels' columns ([in, 4H]); TFLite
  // wants one [H, in] matrix per gate in that same order.
  importer::LstmGateWeights p;
  for (int g = 0; g < 4; ++g) {
    p.w[g].resize(h * in);
    p.r[g].resize(h * h);
    p.bias[g].assign(w[2].begin() + g * h, w[2].begin() + (g + 1) * h);
    for (int64_t u = 0; u < h; ++u) {
      for (int64_t i = 0; i < in; ++i) p.w[g][u * in + i] = w[0][i * 4 * h + g * h + u];
      for (int64_t j = 0; j < h; ++j) p.r[g][u * h + j] = w[1][j * 4 * h + g * h + u];
    }
  }
  importer::SequenceLstmShape shape;
  shape.batch = xs[time_major ? 1 : 0];
  shape.hidden = h;
  shape.input_size = in;
  shape.time_major = time_major;
  const SourceLoc origin = TfContext::Origin(node);
  const int time_axis = time_major ? 0 : 1;
  TensorId seq = *x;
  if (BoolAttr(*fn, "go_backwards")) {
    // Keras feeds the reversed sequence and returns outputs in that order.
    std::vector<int32_t> zeros(3, 0), strides(3, 1);
    strides[time_axis] = -1;
    StridedSliceOptions r;
    r.begin_mask = 7;
    r.end_mask = 7;
    absl::StatusOr<TensorId> reversed = ctx.Emit(
        node, OpKind::kStridedSlice,
        {seq, ctx.AddConstInts(HelperName(node, "reverse_begin"), zeros),
         ctx.AddConstInts(HelperName(node, "reverse_end"), zeros),
         ctx.AddConstInts(HelperName(node, "reverse_strides"), strides)},
        r, DataType::kFloat32);
    if (!reversed.ok()) return reversed.status();
    seq = *reversed;
  }
  absl::StatusOr<TensorId> y =
      importer::EmitSequenceLstm(ctx, origin, WithoutCallScopes(node.name()), seq, p, shape);
  if (!y.ok()) return y.status();
  // The last step: y[-1] along the time axis, time axis dropped.
  std::vector<int32_t> begin(3, 0), end(3, 0), strides(3, 1);
  begin[time_axis] = -1;
  StridedSliceOptions o;
  o.begin_mask = 7 & ~(1 << time_axis);
  o.end_mask = 7;
  o.shrink_axis_mask = 1 << time_axis;
  absl::StatusOr<TensorId> last = ctx.Emit(
      node, OpKind::kStridedSlice,
      {*y, ctx.AddConstInts(HelperName(node, "last_begin"), begin),
       ctx.AddConstInts(HelperName(node, "last_end"), end),
       ctx.AddConstInts(HelperName(node, "last_strides"), strides)},
      o, DataType::kFloat32);
  if (!last.ok()) return last.status();
  ctx.SetOutput(node, kLastOutput, *last);
  ctx.SetOutput(node, kOutputs, *y);
  ctx.SetOutput(node, kFinalH, *last);
  // Keras reports which implementation ran: 1 is its CPU ("standard") one.
  ctx.SetOutput(node, kRuntime, ctx.AddScalarFloat(HelperName(node, "runtime"), 1.0f));
  return absl::OkStatus();
}

void RegisterTfKerasRnnOps(TfConverterTable& table) {
  table.api_implements.emplace_back("lstm_", &ConvertKerasLstm);
}

}  // namespace optconv::tf_import
