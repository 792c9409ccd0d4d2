#include "importers/onnx/onnx_context.h"

#include "absl/strings/str_cat.h"

namespace optconv::onnx_import {

// ---- ONNX value names

absl::StatusOr<TensorId> OnnxContext::Lookup(const std::string& onnx_name) const {
  auto it = values_.find(onnx_name);
  if (it == values_.end()) {
    return absl::NotFoundError(absl::StrCat(file(), ": value '", onnx_name, "' is not defined"));
  }
  return it->second;
}

bool OnnxContext::HasInput(const onnx::NodeProto& node, int index) {
  return index >= 0 && index < node.input_size() && !node.input(index).empty();
}

absl::StatusOr<TensorId> OnnxContext::Input(const onnx::NodeProto& node, int index) const {
  if (!HasInput(node, index)) {
    return Invalid(node, absl::StrCat("input #", index, " is missing"),
                   absl::StrCat("at least ", index + 1, " inputs"));
  }
  auto it = values_.find(node.input(index));
  if (it == values_.end()) {
    return Invalid(node, absl::StrCat("input '", node.input(index), "' is not defined"),
                   "a graph input, initializer or output of another node");
  }
  return it->second;
}

void OnnxContext::SetOutput(const onnx::NodeProto& node, int index, TensorId id) {
  if (index < 0 || index >= node.output_size() || node.output(index).empty()) return;
  const std::string& name = node.output(index);
  if (!onnx_named_.contains(id) && !graph().IsGraphInput(id)) RenameTensor(id, name);
  Bind(name, id);
}

// ---- layout

absl::StatusOr<TensorId> OnnxContext::ToChannelsLast(const onnx::NodeProto& node,
                                                     TensorId channels_first) {
  const int r = rank(channels_first);
  if (r < 3) return Invalid(node, absl::StrCat("cannot move channels of a rank-", r, " tensor"),
                            "rank >= 3");
  std::vector<int32_t> perm = {0};
  for (int i = 2; i < r; ++i) perm.push_back(i);
  perm.push_back(1);
  return EmitTranspose(node, channels_first, perm);
}

absl::StatusOr<TensorId> OnnxContext::ToChannelsFirst(const onnx::NodeProto& node,
                                                      TensorId channels_last) {
  const int r = rank(channels_last);
  if (r < 3) return Invalid(node, absl::StrCat("cannot move channels of a rank-", r, " tensor"),
                            "rank >= 3");
  std::vector<int32_t> perm = {0, r - 1};
  for (int i = 1; i < r - 1; ++i) perm.push_back(i);
  return EmitTranspose(node, channels_last, perm);
}

// ---- attributes

const onnx::AttributeProto* OnnxContext::FindAttr(const onnx::NodeProto& node,
                                                  const std::string& name) {
  for (const onnx::AttributeProto& a : node.attribute()) {
    if (a.name() == name) return &a;
  }
  return nullptr;
}

int64_t OnnxContext::AttrInt(const onnx::NodeProto& node, const std::string& name,
                             int64_t fallback) {
  const onnx::AttributeProto* a = FindAttr(node, name);
  return a == nullptr ? fallback : a->i();
}

float OnnxContext::AttrFloat(const onnx::NodeProto& node, const std::string& name,
                             float fallback) {
  const onnx::AttributeProto* a = FindAttr(node, name);
  return a == nullptr ? fallback : a->f();
}

std::string OnnxContext::AttrString(const onnx::NodeProto& node, const std::string& name,
                                    const std::string& fallback) {
  const onnx::AttributeProto* a = FindAttr(node, name);
  return a == nullptr ? fallback : a->s();
}

std::vector<int64_t> OnnxContext::AttrInts(const onnx::NodeProto& node, const std::string& name) {
  const onnx::AttributeProto* a = FindAttr(node, name);
  if (a == nullptr) return {};
  return {a->ints().begin(), a->ints().end()};
}

std::vector<float> OnnxContext::AttrFloats(const onnx::NodeProto& node, const std::string& name) {
  const onnx::AttributeProto* a = FindAttr(node, name);
  if (a == nullptr) return {};
  return {a->floats().begin(), a->floats().end()};
}

}  // namespace optconv::onnx_import
