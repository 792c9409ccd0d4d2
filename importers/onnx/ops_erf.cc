// Erf has no TFLite builtin. It is imported as the internal Erf op so that
// fuse-gelu can recognise x*0.5*(1+erf(x/sqrt(2))); the lower-erf pass expands
// any Erf left afterwards into builtins (a rational approximation).
#include "importers/onnx/ops_internal.h"
#include "importers/onnx/ops_util.h"

namespace optconv::onnx_import {
namespace {

absl::Status Erf(OnnxContext& ctx, const onnx::NodeProto& node) {
  absl::StatusOr<TensorId> x = ctx.Input(node, 0);
  if (!x.ok()) return x.status();
  if (ctx.type(*x) != DataType::kFloat32) {
    return ctx.Unsupported(node, "Erf of a non-f32 tensor", "an f32 input");
  }
  absl::StatusOr<TensorId> y = ctx.Emit(node, OpKind::kErf, {*x}, NoOptions{}, DataType::kFloat32);
  if (!y.ok()) return y.status();
  ctx.SetOutput(node, 0, *y);
  return absl::OkStatus();
}

}  // namespace

void RegisterErfOps(ConverterTable& t) { t["Erf"] = Erf; }

}  // namespace optconv::onnx_import
