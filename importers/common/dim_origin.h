#pragma once
// Which unknown dims are provably the same at run time. A dynamic batch
// reaches a reshape target as SHAPE(s)[k] of some tensor s, while the reshape
// reads another tensor x; when both dims trace back through ops that carry
// the dim unchanged to one source dim, the target can be a constant with -1
// there (and the other -1 becomes a known size).
#include <optional>

#include "converter/graph.h"

namespace optconv::importer {

/// Dim `axis` of `tensor`, e.g. the run-time value of an element of SHAPE.
struct DimRef {
  TensorId tensor = kNoTensor;
  int axis = 0;
  bool operator==(const DimRef&) const = default;
};

/// The dim `ref` copies unchanged from the furthest producer it can be traced
/// to: through TRANSPOSE, elementwise ops (from an operand that is not
/// broadcast there), convolutions and pools (batch), concatenation (other
/// axes), zero padding, and RESHAPE whose only unknown dim on each side is
/// the traced one with the known sizes' product kept.
DimRef DimOrigin(const Graph& graph, DimRef ref);

/// True when `a` and `b` are the same dim at run time (same origin).
bool SameRuntimeDim(const Graph& graph, DimRef a, DimRef b);

}  // namespace optconv::importer
