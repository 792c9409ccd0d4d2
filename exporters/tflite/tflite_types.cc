#include "exporters/tflite/tflite_types.h"

namespace optconv {

tflite::TensorType TfliteTensorType(DataType type) {
  using TT = tflite::TensorType;
  switch (type) {
    case DataType::kFloat32: return TT::FLOAT32;
    case DataType::kFloat16: return TT::FLOAT16;
    case DataType::kInt8: return TT::INT8;
    case DataType::kUInt8: return TT::UINT8;
    case DataType::kInt16: return TT::INT16;
    case DataType::kInt32: return TT::INT32;
    case DataType::kInt64: return TT::INT64;
    case DataType::kBool: return TT::BOOL;
    case DataType::kString: return TT::STRING;
  }
  return TT::FLOAT32;  // unreachable
}

std::optional<DataType> DataTypeFromTflite(tflite::TensorType type) {
  using TT = tflite::TensorType;
  switch (type) {
    case TT::FLOAT32: return DataType::kFloat32;
    case TT::FLOAT16: return DataType::kFloat16;
    case TT::INT8: return DataType::kInt8;
    case TT::UINT8: return DataType::kUInt8;
    case TT::INT16: return DataType::kInt16;
    case TT::INT32: return DataType::kInt32;
    case TT::INT64: return DataType::kInt64;
    case TT::BOOL: return DataType::kBool;
    case TT::STRING: return DataType::kString;
    default: return std::nullopt;
  }
}

tflite::ActivationFunctionType TfliteActivation(Activation activation) {
  using AF = tflite::ActivationFunctionType;
  switch (activation) {
    case Activation::kNone: return AF::NONE;
    case Activation::kRelu: return AF::RELU;
    case Activation::kReluN1To1: return AF::RELU_N1_TO_1;
    case Activation::kRelu6: return AF::RELU6;
    case Activation::kTanh: return AF::TANH;
  }
  return AF::NONE;  // unreachable
}

tflite::Padding TflitePadding(Padding padding) {
  return padding == Padding::kSame ? tflite::Padding::SAME : tflite::Padding::VALID;
}

}  // namespace optconv
