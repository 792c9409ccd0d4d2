#pragma once
// Control-flow lowering on the TfGraph, before op conversion: While /
// StatelessWhile loops whose trip count is static (Keras RNN loops: a counter
// compared with the sequence length or `maximum_iterations`) are unrolled by
// instantiating the body function once per iteration, and TensorList ops with
// static indices become Unpack / Pack / plain value forwarding. Function calls
// met on the way are inlined; Keras api_implements calls in the main graph are
// kept when `keep_call` says a fused converter handles them, else inlined.
//
// Loops with a run-time trip count, If, and TensorList uses that are not
// static fail with Unimplemented, one line per node in the node error format.
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "importers/savedmodel/tf_graph.h"

namespace optconv::tf_import {

/// Producer node of a tensor ref ("node" / "node:N") in the lowered graph
/// built so far, or nullptr.
using TfNodeLookup = std::function<const tensorflow::NodeDef*(const std::string& ref)>;

struct ControlFlowLoweringOptions {
  /// Whether a main-graph call of an api_implements function stays a call node
  /// (normalised to PartitionedCall with attr "f"). `outputs_used[i]` tells
  /// whether anything reads output i. Null: every call is inlined.
  std::function<bool(const tensorflow::NodeDef& call, const tensorflow::FunctionDef& fn,
                     const std::vector<bool>& outputs_used, const TfNodeLookup& producer)>
      keep_call;
  /// Unrolling stops with an error beyond this many iterations of one loop.
  int max_iterations = 10000;
};

/// Returns `graph` without While/If/TensorList ops and without calls other
/// than the kept ones (see above); nodes not needed by the outputs are dropped.
absl::StatusOr<TfGraph> LowerControlFlow(TfGraph graph,
                                         const ControlFlowLoweringOptions& options);

/// The importer's default: Keras LSTM calls that fit
/// UNIDIRECTIONAL_SEQUENCE_LSTM stay calls (keras_lstm.h), the rest is lowered.
absl::StatusOr<TfGraph> LowerControlFlow(TfGraph graph);

}  // namespace optconv::tf_import
