#pragma once
// TensorFlow DataType <-> IR DataType.
#include <optional>
#include <string>

#include "converter/data_type.h"
#include "importers/savedmodel/proto/types.pb.h"

namespace optconv::tf_import {

/// The IR type for a TF dtype (reference types map like their value type);
/// nullopt for types TFLite cannot carry (double, complex, resource...).
std::optional<DataType> FromTfDataType(tensorflow::DataType type);
/// "DT_FLOAT", or "DataType(N)" for values our enum subset lacks.
std::string TfDataTypeName(tensorflow::DataType type);

}  // namespace optconv::tf_import
