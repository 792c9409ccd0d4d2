#pragma once
// TFLite's fused UNIDIRECTIONAL_SEQUENCE_LSTM, emitted from per-gate float
// weights. Shared by the ONNX LSTM and the Keras (TensorFlow) LSTM
// converters, which only differ in how they read and re-pack the weights.
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "importers/common/graph_builder.h"

namespace optconv::importer {

/// One direction's parameters split per gate in TFLite order: input, forget,
/// cell, output (Keras' kernel order; ONNX packs i, o, f, c).
struct LstmGateWeights {
  std::vector<float> w[4];     // input weights [H, I], row-major
  std::vector<float> r[4];     // recurrent weights [H, H]
  std::vector<float> bias[4];  // [H]
  std::vector<float> peephole[3];  // cell-to-gate weights for i, f, o; empty when absent
};

struct SequenceLstmShape {
  int64_t batch = kUnknownDim;  // the state tensors' batch (1 in the file when unknown)
  int64_t hidden = 0;
  int64_t input_size = 0;
  bool time_major = false;  // x is [T,B,I] (true) or [B,T,I]
};

/// UNIDIRECTIONAL_SEQUENCE_LSTM over `x` with zero initial states (kept in
/// variable tensors, as TFLite's converter does) and tanh activations. Returns
/// the hidden state of every step, [T,B,H] or [B,T,H] like `x`. Tensor names
/// start with `base`.
absl::StatusOr<TensorId> EmitSequenceLstm(GraphBuilder& builder, const SourceLoc& origin,
                                          const std::string& base, TensorId x,
                                          const LstmGateWeights& weights,
                                          const SequenceLstmShape& shape);

}  // namespace optconv::importer
