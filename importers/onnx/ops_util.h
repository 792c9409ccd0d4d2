#pragma once
// Helpers shared by the core op converters (elementwise, tensor, reduce,
// shape): axes that moved from attributes to inputs across opsets, constant
// operands, reshapes to partially known shapes, typed scalar constants.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "importers/onnx/onnx_context.h"

namespace optconv::onnx_import {

/// The integer list given by attribute `attr` when opset < `input_since`, else
/// by optional input `input_index` (which must then be constant). nullopt when
/// absent.
absl::StatusOr<std::optional<std::vector<int64_t>>> ReadIntsAttrOrInput(
    const OnnxContext& ctx, const onnx::NodeProto& node, const std::string& attr,
    int64_t input_since, int input_index);

/// Like ReadIntsAttrOrInput, but InvalidArgument when the list is absent.
absl::StatusOr<std::vector<int64_t>> RequiredInts(const OnnxContext& ctx,
                                                  const onnx::NodeProto& node,
                                                  const std::string& attr, int64_t input_since,
                                                  int index);

/// Values of constant integer input `index`; Unimplemented when not constant.
absl::StatusOr<std::vector<int64_t>> ConstIntsInput(const OnnxContext& ctx,
                                                    const onnx::NodeProto& node, int index);

/// Normalises (negative) axes against `rank`: sorted, deduplicated. InvalidArgument
/// when an axis is out of range or repeated.
absl::StatusOr<std::vector<int>> NormalizeAxes(const OnnxContext& ctx, const onnx::NodeProto& node,
                                               const std::vector<int64_t>& axes, int rank);

/// Narrows to i32 (clamping the INT64 sentinels ONNX uses for "to the end").
std::vector<int32_t> ToInt32(const std::vector<int64_t>& values);

/// RESHAPE of `x` to `target` (i32 constant new shape). `target` may hold one
/// kUnknownDim (emitted as -1); more than one needs a dynamic shape: Unimplemented.
absl::StatusOr<TensorId> EmitReshape(OnnxContext& ctx, const onnx::NodeProto& node, TensorId x,
                                     Shape target);


/// Emits `kind` with inputs `inputs`, output of input 0's type, and binds it as output 0.
absl::Status EmitAndBind(OnnxContext& ctx, const onnx::NodeProto& node, OpKind kind,
                         std::vector<TensorId> inputs, OpOptions options = NoOptions{});

/// Element-preserving ops (reshape, squeeze, int casts): `out` knows what `in` knows.
void PropagateKnown(OnnxContext& ctx, TensorId in, TensorId out);

/// A name prefix for helper tensors of `node`.
inline std::string HelperName(const onnx::NodeProto& node, const std::string& what) {
  return node.name() + "/" + what;
}

}  // namespace optconv::onnx_import
