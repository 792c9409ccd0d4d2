#pragma once
// Checks the IR invariants: ids in range, options matching op kinds, every
// activation produced exactly once before it is used (topological order, no
// cycles), constant buffers matching type x shape, graph outputs produced,
// signatures referring to graph inputs/outputs.
#include "absl/status/status.h"
#include "converter/graph.h"

namespace optconv {

/// OK or the first violation, in the node error format.
absl::Status VerifyGraph(const Graph& graph);

}  // namespace optconv
