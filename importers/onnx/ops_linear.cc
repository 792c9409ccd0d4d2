// MatMul and Gemm. A constant 2-D right operand becomes FULLY_CONNECTED with
// weights transposed to [N, K] at import (alpha/beta folded in for Gemm);
// anything else becomes BATCH_MATMUL with numpy matmul's 1-D operand rules.
#include "importers/common/einsum.h"
#include "absl/strings/str_cat.h"
#include "importers/onnx/nn_util.h"
#include "importers/onnx/op_families.h"

namespace optconv::onnx_import {
namespace {

// FULLY_CONNECTED of `a` ([..., K], rank >= 1) with constant weights [N, K].
absl::StatusOr<TensorId> EmitFullyConnected(OnnxContext& ctx, const onnx::NodeProto& node,
                                            TensorId a, std::vector<float> weights_nk, int64_t n,
                                            int64_t k, TensorId bias) {
  const std::string base = NodeBaseName(node);
  TensorId w = ctx.AddConstFloats(base + "/weights", std::move(weights_nk), {n, k});
  std::vector<TensorId> inputs = {a, w};
  if (bias != kNoTensor) inputs.push_back(bias);
  FullyConnectedOptions o;
  const int ra = ctx.rank(a);
  o.keep_num_dims = ra > 2;
  NN_ASSIGN_OR_RETURN(TensorId y, ctx.Emit(node, OpKind::kFullyConnected, inputs, o, ctx.type(a)));
  if (ra == 1) {
    // [K] x [K, N] -> [N]; FULLY_CONNECTED gives [1, N].
    TensorId shape = ctx.AddConstInts(base + "/vector_shape", {static_cast<int32_t>(n)});
    NN_ASSIGN_OR_RETURN(y, ctx.Emit(node, OpKind::kReshape, {y, shape}, NoOptions{}, ctx.type(a)));
  }
  return y;
}

// numpy matmul via BATCH_MATMUL: 1-D operands get a unit axis that is
// squeezed from the result.
absl::StatusOr<TensorId> EmitBatchMatMul(OnnxContext& ctx, const onnx::NodeProto& node, TensorId a,
                                         TensorId b, bool adj_a, bool adj_b) {
  const int ra = ctx.rank(a), rb = ctx.rank(b);
  if (ra == 0 || rb == 0) {
    return ctx.Invalid(node, "scalar operand", "operands of rank >= 1");
  }
  const std::string base = NodeBaseName(node);
  const DataType t = ctx.type(a);
  if (ra == 1) {
    NN_ASSIGN_OR_RETURN(a, ctx.Emit(node, OpKind::kExpandDims,
                                    {a, ctx.AddScalarInt(base + "/axis_a", 0)}, NoOptions{}, t));
  }
  if (rb == 1) {
    NN_ASSIGN_OR_RETURN(b, ctx.Emit(node, OpKind::kExpandDims,
                                    {b, ctx.AddScalarInt(base + "/axis_b", 1)}, NoOptions{}, t));
  }
  NN_ASSIGN_OR_RETURN(TensorId y, ctx.Emit(node, OpKind::kBatchMatMul, {a, b},
                                           BatchMatMulOptions{adj_a, adj_b}, t));
  const int ry = ctx.rank(y);
  std::vector<int32_t> squeeze;
  if (ra == 1) squeeze.push_back(ry - 2);
  if (rb == 1) squeeze.push_back(ry - 1);
  if (!squeeze.empty()) {
    NN_ASSIGN_OR_RETURN(y, ctx.Emit(node, OpKind::kSqueeze, {y}, SqueezeOptions{squeeze}, t));
  }
  return y;
}

absl::Status ConvertMatMul(OnnxContext& ctx, const onnx::NodeProto& node) {
  NN_ASSIGN_OR_RETURN(TensorId a, ctx.Input(node, 0));
  NN_ASSIGN_OR_RETURN(TensorId b, ctx.Input(node, 1));
  const Shape bs = ctx.shape(b);
  const bool float_type = ctx.type(a) == DataType::kFloat32 && ctx.type(b) == DataType::kFloat32;
  if (float_type && ctx.IsConstant(b) && !ctx.IsConstant(a) && bs.size() == 2 && IsStatic(bs) &&
      ctx.rank(a) >= 1) {
    const int64_t k = bs[0], n = bs[1];
    const int64_t ak = ctx.shape(a).back();
    if (ak >= 0 && ak != k) {
      return ctx.Invalid(node, absl::StrCat("operands ", ShapeToString(ctx.shape(a)), " x ",
                                            ShapeToString(bs)), "equal inner dimensions");
    }
    std::optional<std::vector<float>> w = ctx.ConstantFloats(b);
    NN_ASSIGN_OR_RETURN(TensorId y, EmitFullyConnected(ctx, node, a, PermuteDims(*w, bs, {1, 0}),
                                                       n, k, kNoTensor));
    ctx.SetOutput(node, 0, y);
    return absl::OkStatus();
  }
  NN_ASSIGN_OR_RETURN(TensorId y, EmitBatchMatMul(ctx, node, a, b, false, false));
  ctx.SetOutput(node, 0, y);
  return absl::OkStatus();
}

absl::Status ConvertGemm(OnnxContext& ctx, const onnx::NodeProto& node) {
  NN_ASSIGN_OR_RETURN(TensorId a, ctx.Input(node, 0));
  NN_ASSIGN_OR_RETURN(TensorId b, ctx.Input(node, 1));
  const float alpha = OnnxContext::AttrFloat(node, "alpha", 1.0f);
  const float beta = OnnxContext::AttrFloat(node, "beta", 1.0f);
  const bool trans_a = OnnxContext::AttrInt(node, "transA", 0) != 0;
  const bool trans_b = OnnxContext::AttrInt(node, "transB", 0) != 0;
  if (ctx.rank(a) != 2 || ctx.rank(b) != 2) {
    return ctx.Invalid(node, absl::StrCat("operands ", ShapeToString(ctx.shape(a)), " and ",
                                          ShapeToString(ctx.shape(b))),
                       "2-D A and B");
  }
  const std::string base = NodeBaseName(node);
  const DataType t = ctx.type(a);
  const bool has_c = OnnxContext::HasInput(node, 2) && beta != 0.0f;
  TensorId c = kNoTensor;
  if (has_c) {
    NN_ASSIGN_OR_RETURN(c, ctx.Input(node, 2));
  }

  const Shape bs = ctx.shape(b);
  TensorId y;
  bool c_done = false;
  if (t == DataType::kFloat32 && ctx.IsConstant(b) && IsStatic(bs)) {
    std::vector<float> w = *ctx.ConstantFloats(b);
    if (!trans_b) w = PermuteDims(w, bs, {1, 0});  // [K,N] -> [N,K]
    const int64_t n = trans_b ? bs[0] : bs[1], k = trans_b ? bs[1] : bs[0];
    if (alpha != 1.0f) {
      for (float& v : w) v *= alpha;
    }
    // A C of N values (shape [N], [1,N] or a scalar) is the bias; others are added.
    TensorId bias = kNoTensor;
    if (has_c && ctx.IsConstant(c)) {
      std::optional<std::vector<float>> cv = ctx.ConstantFloats(c);
      const Shape cs = ctx.shape(c);
      const bool row = cs.empty() || (cs.size() == 1 && (cs[0] == n || cs[0] == 1)) ||
                       (cs.size() == 2 && cs[0] == 1 && (cs[1] == n || cs[1] == 1));
      if (cv && row) {
        std::vector<float> bv(n);
        for (int64_t i = 0; i < n; ++i) bv[i] = beta * (*cv)[cv->size() == 1 ? 0 : i];
        bias = ctx.AddConstFloats(base + "/bias", bv, {n});
        c_done = true;
      }
    }
    TensorId at = a;
    if (trans_a) {
      NN_ASSIGN_OR_RETURN(at, ctx.EmitTranspose(node, a, {1, 0}));
    }
    NN_ASSIGN_OR_RETURN(y, EmitFullyConnected(ctx, node, at, std::move(w), n, k, bias));
  } else {
    NN_ASSIGN_OR_RETURN(y, EmitBatchMatMul(ctx, node, a, b, trans_a, trans_b));
    if (alpha != 1.0f) {
      TensorId s = ctx.AddScalarFloat(base + "/alpha", alpha);
      NN_ASSIGN_OR_RETURN(y, ctx.Emit(node, OpKind::kMul, {y, s}, BinaryOptions{}, t));
    }
  }
  if (has_c && !c_done) {
    TensorId cc = c;
    if (beta != 1.0f) {
      TensorId s = ctx.AddScalarFloat(base + "/beta", beta);
      NN_ASSIGN_OR_RETURN(cc, ctx.Emit(node, OpKind::kMul, {c, s}, BinaryOptions{}, t));
    }
    NN_ASSIGN_OR_RETURN(y, ctx.Emit(node, OpKind::kAdd, {y, cc}, BinaryOptions{}, t));
  }
  ctx.SetOutput(node, 0, y);
  return absl::OkStatus();
}

absl::Status ConvertEinsum(OnnxContext& ctx, const onnx::NodeProto& node) {
  std::vector<TensorId> operands;
  for (int i = 0; i < node.input_size(); ++i) {
    NN_ASSIGN_OR_RETURN(TensorId x, ctx.Input(node, i));
    operands.push_back(x);
  }
  const std::string equation = OnnxContext::AttrString(node, "equation", "");
  NN_ASSIGN_OR_RETURN(TensorId y,
                      importer::EmitEinsum(ctx, OnnxContext::Origin(node), equation, operands));
  ctx.SetOutput(node, 0, y);
  return absl::OkStatus();
}

}  // namespace

void RegisterLinearOps(ConverterTable& table) {
  table["MatMul"] = &ConvertMatMul;
  table["Gemm"] = &ConvertGemm;
  table["Einsum"] = &ConvertEinsum;
}

}  // namespace optconv::onnx_import
