#pragma once
// Writes an op's typed options as its TFLite builtin options table.
#include "absl/status/statusor.h"
#include "converter/graph.h"
#include "flatbuffers/flatbuffers.h"
#include "schema_generated.h"

namespace optconv {

/// A written BuiltinOptions union value (type NONE and offset 0 for ops whose
/// TFLite operator has no options table).
struct WrittenOptions {
  tflite::BuiltinOptions type = tflite::BuiltinOptions::NONE;
  flatbuffers::Offset<void> offset;
};

/// Serializes `op`'s options into `fbb`. Ops whose official options table is
/// empty (PadOptions, TransposeOptions, ...) still get that empty table, as
/// the TensorFlow converter writes it. Fails with Internal when the options
/// alternative does not match the op kind.
absl::StatusOr<WrittenOptions> WriteBuiltinOptions(flatbuffers::FlatBufferBuilder& fbb,
                                                   const Graph& graph, const Op& op);

}  // namespace optconv
