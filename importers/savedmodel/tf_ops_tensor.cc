// Reshape, Squeeze, ExpandDims, Transpose, ConcatV2, Pack, Unpack, Cast. Pack
// and ConcatV2 of known integers (shape vectors being assembled) keep their
// known values so a following Reshape gets a constant shape.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "importers/savedmodel/tf_op_families.h"
#include "importers/savedmodel/tf_ops_util.h"

namespace optconv::tf_import {
namespace {

/// Reshape to a constant (or partially known, one unknown) shape; else to the
/// run-time shape tensor.
absl::Status Reshape(TfContext& ctx, const tensorflow::NodeDef& node) {
  TF_ASSIGN_OR_RETURN(TensorId x, ctx.Input(node, 0));
  TF_ASSIGN_OR_RETURN(TensorId shape, ctx.Input(node, 1));
  if (auto known = ctx.KnownInts(shape)) {
    Shape target;
    int unknown = 0;
    for (const auto& d : *known) {
      target.push_back(d && *d >= 0 ? *d : kUnknownDim);
      if (!d || *d < 0) ++unknown;
    }
    // Two unknowns, one of them provably a copy of x's own unknown dim
    // (Shape(x)[0] in Flatten's [batch, -1]): the other one is x's static
    // elements over the target's static dims, leaving the copy as the one -1.
    // The values alone cannot tell a copy of x's batch from any other
    // unknown (a Dense on a sequence reshapes [B*T, N] to [B, T, N]).
    if (unknown == 2) {
      const Shape in = ctx.shape(x);
      const PartialInts refs = ctx.DimRefs(shape, known->size());
      std::vector<int> copies(in.size(), 0);
      int free_slot = -1, copied = 0;
      bool ok = true;
      for (size_t i = 0; i < target.size(); ++i) {
        if (target[i] != kUnknownDim) continue;
        const std::optional<int64_t>& r = refs[i];
        if (!(*known)[i] && r && *r / TfContext::kMaxRank == x) {
          const size_t d = static_cast<size_t>(*r % TfContext::kMaxRank);
          if (d < in.size() && in[d] == kUnknownDim) {
            ++copies[d];
            ++copied;
            continue;
          }
        }
        ok = ok && free_slot < 0;
        free_slot = static_cast<int>(i);
      }
      int64_t in_static = 1, other = 1;
      for (size_t d = 0; d < in.size(); ++d) {
        if (in[d] == kUnknownDim) ok = ok && copies[d] == 1;
        else in_static *= in[d];
      }
      for (int64_t d : target) {
        if (d != kUnknownDim) other *= d;
      }
      if (ok && copied == 1 && free_slot >= 0 && other > 0 && in_static % other == 0) {
        target[static_cast<size_t>(free_slot)] = in_static / other;
        unknown = 1;
      }
    }
    if (unknown <= 1) {
      TF_ASSIGN_OR_RETURN(TensorId y, EmitReshape(ctx, node, x, target));
      ctx.SetOutput(node, 0, y);
      return absl::OkStatus();
    }
  }
  TF_ASSIGN_OR_RETURN(TensorId s, ctx.AsInt32(node, shape));
  return ctx.EmitAndBind(node, OpKind::kReshape, {x, s});
}

absl::Status Squeeze(TfContext& ctx, const tensorflow::NodeDef& node) {
  TF_ASSIGN_OR_RETURN(TensorId x, ctx.Input(node, 0));
  std::vector<int64_t> dims = TfContext::AttrInts(node, "squeeze_dims");
  const Shape& in = ctx.shape(x);
  std::vector<bool> drop(in.size(), false);
  if (dims.empty()) {
    for (size_t i = 0; i < in.size(); ++i) {
      if (in[i] == kUnknownDim) {
        return ctx.Unsupported(node, "squeezing every size-1 dim of a shape with unknown dims",
                               "squeeze_dims");
      }
      drop[i] = in[i] == 1;
    }
  }
  for (int64_t d : dims) {
    TF_ASSIGN_OR_RETURN(int a, AxisOf(ctx, node, d, static_cast<int>(in.size())));
    drop[a] = true;
  }
  Shape target;
  for (size_t i = 0; i < in.size(); ++i) {
    if (!drop[i]) target.push_back(in[i]);
  }
  TF_ASSIGN_OR_RETURN(TensorId y, EmitReshape(ctx, node, x, target));
  ctx.SetOutput(node, 0, y);
  return absl::OkStatus();
}

absl::Status ExpandDims(TfContext& ctx, const tensorflow::NodeDef& node) {
  TF_ASSIGN_OR_RETURN(TensorId x, ctx.Input(node, 0));
  TF_ASSIGN_OR_RETURN(std::vector<int64_t> axis, ctx.ConstIntsInput(node, 1));
  if (axis.size() != 1) return ctx.Invalid(node, "axis is not a scalar", "one axis");
  Shape target = ctx.shape(x);
  TF_ASSIGN_OR_RETURN(int a, AxisOf(ctx, node, axis[0], static_cast<int>(target.size()) + 1));
  target.insert(target.begin() + a, 1);
  TF_ASSIGN_OR_RETURN(TensorId y, EmitReshape(ctx, node, x, target));
  ctx.SetOutput(node, 0, y);
  return absl::OkStatus();
}

absl::Status Transpose(TfContext& ctx, const tensorflow::NodeDef& node) {
  TF_ASSIGN_OR_RETURN(TensorId x, ctx.Input(node, 0));
  TF_ASSIGN_OR_RETURN(std::vector<int64_t> perm, ctx.ConstIntsInput(node, 1));
  TF_ASSIGN_OR_RETURN(TensorId y, ctx.EmitTranspose(node, x, ToInt32(perm)));
  ctx.SetOutput(node, 0, y);
  return absl::OkStatus();
}

/// ConcatV2(values..., axis) and Concat(axis, values...).
absl::Status Concat(TfContext& ctx, const tensorflow::NodeDef& node) {
  const bool axis_first = node.op() == "Concat";
  const int n = node.input_size() - 1;
  TF_ASSIGN_OR_RETURN(std::vector<int64_t> axis, ctx.ConstIntsInput(node, axis_first ? 0 : n));
  std::vector<TensorId> values;
  for (int i = 0; i < n; ++i) {
    TF_ASSIGN_OR_RETURN(TensorId v, ctx.Input(node, axis_first ? i + 1 : i));
    values.push_back(v);
  }
  if (axis.size() != 1) return ctx.Invalid(node, "axis is not a scalar", "one axis");
  TF_ASSIGN_OR_RETURN(int a, AxisOf(ctx, node, axis[0], ctx.rank(values[0])));
  if (values.size() == 1) {
    ctx.Bind(TfContext::OutputRef(node, 0), values[0]);
    return absl::OkStatus();
  }
  TF_ASSIGN_OR_RETURN(TensorId y, ctx.Emit(node, OpKind::kConcatenation, values,
                                           ConcatenationOptions{a}, ctx.type(values[0])));
  if (ctx.rank(y) == 1) {
    PartialInts known, refs;
    for (TensorId v : values) {
      auto k = ctx.KnownInts(v);
      if (!k) k = PartialInts(static_cast<size_t>(std::max<int64_t>(ctx.shape(v)[0], 0)));
      const PartialInts r = ctx.DimRefs(v, k->size());
      known.insert(known.end(), k->begin(), k->end());
      refs.insert(refs.end(), r.begin(), r.end());
    }
    if (ctx.shape(y)[0] == static_cast<int64_t>(known.size())) {
      ctx.RecordKnownInts(y, known);
      ctx.SetDimRefs(y, std::move(refs));
    }
  }
  ctx.SetOutput(node, 0, y);
  return absl::OkStatus();
}

absl::Status Pack(TfContext& ctx, const tensorflow::NodeDef& node) {
  std::vector<TensorId> values;
  PartialInts known, refs;
  for (int i = 0; i < node.input_size(); ++i) {
    TF_ASSIGN_OR_RETURN(TensorId v, ctx.Input(node, i));
    values.push_back(v);
    auto k = ctx.KnownInts(v);
    const bool scalar = ctx.rank(v) == 0;
    known.push_back(k && k->size() == 1 && scalar ? (*k)[0] : std::nullopt);
    refs.push_back(scalar ? ctx.DimRefs(v, 1)[0] : std::nullopt);
  }
  TF_ASSIGN_OR_RETURN(int axis, AxisOf(ctx, node, TfContext::AttrInt(node, "axis", 0),
                                       ctx.rank(values[0]) + 1));
  const DataType t = ctx.type(values[0]);
  if (ctx.rank(values[0]) == 0) {
    Shape shape{static_cast<int64_t>(values.size())};
    if (auto c = ctx.AddConstFromKnown(node.name(), known, t, shape)) {
      ctx.SetOutput(node, 0, *c);
      return absl::OkStatus();
    }
  }
  PackOptions o{axis, static_cast<int32_t>(values.size())};
  TF_ASSIGN_OR_RETURN(TensorId y, ctx.Emit(node, OpKind::kPack, values, o, t));
  if (ctx.rank(values[0]) == 0) {
    ctx.RecordKnownInts(y, known);
    ctx.SetDimRefs(y, std::move(refs));
  }
  ctx.SetOutput(node, 0, y);
  return absl::OkStatus();
}

absl::Status Unpack(TfContext& ctx, const tensorflow::NodeDef& node) {
  TF_ASSIGN_OR_RETURN(TensorId x, ctx.Input(node, 0));
  TF_ASSIGN_OR_RETURN(int axis,
                      AxisOf(ctx, node, TfContext::AttrInt(node, "axis", 0), ctx.rank(x)));
  const int64_t num = TfContext::AttrInt(node, "num", ctx.shape(x)[axis]);
  if (num <= 0) return ctx.Unsupported(node, "unpacking a dim of unknown size", "a static dim");
  PackOptions o{axis, static_cast<int32_t>(num)};
  TF_ASSIGN_OR_RETURN(std::vector<TensorId> ys,
                      ctx.EmitMulti(node, OpKind::kUnpack, {x}, o, ctx.type(x),
                                    static_cast<int>(num)));
  auto known = ctx.KnownInts(x);
  const PartialInts refs = known ? ctx.DimRefs(x, known->size()) : PartialInts{};
  for (int i = 0; i < static_cast<int>(ys.size()); ++i) {
    if (known && ctx.rank(x) == 1 && i < static_cast<int>(known->size())) {
      ctx.RecordKnownInts(ys[i], {(*known)[i]});
      ctx.SetDimRefs(ys[i], {refs[static_cast<size_t>(i)]});
    }
    ctx.SetOutput(node, i, ys[i]);
  }
  return absl::OkStatus();
}

absl::Status Cast(TfContext& ctx, const tensorflow::NodeDef& node) {
  TF_ASSIGN_OR_RETURN(TensorId x, ctx.Input(node, 0));
  TF_ASSIGN_OR_RETURN(DataType to, ctx.AttrIrType(node, "DstT"));
  TF_ASSIGN_OR_RETURN(TensorId y, ctx.EmitCast(node, x, to));
  if (IsIntType(ctx.type(x)) && IsIntType(to)) PropagateKnown(ctx, x, y);
  if (y == x) {
    ctx.Bind(TfContext::OutputRef(node, 0), y);
  } else {
    ctx.SetOutput(node, 0, y);
  }
  return absl::OkStatus();
}

}  // namespace

void RegisterTfTensorOps(TfConverterTable& t) {
  t.ops["Reshape"] = Reshape;
  t.ops["Squeeze"] = Squeeze;
  t.ops["ExpandDims"] = ExpandDims;
  t.ops["Transpose"] = Transpose;
  t.ops["ConcatV2"] = Concat;
  t.ops["Concat"] = Concat;
  t.ops["Pack"] = Pack;
  t.ops["Unpack"] = Unpack;
  t.ops["Cast"] = Cast;
}

}  // namespace optconv::tf_import
