#pragma once
// Output shapes of canonical ops, following TFLite semantics. Used by
// importers after emitting each op (so shape subgraphs can be folded) and by
// passes that create ops.
#include <vector>

#include "absl/status/statusor.h"
#include "converter/graph.h"

namespace optconv {

/// Computes the output shapes of `op` from its input tensors (and, where the
/// semantics need them, constant input values such as Reshape's new shape).
/// Unknown input dims propagate as kUnknownDim. Fails with InvalidArgument
/// (message in the node error format) when inputs are inconsistent.
absl::StatusOr<std::vector<Shape>> InferOutputShapes(const Graph& graph, const Op& op);

/// InferOutputShapes, then writes the shapes into the op's output tensors.
absl::Status InferAndSetOutputShapes(Graph& graph, const Op& op);

}  // namespace optconv
