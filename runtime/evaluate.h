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

}  // namespace optconv
