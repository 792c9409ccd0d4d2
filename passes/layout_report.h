#pragma once
// The layout report: how many TRANSPOSEs the source implied (layout
// transposes the importer wrapped around channels-first ops, plus the
// source's own Transpose nodes) and, for every TRANSPOSE still in the graph
// after the pipeline, why the layout pass could not remove it. The reasons
// are read off the transpose's neighbourhood, the same facts the layout-nhwc
// pass's cost model charges for (interface tensors, layout-fixed ops,
// reshapes mixing dims).
#include <cstdint>
#include <string>
#include <vector>

#include "converter/graph.h"

namespace optconv {

/// Transposes of a freshly imported graph, split by where they came from.
struct ImportedTransposes {
  int64_t inserted = 0;     // added by the importer around layout-sensitive ops
  int64_t from_source = 0;  // the source model's own Transpose nodes
  int64_t total() const { return inserted + from_source; }
};

/// Classifies the TRANSPOSE ops of an imported graph by their source op type.
ImportedTransposes CountImportedTransposes(const Graph& graph);

/// One TRANSPOSE left in the optimized graph.
struct RemainingTranspose {
  std::string tensor;       // its output tensor's name (TFLite ops have no names)
  std::string node;         // source node it came from
  std::string source_op;    // the source node's op type
  std::vector<int32_t> perm;
  std::string reason;       // e.g. "feeds graph output 'y' whose layout must stay NCHW"
};

/// Explains every TRANSPOSE in `graph`, in op order.
std::vector<RemainingTranspose> ExplainTransposes(const Graph& graph, bool keep_io_layout);

}  // namespace optconv
