#include "importers/onnx/onnx_node_order.h"

#include <functional>
#include <queue>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "converter/status_util.h"

namespace optconv::onnx_import {
namespace {

absl::Status NodeInvalid(const std::string& file, const onnx::NodeProto& node,
                         const std::string& problem, const std::string& expected) {
  return absl::InvalidArgumentError(
      FormatNodeError(file, node.name(), node.op_type(), problem, expected));
}

}  // namespace

absl::StatusOr<std::vector<int>> TopologicalNodeOrder(const onnx::GraphProto& graph,
                                                      const std::string& file) {
  const int n = graph.node_size();
  absl::flat_hash_set<std::string> outer;  // values that exist before any node runs
  for (const auto& init : graph.initializer()) outer.insert(init.name());
  for (const auto& input : graph.input()) outer.insert(input.name());

  absl::flat_hash_map<std::string, int> producer;
  for (int i = 0; i < n; ++i) {
    const onnx::NodeProto& node = graph.node(i);
    for (const std::string& out : node.output()) {
      if (out.empty()) continue;
      auto [it, inserted] = producer.emplace(out, i);
      if (!inserted) {
        return NodeInvalid(file, node,
                           absl::StrCat("output '", out, "' is also produced by node '",
                                        graph.node(it->second).name(), "'"),
                           "each value produced once");
      }
    }
  }

  // deps[i] = distinct producer nodes of node i's inputs.
  std::vector<std::vector<int>> deps(n), dependents(n);
  for (int i = 0; i < n; ++i) {
    const onnx::NodeProto& node = graph.node(i);
    for (const std::string& in : node.input()) {
      if (in.empty()) continue;
      auto it = producer.find(in);
      if (it == producer.end()) {
        if (outer.contains(in)) continue;
        return NodeInvalid(file, node, absl::StrCat("input '", in, "' is not defined"),
                           "a graph input, initializer or output of another node");
      }
      if (std::find(deps[i].begin(), deps[i].end(), it->second) == deps[i].end()) {
        deps[i].push_back(it->second);
        dependents[it->second].push_back(i);
      }
    }
  }

  std::vector<int> pending(n);
  std::priority_queue<int, std::vector<int>, std::greater<int>> ready;
  for (int i = 0; i < n; ++i) {
    pending[i] = static_cast<int>(deps[i].size());
    if (pending[i] == 0) ready.push(i);
  }
  std::vector<int> order;
  order.reserve(n);
  while (!ready.empty()) {
    int i = ready.top();
    ready.pop();
    order.push_back(i);
    for (int d : dependents[i]) {
      if (--pending[d] == 0) ready.push(d);
    }
  }
  if (static_cast<int>(order.size()) == n) return order;

  // Some node is blocked. Walking back through blocked producers n times
  // must end on a node that lies on a cycle.
  int at = 0;
  while (pending[at] == 0) ++at;
  for (int step = 0; step < n; ++step) {
    for (int d : deps[at]) {
      if (pending[d] > 0) {
        at = d;
        break;
      }
    }
  }
  return NodeInvalid(file, graph.node(at), "the graph has a cycle through this node",
                     "an acyclic graph");
}

}  // namespace optconv::onnx_import
