#pragma once
// The optconv IR to a TFLite flatbuffer. Deterministic: the same graph gives
// byte-identical output.
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "converter/graph.h"
#include "flatbuffers/flatbuffers.h"

namespace optconv {

struct TfliteExportOptions {
  std::string description = "optconv";
};

/// Serializes `graph` (one subgraph, its signatures as SignatureDefs, op codes
/// with versions, min_runtime_version metadata, and "optconv_io_layout"
/// metadata when an input or output is stored transposed from the source's
/// layout: JSON [{"name", "perm"}]). Fails with Unimplemented for
/// ops or types the format cannot express.
absl::StatusOr<std::vector<uint8_t>> ExportTflite(const Graph& graph,
                                                  const TfliteExportOptions& options = {});

/// The same bytes, for a graph that is not needed afterwards: each constant's
/// data leaves `graph` as soon as it is in the flatbuffer, so the weights
/// exist about once in memory, not twice. What the caller needs from the
/// graph (reports, counts) must be read before.
absl::StatusOr<flatbuffers::DetachedBuffer> ExportTfliteConsuming(
    Graph&& graph, const TfliteExportOptions& options = {});

}  // namespace optconv
