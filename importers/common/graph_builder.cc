#include "importers/common/graph_builder.h"

#include <algorithm>
#include <climits>
#include <utility>

#include "absl/strings/str_cat.h"
#include "converter/shape_inference.h"
#include "converter/status_util.h"
#include "runtime/evaluate.h"
#include "runtime/fp16.h"

namespace optconv::importer {
namespace {

// Importers read a weight to re-lay it out into a new constant; the source
// pages of a mapped model file need not stay resident after that.
template <typename T>
std::vector<T> ReadAs(const Buffer& buffer) {
  std::vector<T> values = buffer.AsVector<T>();
  buffer.ReleasePages();
  return values;
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

// ---- names

std::string GraphBuilder::UniqueName(const std::string& base) {
  for (; names_synced_ < graph_.num_tensors(); ++names_synced_) {
    used_names_.insert(graph_.tensor(names_synced_).name);
  }
  std::string name = base;
  for (int i = 1; used_names_.contains(name); ++i) name = absl::StrCat(base, "_", i);
  used_names_.insert(name);
  return name;
}

void GraphBuilder::RenameTensor(TensorId id, const std::string& base) {
  Tensor& t = graph_.tensor(id);
  if (t.name == base) return;
  std::string unique = UniqueName(base);
  used_names_.erase(t.name);
  t.name = std::move(unique);
}

// ---- constants

std::optional<std::vector<int64_t>> GraphBuilder::ConstantInts(TensorId id) const {
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

std::optional<std::vector<float>> GraphBuilder::ConstantFloats(TensorId id) const {
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

TensorId GraphBuilder::AddScalarOfType(const std::string& name, double value, DataType type) {
  const std::string unique = UniqueName(name);
  auto add = [&](auto v) {
    return graph_.AddConstantValues<decltype(v)>(unique, type, {}, absl::MakeConstSpan(&v, 1));
  };
  switch (type) {
    case DataType::kFloat16: return add(FloatToHalf(static_cast<float>(value)));
    case DataType::kInt8: return add(static_cast<int8_t>(value));
    case DataType::kUInt8:
    case DataType::kBool: return add(static_cast<uint8_t>(value));
    case DataType::kInt16: return add(static_cast<int16_t>(value));
    case DataType::kInt32: return add(static_cast<int32_t>(value));
    case DataType::kInt64: return add(static_cast<int64_t>(value));
    default: {
      const float v = static_cast<float>(value);
      return graph_.AddConstantValues<float>(unique, DataType::kFloat32, {},
                                             absl::MakeConstSpan(&v, 1));
    }
  }
}

std::optional<TensorId> GraphBuilder::AddConstFromKnown(const std::string& name,
                                                        const PartialInts& values, DataType type,
                                                        const Shape& shape) {
  std::vector<int64_t> known;
  for (const auto& v : values) {
    if (!v) return std::nullopt;
    known.push_back(*v);
  }
  TensorId id;
  if (type == DataType::kInt64) {
    id = AddConstInt64s(name, std::move(known));
  } else if (type == DataType::kInt32) {
    std::vector<int32_t> narrow;
    for (int64_t v : known) {
      narrow.push_back(static_cast<int32_t>(std::clamp<int64_t>(v, INT32_MIN, INT32_MAX)));
    }
    id = AddConstInts(name, std::move(narrow));
  } else {
    return std::nullopt;
  }
  graph_.tensor(id).shape = shape;  // rank 0 included
  return id;
}

void GraphBuilder::RecordKnownInts(TensorId out, PartialInts values) {
  if (IsConstant(out)) return;
  if (std::none_of(values.begin(), values.end(), [](const auto& v) { return v.has_value(); })) {
    return;
  }
  SetPartialInts(out, std::move(values));
}

void GraphBuilder::RecordDimRefs(TensorId out, PartialDims refs) {
  if (IsConstant(out)) return;
  if (std::none_of(refs.begin(), refs.end(), [](const auto& r) { return r.has_value(); })) return;
  dim_refs_[out] = std::move(refs);
}

GraphBuilder::PartialDims GraphBuilder::DimRefs(TensorId id, size_t n) const {
  auto it = dim_refs_.find(id);
  if (it == dim_refs_.end() || it->second.size() != n) return PartialDims(n);
  return it->second;
}

std::optional<GraphBuilder::PartialInts> GraphBuilder::KnownInts(TensorId id) const {
  if (id < 0) return std::nullopt;
  if (auto values = ConstantInts(id)) return PartialInts(values->begin(), values->end());
  auto it = partial_.find(id);
  if (it == partial_.end()) return std::nullopt;
  return it->second;
}

TensorId GraphBuilder::AddConstInts(const std::string& name, std::vector<int32_t> values,
                                   Shape shape) {
  Shape s = OneDim(values.size(), std::move(shape));
  return graph_.AddConstant(UniqueName(name), DataType::kInt32, std::move(s),
                            Buffer::Own(std::move(values)));
}

TensorId GraphBuilder::AddConstInt64s(const std::string& name, std::vector<int64_t> values,
                                     Shape shape) {
  Shape s = OneDim(values.size(), std::move(shape));
  return graph_.AddConstant(UniqueName(name), DataType::kInt64, std::move(s),
                            Buffer::Own(std::move(values)));
}

TensorId GraphBuilder::AddConstFloats(const std::string& name, std::vector<float> values,
                                     Shape shape) {
  Shape s = OneDim(values.size(), std::move(shape));
  return graph_.AddConstant(UniqueName(name), DataType::kFloat32, std::move(s),
                            Buffer::Own(std::move(values)));
}

TensorId GraphBuilder::AddScalarInt(const std::string& name, int32_t value) {
  return graph_.AddConstantValues<int32_t>(UniqueName(name), DataType::kInt32, {},
                                           absl::MakeConstSpan(&value, 1));
}

TensorId GraphBuilder::AddScalarFloat(const std::string& name, float value) {
  return graph_.AddConstantValues<float>(UniqueName(name), DataType::kFloat32, {},
                                         absl::MakeConstSpan(&value, 1));
}

// ---- emitting canonical ops

absl::StatusOr<TensorId> GraphBuilder::Emit(const SourceLoc& origin, OpKind kind,
                                           std::vector<TensorId> inputs, OpOptions options,
                                           DataType out_type) {
  auto outs = EmitMulti(origin, kind, std::move(inputs), std::move(options), out_type, 1);
  if (!outs.ok()) return outs.status();
  return outs->front();
}

absl::StatusOr<std::vector<TensorId>> GraphBuilder::EmitMulti(const SourceLoc& origin,
                                                             OpKind kind,
                                                             std::vector<TensorId> inputs,
                                                             OpOptions options, DataType out_type,
                                                             int num_outputs) {
  if (!OptionsMatchKind(kind, options)) {
    return absl::InternalError(FormatNodeError(
        file_, origin.node_name, origin.op_type,
        absl::StrCat("converter passed the wrong options type for ", std::string(OpKindName(kind)))));
  }
  Op op;
  op.kind = kind;
  op.inputs = std::move(inputs);
  op.options = std::move(options);
  op.origin = origin;
  const std::string base =
      absl::StrCat(TensorBaseName(origin.node_name), "/", std::string(OpKindName(kind)));
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
  // A TILE of a small constant stays a TILE: the fold-constants pass makes
  // the same call (and counts it) later.
  if (FoldingWouldBloat(graph_, added, fold_max_bytes_)) return outputs;

  absl::StatusOr<std::vector<BufferPtr>> folded = EvaluateOp(graph_, added);
  if (!folded.ok()) {
    // No kernel for this type combination: keep the op for the runtime.
    if (folded.status().code() == absl::StatusCode::kUnimplemented) return outputs;
    return absl::Status(folded.status().code(),
                        FormatNodeError(file_, origin.node_name, origin.op_type,
                                        absl::StrCat("constant folding failed: ",
                                                     folded.status().message())));
  }
  if (folded->size() != outputs.size()) {
    return absl::InternalError(FormatNodeError(file_, origin.node_name, origin.op_type,
                                               "constant folding returned a wrong output count"));
  }
  for (size_t i = 0; i < outputs.size(); ++i) graph_.tensor(outputs[i]).data = (*folded)[i];
  graph_.ops().pop_back();
  return outputs;
}

absl::StatusOr<TensorId> GraphBuilder::EmitTranspose(const SourceLoc& origin, TensorId input,
                                                    const std::vector<int32_t>& perm) {
  TensorId perm_id = AddConstInts(absl::StrCat(TensorBaseName(origin.node_name), "/perm"), perm);
  return Emit(origin, OpKind::kTranspose, {input, perm_id}, NoOptions{}, type(input));
}

absl::StatusOr<TensorId> GraphBuilder::EmitCast(const SourceLoc& origin, TensorId input,
                                               DataType to) {
  if (type(input) == to) return input;
  return Emit(origin, OpKind::kCast, {input}, CastOptions{}, to);
}

absl::StatusOr<TensorId> GraphBuilder::AsInt32(const SourceLoc& origin, TensorId id) {
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
  return EmitCast(origin, id, DataType::kInt32);
}

// ---- errors

absl::Status GraphBuilder::Invalid(const SourceLoc& origin, const std::string& problem,
                                   const std::string& expected) const {
  return absl::InvalidArgumentError(
      FormatNodeError(file_, origin.node_name, origin.op_type, problem, expected));
}

absl::Status GraphBuilder::Unsupported(const SourceLoc& origin, const std::string& problem,
                                       const std::string& expected) const {
  return absl::UnimplementedError(
      FormatNodeError(file_, origin.node_name, origin.op_type, problem, expected));
}

}  // namespace optconv::importer
