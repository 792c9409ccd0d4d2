#pragma once
// Each ops_<family>.cc registers its converters into the importer's table.
// onnx_op_registry.cc calls every Register* function once.
#include <string>

#include "absl/container/flat_hash_map.h"
#include "importers/onnx/onnx_context.h"

namespace optconv::onnx_import {

using ConverterTable = absl::flat_hash_map<std::string, OpConverter>;

// Core families (ops_elementwise.cc, ops_tensor.cc, ops_reduce.cc, ops_shape.cc).
void RegisterElementwiseOps(ConverterTable& table);  // arithmetic, activations, comparisons
void RegisterTensorOps(ConverterTable& table);       // reshape/transpose/concat/split/slice/gather/pad/cast...
void RegisterReduceOps(ConverterTable& table);       // Reduce*, Softmax, LogSoftmax, ArgMax
void RegisterShapeOps(ConverterTable& table);        // Shape, Size, ConstantOfShape, Range, Expand...

// Neural-network families (ops_conv.cc, ops_pool.cc, ops_norm.cc, ops_linear.cc,
// ops_resize.cc, ops_rnn.cc).
void RegisterConvOps(ConverterTable& table);    // Conv, ConvTranspose
void RegisterPoolOps(ConverterTable& table);    // MaxPool, AveragePool, Global*Pool
void RegisterNormOps(ConverterTable& table);    // BatchNormalization, LayerNormalization, InstanceNormalization
void RegisterLinearOps(ConverterTable& table);  // MatMul, Gemm
void RegisterResizeOps(ConverterTable& table);  // Resize, Upsample
void RegisterDepthSpaceOps(ConverterTable& table);  // DepthToSpace, SpaceToDepth
void RegisterRnnOps(ConverterTable& table);     // LSTM (GRU later)

}  // namespace optconv::onnx_import
