#pragma once
// Operator versions, following the rules of TFLite's tools/versioning
// (op_version.cc) for the ops and types optconv writes.
#include "converter/graph.h"
#include "schema_generated.h"

namespace optconv {

/// The version of `code` that `op` needs, given its input/output types, ranks,
/// options and quantization (the same decision table TFLite's converter uses).
/// Omitted optional inputs count as written (-1) inputs.
int TfliteOpVersion(const Graph& graph, const Op& op, tflite::BuiltinOperator code);

}  // namespace optconv
