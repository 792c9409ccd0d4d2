#pragma once
// Shared parts of the recurrent converters (LSTM in ops_rnn.cc, GRU in
// ops_gru.cc): common attributes and inputs, time reversal and slicing, and
// binding the Y / Y_h / Y_c outputs from per-direction results.
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "importers/onnx/nn_util.h"

namespace optconv::onnx_import {

/// What every ONNX RNN node shares: X, direction, layout, sizes, initial_h.
struct RnnNode {
  TensorId x = kNoTensor;
  int64_t hidden = 0, input_size = 0;
  int64_t seq = kUnknownDim, batch = kUnknownDim;
  int layout = 0;             // 0: [T,B,...], 1: [B,T,...]
  std::vector<bool> reverse;  // per direction
  TensorId initial_h = kNoTensor;  // as given (any layout), or kNoTensor
  int time_axis() const { return layout == 0 ? 0 : 1; }
  int num_directions() const { return static_cast<int>(reverse.size()); }
};

/// Reads X, W's shape (`gates` gate blocks), direction, layout,
/// hidden_size, sequence_lens (only "absent or full length" is accepted),
/// initial_h (input 5) and rejects non-default activations and clip.
absl::StatusOr<RnnNode> ReadRnnNode(OnnxContext& ctx, const onnx::NodeProto& node, int gates,
                                    const std::vector<std::string>& default_activations);

/// values[offset, offset + count)
std::vector<float> Block(const std::vector<float>& all, int64_t offset, int64_t count);
bool AllZero(const std::vector<float>& v);
/// A constant float input with exactly `expected` values; Unimplemented when
/// it is computed at run time.
absl::StatusOr<std::vector<float>> ConstRnnInput(OnnxContext& ctx, const onnx::NodeProto& node,
                                                 int index, const char* what, int64_t expected);

/// x reversed along `time_axis` (STRIDED_SLICE with stride -1).
absl::StatusOr<TensorId> ReverseTime(OnnxContext& ctx, const onnx::NodeProto& node, TensorId x,
                                     int time_axis);
/// x[..., index:index+1, ...] along `axis` (index -1: the last).
absl::StatusOr<TensorId> SliceOne(OnnxContext& ctx, const onnx::NodeProto& node, TensorId x,
                                  int axis, int32_t index);
absl::StatusOr<TensorId> ExpandAxis(OnnxContext& ctx, const onnx::NodeProto& node, TensorId x,
                                    int axis);
/// CONCATENATION (or the single part itself).
absl::StatusOr<TensorId> ConcatParts(OnnxContext& ctx, const onnx::NodeProto& node,
                                     std::vector<TensorId> parts, int axis);
/// The [B,H] initial state of direction d from a [D,B,H] / [B,D,H] tensor, or
/// kNoTensor when absent or constant zeros.
absl::StatusOr<TensorId> DirectionState(OnnxContext& ctx, const onnx::NodeProto& node,
                                        const RnnNode& n, TensorId given, int d);
/// The input projection x W^T + b of every step at once (one FULLY_CONNECTED
/// over [T,B,I] / [B,T,I]), unpacked along the time axis into `steps` tensors.
absl::StatusOr<std::vector<TensorId>> ProjectInputSteps(OnnxContext& ctx,
                                                        const onnx::NodeProto& node,
                                                        const RnnNode& n, TensorId weights,
                                                        TensorId bias, int64_t steps);
/// True when `id` is absent or a constant of zeros.
bool IsZeroState(const OnnxContext& ctx, TensorId id);

/// One direction's results in the input's time/batch order: Y [T,B,H] or
/// [B,T,H]; Y_h / Y_c [1,B,H] (layout 0) or [B,1,H] (layout 1).
struct DirectionResult {
  TensorId y = kNoTensor, y_h = kNoTensor, y_c = kNoTensor;
};

/// Binds outputs Y (0), Y_h (1) and Y_c (2, if the op has it) from the
/// per-direction results, inserting the num_directions axis.
absl::Status BindRnnOutputs(OnnxContext& ctx, const onnx::NodeProto& node, const RnnNode& n,
                            const std::vector<DirectionResult>& res);

/// Elementwise helpers for unrolled recurrences.
absl::StatusOr<TensorId> EmitBinary(OnnxContext& ctx, const onnx::NodeProto& node, OpKind kind,
                                    TensorId a, TensorId b);
absl::StatusOr<TensorId> EmitUnary(OnnxContext& ctx, const onnx::NodeProto& node, OpKind kind,
                                   TensorId a);

/// GRU converter (ops_gru.cc), registered by RegisterRnnOps.
absl::Status ConvertGru(OnnxContext& ctx, const onnx::NodeProto& node);

}  // namespace optconv::onnx_import
