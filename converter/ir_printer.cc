// The IR text form. Deterministic: tensors print in id order, options in a
// fixed field order with defaults left out, floats with %g.
//
//   graph "model.onnx" {
//     input %x:f32[1,224,224,3]
//     const %w:f32[2,2] = [1, 2, 3, 4]
//     %y:f32[1,112,112,32] = Conv2D(%x, %w:const, _) {padding=same, stride=2x2}  # node 'Conv_0' (Conv)
//     output %y
//     signature "serving_default" (x: %x) -> (y: %y)
//   }
#include "converter/ir_printer.h"

#include <cctype>
#include <cstring>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace optconv {
namespace {

constexpr int64_t kMaxPrintedValues = 8;

std::string Str(std::string_view s) { return std::string(s); }

bool PlainName(const std::string& name) {
  if (name.empty()) return false;
  for (char ch : name) {
    if (!(std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == '.' || ch == '/' ||
          ch == '-' || ch == ':')) {
      return false;
    }
  }
  return true;
}

std::string Ref(const Graph& g, TensorId id) {
  if (id == kNoTensor) return "_";
  if (id < 0 || id >= g.num_tensors()) return absl::StrCat("%<bad:", id, ">");
  const std::string& name = g.tensor(id).name;
  return PlainName(name) ? absl::StrCat("%", name) : absl::StrCat("%\"", absl::CEscape(name), "\"");
}

std::string FormatFloat(double v) { return absl::StrFormat("%g", v); }

std::string Quant(const QuantParams& q) {
  std::string out = absl::StrCat(" q(scale=", absl::StrJoin(q.scales, ",", [](std::string* o, float s) {
                                   absl::StrAppend(o, FormatFloat(s));
                                 }),
                                 " zp=", absl::StrJoin(q.zero_points, ","));
  if (q.per_axis()) absl::StrAppend(&out, " axis=", q.quantized_dimension);
  if (!q.min.empty()) {
    absl::StrAppend(&out, " min=", FormatFloat(q.min[0]), " max=", FormatFloat(q.max[0]));
  }
  return out + ")";
}

std::string TypedRef(const Graph& g, TensorId id) {
  if (id < 0 || id >= g.num_tensors()) return Ref(g, id);
  const Tensor& t = g.tensor(id);
  std::string out = absl::StrCat(Ref(g, id), ":", Str(DataTypeName(t.type)), ShapeToString(t.shape));
  if (t.quant) absl::StrAppend(&out, Quant(*t.quant));
  if (t.is_variable) absl::StrAppend(&out, " variable");
  return out;
}

template <typename T>
std::string Values(const Tensor& t, int64_t n, bool as_float) {
  std::vector<std::string> parts;
  for (int64_t i = 0; i < n; ++i) {
    T v;
    std::memcpy(&v, t.data->data() + i * sizeof(T), sizeof(T));
    parts.push_back(as_float ? FormatFloat(static_cast<double>(v)) : absl::StrCat(v));
  }
  return absl::StrJoin(parts, ", ");
}

std::string ConstantSummary(const Tensor& t) {
  std::optional<int64_t> count = NumElements(t.shape);
  size_t es = ElementSize(t.type);
  if (!count || es == 0 || t.data->size() != static_cast<size_t>(*count) * es) {
    return absl::StrCat("<", t.data->size(), " bytes>");
  }
  int64_t n = std::min(*count, kMaxPrintedValues);
  std::string values;
  switch (t.type) {
    case DataType::kFloat32: values = Values<float>(t, n, true); break;
    case DataType::kInt8: values = Values<int8_t>(t, n, false); break;
    case DataType::kUInt8: values = Values<uint8_t>(t, n, false); break;
    case DataType::kInt16: values = Values<int16_t>(t, n, false); break;
    case DataType::kInt32: values = Values<int32_t>(t, n, false); break;
    case DataType::kInt64: values = Values<int64_t>(t, n, false); break;
    case DataType::kBool: values = Values<uint8_t>(t, n, false); break;
    default: return absl::StrCat("<", t.data->size(), " bytes>");
  }
  if (*count > n) return absl::StrCat("[", values, ", ...] (", *count, " values)");
  return absl::StrCat("[", values, "]");
}

std::string Act(Activation a) {
  switch (a) {
    case Activation::kNone: return "none";
    case Activation::kRelu: return "relu";
    case Activation::kReluN1To1: return "relu_n1_to_1";
    case Activation::kRelu6: return "relu6";
    case Activation::kTanh: return "tanh";
  }
  return "?";
}

std::string Pad(Padding p) { return p == Padding::kSame ? "same" : "valid"; }

// Collects "key=value" pairs, skipping defaults where the caller says so.
struct Attrs {
  std::vector<std::string> items;
  template <typename V>
  void Add(const std::string& key, const V& value) { items.push_back(absl::StrCat(key, "=", value)); }
  void Act(Activation a) {
    if (a != Activation::kNone) Add("act", optconv::Act(a));
  }
  void Window(const std::string& key, int32_t h, int32_t w, bool always) {
    if (always || h != 1 || w != 1) Add(key, absl::StrCat(h, "x", w));
  }
};

std::string Options(const OpOptions& options) {
  Attrs a;
  std::visit(
      [&](const auto& o) {
        using T = std::decay_t<decltype(o)>;
        if constexpr (std::is_same_v<T, BinaryOptions> || std::is_same_v<T, L2NormOptions>) {
          a.Act(o.activation);
        } else if constexpr (std::is_same_v<T, Conv2DOptions> ||
                             std::is_same_v<T, DepthwiseConv2DOptions>) {
          a.Add("padding", Pad(o.padding));
          a.Window("stride", o.stride_h, o.stride_w, true);
          a.Window("dilation", o.dilation_h, o.dilation_w, false);
          if constexpr (std::is_same_v<T, DepthwiseConv2DOptions>) {
            if (o.depth_multiplier != 1) a.Add("depth_multiplier", o.depth_multiplier);
          }
          a.Act(o.activation);
        } else if constexpr (std::is_same_v<T, TransposeConvOptions>) {
          a.Add("padding", Pad(o.padding));
          a.Window("stride", o.stride_h, o.stride_w, true);
          a.Act(o.activation);
        } else if constexpr (std::is_same_v<T, Pool2DOptions>) {
          a.Add("padding", Pad(o.padding));
          a.Window("filter", o.filter_h, o.filter_w, true);
          a.Window("stride", o.stride_h, o.stride_w, true);
          a.Act(o.activation);
        } else if constexpr (std::is_same_v<T, FullyConnectedOptions>) {
          if (o.keep_num_dims) a.Add("keep_num_dims", "true");
          a.Act(o.activation);
        } else if constexpr (std::is_same_v<T, BatchMatMulOptions>) {
          if (o.adj_x) a.Add("adj_x", "true");
          if (o.adj_y) a.Add("adj_y", "true");
        } else if constexpr (std::is_same_v<T, ConcatenationOptions>) {
          a.Add("axis", o.axis);
          a.Act(o.activation);
        } else if constexpr (std::is_same_v<T, ReducerOptions>) {
          if (o.keep_dims) a.Add("keep_dims", "true");
        } else if constexpr (std::is_same_v<T, SoftmaxOptions>) {
          if (o.beta != 1.0f) a.Add("beta", FormatFloat(o.beta));
        } else if constexpr (std::is_same_v<T, LeakyReluOptions>) {
          a.Add("alpha", FormatFloat(o.alpha));
        } else if constexpr (std::is_same_v<T, GeluOptions>) {
          if (o.approximate) a.Add("approximate", "true");
        } else if constexpr (std::is_same_v<T, SplitOptions>) {
          a.Add("num_splits", o.num_splits);
        } else if constexpr (std::is_same_v<T, SqueezeOptions>) {
          if (!o.squeeze_dims.empty()) a.Add("dims", absl::StrCat("[", absl::StrJoin(o.squeeze_dims, ","), "]"));
        } else if constexpr (std::is_same_v<T, StridedSliceOptions>) {
          if (o.begin_mask) a.Add("begin_mask", o.begin_mask);
          if (o.end_mask) a.Add("end_mask", o.end_mask);
          if (o.ellipsis_mask) a.Add("ellipsis_mask", o.ellipsis_mask);
          if (o.new_axis_mask) a.Add("new_axis_mask", o.new_axis_mask);
          if (o.shrink_axis_mask) a.Add("shrink_axis_mask", o.shrink_axis_mask);
          if (o.offset) a.Add("offset", "true");
        } else if constexpr (std::is_same_v<T, GatherOptions>) {
          a.Add("axis", o.axis);
          if (o.batch_dims) a.Add("batch_dims", o.batch_dims);
        } else if constexpr (std::is_same_v<T, ResizeOptions>) {
          if (o.align_corners) a.Add("align_corners", "true");
          if (o.half_pixel_centers) a.Add("half_pixel_centers", "true");
        } else if constexpr (std::is_same_v<T, BlockSizeOptions>) {
          a.Add("block_size", o.block_size);
        } else if constexpr (std::is_same_v<T, PackOptions>) {
          a.Add("axis", o.axis);
          a.Add("count", o.values_count);
        } else if constexpr (std::is_same_v<T, MirrorPadOptions>) {
          a.Add("mode", o.symmetric ? "symmetric" : "reflect");
        } else if constexpr (std::is_same_v<T, CumsumOptions>) {
          if (o.exclusive) a.Add("exclusive", "true");
          if (o.reverse) a.Add("reverse", "true");
        } else if constexpr (std::is_same_v<T, SequenceLstmOptions>) {
          a.Add("act", Act(o.activation));
          if (o.cell_clip != 0) a.Add("cell_clip", FormatFloat(o.cell_clip));
          if (o.proj_clip != 0) a.Add("proj_clip", FormatFloat(o.proj_clip));
          a.Add("time_major", o.time_major ? "true" : "false");
          if (!o.merge_outputs) a.Add("merge_outputs", "false");
        }
        // NoOptions, CastOptions, ArgOptions carry nothing.
      },
      options);
  if (a.items.empty()) return "";
  return absl::StrCat(" {", absl::StrJoin(a.items, ", "), "}");
}

}  // namespace

