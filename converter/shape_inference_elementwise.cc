// Shape inference of elementwise ops: unary ops keep the input shape, binary
// and ternary ops broadcast numpy-style (TFLite supports up to rank 6 but the
// IR does not limit rank).
#include "absl/strings/str_cat.h"
#include "converter/shape_inference_util.h"

namespace optconv::shape_inference_internal {
namespace {

absl::StatusOr<Shapes> Broadcast(const ShapeCtx& c, int n) {
  if (absl::Status s = c.RequireInputs(n, n); !s.ok()) return s;
  Shape out = c.shape(0);
  for (int i = 1; i < n; ++i) {
    std::optional<Shape> b = BroadcastShapes(out, c.shape(i));
    if (!b) {
      return c.Invalid(absl::StrCat("input shapes ", ShapeToString(c.shape(0)), " and ",
                                    ShapeToString(c.shape(i)), " do not broadcast"),
                       "numpy-broadcastable shapes");
    }
    out = *std::move(b);
  }
  return Shapes{out};
}

absl::StatusOr<Shapes> SameAsInput(const ShapeCtx& c, int min_inputs, int max_inputs) {
  if (absl::Status s = c.RequireInputs(min_inputs, max_inputs); !s.ok()) return s;
  return Shapes{c.shape(0)};
}

}  // namespace

absl::StatusOr<Shapes> InferElementwiseShapes(const ShapeCtx& c) {
  switch (c.op().kind) {
    case OpKind::kAdd: case OpKind::kSub: case OpKind::kMul: case OpKind::kDiv:
    case OpKind::kPow: case OpKind::kMaximum: case OpKind::kMinimum:
    case OpKind::kSquaredDifference: case OpKind::kLess: case OpKind::kLessEqual:
    case OpKind::kGreater: case OpKind::kGreaterEqual: case OpKind::kEqual:
    case OpKind::kNotEqual: case OpKind::kLogicalOr: case OpKind::kLogicalAnd:
    case OpKind::kPrelu:
      return Broadcast(c, 2);
    case OpKind::kSelectV2:
      return Broadcast(c, 3);
    case OpKind::kSoftmax: case OpKind::kLogSoftmax: case OpKind::kL2Normalization: {
      if (absl::Status s = c.RequireInputs(1, 1); !s.ok()) return s;
      if (c.rank(0) < 1) return c.Invalid("input is a scalar", "rank >= 1");
      return Shapes{c.shape(0)};
    }
    case OpKind::kCumsum: {
      if (absl::Status s = c.RequireInputs(2, 2); !s.ok()) return s;
      if (auto axis = c.ints(1)) {
        if (axis->size() != 1 || !NormalizeAxis((*axis)[0], c.rank(0))) {
          return c.Invalid("axis is out of range", absl::StrCat("one axis within rank ", c.rank(0)));
        }
      }
      return Shapes{c.shape(0)};
    }
    default:
      return SameAsInput(c, 1, 1);
  }
}

}  // namespace optconv::shape_inference_internal
