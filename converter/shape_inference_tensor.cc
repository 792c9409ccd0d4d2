// Shape inference of data-movement ops. Several depend on constant input
// values (new shape, perm, paddings, multiples...); when such an input is not
// constant the output keeps its rank with unknown dims.
#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "converter/shape_inference_util.h"
#include "converter/status_util.h"

namespace optconv::shape_inference_internal {
namespace {

// Length of a rank-1 value input (e.g. a shape vector), or an error when the
// resulting output rank cannot be known.
absl::StatusOr<int> VectorLength(const ShapeCtx& c, int i) {
  const Shape& s = c.shape(i);
  if (s.empty()) return 1;
  if (s.size() == 1 && s[0] >= 0) return static_cast<int>(s[0]);
  return NodeError(absl::StatusCode::kUnimplemented, c.graph().source_path, c.op().origin,
                   absl::StrCat(OpName(c.op().kind), ": input ", i, " has shape ",
                                ShapeToString(s), " so the output rank is unknown"),
                   "a rank-1 input of static length");
}

// Single integer from a scalar or one-element constant.
std::optional<int64_t> ScalarInt(const ShapeCtx& c, int i) {
  auto v = c.ints(i);
  if (!v || v->size() != 1) return std::nullopt;
  return (*v)[0];
}

absl::StatusOr<Shapes> Reshape(const ShapeCtx& c) {
  if (absl::Status s = c.RequireInputs(2, 2); !s.ok()) return s;
  auto values = c.partial(1);
  if (!values) {
    absl::StatusOr<int> n = VectorLength(c, 1);
    if (!n.ok()) return n.status();
    return Shapes{UnknownShape(*n)};
  }
  const Shape& in = c.shape(0);
  Shape out;
  int infer = -1;
  int64_t known = 1;
  bool all_known = true;
  for (size_t i = 0; i < values->size(); ++i) {
    const PartialInt& e = (*values)[i];
    if (!e.known) {
      all_known = false;
      out.push_back(kUnknownDim);
    } else if (e.value == -1) {
      if (infer >= 0) return c.Invalid("new shape has more than one -1", "at most one -1");
      infer = static_cast<int>(i);
      out.push_back(kUnknownDim);
    } else if (e.value < 0) {
      return c.Invalid(absl::StrCat("new shape has a negative dim ", e.value),
                       "non-negative dims or a single -1");
    } else {
      known *= e.value;
      out.push_back(e.value);
    }
  }
  int64_t total = ProductOrUnknown(in);
  if (infer >= 0) {
    // Unknown output entries that are the input's own unknown dims (read via
    // Shape(input)) cancel out, so -1 still resolves.
    std::vector<bool> matched(in.size(), false);
    bool resolvable = known > 0;
    for (const PartialInt& e : *values) {
      if (e.known) continue;
      if (e.source == c.op().inputs[0] && e.source_dim >= 0 &&
          e.source_dim < static_cast<int>(in.size()) && !matched[e.source_dim]) {
        matched[e.source_dim] = true;
      } else {
        resolvable = false;
      }
    }
    int64_t in_known = 1;
    for (size_t j = 0; j < in.size(); ++j) {
      if (in[j] >= 0) in_known *= in[j];
      else if (!matched[j]) resolvable = false;
    }
    if (resolvable) {
      if (in_known % known != 0) {
        return c.Invalid(absl::StrCat("cannot reshape ", ShapeToString(in), " to ",
                                      ShapeToString(out), " with -1 at ", infer),
                         "element counts that divide");
      }
      out[infer] = in_known / known;
    }
  } else if (all_known && total >= 0 && total != known) {
    return c.Invalid(absl::StrCat("cannot reshape ", ShapeToString(in), " (", total,
                                  " elements) to ", ShapeToString(out), " (", known, ")"),
                     "equal element counts");
  }
  return Shapes{out};
}

absl::StatusOr<Shapes> Transpose(const ShapeCtx& c) {
  if (absl::Status s = c.RequireInputs(2, 2); !s.ok()) return s;
  int r = c.rank(0);
  auto perm = c.ints(1);
  if (!perm) return Shapes{UnknownShape(r)};
  std::vector<bool> seen(r, false);
  Shape out(r);
  if (static_cast<int>(perm->size()) != r) {
    return c.Invalid(absl::StrCat("perm has ", perm->size(), " entries for rank ", r),
                     "a permutation of the input axes");
  }
  for (int i = 0; i < r; ++i) {
    int64_t p = (*perm)[i];
    if (p < 0) p += r;  // TFLite accepts negative axes here
    if (p < 0 || p >= r || seen[p]) {
      return c.Invalid(absl::StrCat("perm [", absl::StrJoin(*perm, ","), "] is not a permutation"),
                       absl::StrCat("a permutation of 0..", r - 1));
    }
    seen[p] = true;
    out[i] = c.shape(0)[p];
  }
  return Shapes{out};
}

absl::StatusOr<Shapes> Concatenation(const ShapeCtx& c) {
  if (absl::Status s = c.RequireInputs(1, c.num_inputs()); !s.ok()) return s;
  int r = c.rank(0);
  auto axis = NormalizeAxis(c.op().opts<ConcatenationOptions>().axis, r);
  if (!axis) return c.Invalid("axis out of range", absl::StrCat("axis within rank ", r));
  Shape out = c.shape(0);
  for (int i = 1; i < c.num_inputs(); ++i) {
    if (!c.has(i)) return c.Invalid(absl::StrCat("input ", i, " is missing"));
    const Shape& s = c.shape(i);
    bool ok = static_cast<int>(s.size()) == r;
    for (int d = 0; ok && d < r; ++d) {
      if (d == *axis) {
        out[d] = (out[d] < 0 || s[d] < 0) ? kUnknownDim : out[d] + s[d];
      } else if (auto m = MergeDim(out[d], s[d])) {
        out[d] = *m;
      } else {
        ok = false;
      }
    }
    if (!ok) {
      return c.Invalid(absl::StrCat("input ", i, " shape ", ShapeToString(s),
                                    " does not match input 0 shape ", ShapeToString(c.shape(0))),
                       absl::StrCat("equal shapes except along axis ", *axis));
    }
  }
  return Shapes{out};
}

// All inputs of `c` merged to one shape (Pack).
absl::StatusOr<Shape> MergedInputShape(const ShapeCtx& c) {
  Shape out = c.shape(0);
  for (int i = 1; i < c.num_inputs(); ++i) {
    if (!c.has(i)) return c.Invalid(absl::StrCat("input ", i, " is missing"));
    const Shape& s = c.shape(i);
    bool ok = s.size() == out.size();
    for (size_t d = 0; ok && d < s.size(); ++d) {
      auto m = MergeDim(out[d], s[d]);
      if (m) out[d] = *m; else ok = false;
    }
    if (!ok) {
      return c.Invalid(absl::StrCat("input ", i, " shape ", ShapeToString(s), " differs from ",
                                    ShapeToString(c.shape(0))), "equal shapes");
    }
  }
  return out;
}

absl::StatusOr<Shapes> Pack(const ShapeCtx& c) {
  if (absl::Status s = c.RequireInputs(1, c.num_inputs()); !s.ok()) return s;
  const auto& o = c.op().opts<PackOptions>();
  absl::StatusOr<Shape> in = MergedInputShape(c);
  if (!in.ok()) return in.status();
  int r = static_cast<int>(in->size());
  auto axis = NormalizeAxis(o.axis, r + 1);
  if (!axis) return c.Invalid("axis out of range", absl::StrCat("axis within rank ", r + 1));
  in->insert(in->begin() + *axis, c.num_inputs());
  return Shapes{*in};
}

absl::StatusOr<Shapes> Unpack(const ShapeCtx& c) {
  if (absl::Status s = c.RequireInputs(1, 1); !s.ok()) return s;
  int r = c.rank(0);
  auto axis = NormalizeAxis(c.op().opts<PackOptions>().axis, r);
  if (!axis) return c.Invalid("axis out of range", absl::StrCat("axis within rank ", r));
  int64_t d = c.shape(0)[*axis];
  if (d >= 0 && d != c.num_outputs()) {
    return c.Invalid(absl::StrCat(c.num_outputs(), " outputs for axis of size ", d),
                     absl::StrCat(d, " outputs"));
  }
  Shape out = c.shape(0);
  out.erase(out.begin() + *axis);
  return Shapes(c.num_outputs(), out);
}

absl::StatusOr<Shapes> Split(const ShapeCtx& c) {
  if (absl::Status s = c.RequireInputs(2, 2); !s.ok()) return s;
  int n = c.num_outputs();
  int32_t num_splits = c.op().opts<SplitOptions>().num_splits;
  if (num_splits != n || n < 1) {
    return c.Invalid(absl::StrCat("num_splits ", num_splits, " with ", n, " outputs"),
                     "num_splits = number of outputs");
  }
  Shape out = c.shape(1);
  auto axis_value = ScalarInt(c, 0);
  if (!axis_value) return Shapes(n, UnknownShape(static_cast<int>(out.size())));
  auto axis = NormalizeAxis(*axis_value, static_cast<int>(out.size()));
  if (!axis) return c.Invalid("axis out of range", absl::StrCat("axis within rank ", out.size()));
  if (out[*axis] >= 0) {
    if (out[*axis] % n != 0) {
      return c.Invalid(absl::StrCat("dim ", out[*axis], " does not split into ", n, " parts"),
                       "a dim divisible by num_splits");
    }
    out[*axis] /= n;
  }
  return Shapes(n, out);
}

absl::StatusOr<Shapes> SplitV(const ShapeCtx& c) {
  if (absl::Status s = c.RequireInputs(3, 3); !s.ok()) return s;
  int n = c.num_outputs();
  Shape in = c.shape(0);
  auto axis_value = ScalarInt(c, 2);
  if (!axis_value) return Shapes(n, UnknownShape(static_cast<int>(in.size())));
  auto axis = NormalizeAxis(*axis_value, static_cast<int>(in.size()));
  if (!axis) return c.Invalid("axis out of range", absl::StrCat("axis within rank ", in.size()));
  auto sizes = c.ints(1);
  if (!sizes) {
    Shape out = in;
    out[*axis] = kUnknownDim;
    return Shapes(n, out);
  }
  if (static_cast<int>(sizes->size()) != n) {
    return c.Invalid(absl::StrCat(sizes->size(), " split sizes for ", n, " outputs"),
                     "one size per output");
  }
  int infer = -1;
  int64_t sum = 0;
  for (int i = 0; i < n; ++i) {
    int64_t s = (*sizes)[i];
    if (s == -1 && infer < 0) {
      infer = i;
    } else if (s < 0) {
      return c.Invalid("invalid split sizes", "non-negative sizes and at most one -1");
    } else {
      sum += s;
    }
  }
  Shapes outs(n, in);
  for (int i = 0; i < n; ++i) outs[i][*axis] = (*sizes)[i];
  int64_t d = in[*axis];
  if (infer >= 0) {
    outs[infer][*axis] = d >= 0 ? d - sum : kUnknownDim;
    if (d >= 0 && d < sum) {
      return c.Invalid(absl::StrCat("split sizes sum to ", sum, " > dim ", d), "sizes within dim");
    }
  } else if (d >= 0 && d != sum) {
    return c.Invalid(absl::StrCat("split sizes sum to ", sum, " for dim ", d),
                     "sizes summing to the dim");
  }
  return outs;
}

absl::StatusOr<Shapes> Gather(const ShapeCtx& c) {
  if (absl::Status s = c.RequireInputs(2, 2); !s.ok()) return s;
  const auto& o = c.op().opts<GatherOptions>();
  const Shape& params = c.shape(0);
  const Shape& indices = c.shape(1);
  auto axis = NormalizeAxis(o.axis, static_cast<int>(params.size()));
  if (!axis) return c.Invalid("axis out of range", absl::StrCat("axis within rank ", params.size()));
  int batch_dims = o.batch_dims < 0 ? o.batch_dims + static_cast<int>(indices.size())
                                    : o.batch_dims;
  if (batch_dims < 0 || batch_dims > static_cast<int>(indices.size()) || batch_dims > *axis) {
    return c.Invalid(absl::StrCat("batch_dims ", o.batch_dims), "0 <= batch_dims <= axis");
  }
  Shape out(params.begin(), params.begin() + *axis);
  out.insert(out.end(), indices.begin() + batch_dims, indices.end());
  out.insert(out.end(), params.begin() + *axis + 1, params.end());
  return Shapes{out};
}

absl::StatusOr<Shapes> Squeeze(const ShapeCtx& c) {
  if (absl::Status s = c.RequireInputs(1, 1); !s.ok()) return s;
  const Shape& in = c.shape(0);
  int r = static_cast<int>(in.size());
  std::vector<bool> drop(r, false);
  const auto& dims = c.op().opts<SqueezeOptions>().squeeze_dims;
  if (dims.empty()) {
    for (int i = 0; i < r; ++i) drop[i] = in[i] == 1;  // unknown dims are kept
  }
  for (int32_t d : dims) {
    auto a = NormalizeAxis(d, r);
    if (!a) return c.Invalid(absl::StrCat("squeeze dim ", d, " out of range"),
                             absl::StrCat("dims within rank ", r));
    if (in[*a] > 1 || in[*a] == 0) {
      return c.Invalid(absl::StrCat("squeeze dim ", d, " has size ", in[*a]), "size 1");
    }
    drop[*a] = true;
  }
  Shape out;
  for (int i = 0; i < r; ++i) {
    if (!drop[i]) out.push_back(in[i]);
  }
  return Shapes{out};
}

absl::StatusOr<Shapes> ExpandDims(const ShapeCtx& c) {
  if (absl::Status s = c.RequireInputs(2, 2); !s.ok()) return s;
  Shape out = c.shape(0);
  int r = static_cast<int>(out.size());
  auto axis_value = ScalarInt(c, 1);
  if (!axis_value) return Shapes{UnknownShape(r + 1)};
  auto axis = NormalizeAxis(*axis_value, r + 1);
  if (!axis) return c.Invalid("axis out of range", absl::StrCat("axis within [", -r - 1, ", ", r, "]"));
  out.insert(out.begin() + *axis, 1);
  return Shapes{out};
}

absl::StatusOr<Shapes> Fill(const ShapeCtx& c) {
  if (absl::Status s = c.RequireInputs(2, 2); !s.ok()) return s;
  if (!c.shape(1).empty() && ProductOrUnknown(c.shape(1)) != 1) {
    return c.Invalid(absl::StrCat("value has shape ", ShapeToString(c.shape(1))), "a scalar value");
  }
  auto dims = c.partial(0);
  if (!dims) {
    absl::StatusOr<int> n = VectorLength(c, 0);
    if (!n.ok()) return n.status();
    return Shapes{UnknownShape(*n)};
  }
  Shape out;
  for (const PartialInt& d : *dims) {
    if (d.known && d.value < 0) {
      return c.Invalid(absl::StrCat("negative dim ", d.value), "non-negative dims");
    }
    out.push_back(d.known ? d.value : kUnknownDim);
  }
  return Shapes{out};
}

absl::StatusOr<Shapes> Range(const ShapeCtx& c) {
  if (absl::Status s = c.RequireInputs(3, 3); !s.ok()) return s;
  auto start = c.doubles(0), limit = c.doubles(1), delta = c.doubles(2);
  if (!start || !limit || !delta) return Shapes{{kUnknownDim}};
  if (start->size() != 1 || limit->size() != 1 || delta->size() != 1) {
    return c.Invalid("start, limit and delta must be scalars", "scalar inputs");
  }
  double s = (*start)[0], l = (*limit)[0], d = (*delta)[0];
  if (d == 0 || (l > s && d < 0) || (l < s && d > 0)) {
    return c.Invalid(absl::StrCat("range(", s, ", ", l, ", ", d, ") is empty or endless"),
                     "delta non-zero and pointing from start to limit");
  }
  int64_t n;
  if (c.in(0).type == DataType::kFloat32 || c.in(0).type == DataType::kFloat16) {
    // TFLite computes the count in the element type.
    float fs = static_cast<float>(s), fl = static_cast<float>(l), fd = static_cast<float>(d);
    n = static_cast<int64_t>(std::ceil(std::abs((fl - fs) / fd)));
  } else {
    auto si = c.ints(0), li = c.ints(1), di = c.ints(2);
    int64_t ad = std::abs((*di)[0]);
    n = (std::abs((*li)[0] - (*si)[0]) + ad - 1) / ad;
  }
  return Shapes{{n}};
}

absl::StatusOr<Shapes> Tile(const ShapeCtx& c) {
  if (absl::Status s = c.RequireInputs(2, 2); !s.ok()) return s;
  Shape out = c.shape(0);
  auto m = c.partial(1);
  if (!m) return Shapes{UnknownShape(static_cast<int>(out.size()))};
  if (m->size() != out.size()) {
    return c.Invalid(absl::StrCat(m->size(), " multiples for rank ", out.size()),
                     "one multiple per dim");
  }
  for (size_t i = 0; i < out.size(); ++i) {
    const PartialInt& k = (*m)[i];
    if (k.known && k.value < 0) return c.Invalid("negative multiple", "non-negative multiples");
    out[i] = (k.known && out[i] >= 0) ? out[i] * k.value : (k.known && k.value == 0 ? 0 : kUnknownDim);
  }
  return Shapes{out};
}

absl::StatusOr<Shapes> BroadcastTo(const ShapeCtx& c) {
  if (absl::Status s = c.RequireInputs(2, 2); !s.ok()) return s;
  auto v = c.partial(1);
  if (!v) {
    absl::StatusOr<int> n = VectorLength(c, 1);
    if (!n.ok()) return n.status();
    return Shapes{UnknownShape(*n)};
  }
  Shape target;
  for (const PartialInt& e : *v) target.push_back(e.known ? e.value : kUnknownDim);
  const Shape& in = c.shape(0);
  bool ok = target.size() >= in.size();
  for (size_t i = 0; ok && i < in.size(); ++i) {
    int64_t& t = target[target.size() - in.size() + i];
    int64_t d = in[i];
    if (t < 0) {
      if (d > 1) t = d;  // an unknown target must equal d (or be 1, which broadcasts to d)
    } else if (d >= 0 && d != 1 && d != t) {
      ok = false;
    }
  }
  if (!ok) {
    return c.Invalid(absl::StrCat("cannot broadcast ", ShapeToString(in), " to ",
                                  ShapeToString(target)), "a broadcastable target shape");
  }
  return Shapes{target};
}

absl::StatusOr<Shapes> Pad(const ShapeCtx& c) {
  OpKind kind = c.op().kind;
  if (absl::Status s = c.RequireInputs(2, kind == OpKind::kPadV2 ? 3 : 2); !s.ok()) return s;
  Shape out = c.shape(0);
  int r = static_cast<int>(out.size());
  const Shape& ps = c.shape(1);
  if (ps.size() != 2 || !MergeDim(ps[0], r) || !MergeDim(ps[1], 2)) {
    return c.Invalid(absl::StrCat("paddings have shape ", ShapeToString(ps)),
                     absl::StrCat("[", r, ",2]"));
  }
  auto p = c.ints(1);
  if (!p) return Shapes{UnknownShape(r)};
  for (int i = 0; i < r; ++i) {
    int64_t before = (*p)[2 * i], after = (*p)[2 * i + 1];
    if (before < 0 || after < 0) {
      return c.Invalid(absl::StrCat("negative padding on dim ", i), "non-negative paddings");
    }
    if (kind == OpKind::kMirrorPad && out[i] >= 0) {
      int64_t limit = c.op().opts<MirrorPadOptions>().symmetric ? out[i] : out[i] - 1;
      if (before > limit || after > limit) {
        return c.Invalid(absl::StrCat("mirror padding ", before, "/", after, " on dim of size ",
                                      out[i]), absl::StrCat("paddings <= ", limit));
      }
    }
    if (out[i] >= 0) out[i] += before + after;
  }
  return Shapes{out};
}

}  // namespace

absl::StatusOr<Shapes> InferTensorShapes(const ShapeCtx& c) {
  switch (c.op().kind) {
    case OpKind::kReshape: return Reshape(c);
    case OpKind::kTranspose: return Transpose(c);
    case OpKind::kConcatenation: return Concatenation(c);
    case OpKind::kPack: return Pack(c);
    case OpKind::kUnpack: return Unpack(c);
    case OpKind::kSplit: return Split(c);
    case OpKind::kSplitV: return SplitV(c);
    case OpKind::kGather: return Gather(c);
    case OpKind::kSqueeze: return Squeeze(c);
    case OpKind::kExpandDims: return ExpandDims(c);
    case OpKind::kShape: {
      if (absl::Status s = c.RequireInputs(1, 1); !s.ok()) return s;
      return Shapes{{static_cast<int64_t>(c.rank(0))}};
    }
    case OpKind::kFill: return Fill(c);
    case OpKind::kRange: return Range(c);
    case OpKind::kTile: return Tile(c);
    case OpKind::kBroadcastTo: return BroadcastTo(c);
    case OpKind::kPad: case OpKind::kPadV2: case OpKind::kMirrorPad: return Pad(c);
    default: return absl::InternalError("InferTensorShapes: kind not in this family");
  }
}

}  // namespace optconv::shape_inference_internal
