// Shape-computing and constant-producing ops: Shape, Size, Constant,
// ConstantOfShape, Expand, Range, Trilu. Static shapes become constants at
// once, so shape subgraphs (Shape->Gather->Unsqueeze->Concat->Reshape) fold
// away; dynamic ones become SHAPE/FILL/BROADCAST_TO/RANGE in int64 like ONNX.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "importers/onnx/onnx_tensor_data.h"
#include "importers/onnx/op_families.h"
#include "importers/onnx/ops_util.h"

namespace optconv::onnx_import {
namespace {

absl::Status Bind(OnnxContext& ctx, const onnx::NodeProto& node, absl::StatusOr<TensorId> out) {
  if (!out.ok()) return out.status();
  ctx.SetOutput(node, 0, *out);
  return absl::OkStatus();
}

absl::Status Shape(OnnxContext& ctx, const onnx::NodeProto& node) {
  absl::StatusOr<TensorId> x = ctx.Input(node, 0);
  if (!x.ok()) return x.status();
  const optconv::Shape in = ctx.shape(*x);
  const int64_t rank = static_cast<int64_t>(in.size());
  auto clamp = [&](int64_t v) { return std::clamp<int64_t>(v < 0 ? v + rank : v, 0, rank); };
  const int64_t start = clamp(OnnxContext::AttrInt(node, "start", 0));
  const int64_t end = std::max(start, clamp(OnnxContext::AttrInt(node, "end", rank)));
  std::vector<int64_t> dims(in.begin() + start, in.begin() + end);
  if (IsStatic(dims)) return Bind(ctx, node, ctx.AddConstInt64s(HelperName(node, "shape"), dims));
  OnnxContext::PartialInts known;
  for (int64_t d : dims) known.push_back(d >= 0 ? std::optional<int64_t>(d) : std::nullopt);
  absl::StatusOr<TensorId> s = ctx.Emit(node, OpKind::kShape, {*x}, NoOptions{}, DataType::kInt64);
  if (s.ok() && !(start == 0 && end == rank)) {
    TensorId b = ctx.AddConstInts(HelperName(node, "begin"), {static_cast<int32_t>(start)});
    TensorId e = ctx.AddConstInts(HelperName(node, "end"), {static_cast<int32_t>(end)});
    TensorId st = ctx.AddConstInts(HelperName(node, "strides"), {1});
    s = ctx.Emit(node, OpKind::kStridedSlice, {*s, b, e, st}, StridedSliceOptions{},
                 DataType::kInt64);
  }
  if (s.ok()) {
    ctx.RecordKnownInts(*s, known);
    OnnxContext::PartialDims refs;
    for (int64_t i = start; i < end; ++i) {
      if (in[static_cast<size_t>(i)] < 0) refs.push_back(importer::DimRef{*x, static_cast<int>(i)});
      else refs.emplace_back();
    }
    ctx.RecordDimRefs(*s, std::move(refs));
  }
  return Bind(ctx, node, s);
}

absl::Status Size(OnnxContext& ctx, const onnx::NodeProto& node) {
  absl::StatusOr<TensorId> x = ctx.Input(node, 0);
  if (!x.ok()) return x.status();
  if (std::optional<int64_t> n = NumElements(ctx.shape(*x))) {
    TensorId c = ctx.AddConstInt64s(HelperName(node, "size"), {*n});
    ctx.graph().tensor(c).shape = {};
    return Bind(ctx, node, c);
  }
  absl::StatusOr<TensorId> s = ctx.Emit(node, OpKind::kShape, {*x}, NoOptions{}, DataType::kInt64);
  if (!s.ok()) return s.status();
  TensorId axis = ctx.AddConstInts(HelperName(node, "axis"), {0});
  return Bind(ctx, node, ctx.Emit(node, OpKind::kReduceProd, {*s, axis}, ReducerOptions{},
                                  DataType::kInt64));
}

/// A constant from a TensorProto attribute (external data resolved like initializers).
absl::StatusOr<TensorId> AddProtoConstant(OnnxContext& ctx, const onnx::NodeProto& node,
                                          const onnx::TensorProto& proto) {
  ExternalDataFiles local(ctx.file());
  ExternalDataFiles& files = ctx.external_files() != nullptr ? *ctx.external_files() : local;
  absl::StatusOr<Tensor> t = TensorFromProto(proto, files);
  if (!t.ok()) return ctx.Invalid(node, std::string(t.status().message()));
  t->name = ctx.UniqueName(node.output_size() > 0 ? node.output(0) : node.name());
  return ctx.graph().AddTensor(*std::move(t));
}

absl::Status Constant(OnnxContext& ctx, const onnx::NodeProto& node) {
  const std::string name = HelperName(node, "value");
  if (const auto* a = OnnxContext::FindAttr(node, "value")) {
    return Bind(ctx, node, AddProtoConstant(ctx, node, a->t()));
  }
  if (const auto* a = OnnxContext::FindAttr(node, "value_float")) {
    return Bind(ctx, node, ctx.AddScalarOfType(name, a->f(), DataType::kFloat32));
  }
  if (const auto* a = OnnxContext::FindAttr(node, "value_int")) {
    return Bind(ctx, node, ctx.AddScalarOfType(name, static_cast<double>(a->i()), DataType::kInt64));
  }
  if (OnnxContext::FindAttr(node, "value_floats") != nullptr) {
    return Bind(ctx, node, ctx.AddConstFloats(name, OnnxContext::AttrFloats(node, "value_floats")));
  }
  if (OnnxContext::FindAttr(node, "value_ints") != nullptr) {
    return Bind(ctx, node, ctx.AddConstInt64s(name, OnnxContext::AttrInts(node, "value_ints")));
  }
  return ctx.Unsupported(node, "constant kind (sparse or string values)",
                         "value, value_float(s) or value_int(s)");
}

absl::Status ConstantOfShape(OnnxContext& ctx, const onnx::NodeProto& node) {
  absl::StatusOr<TensorId> shape = ctx.Input(node, 0);
  if (!shape.ok()) return shape.status();
  TensorId value;
  if (const auto* a = OnnxContext::FindAttr(node, "value")) {
    absl::StatusOr<TensorId> v = AddProtoConstant(ctx, node, a->t());
    if (!v.ok()) return v.status();
    value = *v;
    ctx.graph().tensor(value).shape = {};
  } else {
    value = ctx.AddScalarOfType(HelperName(node, "value"), 0.0, DataType::kFloat32);
  }
  // Copies: adding tensors below may move the tensor table.
  const DataType type = ctx.type(value);
  const BufferPtr data = ctx.tensor(value).data;
  const size_t elem = ElementSize(type);
  if (data->size() != elem) return ctx.Invalid(node, "value must hold exactly one element");
  if (auto dims = ctx.ConstantInts(*shape)) {
    std::optional<int64_t> n = NumElements(*dims);
    if (!n) return ctx.Invalid(node, "negative dimension in shape");
    std::vector<uint8_t> bytes(static_cast<size_t>(*n) * elem);
    for (int64_t i = 0; i < *n; ++i) std::memcpy(&bytes[i * elem], data->data(), elem);
    return Bind(ctx, node, ctx.graph().AddConstant(ctx.UniqueName(HelperName(node, "filled")),
                                                   type, *dims, Buffer::FromVector(std::move(bytes))));
  }
  absl::StatusOr<TensorId> dims = ctx.AsInt32(node, *shape);
  if (!dims.ok()) return dims.status();
  return Bind(ctx, node, ctx.Emit(node, OpKind::kFill, {*dims, value}, NoOptions{}, type));
}

/// Expand broadcasts both ways (numpy rules between the input and `shape`).
absl::Status Expand(OnnxContext& ctx, const onnx::NodeProto& node) {
  absl::StatusOr<TensorId> x = ctx.Input(node, 0);
  if (!x.ok()) return x.status();
  absl::StatusOr<TensorId> shape = ctx.Input(node, 1);
  if (!shape.ok()) return shape.status();
  auto dims = ctx.ConstantInts(*shape);
  if (!dims) {
    // Run-time shape: BROADCAST_TO is one-directional, so its target is the
    // broadcast of both shapes, MAXIMUM(shape, shape of x) with the shorter
    // one padded with leading 1s (for any valid broadcast, each dim pair is
    // equal or has a 1, so the larger one is the result).
    absl::StatusOr<TensorId> s32 = ctx.AsInt32(node, *shape);
    if (!s32.ok()) return s32.status();
    const optconv::Shape shape_of_shape = ctx.shape(*shape);
    if (shape_of_shape.size() != 1 || shape_of_shape[0] < 0) {
      return ctx.Unsupported(node, "a run-time shape of unknown length", "a 1-D shape input");
    }
    const int64_t length = shape_of_shape[0], rank = ctx.rank(*x);
    absl::StatusOr<TensorId> x_shape =
        ctx.Emit(node, OpKind::kShape, {*x}, NoOptions{}, DataType::kInt32);
    if (!x_shape.ok()) return x_shape.status();
    TensorId a = *s32, b = *x_shape;
    if (length != rank) {
      TensorId& shorter = length < rank ? a : b;
      TensorId ones = ctx.AddConstInts(HelperName(node, "leading_ones"),
                                       std::vector<int32_t>(std::abs(length - rank), 1));
      absl::StatusOr<TensorId> padded =
          ctx.Emit(node, OpKind::kConcatenation, {ones, shorter}, ConcatenationOptions{0},
                   DataType::kInt32);
      if (!padded.ok()) return padded.status();
      shorter = *padded;
    }
    absl::StatusOr<TensorId> target =
        ctx.Emit(node, OpKind::kMaximum, {a, b}, NoOptions{}, DataType::kInt32);
    if (!target.ok()) return target.status();
    return Bind(ctx, node, ctx.Emit(node, OpKind::kBroadcastTo, {*x, *target}, NoOptions{},
                                    ctx.type(*x)));
  }
  std::optional<optconv::Shape> target = BroadcastShapes(ctx.shape(*x), *dims);
  if (!target) {
    return ctx.Invalid(node, absl::StrCat("cannot broadcast ", ShapeToString(ctx.shape(*x)),
                                          " to ", ShapeToString(*dims)));
  }
  if (*target == ctx.shape(*x)) return Bind(ctx, node, *x);
  if (IsStatic(*target)) {
    TensorId t = ctx.AddConstInts(HelperName(node, "shape"), ToInt32(*target));
    return Bind(ctx, node, ctx.Emit(node, OpKind::kBroadcastTo, {*x, t}, NoOptions{}, ctx.type(*x)));
  }
  // Unknown dims stay where `shape` has 1: multiply by ones of `shape` instead.
  const DataType type = ctx.type(*x);
  if (type == DataType::kBool || type == DataType::kString) {
    return ctx.Unsupported(node, "Expand of a bool tensor with unknown dims");
  }
  const size_t n = static_cast<size_t>(NumElements(*dims).value_or(0));
  const size_t elem = ElementSize(type);
  std::vector<uint8_t> bytes(n * elem);
  TensorId one = ctx.AddScalarOfType(HelperName(node, "one"), 1.0, type);
  for (size_t i = 0; i < n; ++i) std::memcpy(&bytes[i * elem], ctx.tensor(one).data->data(), elem);
  TensorId ones = ctx.graph().AddConstant(ctx.UniqueName(HelperName(node, "ones")), type, *dims,
                                          Buffer::FromVector(std::move(bytes)));
  return Bind(ctx, node, ctx.Emit(node, OpKind::kMul, {*x, ones}, BinaryOptions{}, type));
}

template <typename T>
TensorId RangeConstant(OnnxContext& ctx, const onnx::NodeProto& node, double start, double limit,
                       double delta, DataType type) {
  const int64_t n = std::max<int64_t>(0, static_cast<int64_t>(std::ceil((limit - start) / delta)));
  std::vector<T> values(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) values[i] = static_cast<T>(start + static_cast<double>(i) * delta);
  return ctx.graph().AddConstantValues<T>(ctx.UniqueName(HelperName(node, "range")), type, {n},
                                          values);
}

absl::Status Range(OnnxContext& ctx, const onnx::NodeProto& node) {
  TensorId in[3];
  for (int i = 0; i < 3; ++i) {
    absl::StatusOr<TensorId> t = ctx.Input(node, i);
    if (!t.ok()) return t.status();
    in[i] = *t;
  }
  const DataType type = ctx.type(in[0]);
  auto s = ctx.ConstantFloats(in[0]), l = ctx.ConstantFloats(in[1]), d = ctx.ConstantFloats(in[2]);
  if (s && l && d && s->size() == 1 && l->size() == 1 && d->size() == 1) {
    if (d->front() == 0) return ctx.Invalid(node, "delta is 0", "a non-zero delta");
    if (type == DataType::kInt64 || type == DataType::kInt32) {
      // Integers exactly (floats would round large int64 values).
      auto si = ctx.ConstantInts(in[0]), li = ctx.ConstantInts(in[1]), di = ctx.ConstantInts(in[2]);
      const int64_t a = si->front(), b = li->front(), c = di->front();
      const int64_t n = std::max<int64_t>(0, (b - a + c + (c > 0 ? -1 : 1)) / c);
      std::vector<int64_t> v(static_cast<size_t>(n));
      for (int64_t i = 0; i < n; ++i) v[i] = a + i * c;
      if (type == DataType::kInt64) return Bind(ctx, node, ctx.AddConstInt64s(HelperName(node, "range"), v));
      return Bind(ctx, node, ctx.AddConstInts(HelperName(node, "range"), ToInt32(v)));
    }
    if (type == DataType::kFloat32) {
      return Bind(ctx, node, RangeConstant<float>(ctx, node, s->front(), l->front(), d->front(), type));
    }
  }
  return Bind(ctx, node, ctx.Emit(node, OpKind::kRange, {in[0], in[1], in[2]}, NoOptions{}, type));
}

/// Trilu: SELECT_V2 against a constant [rows, cols] keep-mask (folds for constants).
absl::Status Trilu(OnnxContext& ctx, const onnx::NodeProto& node) {
  absl::StatusOr<TensorId> x = ctx.Input(node, 0);
  if (!x.ok()) return x.status();
  int64_t k = 0;
  if (OnnxContext::HasInput(node, 1)) {
    auto kv = ConstIntsInput(ctx, node, 1);
    if (!kv.ok()) return kv.status();
    if (kv->size() != 1) return ctx.Invalid(node, "k must hold one value");
    k = kv->front();
  }
  const bool upper = OnnxContext::AttrInt(node, "upper", 1) != 0;
  const optconv::Shape in = ctx.shape(*x);
  if (in.size() < 2 || in[in.size() - 2] < 0 || in.back() < 0) {
    return ctx.Unsupported(node, "Trilu needs the last two dims known", "a static matrix shape");
  }
  const int64_t rows = in[in.size() - 2], cols = in.back();
  std::vector<uint8_t> keep(static_cast<size_t>(rows * cols));
  for (int64_t i = 0; i < rows; ++i) {
    for (int64_t j = 0; j < cols; ++j) keep[i * cols + j] = upper ? (j - i >= k) : (j - i <= k);
  }
  TensorId mask = ctx.graph().AddConstant(ctx.UniqueName(HelperName(node, "mask")),
                                          DataType::kBool, {rows, cols},
                                          Buffer::FromVector(std::move(keep)));
  TensorId zero = ctx.AddScalarOfType(HelperName(node, "zero"), 0.0, ctx.type(*x));
  return Bind(ctx, node, ctx.Emit(node, OpKind::kSelectV2, {mask, *x, zero}, NoOptions{},
                                  ctx.type(*x)));
}

}  // namespace

void RegisterShapeOps(ConverterTable& t) {
  t["Shape"] = Shape;
  t["Size"] = Size;
  t["Constant"] = Constant;
  t["ConstantOfShape"] = ConstantOfShape;
  t["Expand"] = Expand;
  t["Range"] = Range;
  t["Trilu"] = Trilu;
}

}  // namespace optconv::onnx_import
