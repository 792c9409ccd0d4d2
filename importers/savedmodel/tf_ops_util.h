#pragma once
// Helpers shared by the TF op converters: status macros, axis and padding
// attributes, reshapes to partially known shapes, typed scalars, and the
// import-time known integer values that let shape subgraphs fold.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "importers/savedmodel/tf_context.h"

#define TF_CONCAT_INNER_(a, b) a##b
#define TF_CONCAT_(a, b) TF_CONCAT_INNER_(a, b)
#define TF_ASSIGN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                    \
  if (!tmp.ok()) return tmp.status();   \
  lhs = *std::move(tmp)
/// `lhs = value of expr`, or returns its error status.
#define TF_ASSIGN_OR_RETURN(lhs, expr) TF_ASSIGN_IMPL_(TF_CONCAT_(tf_status_or_, __LINE__), lhs, expr)
/// Returns the status of `expr` when it is an error.
#define TF_RETURN_IF_ERROR(expr)             \
  do {                                       \
    absl::Status tf_status_ = (expr);        \
    if (!tf_status_.ok()) return tf_status_; \
  } while (0)

namespace optconv::tf_import {

using PartialInts = importer::GraphBuilder::PartialInts;

inline bool IsIntType(DataType t) {
  return t == DataType::kInt32 || t == DataType::kInt64 || t == DataType::kInt16 ||
         t == DataType::kInt8 || t == DataType::kUInt8;
}

/// Narrows to i32, clamping.
std::vector<int32_t> ToInt32(const std::vector<int64_t>& values);

/// `axis` in [-rank, rank) made non-negative; InvalidArgument otherwise.
absl::StatusOr<int> AxisOf(const TfContext& ctx, const tensorflow::NodeDef& node, int64_t axis,
                           int rank);

/// Unimplemented unless data_format is absent or channels-last ("NHWC"/"NDHWC"/"NWC").
absl::Status RequireChannelsLast(const TfContext& ctx, const tensorflow::NodeDef& node);

/// SAME/VALID from the "padding" attr; EXPLICIT is handled by the conv converter.
absl::StatusOr<Padding> PaddingOf(const TfContext& ctx, const tensorflow::NodeDef& node);

/// [1, h, w, 1]-style attr (strides, ksize, dilations) -> {h, w}; defaults to 1s.
absl::StatusOr<std::pair<int32_t, int32_t>> SpatialPair(const TfContext& ctx,
                                                        const tensorflow::NodeDef& node,
                                                        const std::string& attr);

/// RESHAPE of `x` to `target` (kUnknownDim allowed once, emitted as -1).
absl::StatusOr<TensorId> EmitReshape(TfContext& ctx, const tensorflow::NodeDef& node, TensorId x,
                                     const Shape& target);


/// A name prefix for helper tensors of `node`.
inline std::string HelperName(const tensorflow::NodeDef& node, const std::string& what) {
  return WithoutCallScopes(node.name()) + "/" + what;
}

// ---- import-time known integers (Shape of [?,7,7,64] is [?,7,7,64])
/// Element-preserving ops: `out` knows what `in` knows.
void PropagateKnown(TfContext& ctx, TensorId in, TensorId out);
/// An i32 operand equal to `id`: a constant when every element is known, else
/// `id` itself (cast to i32).
absl::StatusOr<TensorId> Int32Operand(TfContext& ctx, const tensorflow::NodeDef& node,
                                      TensorId id);

}  // namespace optconv::tf_import
