#include "exporters/tflite/builtin_codes.h"

#include <algorithm>

namespace optconv {

using BO = tflite::BuiltinOperator;

tflite::BuiltinOperator TfliteBuiltinFor(OpKind kind) {
  switch (kind) {
    case OpKind::kAdd: return BO::ADD;
    case OpKind::kAveragePool2D: return BO::AVERAGE_POOL_2D;
    case OpKind::kConcatenation: return BO::CONCATENATION;
    case OpKind::kConv2D: return BO::CONV_2D;
    case OpKind::kDepthwiseConv2D: return BO::DEPTHWISE_CONV_2D;
    case OpKind::kDepthToSpace: return BO::DEPTH_TO_SPACE;
    case OpKind::kDequantize: return BO::DEQUANTIZE;
    case OpKind::kFloor: return BO::FLOOR;
    case OpKind::kFullyConnected: return BO::FULLY_CONNECTED;
    case OpKind::kL2Normalization: return BO::L2_NORMALIZATION;
    case OpKind::kLogistic: return BO::LOGISTIC;
    case OpKind::kMaxPool2D: return BO::MAX_POOL_2D;
    case OpKind::kMul: return BO::MUL;
    case OpKind::kRelu: return BO::RELU;
    case OpKind::kReluN1To1: return BO::RELU_N1_TO_1;
    case OpKind::kRelu6: return BO::RELU6;
    case OpKind::kReshape: return BO::RESHAPE;
    case OpKind::kResizeBilinear: return BO::RESIZE_BILINEAR;
    case OpKind::kSoftmax: return BO::SOFTMAX;
    case OpKind::kSpaceToDepth: return BO::SPACE_TO_DEPTH;
    case OpKind::kTanh: return BO::TANH;
    case OpKind::kPad: return BO::PAD;
    case OpKind::kGather: return BO::GATHER;
    case OpKind::kTranspose: return BO::TRANSPOSE;
    case OpKind::kMean: return BO::MEAN;
    case OpKind::kSub: return BO::SUB;
    case OpKind::kDiv: return BO::DIV;
    case OpKind::kSqueeze: return BO::SQUEEZE;
    case OpKind::kUnidirectionalSequenceLstm: return BO::UNIDIRECTIONAL_SEQUENCE_LSTM;
    case OpKind::kStridedSlice: return BO::STRIDED_SLICE;
    case OpKind::kExp: return BO::EXP;
    case OpKind::kSplit: return BO::SPLIT;
    case OpKind::kLogSoftmax: return BO::LOG_SOFTMAX;
    case OpKind::kBidirectionalSequenceLstm: return BO::BIDIRECTIONAL_SEQUENCE_LSTM;
    case OpKind::kCast: return BO::CAST;
    case OpKind::kPrelu: return BO::PRELU;
    case OpKind::kMaximum: return BO::MAXIMUM;
    case OpKind::kArgMax: return BO::ARG_MAX;
    case OpKind::kMinimum: return BO::MINIMUM;
    case OpKind::kLess: return BO::LESS;
    case OpKind::kNeg: return BO::NEG;
    case OpKind::kPadV2: return BO::PADV2;
    case OpKind::kGreater: return BO::GREATER;
    case OpKind::kGreaterEqual: return BO::GREATER_EQUAL;
    case OpKind::kLessEqual: return BO::LESS_EQUAL;
    case OpKind::kSlice: return BO::SLICE;
    case OpKind::kSin: return BO::SIN;
    case OpKind::kTransposeConv: return BO::TRANSPOSE_CONV;
    case OpKind::kTile: return BO::TILE;
    case OpKind::kExpandDims: return BO::EXPAND_DIMS;
    case OpKind::kEqual: return BO::EQUAL;
    case OpKind::kNotEqual: return BO::NOT_EQUAL;
    case OpKind::kLog: return BO::LOG;
    case OpKind::kSum: return BO::SUM;
    case OpKind::kSqrt: return BO::SQRT;
    case OpKind::kRsqrt: return BO::RSQRT;
    case OpKind::kShape: return BO::SHAPE;
    case OpKind::kPow: return BO::POW;
    case OpKind::kArgMin: return BO::ARG_MIN;
    case OpKind::kReduceProd: return BO::REDUCE_PROD;
    case OpKind::kReduceMax: return BO::REDUCE_MAX;
    case OpKind::kPack: return BO::PACK;
    case OpKind::kLogicalOr: return BO::LOGICAL_OR;
    case OpKind::kLogicalAnd: return BO::LOGICAL_AND;
    case OpKind::kLogicalNot: return BO::LOGICAL_NOT;
    case OpKind::kUnpack: return BO::UNPACK;
    case OpKind::kReduceMin: return BO::REDUCE_MIN;
    case OpKind::kSquare: return BO::SQUARE;
    case OpKind::kFill: return BO::FILL;
    case OpKind::kRange: return BO::RANGE;
    case OpKind::kResizeNearestNeighbor: return BO::RESIZE_NEAREST_NEIGHBOR;
    case OpKind::kLeakyRelu: return BO::LEAKY_RELU;
    case OpKind::kSquaredDifference: return BO::SQUARED_DIFFERENCE;
    case OpKind::kMirrorPad: return BO::MIRROR_PAD;
    case OpKind::kAbs: return BO::ABS;
    case OpKind::kSplitV: return BO::SPLIT_V;
    case OpKind::kCeil: return BO::CEIL;
    case OpKind::kCos: return BO::COS;
    case OpKind::kElu: return BO::ELU;
    case OpKind::kRound: return BO::ROUND;
    case OpKind::kHardSwish: return BO::HARD_SWISH;
    case OpKind::kSelectV2: return BO::SELECT_V2;
    case OpKind::kBatchMatMul: return BO::BATCH_MATMUL;
    case OpKind::kCumsum: return BO::CUMSUM;
    case OpKind::kBroadcastTo: return BO::BROADCAST_TO;
    case OpKind::kGelu: return BO::GELU;
    case OpKind::kSign: return BO::SIGN;
    // Internal ops have no builtin; CheckExportable refuses them first.
    case OpKind::kErf: return BO::CUSTOM;
  }
  return BO::CUSTOM;  // unreachable: the switch covers every kind
}

int8_t TfliteDeprecatedBuiltinCode(tflite::BuiltinOperator code) {
  return static_cast<int8_t>(std::min(static_cast<int32_t>(code),
                                      static_cast<int32_t>(BO::PLACEHOLDER_FOR_GREATER_OP_CODES)));
}

tflite::BuiltinOperator TfliteEffectiveBuiltinCode(const tflite::OperatorCode& code) {
  return static_cast<BO>(std::max(static_cast<int32_t>(code.builtin_code()),
                                  static_cast<int32_t>(code.deprecated_builtin_code())));
}

}  // namespace optconv
