#pragma once
// A small pattern-rewrite driver. A pattern has a root op kind, a cheap guard
// and a rewrite. The driver sweeps the ops in order, offering each live op to
// the patterns rooted at its kind; after a successful rewrite the use/def
// index is rebuilt (graphs are small enough for O(n^2) worst cases). Between
// sweeps erased ops are dropped, the order is re-sorted and unused tensors are
// removed, until a sweep changes nothing or the iteration cap is hit.
//
// Rewrites may: change op inputs/options, append new ops (at the end; the
// driver re-sorts), append tensors, and erase ops through RewriteState::Erase.
// They must not reorder or remove entries of graph.ops() directly.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "converter/graph.h"
#include "passes/pass.h"

namespace optconv {

/// Use/def view of the graph during a sweep, ignoring erased ops.
class RewriteState {
 public:
  explicit RewriteState(Graph& graph);

  Graph& graph() { return graph_; }
  const Graph& graph() const { return graph_; }
  /// Index of the live op producing `t`, or -1 (graph input, constant).
  int Producer(TensorId t) const;
  /// Live ops consuming `t`, each listed once, in op order.
  const std::vector<int>& Consumers(TensorId t) const;
  /// Number of input slots of live ops reading `t`, plus graph-output uses.
  int UseCount(TensorId t) const;
  /// True when `t` is read by exactly one op slot and is not a graph output.
  bool HasSingleUse(TensorId t) const;
  bool IsErased(int op_index) const { return erased_[static_cast<size_t>(op_index)]; }
  /// Marks an op for removal at the end of the sweep.
  void Erase(int op_index);
  /// Recomputes the index after a rewrite changed the graph.
  void Rebuild();
  const std::vector<bool>& erased() const { return erased_; }

 private:
  Graph& graph_;
  std::vector<bool> erased_;
  std::vector<int> producer_;
  std::vector<std::vector<int>> consumers_;
  std::vector<int> use_count_;
};

struct RewritePattern {
  std::string name;                 // debug name, also the counter key
  std::vector<OpKind> roots;        // op kinds the pattern is offered; empty = all
  /// Cheap structural check; may be null.
  std::function<bool(const RewriteState&, const Op&)> guard;
  /// Applies the rewrite to op `op_index`; returns true when the graph changed.
  std::function<absl::StatusOr<bool>(RewriteState&, int op_index)> rewrite;
};

struct RewriteOptions {
  int max_sweeps = 16;
  /// Drop ops whose outputs became unused between sweeps (they would
  /// otherwise count as uses in single-use checks). Counted as "dead_ops".
  bool remove_dead_ops = true;
};

/// Runs `patterns` to a fixed point. Counts each successful rewrite as
/// "<pass_name>.<pattern name>". When the last allowed sweep still changed
/// the graph, counts "<pass_name>.sweep_cap_hit" and adds a context warning.
/// Returns true when anything changed.
absl::StatusOr<bool> ApplyPatterns(Graph& graph, const std::vector<RewritePattern>& patterns,
                                   PassContext& context, std::string_view pass_name,
                                   const RewriteOptions& options = {});

}  // namespace optconv