std::string PrintGraph(const Graph& g) {
  std::string out = absl::StrCat("graph \"", absl::CEscape(g.source_path), "\" {\n");
  for (TensorId id : g.inputs()) absl::StrAppend(&out, "  input ", TypedRef(g, id), "\n");
  for (TensorId id = 0; id < g.num_tensors(); ++id) {
    const Tensor& t = g.tensor(id);
    if (!t.is_constant()) continue;
    absl::StrAppend(&out, "  const ", TypedRef(g, id), " = ", ConstantSummary(t), "\n");
  }
  for (const Op& op : g.ops()) {
    std::vector<std::string> outs, ins;
    for (TensorId id : op.outputs) outs.push_back(TypedRef(g, id));
    for (TensorId id : op.inputs) {
      bool is_const = id >= 0 && id < g.num_tensors() && g.tensor(id).is_constant();
      ins.push_back(is_const ? Ref(g, id) + ":const" : Ref(g, id));
    }
    absl::StrAppend(&out, "  ", absl::StrJoin(outs, ", "), " = ", Str(OpKindName(op.kind)), "(",
                    absl::StrJoin(ins, ", "), ")", Options(op.options));
    if (!op.origin.node_name.empty() || !op.origin.op_type.empty()) {
      absl::StrAppend(&out, "  # node '", op.origin.node_name, "' (", op.origin.op_type, ")");
    }
    absl::StrAppend(&out, "\n");
  }
  for (TensorId id : g.outputs()) absl::StrAppend(&out, "  output ", Ref(g, id), "\n");
  for (const Signature& sig : g.signatures()) {
    auto list = [&](const std::vector<SignatureTensor>& v) {
      return absl::StrJoin(v, ", ", [&](std::string* o, const SignatureTensor& st) {
        absl::StrAppend(o, st.name, ": ", Ref(g, st.tensor));
      });
    };
    absl::StrAppend(&out, "  signature \"", sig.key, "\" (", list(sig.inputs), ") -> (",
                    list(sig.outputs), ")\n");
  }
  absl::StrAppend(&out, "}\n");
  return out;
}

}  // namespace optconv
