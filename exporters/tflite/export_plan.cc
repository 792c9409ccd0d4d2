#include "exporters/tflite/export_plan.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "absl/hash/hash.h"
#include "exporters/tflite/builtin_codes.h"
#include "exporters/tflite/op_versions.h"
#include "exporters/tflite/runtime_versions.h"

namespace optconv {

BufferPlan PlanBuffers(const Graph& graph) {
  BufferPlan plan;
  plan.tensor_buffer.assign(graph.num_tensors(), 0);
  plan.buffer_source.push_back(kNoTensor);  // index 0: the sentinel
  // content hash -> buffer indices with that hash (then compared bytewise).
  absl::flat_hash_map<size_t, std::vector<uint32_t>> by_hash;
  for (TensorId id = 0; id < graph.num_tensors(); ++id) {
    const Tensor& t = graph.tensor(id);
    if (!t.is_constant() || t.is_variable) {
      plan.tensor_buffer[id] = static_cast<uint32_t>(plan.buffer_source.size());
      plan.buffer_source.push_back(kNoTensor);
      continue;
    }
    const absl::Span<const uint8_t> bytes = t.data->bytes();
    const size_t hash = absl::HashOf(
        absl::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
    std::vector<uint32_t>& candidates = by_hash[hash];
    uint32_t index = 0;
    for (uint32_t c : candidates) {
      const absl::Span<const uint8_t> other = graph.tensor(plan.buffer_source[c]).data->bytes();
      if (other.size() == bytes.size() &&
          (bytes.empty() || std::memcmp(other.data(), bytes.data(), bytes.size()) == 0)) {
        index = c;
        break;
      }
    }
    if (index == 0) {
      index = static_cast<uint32_t>(plan.buffer_source.size());
      plan.buffer_source.push_back(id);
      candidates.push_back(index);
      plan.data_bytes += bytes.size();
    }
    plan.tensor_buffer[id] = index;
  }
  return plan;
}

OpCodePlan PlanOpCodes(const Graph& graph) {
  OpCodePlan plan;
  std::map<tflite::BuiltinOperator, uint32_t> index_of;
  for (const Op& op : graph.ops()) {
    const tflite::BuiltinOperator code = TfliteBuiltinFor(op.kind);
    const int version = TfliteOpVersion(graph, op, code);
    auto [it, inserted] = index_of.try_emplace(code, static_cast<uint32_t>(plan.codes.size()));
    if (inserted) {
      plan.codes.push_back(code);
      plan.versions.push_back(version);
    } else {
      plan.versions[it->second] = std::max(plan.versions[it->second], version);
    }
    plan.op_code_index.push_back(it->second);
  }
  for (size_t i = 0; i < plan.codes.size(); ++i) {
    const std::string_view v = MinRuntimeVersion(plan.codes[i], plan.versions[i]);
    if (RuntimeVersionLess(plan.min_runtime_version, v)) plan.min_runtime_version = std::string(v);
  }
  return plan;
}

size_t EstimateSize(const Graph& graph, const BufferPlan& buffers) {
  size_t size = 64 * 1024 + buffers.data_bytes;
  size += buffers.buffer_source.size() * (kTfliteBufferAlignment * 2 + 32);
  for (const Tensor& t : graph.tensors()) {
    size += 96 + t.name.size() + t.shape.size() * 8;
    if (t.quant) {
      size += 64 + t.quant->scales.size() * 12 + (t.quant->min.size() + t.quant->max.size()) * 4;
    }
  }
  for (const Op& op : graph.ops()) size += 96 + (op.inputs.size() + op.outputs.size()) * 4;
  for (const Signature& sig : graph.signatures()) {
    size += 64 + sig.key.size();
    for (const auto* list : {&sig.inputs, &sig.outputs}) {
      for (const SignatureTensor& st : *list) size += 32 + st.name.size();
    }
  }
  return size;
}

}  // namespace optconv
