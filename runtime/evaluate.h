#pragma once
// Reference float/integer kernels of the canonical op set, used for constant
// folding (so folding and execution cannot disagree) and, later, calibration.
#include <vector>

#include "absl/status/statusor.h"
#include "converter/graph.h"

namespace optconv {

/// True when EvaluateOp has a kernel for this op kind (for some input types).
bool CanEvaluate(OpKind kind);

/// Evaluates `op` whose inputs are all constants in `graph` and whose output
/// tensors already carry their type and static shape. Returns one buffer per
/// output. Unimplemented when no kernel exists for the kind/type combination.
absl::StatusOr<std::vector<BufferPtr>> EvaluateOp(const Graph& graph, const Op& op);

/// The default of --fold-max-bytes.
inline constexpr int64_t kDefaultFoldMaxBytes = int64_t{1} << 20;

/// True when folding `op` would store more than `max_bytes` of results that
/// also hold more than twice as many elements as all its inputs together: a
/// TILE or broadcast of a small constant, which the runtime computes more
/// cheaply than the file could hold it. Counted in elements, not bytes, so
/// widening casts and dequantized weights still fold.
bool FoldingWouldBloat(const Graph& graph, const Op& op, int64_t max_bytes);

}  // namespace optconv
