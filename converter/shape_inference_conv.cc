// Shape inference of the NHWC neural-network ops: convolutions, pooling,
// fully connected / batch matmul, resize, depth<->space, sequence LSTMs.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "converter/shape_inference_util.h"

namespace optconv::shape_inference_internal {
namespace {

// One spatial output dim of a TFLite conv/pool window.
absl::StatusOr<int64_t> WindowOut(const ShapeCtx& c, int64_t in, int64_t k, int32_t stride,
                                  int32_t dilation, Padding padding) {
  if (stride <= 0 || dilation <= 0) {
    return c.Invalid(absl::StrCat("stride ", stride, " / dilation ", dilation),
                     "positive stride and dilation");
  }
  if (in < 0) return kUnknownDim;
  if (padding == Padding::kSame) return (in + stride - 1) / stride;
  if (k < 0) return kUnknownDim;
  int64_t dk = (k - 1) * dilation + 1;
  if (in < dk) {
    return c.Invalid(absl::StrCat("input size ", in, " is smaller than the dilated window ", dk),
                     "a window that fits with VALID padding");
  }
  return (in - dk) / stride + 1;
}

absl::StatusOr<Shapes> Window2D(const ShapeCtx& c, int64_t kh, int64_t kw, int32_t sh,
                                int32_t sw, int32_t dh, int32_t dw, Padding padding,
                                int64_t channels) {
  const Shape& x = c.shape(0);
  absl::StatusOr<int64_t> oh = WindowOut(c, x[1], kh, sh, dh, padding);
  if (!oh.ok()) return oh.status();
  absl::StatusOr<int64_t> ow = WindowOut(c, x[2], kw, sw, dw, padding);
  if (!ow.ok()) return ow.status();
  return Shapes{{x[0], *oh, *ow, channels}};
}

absl::StatusOr<Shapes> Conv2D(const ShapeCtx& c) {
  if (absl::Status s = c.RequireInputs(2, 3); !s.ok()) return s;
  if (absl::Status s = c.RequireRank(0, 4); !s.ok()) return s;
  if (absl::Status s = c.RequireRank(1, 4); !s.ok()) return s;
  const auto& o = c.op().opts<Conv2DOptions>();
  const Shape& x = c.shape(0);
  const Shape& w = c.shape(1);
  if (x[3] >= 0 && w[3] > 0 && x[3] % w[3] != 0) {
    return c.Invalid(absl::StrCat("input channels ", x[3], " vs filter ", ShapeToString(w)),
                     "input channels a multiple of filter dim 3");
  }
  if (c.has(2) && c.rank(2) == 1 && !MergeDim(c.shape(2)[0], w[0])) {
    return c.Invalid(absl::StrCat("bias ", ShapeToString(c.shape(2)), " vs filter ",
                                  ShapeToString(w)), "bias of [filter dim 0]");
  }
  return Window2D(c, w[1], w[2], o.stride_h, o.stride_w, o.dilation_h, o.dilation_w, o.padding,
                  w[0]);
}

absl::StatusOr<Shapes> DepthwiseConv2D(const ShapeCtx& c) {
  if (absl::Status s = c.RequireInputs(2, 3); !s.ok()) return s;
  if (absl::Status s = c.RequireRank(0, 4); !s.ok()) return s;
  if (absl::Status s = c.RequireRank(1, 4); !s.ok()) return s;
  const auto& o = c.op().opts<DepthwiseConv2DOptions>();
  const Shape& x = c.shape(0);
  const Shape& w = c.shape(1);
  if (x[3] > 0 && w[3] >= 0 && w[3] % x[3] != 0) {
    return c.Invalid(absl::StrCat("input channels ", x[3], " vs filter ", ShapeToString(w)),
                     "filter dim 3 = input channels x depth multiplier");
  }
  return Window2D(c, w[1], w[2], o.stride_h, o.stride_w, o.dilation_h, o.dilation_w, o.padding,
                  w[3]);
}

absl::StatusOr<Shapes> TransposeConv(const ShapeCtx& c) {
  if (absl::Status s = c.RequireInputs(3, 4); !s.ok()) return s;
  if (absl::Status s = c.RequireRank(1, 4); !s.ok()) return s;
  if (absl::Status s = c.RequireRank(2, 4); !s.ok()) return s;
  const Shape& w = c.shape(1);
  const Shape& x = c.shape(2);
  if (!MergeDim(x[3], w[3])) {
    return c.Invalid(absl::StrCat("input ", ShapeToString(x), " vs filter ", ShapeToString(w)),
                     "input channels = filter dim 3");
  }
  if (auto out = c.partial(0)) {
    if (out->size() != 4) return c.Invalid("output_shape has wrong size", "4 values");
    Shape s;
    for (const PartialInt& e : *out) s.push_back(e.known ? e.value : kUnknownDim);
    if (!MergeDim(s[3], w[0])) {
      return c.Invalid(absl::StrCat("output_shape ", ShapeToString(s), " vs filter ",
                                    ShapeToString(w)), "output channels = filter dim 0");
    }
    return Shapes{s};
  }
  return Shapes{{x[0], kUnknownDim, kUnknownDim, w[0]}};
}

absl::StatusOr<Shapes> Pool2D(const ShapeCtx& c) {
  if (absl::Status s = c.RequireInputs(1, 1); !s.ok()) return s;
  if (absl::Status s = c.RequireRank(0, 4); !s.ok()) return s;
  const auto& o = c.op().opts<Pool2DOptions>();
  if (o.filter_h <= 0 || o.filter_w <= 0) {
    return c.Invalid(absl::StrCat("filter ", o.filter_h, "x", o.filter_w), "positive filter size");
  }
  return Window2D(c, o.filter_h, o.filter_w, o.stride_h, o.stride_w, 1, 1, o.padding,
                  c.shape(0)[3]);
}

absl::StatusOr<Shapes> FullyConnected(const ShapeCtx& c) {
  if (absl::Status s = c.RequireInputs(2, 3); !s.ok()) return s;
  if (absl::Status s = c.RequireRank(1, 2); !s.ok()) return s;
  const auto& o = c.op().opts<FullyConnectedOptions>();
  const Shape& x = c.shape(0);
  int64_t n = c.shape(1)[0];
  int64_t k = c.shape(1)[1];
  if (x.empty()) return c.Invalid("input is a scalar", "rank >= 1");
  if (o.keep_num_dims) {
    if (!MergeDim(x.back(), k)) {
      return c.Invalid(absl::StrCat("input ", ShapeToString(x), " vs weights ",
                                    ShapeToString(c.shape(1))), "input last dim = weights dim 1");
    }
    Shape out = x;
    out.back() = n;
    return Shapes{out};
  }
  int64_t total = ProductOrUnknown(x);
  if (total >= 0 && k > 0 && total % k != 0) {
    return c.Invalid(absl::StrCat("input ", ShapeToString(x), " vs weights ",
                                  ShapeToString(c.shape(1))),
                     "input element count a multiple of weights dim 1");
  }
  if (x.back() >= 0 && k >= 0 && x.back() != k && total < 0) {
    return c.Invalid(absl::StrCat("input ", ShapeToString(x), " vs weights ",
                                  ShapeToString(c.shape(1))), "input last dim = weights dim 1");
  }
  int64_t batch = (total >= 0 && k > 0) ? total / k : kUnknownDim;
  if (total < 0 && x.back() == k) {
    // Only leading dims unknown: batch is their product when all known.
    batch = ProductOrUnknown(Shape(x.begin(), x.end() - 1));
  }
  return Shapes{{batch, n}};
}

absl::StatusOr<Shapes> BatchMatMul(const ShapeCtx& c) {
  if (absl::Status s = c.RequireInputs(2, 2); !s.ok()) return s;
  const auto& o = c.op().opts<BatchMatMulOptions>();
  const Shape& x = c.shape(0);
  const Shape& y = c.shape(1);
  if (x.size() < 2 || y.size() < 2) {
    return c.Invalid(absl::StrCat("operands ", ShapeToString(x), " and ", ShapeToString(y)),
                     "rank >= 2");
  }
  size_t rx = x.size(), ry = y.size();
  int64_t m = o.adj_x ? x[rx - 1] : x[rx - 2];
  int64_t kx = o.adj_x ? x[rx - 2] : x[rx - 1];
  int64_t ky = o.adj_y ? y[ry - 1] : y[ry - 2];
  int64_t n = o.adj_y ? y[ry - 2] : y[ry - 1];
  if (!MergeDim(kx, ky)) {
    return c.Invalid(absl::StrCat("contraction dims differ: ", ShapeToString(x), " x ",
                                  ShapeToString(y)), "equal inner dimensions");
  }
  std::optional<Shape> batch = BroadcastShapes(Shape(x.begin(), x.end() - 2),
                                               Shape(y.begin(), y.end() - 2));
  if (!batch) {
    return c.Invalid(absl::StrCat("batch dims of ", ShapeToString(x), " and ", ShapeToString(y),
                                  " do not broadcast"), "broadcastable batch dims");
  }
  batch->push_back(m);
  batch->push_back(n);
  return Shapes{*batch};
}

absl::StatusOr<Shapes> Resize(const ShapeCtx& c) {
  if (absl::Status s = c.RequireInputs(2, 2); !s.ok()) return s;
  if (absl::Status s = c.RequireRank(0, 4); !s.ok()) return s;
  const Shape& x = c.shape(0);
  if (auto size = c.partial(1)) {
    if (size->size() != 2) return c.Invalid("size does not have two values", "size i32 [2]");
    Shape out{x[0], kUnknownDim, kUnknownDim, x[3]};
    for (int i = 0; i < 2; ++i) {
      const PartialInt& s = (*size)[i];
      if (!s.known) continue;
      if (s.value <= 0) return c.Invalid("size is not positive", "size i32 [2] of positive values");
      out[1 + i] = s.value;
    }
    return Shapes{out};
  }
  return Shapes{{x[0], kUnknownDim, kUnknownDim, x[3]}};
}

absl::StatusOr<Shapes> DepthSpace(const ShapeCtx& c, bool to_space) {
  if (absl::Status s = c.RequireInputs(1, 1); !s.ok()) return s;
  if (absl::Status s = c.RequireRank(0, 4); !s.ok()) return s;
  int64_t b = c.op().opts<BlockSizeOptions>().block_size;
  if (b < 1) return c.Invalid(absl::StrCat("block size ", b), "block size >= 1");
  Shape x = c.shape(0);
  auto mul = [](int64_t d, int64_t f) { return d < 0 ? kUnknownDim : d * f; };
  auto div = [](int64_t d, int64_t f) { return d < 0 ? kUnknownDim : d / f; };
  if (to_space) {
    if (x[3] >= 0 && x[3] % (b * b) != 0) {
      return c.Invalid(absl::StrCat("channels ", x[3], " vs block size ", b),
                       "channels divisible by block_size^2");
    }
    return Shapes{{x[0], mul(x[1], b), mul(x[2], b), div(x[3], b * b)}};
  }
  if ((x[1] >= 0 && x[1] % b != 0) || (x[2] >= 0 && x[2] % b != 0)) {
    return c.Invalid(absl::StrCat("input ", ShapeToString(x), " vs block size ", b),
                     "height and width divisible by block_size");
  }
  return Shapes{{x[0], div(x[1], b), div(x[2], b), mul(x[3], b * b)}};
}

// Output size of a TFLite LSTM direction: dim 1 of recurrent_to_output weights.
absl::StatusOr<int64_t> LstmOutputSize(const ShapeCtx& c, int recurrent_to_output) {
  if (!c.has(recurrent_to_output) || c.rank(recurrent_to_output) != 2) {
    return c.Invalid(absl::StrCat("input ", recurrent_to_output,
                                  " (recurrent_to_output_weights) is missing or not rank 2"),
                     "[n_cell, n_output] weights");
  }
  return c.shape(recurrent_to_output)[1];
}

absl::StatusOr<Shapes> SequenceLstm(const ShapeCtx& c, bool bidirectional) {
  if (bidirectional) {
    if (absl::Status s = c.RequireInputs(1, 48); !s.ok()) return s;
  } else {
    if (absl::Status s = c.RequireInputs(1, 24); !s.ok()) return s;
  }
  if (absl::Status s = c.RequireRank(0, 3); !s.ok()) return s;
  const auto& o = c.op().opts<SequenceLstmOptions>();
  const Shape& x = c.shape(0);
  auto seq = [&](int64_t units) { return Shape{x[0], x[1], units}; };  // [T,B] or [B,T]
  absl::StatusOr<int64_t> fw = LstmOutputSize(c, 8);
  if (!fw.ok()) return fw.status();
  if (!bidirectional) return Shapes{seq(*fw)};
  absl::StatusOr<int64_t> bw = LstmOutputSize(c, 25);
  if (!bw.ok()) return bw.status();
  if (o.merge_outputs) {
    return Shapes{seq(*fw < 0 || *bw < 0 ? kUnknownDim : *fw + *bw)};
  }
  return Shapes{seq(*fw), seq(*bw)};
}

}  // namespace

absl::StatusOr<Shapes> InferConvShapes(const ShapeCtx& c) {
  switch (c.op().kind) {
    case OpKind::kConv2D: return Conv2D(c);
    case OpKind::kDepthwiseConv2D: return DepthwiseConv2D(c);
    case OpKind::kTransposeConv: return TransposeConv(c);
    case OpKind::kAveragePool2D: case OpKind::kMaxPool2D: return Pool2D(c);
    case OpKind::kFullyConnected: return FullyConnected(c);
    case OpKind::kBatchMatMul: return BatchMatMul(c);
    case OpKind::kResizeBilinear: case OpKind::kResizeNearestNeighbor: return Resize(c);
    case OpKind::kDepthToSpace: return DepthSpace(c, true);
    case OpKind::kSpaceToDepth: return DepthSpace(c, false);
    case OpKind::kUnidirectionalSequenceLstm: return SequenceLstm(c, false);
    case OpKind::kBidirectionalSequenceLstm: return SequenceLstm(c, true);
    default: return absl::InternalError("InferConvShapes: kind not in this family");
  }
}

}  // namespace optconv::shape_inference_internal
