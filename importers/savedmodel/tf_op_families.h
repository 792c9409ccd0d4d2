#pragma once
// Each tf_ops_<family>.cc registers its converters into the importer's table;
// tf_op_registry.cc calls every Register* function once.
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "importers/savedmodel/tf_context.h"

namespace optconv::tf_import {

struct TfConverterTable {
  /// By NodeDef op type.
  absl::flat_hash_map<std::string, TfOpConverter> ops;
  /// Kept call nodes, by a prefix of their function's "api_implements" attr
  /// (Keras writes "lstm_<uuid>", "gru_<uuid>").
  std::vector<std::pair<std::string, TfOpConverter>> api_implements;
};

void RegisterTfGraphOps(TfConverterTable& table);        // Const, Placeholder, Identity, NoOp...
void RegisterTfElementwiseOps(TfConverterTable& table);  // arithmetic, comparisons, logic, Select
void RegisterTfActivationOps(TfConverterTable& table);   // unary math and activations
void RegisterTfConvOps(TfConverterTable& table);         // Conv2D, DepthwiseConv2dNative, Conv2DBackpropInput
void RegisterTfPoolOps(TfConverterTable& table);         // MaxPool, AvgPool
void RegisterTfLinearOps(TfConverterTable& table);       // MatMul, BatchMatMul*, BiasAdd, FusedBatchNorm*
void RegisterTfReduceOps(TfConverterTable& table);       // Mean, Sum, Max, Min, Prod, ArgMax, Softmax
void RegisterTfTensorOps(TfConverterTable& table);       // Reshape, Squeeze, Transpose, Concat, Pack...
void RegisterTfSliceOps(TfConverterTable& table);        // StridedSlice, Slice, Split, SplitV, Gather
void RegisterTfShapeOps(TfConverterTable& table);        // Shape, Size, Rank, Fill, Range, Tile...
void RegisterTfResizeOps(TfConverterTable& table);       // ResizeBilinear, ResizeNearestNeighbor, Pad*
void RegisterTfKerasRnnOps(TfConverterTable& table);     // api_implements "lstm_*" calls (keras_lstm.h)
void RegisterTfReverseOps(TfConverterTable& table);      // ReverseV2

}  // namespace optconv::tf_import
