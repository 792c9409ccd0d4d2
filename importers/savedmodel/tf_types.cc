#include "importers/savedmodel/tf_types.h"

#include "absl/strings/str_cat.h"

namespace optconv::tf_import {

std::optional<DataType> FromTfDataType(tensorflow::DataType type) {
  int value = static_cast<int>(type);
  if (value > 100) value -= 100;  // DT_*_REF (TF1 VariableV2 outputs)
  switch (static_cast<tensorflow::DataType>(value)) {
    case tensorflow::DT_FLOAT: return DataType::kFloat32;
    case tensorflow::DT_HALF: return DataType::kFloat16;
    case tensorflow::DT_INT8: return DataType::kInt8;
    case tensorflow::DT_UINT8: return DataType::kUInt8;
    case tensorflow::DT_INT16: return DataType::kInt16;
    case tensorflow::DT_INT32: return DataType::kInt32;
    case tensorflow::DT_INT64: return DataType::kInt64;
    case tensorflow::DT_BOOL: return DataType::kBool;
    case tensorflow::DT_STRING: return DataType::kString;
    default: return std::nullopt;
  }
}

std::string TfDataTypeName(tensorflow::DataType type) {
  if (tensorflow::DataType_IsValid(type)) return tensorflow::DataType_Name(type);
  return absl::StrCat("DataType(", static_cast<int>(type), ")");
}

}  // namespace optconv::tf_import
