#pragma once
// The layout decisions of a TFLite export, made before serializing: which
// buffer each tensor uses, the operator code table with versions, and how
// large the flatbuffer will be.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "converter/graph.h"
#include "schema_generated.h"

namespace optconv {

/// Alignment of constant data in the file (Buffer.data is force_align: 16),
/// so mapped weights can be used in place.
inline constexpr size_t kTfliteBufferAlignment = 16;

/// Model.buffers as TensorFlow's converter lays them out: 0 is the empty
/// sentinel, then one buffer per tensor in tensor order, empty for
/// activations; a constant whose bytes equal an earlier constant's reuses
/// that buffer (found by content hash, confirmed bytewise).
struct BufferPlan {
  std::vector<uint32_t> tensor_buffer;  // per tensor
  std::vector<TensorId> buffer_source;  // per buffer: the tensor whose data it holds, or kNoTensor
  size_t data_bytes = 0;                // sum of distinct constant bytes
};

BufferPlan PlanBuffers(const Graph& graph);

/// Operator codes in first-use order, one per builtin, at the highest
/// version any of its ops needs (as TFLite's UpdateOpVersion leaves them),
/// and the model's min_runtime_version (max over the codes).
struct OpCodePlan {
  std::vector<tflite::BuiltinOperator> codes;
  std::vector<int> versions;
  std::vector<uint32_t> op_code_index;  // per op
  std::string min_runtime_version;
};

OpCodePlan PlanOpCodes(const Graph& graph);

/// An upper bound of the serialized size, used as the builder's first block
/// so constant data is copied once and the block never grows.
size_t EstimateSize(const Graph& graph, const BufferPlan& buffers);

}  // namespace optconv
