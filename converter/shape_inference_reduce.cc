// Reductions (MEAN, SUM, REDUCE_*) over constant axes, and ARG_MAX/ARG_MIN.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "converter/shape_inference_util.h"
#include "converter/status_util.h"

namespace optconv::shape_inference_internal {
namespace {

absl::StatusOr<Shapes> Reduce(const ShapeCtx& c) {
  if (absl::Status s = c.RequireInputs(2, 2); !s.ok()) return s;
  bool keep_dims = c.op().opts<ReducerOptions>().keep_dims;
  const Shape& in = c.shape(0);
  int r = static_cast<int>(in.size());
  auto axes = c.ints(1);
  if (!axes) {
    if (keep_dims) return Shapes{UnknownShape(r)};
    std::optional<int64_t> n = NumElements(c.shape(1));
    if (!n || *n > r) {
      return NodeError(absl::StatusCode::kUnimplemented, c.graph().source_path, c.op().origin,
                       absl::StrCat(OpName(c.op().kind),
                                    ": non-constant axes make the output rank unknown"),
                       "constant axes or keep_dims");
    }
    // Assumes distinct axes, as every producer of reductions does.
    return Shapes{UnknownShape(r - static_cast<int>(*n))};
  }
  std::vector<bool> reduced(r, false);
  for (int64_t a : *axes) {
    auto axis = NormalizeAxis(a, r);
    if (!axis) {
      return c.Invalid(absl::StrCat("axis ", a, " out of range"), absl::StrCat("axes within rank ", r));
    }
    reduced[*axis] = true;
  }
  Shape out;
  for (int i = 0; i < r; ++i) {
    if (!reduced[i]) out.push_back(in[i]);
    else if (keep_dims) out.push_back(1);
  }
  return Shapes{out};
}

absl::StatusOr<Shapes> Arg(const ShapeCtx& c) {
  if (absl::Status s = c.RequireInputs(2, 2); !s.ok()) return s;
  Shape out = c.shape(0);
  int r = static_cast<int>(out.size());
  if (r == 0) return c.Invalid("input is a scalar", "rank >= 1");
  auto axis_values = c.ints(1);
  if (!axis_values) return Shapes{UnknownShape(r - 1)};
  if (axis_values->size() != 1) return c.Invalid("axis has several values", "a single axis");
  auto axis = NormalizeAxis((*axis_values)[0], r);
  if (!axis) return c.Invalid("axis out of range", absl::StrCat("axis within rank ", r));
  out.erase(out.begin() + *axis);
  return Shapes{out};
}

}  // namespace

absl::StatusOr<Shapes> InferReduceShapes(const ShapeCtx& c) {
  if (c.op().kind == OpKind::kArgMax || c.op().kind == OpKind::kArgMin) return Arg(c);
  return Reduce(c);
}

}  // namespace optconv::shape_inference_internal
