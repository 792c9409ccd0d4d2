#pragma once
// Orders the nodes of an ONNX graph so every value is produced before it is
// used (files may list nodes in any order), and checks that every input is
// defined.
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "onnx/onnx_pb.h"

namespace optconv::onnx_import {

/// Indices of `graph.node()` in a topological order (stable: nodes already in
/// order keep their order). InvalidArgument naming the node and value when an
/// input is produced by nothing (not a node output, graph input or
/// initializer) or produced twice, and naming a node on the cycle when the
/// graph is cyclic. Nodes must already have names.
absl::StatusOr<std::vector<int>> TopologicalNodeOrder(const onnx::GraphProto& graph,
                                                      const std::string& file);

}  // namespace optconv::onnx_import
