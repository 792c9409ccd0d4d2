// Layout-free tensor ops: Reshape, Flatten, Transpose, Concat, Squeeze,
// Unsqueeze, Cast, Identity, Dropout, Tile. Slicing-like ops are in ops_slice.cc.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "importers/onnx/onnx_tensor_data.h"
#include "importers/onnx/ops_internal.h"
#include "importers/onnx/ops_util.h"
#include "spdlog/spdlog.h"

namespace optconv::onnx_import {
namespace {

absl::Status Bind(OnnxContext& ctx, const onnx::NodeProto& node, absl::StatusOr<TensorId> out) {
  if (!out.ok()) return out.status();
  ctx.SetOutput(node, 0, *out);
  return absl::OkStatus();
}

/// Resolves ONNX 0 (copy, unless allowzero) and -1 entries against the input
/// shape. Entries that stay unknown are kUnknownDim; `copied[i]` is the input
/// dim an unknown entry copies (or -1 when it is the inferred dim).
absl::StatusOr<Shape> ResolveReshape(const OnnxContext& ctx, const onnx::NodeProto& node,
                                     const Shape& in, std::vector<int64_t> spec, bool allowzero,
                                     std::vector<int>& copied) {
  copied.assign(spec.size(), -1);
  int infer = -1;
  for (size_t i = 0; i < spec.size(); ++i) {
    if (spec[i] == 0 && !allowzero) {
      if (i >= in.size()) {
        return ctx.Invalid(node, absl::StrCat("shape entry ", i, " copies a missing input dim"),
                           "0 entries within the input rank");
      }
      spec[i] = in[i];
      if (in[i] < 0) copied[i] = static_cast<int>(i);
    } else if (spec[i] == -1) {
      if (infer >= 0) return ctx.Invalid(node, "shape has more than one -1", "at most one -1");
      infer = static_cast<int>(i);
    } else if (spec[i] < -1) {
      return ctx.Invalid(node, absl::StrCat("shape entry ", spec[i], " is negative"),
                         "sizes >= -1");
    }
  }
  if (infer < 0) return spec;
  // The inferred dim is computable when every input dim not copied verbatim is known.
  int64_t num = 1, den = 1;
  bool known = true;
  for (size_t i = 0; i < in.size(); ++i) {
    const bool copied_here = i < copied.size() && copied[i] == static_cast<int>(i);
    if (copied_here) continue;
    if (in[i] < 0) known = false;
    else num *= in[i];
  }
  for (size_t i = 0; i < spec.size(); ++i) {
    if (static_cast<int>(i) == infer || copied[i] >= 0) continue;
    den *= spec[i];
  }
  spec[infer] = (known && den != 0) ? num / den : kUnknownDim;
  return spec;
}

/// A run-time shape with at most one unknown element (and no -1) can be given
/// as a constant with -1 there: RESHAPE infers the same value.
std::optional<std::vector<int64_t>> SpecFromKnown(const OnnxContext& ctx, TensorId shape) {
  auto known = ctx.KnownInts(shape);
  if (!known) return std::nullopt;
  std::vector<int64_t> spec;
  int unknown = 0;
  for (const auto& v : *known) {
    if (v && *v == -1) return std::nullopt;
    if (!v) ++unknown;
    spec.push_back(v.value_or(-1));
  }
  if (unknown > 1) return std::nullopt;
  return spec;
}

/// A run-time shape whose one unknown element is provably x's one unknown dim
/// (x's batch read through SHAPE of a tensor upstream, as PyTorch exports
/// `x.view(x.size(0), -1, h, w)`) resolves like a constant: that entry stays
/// the unknown dim and a -1 entry becomes a known size. nullopt otherwise.
std::optional<optconv::Shape> TargetFromDimRefs(const OnnxContext& ctx, TensorId x,
                                                TensorId shape, bool allowzero) {
  const auto known = ctx.KnownInts(shape);
  const optconv::Shape& in = ctx.shape(x);
  if (!known || UnknownDims(in) != 1) return std::nullopt;
  const int unknown_in =
      static_cast<int>(std::find(in.begin(), in.end(), kUnknownDim) - in.begin());
  const OnnxContext::PartialDims refs = ctx.DimRefs(shape, known->size());
  optconv::Shape target(known->size(), kUnknownDim);
  int matched = -1, infer = -1;
  const int64_t in_known = KnownDimsProduct(in);
  int64_t target_known = 1;
  for (size_t i = 0; i < known->size(); ++i) {
    if (!(*known)[i]) {
      if (matched >= 0 || !refs[i] ||
          !importer::SameRuntimeDim(ctx.graph(), *refs[i], {x, unknown_in})) {
        return std::nullopt;
      }
      matched = static_cast<int>(i);
      continue;
    }
    int64_t v = *(*known)[i];
    if (v == 0 && !allowzero) {
      if (i >= in.size() || in[i] < 0) return std::nullopt;
      v = in[i];
    }
    if (v == -1 && infer < 0) {
      infer = static_cast<int>(i);
      continue;
    }
    if (v < 0) return std::nullopt;
    target[i] = v;
    target_known *= v;
  }
  if (matched < 0) return std::nullopt;
  if (infer >= 0) {
    if (target_known == 0 || in_known % target_known != 0) return std::nullopt;
    target[static_cast<size_t>(infer)] = in_known / target_known;
  } else if (in_known != target_known) {
    return std::nullopt;  // an invalid model: leave the failure to run time
  }
  return target;
}

absl::Status Reshape(OnnxContext& ctx, const onnx::NodeProto& node) {
  absl::StatusOr<TensorId> x = ctx.Input(node, 0);
  if (!x.ok()) return x.status();
  std::optional<std::vector<int64_t>> spec;
  if (OnnxContext::FindAttr(node, "shape") != nullptr) {  // opset < 5
    spec = OnnxContext::AttrInts(node, "shape");
  } else {
    absl::StatusOr<TensorId> s = ctx.Input(node, 1);
    if (!s.ok()) return s.status();
    spec = ctx.ConstantInts(*s);
    if (!spec) spec = SpecFromKnown(ctx, *s);
    const bool allowzero = OnnxContext::AttrInt(node, "allowzero", 0) != 0;
    if (!spec) {
      if (auto target = TargetFromDimRefs(ctx, *x, *s, allowzero)) {
        return Bind(ctx, node, EmitReshape(ctx, node, *x, *target));
      }
      // A run-time shape (e.g. from Shape/Gather/Concat on a dynamic batch).
      // TFLite RESHAPE does not implement ONNX's "0 copies the input dim".
      absl::StatusOr<TensorId> s32 = ctx.AsInt32(node, *s);
      if (!s32.ok()) return s32.status();
      return Bind(ctx, node,
                  ctx.Emit(node, OpKind::kReshape, {*x, *s32}, NoOptions{}, ctx.type(*x)));
    }
  }
  const bool allowzero = OnnxContext::AttrInt(node, "allowzero", 0) != 0;
  std::vector<int> copied;
  absl::StatusOr<Shape> target = ResolveReshape(ctx, node, ctx.shape(*x), *spec, allowzero, copied);
  if (!target.ok()) return target.status();
  if (std::count(target->begin(), target->end(), kUnknownDim) <= 1) {
    return Bind(ctx, node, EmitReshape(ctx, node, *x, *target));
  }
  // Several unknown dims: keep ONNX's -1 and gather the copied dims at run time.
  absl::StatusOr<TensorId> dims =
      ctx.Emit(node, OpKind::kShape, {*x}, NoOptions{}, DataType::kInt32);
  if (!dims.ok()) return dims.status();
  std::vector<TensorId> parts;
  for (size_t i = 0; i < target->size(); ++i) {
    if ((*target)[i] != kUnknownDim || copied[i] < 0) {
      const int32_t v = (*target)[i] == kUnknownDim ? -1 : static_cast<int32_t>((*target)[i]);
      parts.push_back(ctx.AddConstInts(HelperName(node, "dim"), {v}));
      continue;
    }
    TensorId index = ctx.AddConstInts(HelperName(node, "dim_index"), {copied[i]});
    absl::StatusOr<TensorId> d =
        ctx.Emit(node, OpKind::kGather, {*dims, index}, GatherOptions{}, DataType::kInt32);
    if (!d.ok()) return d.status();
    parts.push_back(*d);
  }
  absl::StatusOr<TensorId> shape =
      ctx.Emit(node, OpKind::kConcatenation, parts, ConcatenationOptions{}, DataType::kInt32);
  if (!shape.ok()) return shape.status();
  return Bind(ctx, node, ctx.Emit(node, OpKind::kReshape, {*x, *shape}, NoOptions{}, ctx.type(*x)));
}

absl::Status Flatten(OnnxContext& ctx, const onnx::NodeProto& node) {
  absl::StatusOr<TensorId> x = ctx.Input(node, 0);
  if (!x.ok()) return x.status();
  const Shape in = ctx.shape(*x);
  const int rank = static_cast<int>(in.size());
  int64_t axis = OnnxContext::AttrInt(node, "axis", 1);
  if (axis < 0) axis += rank;
  if (axis < 0 || axis > rank) {
    return ctx.Invalid(node, absl::StrCat("axis ", axis, " is out of range"),
                       absl::StrCat("an axis in [", -rank, ", ", rank, "]"));
  }
  auto product = [&](int from, int to) -> int64_t {
    int64_t p = 1;
    for (int i = from; i < to; ++i) {
      if (in[i] < 0) return kUnknownDim;
      p *= in[i];
    }
    return p;
  };
  return Bind(ctx, node, EmitReshape(ctx, node, *x, {product(0, axis), product(axis, rank)}));
}

absl::Status Transpose(OnnxContext& ctx, const onnx::NodeProto& node) {
  absl::StatusOr<TensorId> x = ctx.Input(node, 0);
  if (!x.ok()) return x.status();
  const int rank = ctx.rank(*x);
  std::vector<int64_t> perm = OnnxContext::AttrInts(node, "perm");
  if (perm.empty()) {
    for (int i = rank - 1; i >= 0; --i) perm.push_back(i);
  }
  absl::StatusOr<std::vector<int>> sorted = NormalizeAxes(ctx, node, perm, rank);
  if (!sorted.ok()) return sorted.status();
  if (static_cast<int>(perm.size()) != rank) {
    return ctx.Invalid(node, absl::StrCat("perm has ", perm.size(), " entries"),
                       absl::StrCat(rank, " (the input rank)"));
  }
  std::vector<int32_t> p;
  bool identity = true;
  for (int i = 0; i < rank; ++i) {
    p.push_back(static_cast<int32_t>(*NormalizeAxis(perm[i], rank)));
    identity = identity && p.back() == i;
  }
  if (identity) return Bind(ctx, node, *x);
  return Bind(ctx, node, ctx.EmitTranspose(node, *x, p));
}

absl::Status Concat(OnnxContext& ctx, const onnx::NodeProto& node) {
  std::vector<TensorId> inputs;
  for (int i = 0; i < node.input_size(); ++i) {
    if (!OnnxContext::HasInput(node, i)) continue;
    absl::StatusOr<TensorId> t = ctx.Input(node, i);
    if (!t.ok()) return t.status();
    inputs.push_back(*t);
  }
  if (inputs.empty()) return ctx.Invalid(node, "has no inputs", "at least one input");
  const int rank = ctx.rank(inputs.front());
  std::optional<int> axis = NormalizeAxis(OnnxContext::AttrInt(node, "axis", 0), rank);
  if (!axis) return ctx.Invalid(node, "axis is out of range", "an axis within the input rank");
  // Exporters sometimes concatenate empty tensors; they contribute nothing.
  std::vector<TensorId> kept;
  for (TensorId t : inputs) {
    if (ctx.rank(t) == rank && ctx.shape(t)[*axis] == 0) continue;
    kept.push_back(t);
  }
  if (kept.empty()) kept.push_back(inputs.front());
  if (kept.size() == 1) return Bind(ctx, node, kept.front());
  ConcatenationOptions o;
  o.axis = *axis;
  absl::StatusOr<TensorId> out =
      ctx.Emit(node, OpKind::kConcatenation, kept, o, ctx.type(kept.front()));
  if (out.ok() && rank == 1) {  // shape vectors: keep what is known per element
    OnnxContext::PartialInts joined;
    OnnxContext::PartialDims joined_refs;
    for (TensorId t : kept) {
      auto known = ctx.KnownInts(t);
      if (!known) known = OnnxContext::PartialInts(std::max<int64_t>(ctx.shape(t)[0], 0));
      joined.insert(joined.end(), known->begin(), known->end());
      const OnnxContext::PartialDims refs = ctx.DimRefs(t, known->size());
      joined_refs.insert(joined_refs.end(), refs.begin(), refs.end());
    }
    ctx.RecordKnownInts(*out, joined);
    ctx.RecordDimRefs(*out, std::move(joined_refs));
  }
  return Bind(ctx, node, out);
}

/// Output shape of Squeeze; dims to drop must be 1 (or unknown, trusted).
absl::Status Squeeze(OnnxContext& ctx, const onnx::NodeProto& node) {
  absl::StatusOr<TensorId> x = ctx.Input(node, 0);
  if (!x.ok()) return x.status();
  const Shape in = ctx.shape(*x);
  auto axes_or = ReadIntsAttrOrInput(ctx, node, "axes", 13, 1);
  if (!axes_or.ok()) return axes_or.status();
  std::vector<int> axes;
  if (*axes_or) {
    absl::StatusOr<std::vector<int>> n = NormalizeAxes(ctx, node, **axes_or, in.size());
    if (!n.ok()) return n.status();
    axes = *n;
  } else {
    for (size_t i = 0; i < in.size(); ++i) {
      if (in[i] < 0) {
        return ctx.Unsupported(node, "squeeze without axes of a tensor with unknown dims",
                               "explicit axes");
      }
      if (in[i] == 1) axes.push_back(static_cast<int>(i));
    }
  }
  Shape out;
  for (size_t i = 0; i < in.size(); ++i) {
    const bool drop = std::find(axes.begin(), axes.end(), static_cast<int>(i)) != axes.end();
    if (drop && in[i] > 1) {
      return ctx.Invalid(node, absl::StrCat("cannot squeeze dim ", i, " of size ", in[i]),
                         "size-1 dims");
    }
    if (!drop) out.push_back(in[i]);
  }
  if (std::count(out.begin(), out.end(), kUnknownDim) <= 1) {
    return Bind(ctx, node, EmitReshape(ctx, node, *x, out));
  }
  SqueezeOptions o;
  o.squeeze_dims.assign(axes.begin(), axes.end());
  return Bind(ctx, node, ctx.Emit(node, OpKind::kSqueeze, {*x}, o, ctx.type(*x)));
}

absl::Status Unsqueeze(OnnxContext& ctx, const onnx::NodeProto& node) {
  absl::StatusOr<TensorId> x = ctx.Input(node, 0);
  if (!x.ok()) return x.status();
  const Shape in = ctx.shape(*x);
  auto axes_or = ReadIntsAttrOrInput(ctx, node, "axes", 13, 1);
  if (!axes_or.ok()) return axes_or.status();
  if (!*axes_or) return ctx.Invalid(node, "axes are missing", "an axes attribute or input");
  const int out_rank = static_cast<int>(in.size() + (*axes_or)->size());
  absl::StatusOr<std::vector<int>> axes = NormalizeAxes(ctx, node, **axes_or, out_rank);
  if (!axes.ok()) return axes.status();
  Shape out;
  size_t next = 0;
  for (int i = 0; i < out_rank; ++i) {
    if (std::find(axes->begin(), axes->end(), i) != axes->end()) out.push_back(1);
    else out.push_back(in[next++]);
  }
  if (std::count(out.begin(), out.end(), kUnknownDim) <= 1) {
    return Bind(ctx, node, EmitReshape(ctx, node, *x, out));
  }
  TensorId y = *x;
  for (int a : *axes) {  // ascending, so earlier insertions keep later indices valid
    TensorId axis = ctx.AddScalarInt(HelperName(node, "axis"), a);
    absl::StatusOr<TensorId> e =
        ctx.Emit(node, OpKind::kExpandDims, {y, axis}, NoOptions{}, ctx.type(y));
    if (!e.ok()) return e.status();
    y = *e;
  }
  return Bind(ctx, node, y);
}

absl::Status Cast(OnnxContext& ctx, const onnx::NodeProto& node) {
  absl::StatusOr<TensorId> x = ctx.Input(node, 0);
  if (!x.ok()) return x.status();
  const int64_t to = OnnxContext::AttrInt(node, "to", 0);
  DataType type;
  if (to == onnx::TensorProto::DOUBLE) {
    spdlog::info("{}: node '{}' (Cast): casting to f32 instead of f64 (no f64 in TFLite)",
                 ctx.file(), node.name());
    type = DataType::kFloat32;
  } else {
    absl::StatusOr<DataType> t = DataTypeFromOnnx(static_cast<int32_t>(to), "cast target");
    if (!t.ok()) return ctx.Unsupported(node, std::string(t.status().message()));
    type = *t;
  }
  absl::StatusOr<TensorId> out = ctx.EmitCast(node, *x, type);
  const auto is_int = [](DataType t) { return t == DataType::kInt32 || t == DataType::kInt64; };
  if (out.ok() && is_int(ctx.type(*x)) && is_int(type)) PropagateKnown(ctx, *x, *out);
  return Bind(ctx, node, out);
}

absl::Status Identity(OnnxContext& ctx, const onnx::NodeProto& node) {
  return Bind(ctx, node, ctx.Input(node, 0));
}

/// Inference-mode Dropout is the identity; the mask output is not produced.
absl::Status Dropout(OnnxContext& ctx, const onnx::NodeProto& node) {
  if (OnnxContext::HasInput(node, 2)) {
    absl::StatusOr<TensorId> training = ctx.Input(node, 2);
    if (!training.ok()) return training.status();
    auto v = ctx.ConstantInts(*training);
    if (!v || (!v->empty() && v->front() != 0)) {
      return ctx.Unsupported(node, "training_mode is not constant false", "inference mode");
    }
  }
  return Bind(ctx, node, ctx.Input(node, 0));
}

absl::Status Tile(OnnxContext& ctx, const onnx::NodeProto& node) {
  absl::StatusOr<TensorId> x = ctx.Input(node, 0);
  if (!x.ok()) return x.status();
  absl::StatusOr<TensorId> repeats = ctx.Input(node, 1);
  if (!repeats.ok()) return repeats.status();
  if (auto r = ctx.ConstantInts(*repeats);
      r && std::all_of(r->begin(), r->end(), [](int64_t v) { return v == 1; })) {
    return Bind(ctx, node, *x);
  }
  absl::StatusOr<TensorId> r32 = ctx.AsInt32(node, *repeats);
  if (!r32.ok()) return r32.status();
  return Bind(ctx, node, ctx.Emit(node, OpKind::kTile, {*x, *r32}, NoOptions{}, ctx.type(*x)));
}

}  // namespace

void RegisterTensorOps(ConverterTable& t) {
  t["Reshape"] = Reshape;
  t["Flatten"] = Flatten;
  t["Transpose"] = Transpose;
  t["Concat"] = Concat;
  t["Squeeze"] = Squeeze;
  t["Unsqueeze"] = Unsqueeze;
  t["Cast"] = Cast;
  t["Identity"] = Identity;
  t["Dropout"] = Dropout;
  t["Tile"] = Tile;
  RegisterSliceOps(t);
}

}  // namespace optconv::onnx_import
