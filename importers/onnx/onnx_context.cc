#include "importers/onnx/onnx_context.h"

#include <algorithm>
#include <climits>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "converter/shape_inference.h"
#include "converter/status_util.h"
#include "importers/onnx/onnx_tensor_data.h"
#include "runtime/evaluate.h"

namespace optconv::onnx_import {
namespace {

template <typename T>
std::vector<T> ReadAs(const Buffer& buffer) {
  return buffer.AsVector<T>();
}

template <typename Out, typename In>
std::vector<Out> Widen(const std::vector<In>& in) {
  return std::vector<Out>(in.begin(), in.end());
}

Shape OneDim(size_t n, Shape shape) {
  if (shape.empty()) return {static_cast<int64_t>(n)};
  return shape;
}

}  // namespace

// ---- ONNX value names

absl::StatusOr<TensorId> OnnxContext::Lookup(const std::string& onnx_name) const {
  auto it = values_.find(onnx_name);
  if (it == values_.end()) {
    return absl::NotFoundError(absl::StrCat(file_, ": value '", onnx_name, "' is not defined"));
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
  if (!onnx_named_.contains(id) && !graph_.IsGraphInput(id)) {
    Tensor& t = graph_.tensor(id);
    if (t.name != name) {
      std::string unique = UniqueName(name);
      used_names_.erase(t.name);
      t.name = unique;
    }
  }
  Bind(name, id);
}

std::string OnnxContext::UniqueName(const std::string& base) {
  for (; names_synced_ < graph_.num_tensors(); ++names_synced_) {
    used_names_.insert(graph_.tensor(names_synced_).name);
  }
  std::string name = base;
  for (int i = 1; used_names_.contains(name); ++i) name = absl::StrCat(base, "_", i);
  used_names_.insert(name);
  return name;
}

// ---- constants

std::optional<std::vector<int64_t>> OnnxContext::ConstantInts(TensorId id) const {
  if (!IsConstant(id)) return std::nullopt;
  const Tensor& t = graph_.tensor(id);
  const Buffer& b = *t.data;
  switch (t.type) {
    case DataType::kInt64: return ReadAs<int64_t>(b);
    case DataType::kInt32: return Widen<int64_t>(ReadAs<int32_t>(b));
    case DataType::kInt16: return Widen<int64_t>(ReadAs<int16_t>(b));
    case DataType::kInt8: return Widen<int64_t>(ReadAs<int8_t>(b));
    case DataType::kUInt8:
    case DataType::kBool: return Widen<int64_t>(ReadAs<uint8_t>(b));
    default: return std::nullopt;
  }
}

std::optional<std::vector<float>> OnnxContext::ConstantFloats(TensorId id) const {
  if (!IsConstant(id)) return std::nullopt;
  const Tensor& t = graph_.tensor(id);
  switch (t.type) {
    case DataType::kFloat32: return ReadAs<float>(*t.data);
    case DataType::kFloat16: {
      std::vector<uint16_t> half = ReadAs<uint16_t>(*t.data);
      std::vector<float> out(half.size());
      for (size_t i = 0; i < half.size(); ++i) out[i] = HalfToFloat(half[i]);
      return out;
    }
    default: {
      auto ints = ConstantInts(id);
      if (!ints) return std::nullopt;
      return Widen<float>(*ints);
    }
  }
}

std::optional<OnnxContext::PartialInts> OnnxContext::KnownInts(TensorId id) const {
  if (id < 0) return std::nullopt;
  if (auto values = ConstantInts(id)) return PartialInts(values->begin(), values->end());
  auto it = partial_.find(id);
  if (it == partial_.end()) return std::nullopt;
  return it->second;
}

TensorId OnnxContext::AddConstInts(const std::string& name, std::vector<int32_t> values,
                                   Shape shape) {
  Shape s = OneDim(values.size(), std::move(shape));
  return graph_.AddConstantValues<int32_t>(UniqueName(name), DataType::kInt32, std::move(s),
                                           values);
}

TensorId OnnxContext::AddConstInt64s(const std::string& name, std::vector<int64_t> values,
                                     Shape shape) {
  Shape s = OneDim(values.size(), std::move(shape));
  return graph_.AddConstantValues<int64_t>(UniqueName(name), DataType::kInt64, std::move(s),
                                           values);
}

TensorId OnnxContext::AddConstFloats(const std::string& name, std::vector<float> values,
                                     Shape shape) {
  Shape s = OneDim(values.size(), std::move(shape));
  return graph_.AddConstantValues<float>(UniqueName(name), DataType::kFloat32, std::move(s),
                                         values);
}

TensorId OnnxContext::AddScalarInt(const std::string& name, int32_t value) {
  return graph_.AddConstantValues<int32_t>(UniqueName(name), DataType::kInt32, {},
                                           absl::MakeConstSpan(&value, 1));
}

TensorId OnnxContext::AddScalarFloat(const std::string& name, float value) {
  return graph_.AddConstantValues<float>(UniqueName(name), DataType::kFloat32, {},
                                         absl::MakeConstSpan(&value, 1));
}

// ---- emitting canonical ops

absl::StatusOr<TensorId> OnnxContext::Emit(const onnx::NodeProto& node, OpKind kind,
                                           std::vector<TensorId> inputs, OpOptions options,
                                           DataType out_type) {
  auto outs = EmitMulti(node, kind, std::move(inputs), std::move(options), out_type, 1);
  if (!outs.ok()) return outs.status();
  return outs->front();
}

absl::StatusOr<std::vector<TensorId>> OnnxContext::EmitMulti(const onnx::NodeProto& node,
                                                             OpKind kind,
                                                             std::vector<TensorId> inputs,
                                                             OpOptions options, DataType out_type,
                                                             int num_outputs) {
  if (!OptionsMatchKind(kind, options)) {
    return absl::InternalError(FormatNodeError(
        file_, node.name(), node.op_type(),
        absl::StrCat("converter passed the wrong options type for ", std::string(OpKindName(kind)))));
  }
  Op op;
  op.kind = kind;
  op.inputs = std::move(inputs);
  op.options = std::move(options);
  op.origin = SourceLoc{node.name(), node.op_type()};
  const std::string base = absl::StrCat(node.name(), "/", std::string(OpKindName(kind)));
  for (int i = 0; i < num_outputs; ++i) {
    std::string name = num_outputs == 1 ? base : absl::StrCat(base, ":", i);
    op.outputs.push_back(graph_.AddActivation(UniqueName(name), out_type, {}));
  }
  graph_.AddOp(std::move(op));
  const Op& added = graph_.ops().back();
  if (absl::Status s = InferAndSetOutputShapes(graph_, added); !s.ok()) {
    graph_.ops().pop_back();
    return s;
  }
  std::vector<TensorId> outputs = added.outputs;

  bool foldable = fold_constants_ && CanEvaluate(kind);
  for (TensorId in : added.inputs) {
    if (in != kNoTensor && !IsConstant(in)) foldable = false;
  }
  for (TensorId out : outputs) {
    const Tensor& t = graph_.tensor(out);
    if (!IsStatic(t.shape) || t.type == DataType::kString) foldable = false;
  }
  if (!foldable) return outputs;

  absl::StatusOr<std::vector<BufferPtr>> folded = EvaluateOp(graph_, added);
  if (!folded.ok()) {
    // No kernel for this type combination: keep the op for the runtime.
    if (folded.status().code() == absl::StatusCode::kUnimplemented) return outputs;
    return absl::Status(folded.status().code(),
                        FormatNodeError(file_, node.name(), node.op_type(),
                                        absl::StrCat("constant folding failed: ",
                                                     folded.status().message())));
  }
  if (folded->size() != outputs.size()) {
    return absl::InternalError(FormatNodeError(file_, node.name(), node.op_type(),
                                               "constant folding returned a wrong output count"));
  }
  for (size_t i = 0; i < outputs.size(); ++i) graph_.tensor(outputs[i]).data = (*folded)[i];
  graph_.ops().pop_back();
  return outputs;
}

absl::StatusOr<TensorId> OnnxContext::EmitTranspose(const onnx::NodeProto& node, TensorId input,
                                                    const std::vector<int32_t>& perm) {
  TensorId perm_id = AddConstInts(absl::StrCat(node.name(), "/perm"), perm);
  return Emit(node, OpKind::kTranspose, {input, perm_id}, NoOptions{}, type(input));
}

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

absl::StatusOr<TensorId> OnnxContext::EmitCast(const onnx::NodeProto& node, TensorId input,
                                               DataType to) {
  if (type(input) == to) return input;
  return Emit(node, OpKind::kCast, {input}, CastOptions{}, to);
}

absl::StatusOr<TensorId> OnnxContext::AsInt32(const onnx::NodeProto& node, TensorId id) {
  if (type(id) == DataType::kInt32) return id;
  if (auto ints = ConstantInts(id)) {
    std::vector<int32_t> narrow;
    narrow.reserve(ints->size());
    for (int64_t v : *ints) {
      // ONNX uses INT64_MAX/INT64_MIN as "to the end" sentinels; clamp them.
      narrow.push_back(static_cast<int32_t>(std::clamp<int64_t>(v, INT32_MIN, INT32_MAX)));
    }
    return graph_.AddConstantValues<int32_t>(UniqueName(absl::StrCat(tensor(id).name, "/i32")),
                                             DataType::kInt32, shape(id), narrow);
  }
  return EmitCast(node, id, DataType::kInt32);
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

// ---- errors

absl::Status OnnxContext::Invalid(const onnx::NodeProto& node, const std::string& problem,
                                  const std::string& expected) const {
  return absl::InvalidArgumentError(
      FormatNodeError(file_, node.name(), node.op_type(), problem, expected));
}

absl::Status OnnxContext::Unsupported(const onnx::NodeProto& node, const std::string& problem,
                                      const std::string& expected) const {
  return absl::UnimplementedError(
      FormatNodeError(file_, node.name(), node.op_type(), problem, expected));
}

}  // namespace optconv::onnx_import
