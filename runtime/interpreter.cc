// RunGraph: binds the inputs as constants in a copy of the graph, then for
// each op re-infers output shapes (now static) and evaluates it, binding the
// results as constants for the ops downstream.
#include "runtime/interpreter.h"

#include "absl/strings/str_cat.h"
#include "converter/shape_inference.h"
#include "runtime/evaluate.h"

namespace optconv {
namespace {

absl::Status CheckInput(const Graph& g, TensorId id, const HostTensor& value) {
  const Tensor& t = g.tensor(id);
  auto fail = [&](const std::string& problem) {
    return absl::InvalidArgumentError(
        absl::StrCat(g.source_path, ": graph input '", t.name, "': ", problem));
  };
  if (value.type != t.type) {
    return fail(absl::StrCat("given ", std::string(DataTypeName(value.type)), ", expected ",
                             std::string(DataTypeName(t.type))));
  }
  bool shape_ok = value.shape.size() == t.shape.size();
  for (size_t i = 0; shape_ok && i < t.shape.size(); ++i) {
    shape_ok = t.shape[i] < 0 || t.shape[i] == value.shape[i];
  }
  if (!shape_ok || !IsStatic(value.shape)) {
    return fail(absl::StrCat("given shape ", ShapeToString(value.shape), ", expected ",
                             ShapeToString(t.shape)));
  }
  if (value.bytes.size() != static_cast<size_t>(value.num_elements()) * ElementSize(value.type)) {
    return fail(absl::StrCat("given ", value.bytes.size(), " bytes for shape ",
                             ShapeToString(value.shape)));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::vector<HostTensor>> RunGraph(const Graph& graph,
                                                 const std::vector<HostTensor>& inputs,
                                                 const TensorObserver& observer) {
  if (inputs.size() != graph.inputs().size()) {
    return absl::InvalidArgumentError(absl::StrCat(graph.source_path, ": ", inputs.size(),
                                                   " inputs given, the graph has ",
                                                   graph.inputs().size()));
  }
  Graph g = graph;  // tensors share constant buffers; only metadata is copied
  for (size_t i = 0; i < inputs.size(); ++i) {
    TensorId id = graph.inputs()[i];
    if (absl::Status s = CheckInput(graph, id, inputs[i]); !s.ok()) return s;
    Tensor& t = g.tensor(id);
    t.shape = inputs[i].shape;
    t.data = Buffer::Copy(inputs[i].bytes);
  }
  for (const Op& op : g.ops()) {
    if (absl::Status s = InferAndSetOutputShapes(g, op); !s.ok()) return s;
    absl::StatusOr<std::vector<BufferPtr>> results = EvaluateOp(g, op);
    if (!results.ok()) return results.status();
    for (size_t k = 0; k < op.outputs.size(); ++k) {
      Tensor& t = g.tensor(op.outputs[k]);
      t.data = std::move((*results)[k]);
      if (observer) observer(op.outputs[k], HostTensor::FromTensor(t));
    }
  }
  std::vector<HostTensor> outputs;
  outputs.reserve(g.outputs().size());
  for (TensorId id : g.outputs()) {
    const Tensor& t = g.tensor(id);
    if (!t.is_constant()) {
      return absl::InternalError(absl::StrCat(graph.source_path, ": graph output '", t.name,
                                              "' was not computed"));
    }
    outputs.push_back(HostTensor::FromTensor(t));
  }
  return outputs;
}

}  // namespace optconv
