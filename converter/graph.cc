#include "converter/graph.h"

#include <algorithm>
#include <queue>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"

namespace optconv {

TensorId Graph::AddTensor(Tensor tensor) {
  tensors_.push_back(std::move(tensor));
  return static_cast<TensorId>(tensors_.size() - 1);
}

TensorId Graph::AddActivation(std::string name, DataType type, Shape shape) {
  Tensor t;
  t.name = std::move(name);
  t.type = type;
  t.shape = std::move(shape);
  return AddTensor(std::move(t));
}

TensorId Graph::AddConstant(std::string name, DataType type, Shape shape, BufferPtr data) {
  Tensor t;
  t.name = std::move(name);
  t.type = type;
  t.shape = std::move(shape);
  t.data = std::move(data);
  return AddTensor(std::move(t));
}

std::string Graph::UniqueTensorName(const std::string& base) {
  absl::flat_hash_set<std::string_view> used;
  used.reserve(tensors_.size());
  for (const Tensor& t : tensors_) used.insert(t.name);
  if (!used.contains(base)) return base;
  for (int i = 1;; ++i) {
    std::string candidate = absl::StrCat(base, "_", i);
    if (!used.contains(candidate)) return candidate;
  }
}

bool Graph::IsGraphInput(TensorId id) const {
  return std::find(inputs_.begin(), inputs_.end(), id) != inputs_.end();
}

bool Graph::IsGraphOutput(TensorId id) const {
  return std::find(outputs_.begin(), outputs_.end(), id) != outputs_.end();
}

std::vector<int> Graph::Producers() const {
  std::vector<int> producer(tensors_.size(), -1);
  for (size_t i = 0; i < ops_.size(); ++i) {
    for (TensorId out : ops_[i].outputs) {
      if (out >= 0) producer[static_cast<size_t>(out)] = static_cast<int>(i);
    }
  }
  return producer;
}

std::vector<std::vector<int>> Graph::ConsumerOps() const {
  std::vector<std::vector<int>> consumers(tensors_.size());
  for (size_t i = 0; i < ops_.size(); ++i) {
    for (TensorId in : ops_[i].inputs) {
      if (in < 0) continue;
      auto& list = consumers[static_cast<size_t>(in)];
      if (list.empty() || list.back() != static_cast<int>(i)) list.push_back(static_cast<int>(i));
    }
  }
  return consumers;
}

std::vector<std::vector<TensorUse>> Graph::Uses() const {
  std::vector<std::vector<TensorUse>> uses(tensors_.size());
  for (size_t i = 0; i < ops_.size(); ++i) {
    for (size_t s = 0; s < ops_[i].inputs.size(); ++s) {
      TensorId in = ops_[i].inputs[s];
      if (in >= 0) uses[static_cast<size_t>(in)].push_back({static_cast<int>(i), static_cast<int>(s)});
    }
  }
  return uses;
}

void Graph::ReplaceAllUses(TensorId from, TensorId to) {
  if (from == to) return;
  for (Op& op : ops_) {
    for (TensorId& in : op.inputs) {
      if (in == from) in = to;
    }
  }
  bool was_output = false;
  for (TensorId& out : outputs_) {
    if (out == from) {
      out = to;
      was_output = true;
    }
  }
  for (Signature& sig : signatures_) {
    for (SignatureTensor& st : sig.outputs) {
      if (st.tensor == from) st.tensor = to;
    }
  }
  if (was_output && !IsGraphInput(to) && !tensor(to).is_constant()) {
    std::swap(tensors_[static_cast<size_t>(from)].name, tensors_[static_cast<size_t>(to)].name);
    std::swap(tensors_[static_cast<size_t>(from)].interface_perm,
              tensors_[static_cast<size_t>(to)].interface_perm);
  }
}

void Graph::EraseOps(const std::vector<bool>& erase) {
  std::vector<Op> kept;
  kept.reserve(ops_.size());
  for (size_t i = 0; i < ops_.size(); ++i) {
    if (i >= erase.size() || !erase[i]) kept.push_back(std::move(ops_[i]));
  }
  ops_ = std::move(kept);
}

void Graph::RemoveUnusedTensors() {
  std::vector<bool> used(tensors_.size(), false);
  auto mark = [&](TensorId id) {
    if (id >= 0) used[static_cast<size_t>(id)] = true;
  };
  for (const Op& op : ops_) {
    for (TensorId t : op.inputs) mark(t);
    for (TensorId t : op.outputs) mark(t);
  }
  for (TensorId t : inputs_) mark(t);
  for (TensorId t : outputs_) mark(t);
  for (const Signature& sig : signatures_) {
    for (const auto& st : sig.inputs) mark(st.tensor);
    for (const auto& st : sig.outputs) mark(st.tensor);
  }
  std::vector<TensorId> remap(tensors_.size(), kNoTensor);
  std::vector<Tensor> kept;
  for (size_t i = 0; i < tensors_.size(); ++i) {
    if (!used[i]) continue;
    remap[i] = static_cast<TensorId>(kept.size());
    kept.push_back(std::move(tensors_[i]));
  }
  tensors_ = std::move(kept);
  auto apply = [&](TensorId& id) {
    if (id >= 0) id = remap[static_cast<size_t>(id)];
  };
  for (Op& op : ops_) {
    for (TensorId& t : op.inputs) apply(t);
    for (TensorId& t : op.outputs) apply(t);
  }
  for (TensorId& t : inputs_) apply(t);
  for (TensorId& t : outputs_) apply(t);
  for (Signature& sig : signatures_) {
    for (auto& st : sig.inputs) apply(st.tensor);
    for (auto& st : sig.outputs) apply(st.tensor);
  }
}

int Graph::RemoveDeadOps() {
  int removed_total = 0;
  while (true) {
    std::vector<int> use_count(tensors_.size(), 0);
    for (const Op& op : ops_) {
      for (TensorId t : op.inputs) {
        if (t >= 0) ++use_count[static_cast<size_t>(t)];
      }
    }
    for (TensorId t : outputs_) ++use_count[static_cast<size_t>(t)];
    std::vector<bool> erase(ops_.size(), false);
    int removed = 0;
    for (size_t i = 0; i < ops_.size(); ++i) {
      bool any_used = false;
      for (TensorId t : ops_[i].outputs) {
        if (t >= 0 && (use_count[static_cast<size_t>(t)] > 0 || tensors_[static_cast<size_t>(t)].is_variable)) {
          any_used = true;
        }
      }
      if (!any_used) {
        erase[i] = true;
        ++removed;
      }
    }
    if (removed == 0) break;
    EraseOps(erase);
    removed_total += removed;
  }
  return removed_total;
}

absl::Status Graph::TopologicalSort() {
  std::vector<int> producer = Producers();
  std::vector<int> pending(ops_.size(), 0);
  std::vector<std::vector<int>> dependents(ops_.size());
  for (size_t i = 0; i < ops_.size(); ++i) {
    absl::flat_hash_set<int> deps;
    for (TensorId in : ops_[i].inputs) {
      if (in < 0) continue;
      int p = producer[static_cast<size_t>(in)];
      if (p >= 0 && deps.insert(p).second) dependents[static_cast<size_t>(p)].push_back(static_cast<int>(i));
    }
    pending[i] = static_cast<int>(deps.size());
  }
  // Min-heap on original index keeps the order stable and deterministic.
  std::priority_queue<int, std::vector<int>, std::greater<int>> ready;
  for (size_t i = 0; i < ops_.size(); ++i) {
    if (pending[i] == 0) ready.push(static_cast<int>(i));
  }
  std::vector<int> order;
  order.reserve(ops_.size());
  while (!ready.empty()) {
    int i = ready.top();
    ready.pop();
    order.push_back(i);
    for (int d : dependents[static_cast<size_t>(i)]) {
      if (--pending[static_cast<size_t>(d)] == 0) ready.push(d);
    }
  }
  if (order.size() != ops_.size()) {
    for (size_t i = 0; i < ops_.size(); ++i) {
      if (pending[i] > 0) {
        const Op& op = ops_[i];
        return absl::InvalidArgumentError(
            absl::StrCat("node '", op.origin.node_name, "' (", op.origin.op_type,
                         "): graph has a cycle through this node (expected an acyclic graph)"));
      }
    }
  }
  std::vector<Op> sorted;
  sorted.reserve(ops_.size());
  for (int i : order) sorted.push_back(std::move(ops_[static_cast<size_t>(i)]));
  ops_ = std::move(sorted);
  return absl::OkStatus();
}

}  // namespace optconv
