#include "passes/rewrite_driver.h"

#include "absl/strings/str_cat.h"
#include "passes/pass_util.h"

namespace optconv {

RewriteState::RewriteState(Graph& graph)
    : graph_(graph), erased_(graph.ops().size(), false) {
  Rebuild();
}

void RewriteState::Rebuild() {
  const size_t num_tensors = static_cast<size_t>(graph_.num_tensors());
  erased_.resize(graph_.ops().size(), false);
  producer_.assign(num_tensors, -1);
  consumers_.assign(num_tensors, {});
  use_count_.assign(num_tensors, 0);
  const auto& ops = graph_.ops();
  for (size_t i = 0; i < ops.size(); ++i) {
    if (erased_[i]) continue;
    for (TensorId out : ops[i].outputs) {
      if (out >= 0) producer_[static_cast<size_t>(out)] = static_cast<int>(i);
    }
    for (TensorId in : ops[i].inputs) {
      if (in < 0) continue;
      ++use_count_[static_cast<size_t>(in)];
      auto& list = consumers_[static_cast<size_t>(in)];
      if (list.empty() || list.back() != static_cast<int>(i)) list.push_back(static_cast<int>(i));
    }
  }
  for (TensorId t : graph_.outputs()) ++use_count_[static_cast<size_t>(t)];
}

int RewriteState::Producer(TensorId t) const {
  if (t < 0 || static_cast<size_t>(t) >= producer_.size()) return -1;
  return producer_[static_cast<size_t>(t)];
}

const std::vector<int>& RewriteState::Consumers(TensorId t) const {
  static const std::vector<int> kEmpty;
  if (t < 0 || static_cast<size_t>(t) >= consumers_.size()) return kEmpty;
  return consumers_[static_cast<size_t>(t)];
}

int RewriteState::UseCount(TensorId t) const {
  if (t < 0 || static_cast<size_t>(t) >= use_count_.size()) return 0;
  return use_count_[static_cast<size_t>(t)];
}

bool RewriteState::HasSingleUse(TensorId t) const {
  return UseCount(t) == 1 && !graph_.IsGraphOutput(t);
}

void RewriteState::Erase(int op_index) { erased_[static_cast<size_t>(op_index)] = true; }

absl::StatusOr<bool> ApplyPatterns(Graph& graph, const std::vector<RewritePattern>& patterns,
                                   PassContext& context, std::string_view pass_name,
                                   const RewriteOptions& options) {
  bool changed_any = false;
  for (int sweep = 0; sweep < options.max_sweeps; ++sweep) {
    RewriteState state(graph);
    bool changed = false;
    // New ops appended by rewrites are visited in the same sweep.
    for (size_t i = 0; i < graph.ops().size(); ++i) {
      for (const RewritePattern& pattern : patterns) {
        if (state.IsErased(static_cast<int>(i))) break;
        const Op& op = graph.ops()[i];
        if (!pattern.roots.empty()) {
          bool match = false;
          for (OpKind k : pattern.roots) match |= (k == op.kind);
          if (!match) continue;
        }
        if (pattern.guard && !pattern.guard(state, op)) continue;
        absl::StatusOr<bool> result = pattern.rewrite(state, static_cast<int>(i));
        if (!result.ok()) return result.status();
        if (*result) {
          changed = true;
          context.Count(pass_name, pattern.name);
          state.Rebuild();
        }
      }
    }
    if (!changed) break;
    changed_any = true;
    if (sweep + 1 == options.max_sweeps) {
      // Still rewriting when the cap stops us: the graph is valid, but the
      // patterns may not have reached their fixed point (or they oscillate).
      context.Count(pass_name, "sweep_cap_hit");
      context.Warn(absl::StrCat("pass '", std::string(pass_name), "' stopped at its iteration cap (",
                                options.max_sweeps,
                                " sweeps) while patterns still applied; the result may be "
                                "less optimized than it could be"));
    }
    absl::Status status = CompactGraph(graph, state.erased());
    if (!status.ok()) return status;
    if (options.remove_dead_ops) {
      if (int dead = graph.RemoveDeadOps(); dead > 0) {
        context.Count(pass_name, "dead_ops", dead);
        graph.RemoveUnusedTensors();
      }
    }
  }
  return changed_any;
}

}  // namespace optconv
