#pragma once
// An op of the IR: a canonical kind with typed options, inputs, outputs and
// the source node it came from (for error messages and reports).
#include <string>
#include <vector>

#include "converter/op_kind.h"
#include "converter/op_options.h"
#include "converter/tensor.h"

namespace optconv {

/// Where an op came from in the source model.
struct SourceLoc {
  std::string node_name;  // e.g. ONNX node name or TF node name
  std::string op_type;    // e.g. "Conv" (ONNX) or "Conv2D" (TF)
};

struct Op {
  OpKind kind;
  std::vector<TensorId> inputs;  // kNoTensor marks an omitted optional input
  std::vector<TensorId> outputs;
  OpOptions options;
  SourceLoc origin;

  template <typename T>
  T& opts() { return std::get<T>(options); }
  template <typename T>
  const T& opts() const { return std::get<T>(options); }
};

}  // namespace optconv
