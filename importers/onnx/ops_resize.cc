// Resize (opsets 10-19) and Upsample (7-9) on 4-D NCHW tensors ->
// RESIZE_NEAREST_NEIGHBOR / RESIZE_BILINEAR on channels-last tensors.
//
// TFLite's resize ops have three coordinate conventions (plain, align_corners,
// half_pixel_centers). Rather than trusting a mode table, the converter
// replays both sides' index arithmetic (onnxruntime's formulas for ONNX,
// TFLite's reference kernels) for every output row and column and picks the
// TFLite variant that samples exactly the same source pixels/coordinates.
#include <cmath>

#include "absl/strings/str_cat.h"
#include "importers/onnx/nn_util.h"
#include "importers/onnx/op_families.h"

namespace optconv::onnx_import {
namespace {

struct ResizeSpec {
  bool linear = false;
  std::string coord_mode;
  std::string nearest_mode;  // "simple" = Upsample / Resize-10 behaviour
};

struct TfliteVariant {
  bool align_corners;
  bool half_pixel_centers;
};

constexpr TfliteVariant kVariants[] = {{false, false}, {false, true}, {true, false}};

// onnxruntime's source coordinate of output index `o` along one axis.
float OnnxCoordinate(const std::string& mode, float o, float scale, int64_t in, int64_t out) {
  if (mode == "half_pixel") return (o + 0.5f) / scale - 0.5f;
  if (mode == "pytorch_half_pixel") return out > 1 ? (o + 0.5f) / scale - 0.5f : 0.0f;
  if (mode == "align_corners") {
    return out == 1 ? 0.0f : o * static_cast<float>(in - 1) / static_cast<float>(out - 1);
  }
  if (mode == "tf_half_pixel_for_nn") return (o + 0.5f) / scale;
  if (mode == "half_pixel_symmetric") {
    const float adjustment = static_cast<float>(out) / (scale * static_cast<float>(in));
    const float center = static_cast<float>(in) / 2.0f;
    const float offset = center * (1.0f - adjustment);
    return offset + (o + 0.5f) / scale - 0.5f;
  }
  return o / scale;  // asymmetric
}

int64_t OnnxNearest(const std::string& mode, float x, bool downsampling) {
  if (mode == "simple") {
    return downsampling ? static_cast<int64_t>(std::ceil(x)) : static_cast<int64_t>(x);
  }
  if (mode == "floor") return static_cast<int64_t>(std::floor(x));
  if (mode == "ceil") return static_cast<int64_t>(std::ceil(x));
  if (mode == "round_prefer_floor" && x == static_cast<float>(static_cast<int64_t>(x)) + 0.5f) {
    return static_cast<int64_t>(std::floor(x));
  }
  return static_cast<int64_t>(std::round(x));  // round_prefer_ceil (and non-ties)
}

float TfliteScale(TfliteVariant v, int64_t in, int64_t out) {
  return (v.align_corners && out > 1) ? static_cast<float>(in - 1) / static_cast<float>(out - 1)
                                      : static_cast<float>(in) / static_cast<float>(out);
}

// True when TFLite variant `v` reads the same source as ONNX along one axis.
bool AxisMatches(const ResizeSpec& spec, TfliteVariant v, int64_t in, int64_t out, float scale) {
  const float tscale = TfliteScale(v, in, out);
  for (int64_t o = 0; o < out; ++o) {
    const float of = static_cast<float>(o);
    const float x = OnnxCoordinate(spec.coord_mode, of, scale, in, out);
    if (spec.linear) {
      const float onnx_c = std::clamp(x, 0.0f, static_cast<float>(in - 1));
      const float t = v.half_pixel_centers ? (of + 0.5f) * tscale - 0.5f : of * tscale;
      const float tfl_c = std::clamp(t, 0.0f, static_cast<float>(in - 1));
      if (std::fabs(onnx_c - tfl_c) > 1e-4f * std::max<float>(1.0f, in)) return false;
    } else {
      const int64_t onnx_i = std::clamp<int64_t>(OnnxNearest(spec.nearest_mode, x, scale < 1.0f),
                                                 0, in - 1);
      const float offset = v.half_pixel_centers ? 0.5f : 0.0f;
      int64_t tfl_i = v.align_corners
                          ? static_cast<int64_t>(std::round((of + offset) * tscale))
                          : static_cast<int64_t>(std::floor((of + offset) * tscale));
      tfl_i = std::min<int64_t>(tfl_i, in - 1);
      if (v.half_pixel_centers) tfl_i = std::max<int64_t>(tfl_i, 0);
      if (onnx_i != tfl_i) return false;
    }
  }
  return true;
}

// Per spatial axis (H, W): input size (kUnknownDim if dynamic), ONNX scale,
// output size (kUnknownDim if dynamic).
struct AxisResize {
  int64_t in;
  float scale;
  int64_t out;
};

absl::StatusOr<std::vector<AxisResize>> ReadAxes(OnnxContext& ctx, const onnx::NodeProto& node,
                                                 TensorId x,
                                                 std::optional<std::vector<float>> scales,
                                                 std::optional<std::vector<int64_t>> sizes) {
  const Shape xs = ctx.shape(x);
  std::vector<int64_t> axes = OnnxContext::AttrInts(node, "axes");
  if (axes.empty()) {
    for (int i = 0; i < 4; ++i) axes.push_back(i);
  }
  const size_t given = scales ? scales->size() : sizes->size();
  if (given != axes.size()) {
    return ctx.Invalid(node, absl::StrCat(given, " scales/sizes for ", axes.size(), " axes"),
                       "one scale or size per resized axis");
  }
  std::vector<float> full_scales(4, 1.0f);
  std::vector<int64_t> full_sizes(xs.begin(), xs.end());
  for (size_t i = 0; i < axes.size(); ++i) {
    std::optional<int> a = NormalizeAxis(axes[i], 4);
    if (!a) return ctx.Invalid(node, absl::StrCat("axis ", axes[i]), "an axis of a 4-D input");
    if (scales) full_scales[*a] = (*scales)[i];
    if (sizes) full_sizes[*a] = (*sizes)[i];
  }
  for (int a = 0; a < 2; ++a) {
    const bool unit = scales ? full_scales[a] == 1.0f : full_sizes[a] == xs[a] || xs[a] < 0;
    if (!unit) {
      return ctx.Unsupported(node, "resizing the batch or channel axis",
                             "scales/sizes of 1/unchanged for N and C");
    }
  }
  std::vector<AxisResize> out;
  for (int a = 2; a < 4; ++a) {
    AxisResize r{xs[a], full_scales[a], kUnknownDim};
    if (sizes) {
      r.out = full_sizes[a];
      if (r.in >= 0) r.scale = static_cast<float>(r.out) / static_cast<float>(r.in);
    } else if (r.in >= 0) {
      r.out = static_cast<int64_t>(r.scale * static_cast<float>(r.in));
    }
    if (r.scale <= 0.0f || (r.out != kUnknownDim && r.out <= 0)) {
      return ctx.Invalid(node, "non-positive scale or output size", "positive scales and sizes");
    }
    out.push_back(r);
  }
  return out;
}

// Nearest resizing is pure index selection: any mode TFLite's resize cannot
// reproduce becomes two GATHERs with constant indices (on the NCHW tensor, so
// no layout change is needed).
absl::Status EmitNearestByGather(OnnxContext& ctx, const onnx::NodeProto& node, TensorId x,
                                 const ResizeSpec& spec, const std::vector<AxisResize>& axes) {
  TensorId y = x;
  for (int i = 0; i < 2; ++i) {
    const AxisResize& a = axes[i];
    std::vector<int32_t> index(a.out);
    bool identity = a.out == a.in;
    for (int64_t o = 0; o < a.out; ++o) {
      const float src =
          OnnxCoordinate(spec.coord_mode, static_cast<float>(o), a.scale, a.in, a.out);
      index[o] = static_cast<int32_t>(
          std::clamp<int64_t>(OnnxNearest(spec.nearest_mode, src, a.scale < 1.0f), 0, a.in - 1));
      identity = identity && index[o] == o;
    }
    if (identity) continue;
    TensorId idx = ctx.AddConstInts(absl::StrCat(NodeBaseName(node), i == 0 ? "/rows" : "/cols"),
                                    index);
    GatherOptions o;
    o.axis = 2 + i;
    NN_ASSIGN_OR_RETURN(y, ctx.Emit(node, OpKind::kGather, {y, idx}, o, ctx.type(x)));
  }
  // Both axes unchanged (y == x) binds the input itself, like Identity.
  ctx.SetOutput(node, 0, y);
  return absl::OkStatus();
}

absl::Status EmitResize(OnnxContext& ctx, const onnx::NodeProto& node, TensorId x,
                        const ResizeSpec& spec, std::optional<std::vector<float>> scales,
                        std::optional<std::vector<int64_t>> sizes) {
  if (ctx.rank(x) != 4) {
    return ctx.Unsupported(node, absl::StrCat("resizing a rank-", ctx.rank(x), " tensor"),
                           "a 4-D NCHW input");
  }
  NN_ASSIGN_OR_RETURN(std::vector<AxisResize> axes, ReadAxes(ctx, node, x, scales, sizes));
  const bool dynamic = axes[0].in < 0 || axes[1].in < 0;
  if (dynamic) {
    // TFLite derives its scale from the run-time sizes; that equals ONNX's only
    // for integer scales. Replay a range of sizes to pick the variant.
    for (const AxisResize& a : axes) {
      if (sizes || a.scale != std::floor(a.scale)) {
        return ctx.Unsupported(node, "resize of a dynamic spatial size by a non-integer scale or "
                                     "to fixed sizes", "a static input size or integer scales");
      }
    }
  }
  // Try the variant that corresponds to the ONNX mode first: when several
  // sample identically, the kindred one stays closest under float rounding.
  std::vector<TfliteVariant> order(std::begin(kVariants), std::end(kVariants));
  if (spec.coord_mode.find("half_pixel") != std::string::npos) {
    std::swap(order[0], order[1]);
  } else if (spec.coord_mode == "align_corners") {
    std::swap(order[0], order[2]);
  }
  std::optional<TfliteVariant> chosen;
  for (const TfliteVariant& v : order) {
    bool ok = true;
    for (const AxisResize& a : axes) {
      if (dynamic) {
        for (int64_t in = 1; in <= 16 && ok; ++in) {
          ok = AxisMatches(spec, v, in, in * static_cast<int64_t>(a.scale), a.scale);
        }
      } else {
        ok = ok && AxisMatches(spec, v, a.in, a.out, a.scale);
      }
    }
    if (ok) {
      chosen = v;
      break;
    }
  }
  if (!chosen && !spec.linear && !dynamic) {
    return EmitNearestByGather(ctx, node, x, spec, axes);
  }
  if (!chosen) {
    return ctx.Unsupported(
        node,
        absl::StrCat("mode '", spec.linear ? "linear" : "nearest",
                     "' with coordinate_transformation_mode '", spec.coord_mode, "'",
                     spec.linear ? ""
                                 : absl::StrCat(" and nearest_mode '", spec.nearest_mode, "'"),
                     " samples different pixels than any TFLite resize for these sizes"),
        "a combination TFLite reproduces exactly (e.g. half_pixel, align_corners, "
        "asymmetric+floor)");
  }
  const std::string base = NodeBaseName(node);
  NN_ASSIGN_OR_RETURN(TensorId xn, ctx.ToChannelsLast(node, x));
  TensorId size;
  if (!dynamic) {
    size = ctx.AddConstInts(base + "/size", {static_cast<int32_t>(axes[0].out),
                                             static_cast<int32_t>(axes[1].out)});
  } else {
    // size = shape(x)[1:3] * integer scales, at run time.
    NN_ASSIGN_OR_RETURN(TensorId shape, ctx.Emit(node, OpKind::kShape, {xn}, NoOptions{},
                                                 DataType::kInt32));
    TensorId begin = ctx.AddConstInts(base + "/hw_begin", {1});
    TensorId end = ctx.AddConstInts(base + "/hw_end", {3});
    TensorId step = ctx.AddConstInts(base + "/hw_step", {1});
    NN_ASSIGN_OR_RETURN(TensorId hw,
                        ctx.Emit(node, OpKind::kStridedSlice, {shape, begin, end, step},
                                 StridedSliceOptions{}, DataType::kInt32));
    TensorId factor = ctx.AddConstInts(base + "/scale", {static_cast<int32_t>(axes[0].scale),
                                                         static_cast<int32_t>(axes[1].scale)});
    NN_ASSIGN_OR_RETURN(size, ctx.Emit(node, OpKind::kMul, {hw, factor}, BinaryOptions{},
                                       DataType::kInt32));
  }
  ResizeOptions o{chosen->align_corners, chosen->half_pixel_centers};
  const OpKind kind = spec.linear ? OpKind::kResizeBilinear : OpKind::kResizeNearestNeighbor;
  NN_ASSIGN_OR_RETURN(TensorId y, ctx.Emit(node, kind, {xn, size}, o, ctx.type(x)));
  NN_ASSIGN_OR_RETURN(TensorId out, ctx.ToChannelsFirst(node, y));
  ctx.SetOutput(node, 0, out);
  return absl::OkStatus();
}

absl::StatusOr<ResizeSpec> ReadMode(OnnxContext& ctx, const onnx::NodeProto& node, bool legacy) {
  ResizeSpec spec;
  const std::string mode = OnnxContext::AttrString(node, "mode", "nearest");
  if (mode == "linear" || mode == "bilinear") {
    spec.linear = true;
  } else if (mode != "nearest") {
    return ctx.Unsupported(node, absl::StrCat("mode '", mode, "'"), "nearest or linear");
  }
  if (legacy) {
    spec.coord_mode = "asymmetric";
    spec.nearest_mode = "simple";
    return spec;
  }
  spec.coord_mode = OnnxContext::AttrString(node, "coordinate_transformation_mode", "half_pixel");
  spec.nearest_mode = OnnxContext::AttrString(node, "nearest_mode", "round_prefer_floor");
  if (spec.coord_mode == "tf_crop_and_resize") {
    return ctx.Unsupported(node, "coordinate_transformation_mode 'tf_crop_and_resize'",
                           "half_pixel, pytorch_half_pixel, align_corners or asymmetric");
  }
  if (OnnxContext::AttrInt(node, "antialias", 0) != 0) {
    return ctx.Unsupported(node, "antialias = 1", "antialias = 0");
  }
  const std::string policy = OnnxContext::AttrString(node, "keep_aspect_ratio_policy", "stretch");
  if (policy != "stretch") {
    return ctx.Unsupported(node, absl::StrCat("keep_aspect_ratio_policy '", policy, "'"),
                           "stretch");
  }
  return spec;
}

absl::StatusOr<std::optional<std::vector<float>>> ConstScales(OnnxContext& ctx,
                                                              const onnx::NodeProto& node,
                                                              int index) {
  if (!OnnxContext::HasInput(node, index)) return std::optional<std::vector<float>>();
  NN_ASSIGN_OR_RETURN(TensorId id, ctx.Input(node, index));
  std::optional<std::vector<float>> v = ctx.ConstantFloats(id);
  if (!v) return ctx.Unsupported(node, "scales computed at run time", "constant scales");
  if (v->empty()) return std::optional<std::vector<float>>();
  return v;
}

absl::Status ConvertResize(OnnxContext& ctx, const onnx::NodeProto& node) {
  NN_ASSIGN_OR_RETURN(TensorId x, ctx.Input(node, 0));
  const bool legacy = ctx.opset() < 11;
  NN_ASSIGN_OR_RETURN(ResizeSpec spec, ReadMode(ctx, node, legacy));
  NN_ASSIGN_OR_RETURN(std::optional<std::vector<float>> scales,
                      ConstScales(ctx, node, legacy ? 1 : 2));
  std::optional<std::vector<int64_t>> sizes;
  if (!legacy && OnnxContext::HasInput(node, 3)) {
    NN_ASSIGN_OR_RETURN(TensorId id, ctx.Input(node, 3));
    sizes = ctx.ConstantInts(id);
    if (!sizes) return ctx.Unsupported(node, "sizes computed at run time", "constant sizes");
    if (sizes->empty()) sizes.reset();
  }
  if (scales.has_value() == sizes.has_value()) {
    return ctx.Invalid(node, "scales and sizes both given or both missing",
                       "exactly one of scales and sizes");
  }
  return EmitResize(ctx, node, x, spec, std::move(scales), std::move(sizes));
}

absl::Status ConvertUpsample(OnnxContext& ctx, const onnx::NodeProto& node) {
  NN_ASSIGN_OR_RETURN(TensorId x, ctx.Input(node, 0));
  NN_ASSIGN_OR_RETURN(ResizeSpec spec, ReadMode(ctx, node, /*legacy=*/true));
  std::optional<std::vector<float>> scales;
  if (OnnxContext::HasInput(node, 1)) {
    NN_ASSIGN_OR_RETURN(scales, ConstScales(ctx, node, 1));
  } else {
    scales = OnnxContext::AttrFloats(node, "scales");
  }
  if (!scales || scales->empty()) return ctx.Invalid(node, "no scales", "scales");
  return EmitResize(ctx, node, x, spec, std::move(scales), std::nullopt);
}

}  // namespace

void RegisterResizeOps(ConverterTable& table) {
  table["Resize"] = &ConvertResize;
  table["Upsample"] = &ConvertUpsample;
}

}  // namespace optconv::onnx_import
