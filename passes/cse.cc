#include "passes/cse.h"

#include <cstring>
#include <map>
#include <tuple>
#include <vector>

#include "passes/pass_util.h"

namespace optconv {
namespace {

constexpr std::string_view kPass = "cse";

bool Mergeable(const Graph& g, TensorId t) {
  const Tensor& tensor = g.tensor(t);
  return !tensor.is_variable && !g.IsGraphOutput(t) && !g.IsGraphInput(t);
}

bool SameBytes(const Buffer& a, const Buffer& b) {
  return a.size() == b.size() && (a.data() == b.data() || a.size() == 0 ||
                                  std::memcmp(a.data(), b.data(), a.size()) == 0);
}

// Constants are bucketed by (type, shape) and compared bytewise against the
// bucket's distinct members: different weights differ in their first bytes,
// so the comparisons stay cheap without hashing every weight on every round.
int MergeConstants(Graph& g) {
  std::map<std::pair<DataType, Shape>, std::vector<TensorId>> buckets;
  std::vector<TensorId> replacement(static_cast<size_t>(g.num_tensors()), kNoTensor);
  int merged = 0;
  for (TensorId t = 0; t < g.num_tensors(); ++t) {
    const Tensor& tensor = g.tensor(t);
    if (!tensor.is_constant() || !Mergeable(g, t)) continue;
    std::vector<TensorId>& bucket = buckets[{tensor.type, tensor.shape}];
    for (TensorId kept : bucket) {
      const Tensor& other = g.tensor(kept);
      if (other.quant == tensor.quant && SameBytes(*other.data, *tensor.data)) {
        replacement[static_cast<size_t>(t)] = kept;
        break;
      }
    }
    if (replacement[static_cast<size_t>(t)] == kNoTensor) bucket.push_back(t);
  }
  std::vector<bool> counted(replacement.size(), false);
  for (Op& op : g.ops()) {
    for (TensorId& in : op.inputs) {
      if (in < 0 || replacement[static_cast<size_t>(in)] == kNoTensor) continue;
      if (!counted[static_cast<size_t>(in)]) counted[static_cast<size_t>(in)] = true, ++merged;
      in = replacement[static_cast<size_t>(in)];
    }
  }
  return merged;
}

bool SameOutputs(const Graph& g, const Op& a, const Op& b) {
  if (a.outputs.size() != b.outputs.size()) return false;
  for (size_t i = 0; i < a.outputs.size(); ++i) {
    if (a.outputs[i] < 0 || b.outputs[i] < 0) return false;
    const Tensor& x = g.tensor(a.outputs[i]);
    const Tensor& y = g.tensor(b.outputs[i]);
    if (x.type != y.type || x.shape != y.shape || x.quant != y.quant) return false;
  }
  return true;
}

bool Candidate(const Graph& g, const Op& op) {
  if (op.outputs.empty()) return false;
  for (TensorId t : op.inputs) {
    if (t >= 0 && g.tensor(t).is_variable) return false;  // stateful (e.g. LSTM state)
  }
  for (TensorId t : op.outputs) {
    if (t < 0 || !Mergeable(g, t)) return false;
  }
  return true;
}

// Ops are in topological order, so the kept op of a pair always comes first
// and replacing the later op's outputs keeps the order valid. Merges cascade
// in one sweep: a later op whose inputs were just merged finds its twin.
int MergeOps(Graph& g) {
  std::map<std::pair<OpKind, std::vector<TensorId>>, std::vector<size_t>> seen;
  std::vector<bool> erased(g.ops().size(), false);
  int merged = 0;
  for (size_t i = 0; i < g.ops().size(); ++i) {
    const Op& op = g.ops()[i];
    if (!Candidate(g, op)) continue;
    std::vector<size_t>& twins = seen[{op.kind, op.inputs}];
    size_t kept = i;
    for (size_t j : twins) {
      const Op& other = g.ops()[j];
      if (other.options == op.options && SameOutputs(g, other, op)) {
        kept = j;
        break;
      }
    }
    if (kept == i) {
      twins.push_back(i);
      continue;
    }
    const std::vector<TensorId> outputs = op.outputs;
    for (size_t k = 0; k < outputs.size(); ++k) {
      g.ReplaceAllUses(outputs[k], g.ops()[kept].outputs[k]);
    }
    erased[i] = true;
    ++merged;
  }
  if (merged > 0) g.EraseOps(erased);
  return merged;
}

}  // namespace

absl::StatusOr<bool> CsePass::Run(Graph& graph, PassContext& context) {
  const int constants = MergeConstants(graph);
  const int ops = MergeOps(graph);
  if (constants == 0 && ops == 0) return false;
  if (constants > 0) context.Count(kPass, "constants_merged", constants);
  if (ops > 0) context.Count(kPass, "ops_merged", ops);
  graph.RemoveUnusedTensors();
  return true;
}

}  // namespace optconv
