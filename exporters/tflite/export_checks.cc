#include "exporters/tflite/export_checks.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "absl/strings/str_cat.h"
#include "converter/status_util.h"

namespace optconv {
namespace {

/// Where an error about tensor `id` points: the first op reading it (or
/// writing it), else the tensor itself.
SourceLoc LocForTensor(const Graph& graph, TensorId id) {
  for (const Op& op : graph.ops()) {
    if (std::find(op.inputs.begin(), op.inputs.end(), id) != op.inputs.end() ||
        std::find(op.outputs.begin(), op.outputs.end(), id) != op.outputs.end()) {
      return op.origin;
    }
  }
  return SourceLoc{graph.tensor(id).name, "tensor"};
}

bool AllZero(const Buffer& data) {
  return std::all_of(data.bytes().begin(), data.bytes().end(), [](uint8_t b) { return b == 0; });
}

/// The fused activation of `op`, when its options have one that the runtime
/// applies as a clamp.
std::optional<Activation> ClampActivation(const Op& op) {
  if (const auto* o = std::get_if<BinaryOptions>(&op.options)) return o->activation;
  if (const auto* o = std::get_if<Conv2DOptions>(&op.options)) return o->activation;
  if (const auto* o = std::get_if<DepthwiseConv2DOptions>(&op.options)) return o->activation;
  if (const auto* o = std::get_if<TransposeConvOptions>(&op.options)) return o->activation;
  if (const auto* o = std::get_if<Pool2DOptions>(&op.options)) return o->activation;
  if (const auto* o = std::get_if<FullyConnectedOptions>(&op.options)) return o->activation;
  return std::nullopt;
}

}  // namespace

absl::Status CheckRuntimeSupport(const Graph& graph, const Op& op) {
  auto unsupported = [&](const std::string& what) {
    return NodeError(absl::StatusCode::kUnimplemented, graph.source_path, op.origin,
                     absl::StrCat(what, " is not executed by the TFLite runtime"),
                     "an unfused activation op");
  };
  if (const auto* o = std::get_if<ConcatenationOptions>(&op.options)) {
    if (o->activation != Activation::kNone) {
      return unsupported("a fused activation on CONCATENATION");
    }
  }
  if (const auto* o = std::get_if<L2NormOptions>(&op.options)) {
    if (o->activation != Activation::kNone) {
      return unsupported("a fused activation on L2_NORMALIZATION");
    }
  }
  if (op.kind == OpKind::kReshape && op.inputs.size() >= 2 && op.inputs[1] >= 0 &&
      op.inputs[1] < graph.num_tensors()) {
    const Tensor& shape = graph.tensor(op.inputs[1]);
    if (shape.type != DataType::kInt32 && !shape.is_constant()) {
      return NodeError(absl::StatusCode::kUnimplemented, graph.source_path, op.origin,
                       absl::StrCat("RESHAPE takes a computed shape of type ",
                                    std::string(DataTypeName(shape.type)),
                                    ", which the TFLite kernel ignores"),
                       "an i32 shape");
    }
  }
  if (ClampActivation(op) == Activation::kTanh) {
    return unsupported(absl::StrCat("a fused TANH activation on ", std::string(OpKindName(op.kind))));
  }
  return absl::OkStatus();
}

absl::Status CheckExportable(const Graph& graph) {
  const int n = graph.num_tensors();
  for (TensorId id = 0; id < n; ++id) {
    const Tensor& t = graph.tensor(id);
    if (t.is_constant() && t.type == DataType::kString) {
      return NodeError(absl::StatusCode::kUnimplemented, graph.source_path,
                       LocForTensor(graph, id),
                       absl::StrCat("constant tensor '", t.name,
                                    "' has type string, which the TFLite exporter cannot write"),
                       "numeric or bool constants");
    }
    if (t.is_variable && t.is_constant() && !AllZero(*t.data)) {
      // TFLite zero-initialises variable tensors and rejects variables that
      // carry a buffer, so a non-zero initial value cannot be represented.
      return NodeError(absl::StatusCode::kUnimplemented, graph.source_path,
                       LocForTensor(graph, id),
                       absl::StrCat("variable tensor '", t.name, "' has a non-zero initial value"),
                       "zero-initialised variables");
    }
    if (t.is_constant() && t.type != DataType::kString) {
      const std::optional<int64_t> count = NumElements(t.shape);
      const int64_t want = count ? *count * static_cast<int64_t>(ElementSize(t.type)) : -1;
      if (want != static_cast<int64_t>(t.data->size())) {
        return NodeError(absl::StatusCode::kInternal, graph.source_path, LocForTensor(graph, id),
                         absl::StrCat("constant tensor '", t.name, "' holds ", t.data->size(),
                                      " bytes for shape ", ShapeToString(t.shape)));
      }
    }
    for (int64_t d : t.shape) {
      if (d > INT32_MAX) {
        return NodeError(absl::StatusCode::kUnimplemented, graph.source_path,
                         LocForTensor(graph, id),
                         absl::StrCat("tensor '", t.name, "' has a dimension above 2^31-1"));
      }
    }
  }
  auto check_ids = [&](const std::vector<TensorId>& ids, const SourceLoc& where,
                       bool allow_omitted) -> absl::Status {
    for (TensorId id : ids) {
      if ((id == kNoTensor && allow_omitted) || (id >= 0 && id < n)) continue;
      return NodeError(absl::StatusCode::kInternal, graph.source_path, where,
                       absl::StrCat("refers to tensor id ", id, " outside [0, ", n, ")"));
    }
    return absl::OkStatus();
  };
  for (const Op& op : graph.ops()) {
    if (IsInternalOp(op.kind)) {
      return NodeError(absl::StatusCode::kInternal, graph.source_path, op.origin,
                       absl::StrCat("internal op ", std::string(OpKindName(op.kind)),
                                    " reached the exporter (a pass must lower it first)"));
    }
    if (absl::Status s = check_ids(op.inputs, op.origin, true); !s.ok()) return s;
    if (absl::Status s = check_ids(op.outputs, op.origin, false); !s.ok()) return s;
    if (!OptionsMatchKind(op.kind, op.options)) {
      return NodeError(absl::StatusCode::kInternal, graph.source_path, op.origin,
                       absl::StrCat("options of op ", std::string(OpKindName(op.kind)),
                                    " hold the wrong alternative"));
    }
    if (absl::Status s = CheckRuntimeSupport(graph, op); !s.ok()) return s;
  }
  const SourceLoc graph_loc{"<graph>", "interface"};
  if (absl::Status s = check_ids(graph.inputs(), graph_loc, false); !s.ok()) return s;
  if (absl::Status s = check_ids(graph.outputs(), graph_loc, false); !s.ok()) return s;
  for (const Signature& sig : graph.signatures()) {
    for (const auto* list : {&sig.inputs, &sig.outputs}) {
      for (const SignatureTensor& st : *list) {
        if (st.tensor < 0 || st.tensor >= n) {
          return NodeError(absl::StatusCode::kInternal, graph.source_path,
                           SourceLoc{sig.key, "signature"},
                           absl::StrCat("signature entry '", st.name, "' refers to tensor id ",
                                        st.tensor));
        }
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace optconv
