#pragma once
// Internal helpers shared by the shape inference families
// (shape_inference_{elementwise,conv,tensor}.cc). Not part of the IR contract.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "converter/graph.h"

namespace optconv {

/// Values of a constant integer (or bool) tensor widened to int64; nullopt
/// when `tensor` is not a constant of an integer type or its data is short.
std::optional<std::vector<int64_t>> ConstantIntValues(const Tensor& tensor);
/// Values of a constant numeric tensor as double (f32, f16, integers, bool).
std::optional<std::vector<double>> ConstantDoubleValues(const Tensor& tensor);

/// One element of an integer vector computed at run time (typically a shape
/// built from Shape/Gather/Concat): its value when statically known, and for
/// an unknown dim of some tensor x read through Shape(x), that origin, so
/// RESHAPE can still resolve -1 (x.view(x.size(0), -1)).
struct PartialInt {
  int64_t value = kUnknownDim;  // kUnknownDim when not known (values here are >= -1
                                // except for -1 itself, which RESHAPE reads as "infer")
  bool known = false;
  TensorId source = kNoTensor;  // tensor whose dim this is, when known == false
  int source_dim = -1;
};

/// Elements of the rank-0/1 integer tensor `id`, followed through Shape,
/// Cast, Concatenation, Gather, Slice/StridedSlice, Pack, Reshape/Squeeze/
/// ExpandDims and integer Add/Sub/Mul/Div with a bounded search. nullopt when
/// the element count itself is unknown.
std::optional<std::vector<PartialInt>> PartialIntValues(const Graph& graph, TensorId id,
                                                        int depth = 8);

namespace shape_inference_internal {

using Shapes = std::vector<Shape>;

/// Read-only view of one op being inferred, with error helpers in the node
/// error format.
class ShapeCtx {
 public:
  ShapeCtx(const Graph& graph, const Op& op) : graph_(graph), op_(op) {}

  const Graph& graph() const { return graph_; }
  const Op& op() const { return op_; }
  int num_inputs() const { return static_cast<int>(op_.inputs.size()); }
  int num_outputs() const { return static_cast<int>(op_.outputs.size()); }
  /// True when input `i` exists and is not an omitted optional input.
  bool has(int i) const { return i >= 0 && i < num_inputs() && op_.inputs[i] != kNoTensor; }
  const Tensor& in(int i) const { return graph_.tensor(op_.inputs[i]); }
  const Shape& shape(int i) const { return in(i).shape; }
  int rank(int i) const { return static_cast<int>(in(i).shape.size()); }
  /// Constant integer values of input `i`, nullopt when absent or not constant.
  std::optional<std::vector<int64_t>> ints(int i) const;
  std::optional<std::vector<double>> doubles(int i) const;
  /// Partially known integer values of input `i` (see PartialIntValues).
  std::optional<std::vector<PartialInt>> partial(int i) const;

  /// InvalidArgument in the node error format.
  absl::Status Invalid(const std::string& problem, const std::string& expected = "") const;
  /// Checks that inputs [0, min) are present and at most `max` inputs exist.
  absl::Status RequireInputs(int min, int max) const;
  /// Checks that input `i` has rank `rank`.
  absl::Status RequireRank(int i, int rank) const;

 private:
  const Graph& graph_;
  const Op& op_;
};

/// OpKindName as a std::string (absl::StrCat does not take std::string_view here).
inline std::string OpName(OpKind kind) { return std::string(OpKindName(kind)); }
/// Rank-`rank` shape with every dim unknown.
inline Shape UnknownShape(int rank) { return Shape(static_cast<size_t>(rank), kUnknownDim); }
/// Product of dims or kUnknownDim.
int64_t ProductOrUnknown(const Shape& shape);
/// Merges two dims that must be equal: unknown yields the other; nullopt on conflict.
std::optional<int64_t> MergeDim(int64_t a, int64_t b);

// Family entry points; each handles the kinds the dispatcher routes to it.
absl::StatusOr<Shapes> InferElementwiseShapes(const ShapeCtx& c);
absl::StatusOr<Shapes> InferConvShapes(const ShapeCtx& c);
absl::StatusOr<Shapes> InferTensorShapes(const ShapeCtx& c);
absl::StatusOr<Shapes> InferSliceShapes(const ShapeCtx& c);
absl::StatusOr<Shapes> InferReduceShapes(const ShapeCtx& c);

}  // namespace shape_inference_internal
}  // namespace optconv

namespace optconv {

/// How STRIDED_SLICE reads one input dim, after masks and clamping (TF/TFLite
/// semantics). `size` is kUnknownDim when the input dim is unknown.
struct StridedSliceDim {
  int64_t begin = 0;
  int64_t stride = 1;
  int64_t size = 0;
  bool shrink = false;
};

/// The dense per-input-dim plan of a STRIDED_SLICE and its output shape
/// (new axes inserted, shrunk axes removed).
struct StridedSlicePlan {
  std::vector<StridedSliceDim> dims;  // one per input dim
  Shape output_shape;
};

/// Expands ellipsis/new-axis masks against `input` and resolves begin/end/
/// strides. Errors are plain InvalidArgument messages (callers add context).
absl::StatusOr<StridedSlicePlan> PlanStridedSlice(const Shape& input,
                                                  const std::vector<int64_t>& begin,
                                                  const std::vector<int64_t>& end,
                                                  const std::vector<int64_t>& strides,
                                                  const StridedSliceOptions& options);

}  // namespace optconv
