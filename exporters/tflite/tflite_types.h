#pragma once
// Mappings from IR enums to their TFLite schema counterparts.
#include <optional>

#include "converter/data_type.h"
#include "converter/op_options.h"
#include "schema_generated.h"

namespace optconv {

/// The TFLite element type of `type`; every IR type has one.
tflite::TensorType TfliteTensorType(DataType type);

/// Inverse of TfliteTensorType, for the types the IR has.
std::optional<DataType> DataTypeFromTflite(tflite::TensorType type);

tflite::ActivationFunctionType TfliteActivation(Activation activation);

tflite::Padding TflitePadding(Padding padding);

}  // namespace optconv
