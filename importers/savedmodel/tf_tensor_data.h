#pragma once
// TensorProto (Const "value" attrs) -> IR constant data: tensor_content bytes,
// or the typed *_val fields, where fewer values than elements means "repeat
// the last one" (TF's compact encoding of fills such as zeros).
#include <string>

#include "absl/status/statusor.h"
#include "converter/tensor.h"
#include "importers/savedmodel/proto/tensor.pb.h"
#include "importers/savedmodel/proto/tensor_shape.pb.h"

namespace optconv::tf_import {

/// Dims of a TensorShapeProto (-1 for unknown dims); nullopt for unknown rank.
std::optional<Shape> ShapeFromProto(const tensorflow::TensorShapeProto& shape);

/// A constant tensor named `name` holding the proto's value. `what` prefixes
/// errors (node error format). Double constants become f32 (TFLite has no f64).
absl::StatusOr<Tensor> ConstantFromProto(const tensorflow::TensorProto& proto,
                                         const std::string& name, const std::string& what);

}  // namespace optconv::tf_import
