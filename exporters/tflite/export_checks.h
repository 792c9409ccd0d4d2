#pragma once
// What the TFLite format or runtime cannot take from a graph, found before
// anything is serialized.
#include "absl/status/status.h"
#include "converter/graph.h"

namespace optconv {

/// Checks the whole graph: no internal (IR-only) op left (Internal), tensor
/// ids in range, options matching op kinds, no string constants
/// (Unimplemented), constant sizes matching their shapes, variables without
/// non-zero initial values, dims that fit int32, and every op through
/// CheckRuntimeSupport. Errors use the node format.
absl::Status CheckExportable(const Graph& graph);

/// Rejects op settings the TFLite runtime would not execute as written, with
/// Unimplemented in the node error format:
///  - kernels apply fused activations as an output clamp, so a fused TANH is
///    silently ignored (everywhere but sequence LSTMs, whose options hold the
///    cell activation);
///  - CONCATENATION fails to prepare with any fused activation, and
///    L2_NORMALIZATION ignores it;
///  - RESHAPE ignores a computed (non-constant) shape input unless it is int32.
absl::Status CheckRuntimeSupport(const Graph& graph, const Op& op);

}  // namespace optconv
