#include "importers/common/dim_origin.h"

#include <algorithm>

#include "absl/container/flat_hash_map.h"

namespace optconv::importer {
namespace {

// Dim `axis` of operand `slot` aligned with output dim `axis` (numpy
// broadcasting aligns trailing dims); nullopt when the operand is shorter.
std::optional<int> AlignedAxis(const Graph& g, const Op& op, int slot, int axis, int out_rank) {
  const int rank = static_cast<int>(g.tensor(op.inputs[static_cast<size_t>(slot)]).shape.size());
  const int a = axis - (out_rank - rank);
  if (a < 0) return std::nullopt;
  return a;
}

// The input dim that output dim `axis` of `op` copies unchanged, if any.
std::optional<DimRef> CopiedFrom(const Graph& g, const Op& op, int axis) {
  if (op.inputs.empty() || op.inputs[0] < 0 || op.outputs.size() != 1) return std::nullopt;
  const Shape& out = g.tensor(op.outputs[0]).shape;
  const int rank = static_cast<int>(out.size());
  const TensorId x = op.inputs[0];
  const Shape& in = g.tensor(x).shape;
  if (IsUnaryElementwise(op.kind) || op.kind == OpKind::kSoftmax ||
      op.kind == OpKind::kLogSoftmax) {
    return DimRef{x, axis};
  }
  if (IsBinaryElementwise(op.kind) && op.inputs.size() == 2) {
    // The dim comes from an operand whose own dim is the output's unknown
    // one while the other operand has no dim there or a known 1.
    for (int slot : {0, 1}) {
      const auto mine = AlignedAxis(g, op, slot, axis, rank);
      if (!mine || g.tensor(op.inputs[static_cast<size_t>(slot)]).shape[*mine] != kUnknownDim) {
        continue;
      }
      const int other = 1 - slot;
      const auto theirs = AlignedAxis(g, op, other, axis, rank);
      if (theirs && g.tensor(op.inputs[static_cast<size_t>(other)]).shape[*theirs] != 1) continue;
      return DimRef{op.inputs[static_cast<size_t>(slot)], *mine};
    }
    return std::nullopt;
  }
  switch (op.kind) {
    case OpKind::kTranspose: {
      const Tensor& perm = g.tensor(op.inputs[1]);
      if (!perm.is_constant() || perm.type != DataType::kInt32) return std::nullopt;
      const std::vector<int32_t> p = perm.data->AsVector<int32_t>();
      if (static_cast<int>(p.size()) != rank) return std::nullopt;
      return DimRef{x, p[static_cast<size_t>(axis)]};
    }
    case OpKind::kConv2D: case OpKind::kDepthwiseConv2D: case OpKind::kMaxPool2D:
    case OpKind::kAveragePool2D:
      if (axis != 0) return std::nullopt;
      return DimRef{x, 0};
    case OpKind::kConcatenation: {
      const int concat_axis = op.opts<ConcatenationOptions>().axis;
      if (axis == concat_axis || axis - rank == concat_axis) return std::nullopt;
      return DimRef{x, axis};
    }
    case OpKind::kPad: case OpKind::kPadV2: case OpKind::kMirrorPad: {
      const Tensor& pads = g.tensor(op.inputs[1]);
      if (!pads.is_constant() || pads.type != DataType::kInt32) return std::nullopt;
      const std::vector<int32_t> p = pads.data->AsVector<int32_t>();
      const auto a = static_cast<size_t>(axis);
      if (p.size() != 2 * static_cast<size_t>(rank) || p[2 * a] != 0 || p[2 * a + 1] != 0) {
        return std::nullopt;
      }
      return DimRef{x, axis};
    }
    case OpKind::kReshape: {
      // One unknown dim on each side and the known sizes' product kept: the
      // element count makes the two unknowns equal.
      if (out[static_cast<size_t>(axis)] != kUnknownDim || UnknownDims(in) != 1 ||
          UnknownDims(out) != 1 || KnownDimsProduct(in) != KnownDimsProduct(out)) {
        return std::nullopt;
      }
      const auto it = std::find(in.begin(), in.end(), kUnknownDim);
      return DimRef{x, static_cast<int>(it - in.begin())};
    }
    default:
      return std::nullopt;
  }
}

using ProducerMap = absl::flat_hash_map<TensorId, int>;

ProducerMap Producers(const Graph& graph) {
  ProducerMap producer;
  for (size_t i = 0; i < graph.ops().size(); ++i) {
    for (TensorId t : graph.ops()[i].outputs) producer[t] = static_cast<int>(i);
  }
  return producer;
}

DimRef Origin(const Graph& graph, const ProducerMap& producer, DimRef ref) {
  // Ops are in topological order, so each step moves to an earlier op.
  while (true) {
    const auto it = producer.find(ref.tensor);
    if (it == producer.end()) return ref;
    const Op& op = graph.ops()[static_cast<size_t>(it->second)];
    const auto from = CopiedFrom(graph, op, ref.axis);
    if (!from || from->tensor < 0 ||
        graph.tensor(from->tensor).shape.size() <= static_cast<size_t>(from->axis) ||
        graph.tensor(from->tensor).shape[static_cast<size_t>(from->axis)] != kUnknownDim) {
      return ref;
    }
    ref = *from;
  }
}

}  // namespace

DimRef DimOrigin(const Graph& graph, DimRef ref) { return Origin(graph, Producers(graph), ref); }

bool SameRuntimeDim(const Graph& graph, DimRef a, DimRef b) {
  const ProducerMap producer = Producers(graph);
  return Origin(graph, producer, a) == Origin(graph, producer, b);
}

}  // namespace optconv::importer
