// SLICE and STRIDED_SLICE. The strided-slice plan (mask expansion, clamping)
// is shared with the runtime kernel so folding and inference agree.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "converter/shape_inference_util.h"
#include "converter/status_util.h"

namespace optconv {
namespace {

constexpr int kNewAxis = -1;
constexpr int kShrinkAxis = -2;

int64_t CeilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

}  // namespace

absl::StatusOr<StridedSlicePlan> PlanStridedSlice(const Shape& input,
                                                  const std::vector<int64_t>& begin_in,
                                                  const std::vector<int64_t>& end_in,
                                                  const std::vector<int64_t>& strides_in,
                                                  const StridedSliceOptions& o) {
  size_t n = begin_in.size();
  if (end_in.size() != n || strides_in.size() != n) {
    return absl::InvalidArgumentError(absl::StrCat("begin/end/strides lengths ", n, "/",
                                                   end_in.size(), "/", strides_in.size(),
                                                   " differ"));
  }
  if (n > 31) return absl::InvalidArgumentError("more than 31 slice indices");
  const int dense_dims = static_cast<int>(input.size());
  int64_t ellipsis_mask = o.ellipsis_mask;
  if ((ellipsis_mask & (ellipsis_mask - 1)) != 0) {
    return absl::InvalidArgumentError("more than one ellipsis");
  }
  // Sparse spec, with an implicit trailing ellipsis when none is given.
  std::vector<int64_t> begin = begin_in, end = end_in, strides = strides_in;
  if (o.offset) {
    for (size_t i = 0; i < n; ++i) end[i] += begin[i];
  }
  size_t sparse_dims = n;
  if (ellipsis_mask == 0) {
    ellipsis_mask = int64_t{1} << n;
    begin.push_back(0);
    end.push_back(0);
    strides.push_back(1);
    ++sparse_dims;
  }
  auto bit = [](int64_t mask, size_t i) { return ((mask >> i) & 1) != 0; };
  int num_add_axis_after_ellipsis = 0;
  bool after = false;
  for (size_t i = 0; i < sparse_dims; ++i) {
    if (after && bit(o.new_axis_mask, i) && !bit(ellipsis_mask, i)) ++num_add_axis_after_ellipsis;
    if (bit(ellipsis_mask, i)) after = true;
  }

  struct Dense {
    int64_t begin = 0, end = 0, stride = 1;
    bool begin_masked = true, end_masked = true, shrink = false;
  };
  std::vector<Dense> dense(dense_dims);
  std::vector<int> gather;  // dense index, kNewAxis or kShrinkAxis per output dim
  int full_index = 0;
  for (size_t i = 0; i < sparse_dims; ++i) {
    if (bit(ellipsis_mask, i)) {
      int next = std::min(dense_dims - static_cast<int>(sparse_dims - i) + 1 +
                              num_add_axis_after_ellipsis, dense_dims);
      for (; full_index < next; ++full_index) gather.push_back(full_index);
    } else if (bit(o.new_axis_mask, i)) {
      gather.push_back(kNewAxis);
    } else {
      if (full_index >= dense_dims) {
        return absl::InvalidArgumentError(
            absl::StrCat("slice index ", i, " is out of bounds for rank ", dense_dims));
      }
      Dense& d = dense[full_index];
      d.begin = begin[i];
      d.end = end[i];
      d.stride = strides[i];
      d.begin_masked = bit(o.begin_mask, i);
      d.end_masked = bit(o.end_mask, i);
      d.shrink = bit(o.shrink_axis_mask, i);
      gather.push_back(d.shrink ? kShrinkAxis : full_index);
      ++full_index;
    }
  }

  StridedSlicePlan plan;
  plan.dims.resize(dense_dims);
  for (int k = 0; k < dense_dims; ++k) {
    const Dense& d = dense[k];
    StridedSliceDim& out = plan.dims[k];
    int64_t dim = input[k];
    if (d.stride == 0) return absl::InvalidArgumentError(absl::StrCat("stride 0 on dim ", k));
    out.stride = d.stride;
    out.shrink = d.shrink;
    if (d.shrink) {
      int64_t x = d.begin;
      if (dim >= 0) {
        if (x < 0) x += dim;
        if (x < 0 || x >= dim) {
          return absl::InvalidArgumentError(
              absl::StrCat("shrink index ", d.begin, " out of range for dim ", k, " of size ", dim));
        }
      }
      out.begin = x;
      out.stride = 1;
      out.size = 1;
      continue;
    }
    if (dim < 0) {
      out.size = kUnknownDim;
      continue;
    }
    int64_t lower = d.stride > 0 ? 0 : -1;
    int64_t upper = d.stride > 0 ? dim : dim - 1;
    auto canonical = [&](int64_t x, bool masked, bool is_begin) {
      if (masked) return (d.stride > 0) == is_begin ? lower : upper;
      if (x < 0) x += dim;
      return std::clamp(x, lower, upper);
    };
    int64_t b = canonical(d.begin, d.begin_masked, true);
    int64_t e = canonical(d.end, d.end_masked, false);
    int64_t size = d.stride > 0 ? CeilDiv(e - b, d.stride) : CeilDiv(b - e, -d.stride);
    out.begin = b;
    out.size = std::max<int64_t>(size, 0);
  }
  for (int g : gather) {
    if (g == kNewAxis) {
      plan.output_shape.push_back(1);
    } else if (g != kShrinkAxis) {
      plan.output_shape.push_back(plan.dims[g].size);
    }
  }
  return plan;
}

namespace shape_inference_internal {
namespace {

absl::StatusOr<Shapes> Slice(const ShapeCtx& c) {
  if (absl::Status s = c.RequireInputs(3, 3); !s.ok()) return s;
  const Shape& in = c.shape(0);
  int r = static_cast<int>(in.size());
  auto begin = c.ints(1), size = c.ints(2);
  if (!begin || !size) return Shapes{UnknownShape(r)};
  if (static_cast<int>(begin->size()) != r || static_cast<int>(size->size()) != r) {
    return c.Invalid(absl::StrCat("begin/size of length ", begin->size(), "/", size->size(),
                                  " for rank ", r), "one entry per dim");
  }
  Shape out(r);
  for (int i = 0; i < r; ++i) {
    int64_t b = (*begin)[i], s = (*size)[i];
    if (b < 0 || s < -1 || (in[i] >= 0 && (b > in[i] || (s >= 0 && b + s > in[i])))) {
      return c.Invalid(absl::StrCat("slice begin ", b, " size ", s, " on dim ", i, " of size ",
                                    in[i]), "a slice inside the input");
    }
    out[i] = s >= 0 ? s : (in[i] >= 0 ? in[i] - b : kUnknownDim);
  }
  return Shapes{out};
}

absl::StatusOr<Shapes> StridedSlice(const ShapeCtx& c) {
  if (absl::Status s = c.RequireInputs(3, 4); !s.ok()) return s;
  const auto& o = c.op().opts<StridedSliceOptions>();
  auto begin = c.ints(1), end = c.ints(2);
  std::optional<std::vector<int64_t>> strides;
  if (c.has(3)) {
    strides = c.ints(3);
  } else if (begin) {
    strides = std::vector<int64_t>(begin->size(), 1);
  }
  if (!begin || !end || !strides) {
    // Output rank is still known when masks say which axes go or come.
    if (o.ellipsis_mask == 0 && c.shape(1).size() == 1 && c.shape(1)[0] >= 0) {
      int n = static_cast<int>(c.shape(1)[0]);
      int r = c.rank(0);
      int shrink = 0, added = 0;
      for (int i = 0; i < n; ++i) {
        if ((o.new_axis_mask >> i) & 1) ++added;
        else if ((o.shrink_axis_mask >> i) & 1) ++shrink;
      }
      return Shapes{UnknownShape(r + added - shrink)};
    }
    return NodeError(absl::StatusCode::kUnimplemented, c.graph().source_path, c.op().origin,
                     "StridedSlice: non-constant begin/end/strides with an ellipsis",
                     "constant slice parameters");
  }
  absl::StatusOr<StridedSlicePlan> plan = PlanStridedSlice(c.shape(0), *begin, *end, *strides, o);
  if (!plan.ok()) {
    return c.Invalid(std::string(plan.status().message()),
                     absl::StrCat("a valid slice of ", ShapeToString(c.shape(0))));
  }
  return Shapes{plan->output_shape};
}

}  // namespace

absl::StatusOr<Shapes> InferSliceShapes(const ShapeCtx& c) {
  if (c.op().kind == OpKind::kSlice) return Slice(c);
  return StridedSlice(c);
}

}  // namespace shape_inference_internal
}  // namespace optconv
