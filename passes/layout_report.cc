#include "passes/layout_report.h"

#include "absl/strings/str_cat.h"
#include "passes/layout_ops.h"
#include "passes/pass_util.h"

namespace optconv {
namespace {

using Role = LayoutOpInfo::Role;

bool IsSourceTranspose(const Op& op) { return op.origin.op_type == "Transpose"; }

bool IsReshapeLike(OpKind k) {
  return k == OpKind::kReshape || k == OpKind::kSqueeze || k == OpKind::kExpandDims;
}

std::string Describe(const Op& op) {
  return absl::StrCat(std::string(OpKindName(op.kind)), " (node '", op.origin.node_name, "')");
}

std::string InterfaceReason(const Graph& g, TensorId t, bool keep_io_layout, bool output) {
  const Tensor& tensor = g.tensor(t);
  const std::string what = output ? absl::StrCat("feeds graph output '", tensor.name, "'")
                                  : absl::StrCat("reads graph input '", tensor.name, "'");
  if (keep_io_layout) return absl::StrCat(what, " whose layout must stay as in the source (--keep-io-layout)");
  if (tensor.shape.size() != 4) {
    return absl::StrCat(what, " of rank ", tensor.shape.size(),
                        ", whose layout must stay as in the source (only rank-4 image "
                        "inputs/outputs may become NHWC)");
  }
  return absl::StrCat(what, " whose layout must stay as in the source");
}

// Why the neighbour `op` (producer when `upstream`) pins the transpose.
std::string NeighbourReason(const Graph& g, const Op& op, bool upstream) {
  const std::string where = upstream ? "reads the output of " : "feeds ";
  if (IsReshapeLike(op.kind)) {
    return absl::StrCat(where, Describe(op), ", a reshape that mixes the permuted dims with others");
  }
  return absl::StrCat(where, Describe(op), ", which needs its operand in the source layout");
}

std::string Explain(const Graph& g, const Op& t, const std::vector<int>& producers,
                    const std::vector<std::vector<int>>& consumers, bool keep_io_layout) {
  const TensorId x = t.inputs[0], y = t.outputs[0];
  if (g.IsGraphOutput(y)) return InterfaceReason(g, y, keep_io_layout, /*output=*/true);
  if (g.IsGraphInput(x)) return InterfaceReason(g, x, keep_io_layout, /*output=*/false);
  const size_t rank = g.tensor(x).shape.size();
  if (rank > 4) {
    return absl::StrCat("rank-", rank, " region (", rank,
                        "-D permutations have no layout-agnostic partner to cancel with)");
  }
  // Reshapes first: they are the usual reason in attention blocks and
  // channel shuffles, and the most actionable one to name.
  const int p = producers[static_cast<size_t>(x)];
  const std::vector<int>& users = consumers[static_cast<size_t>(y)];
  for (int u : users) {
    const Op& op = g.ops()[static_cast<size_t>(u)];
    if (IsReshapeLike(op.kind) && ClassifyForLayout(g, op).role == Role::kFixed) {
      return NeighbourReason(g, op, false);
    }
  }
  if (p >= 0) {
    const Op& op = g.ops()[static_cast<size_t>(p)];
    if (IsReshapeLike(op.kind) && ClassifyForLayout(g, op).role == Role::kFixed) {
      return NeighbourReason(g, op, true);
    }
  }
  for (int u : users) {
    const Op& op = g.ops()[static_cast<size_t>(u)];
    if (ClassifyForLayout(g, op).role == Role::kFixed) return NeighbourReason(g, op, false);
  }
  if (p >= 0) {
    const Op& op = g.ops()[static_cast<size_t>(p)];
    if (ClassifyForLayout(g, op).role == Role::kFixed) return NeighbourReason(g, op, true);
  }
  return IsSourceTranspose(t)
             ? "a data permutation of the source with no inverse nearby to cancel against"
             : "no layout assignment of its region needs fewer transposes";
}

}  // namespace

ImportedTransposes CountImportedTransposes(const Graph& graph) {
  ImportedTransposes counts;
  for (const Op& op : graph.ops()) {
    if (op.kind != OpKind::kTranspose) continue;
    ++(IsSourceTranspose(op) ? counts.from_source : counts.inserted);
  }
  return counts;
}

std::vector<RemainingTranspose> ExplainTransposes(const Graph& graph, bool keep_io_layout) {
  std::vector<RemainingTranspose> out;
  const std::vector<int> producers = graph.Producers();
  const std::vector<std::vector<int>> consumers = graph.ConsumerOps();
  for (const Op& op : graph.ops()) {
    if (op.kind != OpKind::kTranspose || op.inputs.empty() || op.outputs.empty()) continue;
    RemainingTranspose r;
    r.tensor = graph.tensor(op.outputs[0]).name;
    r.node = op.origin.node_name;
    r.source_op = op.origin.op_type;
    if (auto perm = TransposePerm(graph, op)) r.perm.assign(perm->begin(), perm->end());
    r.reason = Explain(graph, op, producers, consumers, keep_io_layout);
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace optconv
