#include "importers/savedmodel/tf_context.h"

#include <algorithm>
#include <string_view>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "importers/savedmodel/tf_types.h"

namespace optconv::tf_import {

const tensorflow::FunctionDef* TfContext::CalledFunction(const tensorflow::NodeDef& node) const {
  std::string name = node.op();
  if (node.op() == "PartitionedCall" || node.op() == "StatefulPartitionedCall") {
    const tensorflow::AttrValue* f = FindAttr(node, "f");
    if (f == nullptr || !f->has_func()) return nullptr;
    name = f->func().name();
  }
  for (const tensorflow::FunctionDef& fn : tf_.library.function()) {
    if (fn.signature().name() == name) return &fn;
  }
  return nullptr;
}

// ---- tensor refs

std::string TfContext::CanonicalRef(const std::string& ref) {
  const size_t colon = ref.rfind(':');
  int index;
  if (colon != std::string::npos && absl::SimpleAtoi(ref.substr(colon + 1), &index)) return ref;
  return absl::StrCat(ref, ":0");
}

std::string TfContext::OutputRef(const tensorflow::NodeDef& node, int index) {
  return absl::StrCat(node.name(), ":", index);
}

absl::StatusOr<TensorId> TfContext::Lookup(const std::string& ref) const {
  auto it = values_.find(CanonicalRef(ref));
  if (it == values_.end()) {
    return absl::NotFoundError(absl::StrCat(file(), ": tensor '", ref, "' is not defined"));
  }
  return it->second;
}

absl::StatusOr<TensorId> TfContext::Input(const tensorflow::NodeDef& node, int index) const {
  if (index < 0 || index >= node.input_size()) {
    return Invalid(node, absl::StrCat("input #", index, " is missing"),
                   absl::StrCat("at least ", index + 1, " inputs"));
  }
  auto it = values_.find(CanonicalRef(node.input(index)));
  if (it == values_.end()) {
    return Invalid(node, absl::StrCat("input '", node.input(index), "' is not defined"),
                   "an output of another node");
  }
  return it->second;
}

namespace {

bool IsCallScope(std::string_view part) {
  for (std::string_view call : {"StatefulPartitionedCall", "PartitionedCall"}) {
    if (part.substr(0, call.size()) != call) continue;
    const std::string_view rest = part.substr(call.size());
    return rest.empty() || (rest.size() > 1 && rest[0] == '_' &&
                            std::all_of(rest.begin() + 1, rest.end(),
                                        [](char c) { return c >= '0' && c <= '9'; }));
  }
  return false;
}

}  // namespace

std::string WithoutCallScopes(const std::string& name) {
  size_t start = 0;
  for (size_t slash; (slash = name.find('/', start)) != std::string::npos; start = slash + 1) {
    if (!IsCallScope(std::string_view(name).substr(start, slash - start))) break;
  }
  return name.substr(start);
}

void TfContext::SetOutput(const tensorflow::NodeDef& node, int index, TensorId id) {
  if (!tf_named_.contains(id) && !graph().IsGraphInput(id)) {
    const std::string name = WithoutCallScopes(node.name());
    RenameTensor(id, index == 0 ? name : absl::StrCat(name, ":", index));
  }
  tf_named_.insert(id);
  Bind(OutputRef(node, index), id);
}

absl::Status TfContext::EmitAndBind(const tensorflow::NodeDef& node, OpKind kind,
                                    std::vector<TensorId> inputs, OpOptions options) {
  const DataType out_type = type(inputs.front());
  absl::StatusOr<TensorId> out = Emit(node, kind, std::move(inputs), std::move(options), out_type);
  if (!out.ok()) return out.status();
  SetOutput(node, 0, *out);
  return absl::OkStatus();
}

absl::StatusOr<std::vector<int64_t>> TfContext::ConstIntsInput(const tensorflow::NodeDef& node,
                                                               int index) const {
  absl::StatusOr<TensorId> id = Input(node, index);
  if (!id.ok()) return id.status();
  std::optional<std::vector<int64_t>> values = ConstantInts(*id);
  if (!values) {
    return Unsupported(node, absl::StrCat("input '", node.input(index),
                                          "' must be a constant (it is computed at run time)"));
  }
  return *std::move(values);
}

// ---- attributes

const tensorflow::AttrValue* TfContext::FindAttr(const tensorflow::NodeDef& node,
                                                 const std::string& name) {
  auto it = node.attr().find(name);
  return it == node.attr().end() ? nullptr : &it->second;
}

int64_t TfContext::AttrInt(const tensorflow::NodeDef& node, const std::string& name,
                           int64_t fallback) {
  const tensorflow::AttrValue* a = FindAttr(node, name);
  return a != nullptr && a->value_case() == tensorflow::AttrValue::kI ? a->i() : fallback;
}

float TfContext::AttrFloat(const tensorflow::NodeDef& node, const std::string& name,
                           float fallback) {
  const tensorflow::AttrValue* a = FindAttr(node, name);
  return a != nullptr && a->value_case() == tensorflow::AttrValue::kF ? a->f() : fallback;
}

bool TfContext::AttrBool(const tensorflow::NodeDef& node, const std::string& name, bool fallback) {
  const tensorflow::AttrValue* a = FindAttr(node, name);
  return a != nullptr && a->value_case() == tensorflow::AttrValue::kB ? a->b() : fallback;
}

std::string TfContext::AttrString(const tensorflow::NodeDef& node, const std::string& name,
                                  const std::string& fallback) {
  const tensorflow::AttrValue* a = FindAttr(node, name);
  return a != nullptr && a->value_case() == tensorflow::AttrValue::kS ? a->s() : fallback;
}

std::vector<int64_t> TfContext::AttrInts(const tensorflow::NodeDef& node,
                                         const std::string& name) {
  const tensorflow::AttrValue* a = FindAttr(node, name);
  if (a == nullptr || !a->has_list()) return {};
  return {a->list().i().begin(), a->list().i().end()};
}

tensorflow::DataType TfContext::AttrType(const tensorflow::NodeDef& node, const std::string& name,
                                         tensorflow::DataType fallback) {
  const tensorflow::AttrValue* a = FindAttr(node, name);
  return a != nullptr && a->value_case() == tensorflow::AttrValue::kType ? a->type() : fallback;
}

absl::StatusOr<DataType> TfContext::AttrIrType(const tensorflow::NodeDef& node,
                                               const std::string& name) const {
  const tensorflow::DataType tf_type = AttrType(node, name);
  if (tf_type == tensorflow::DT_INVALID) {
    return Invalid(node, absl::StrCat("type attribute '", name, "' is missing"));
  }
  std::optional<DataType> type = FromTfDataType(tf_type);
  if (!type) {
    return Unsupported(node, absl::StrCat("type ", TfDataTypeName(tf_type), " is not supported"),
                       "a type TFLite can carry");
  }
  return *type;
}

}  // namespace optconv::tf_import
