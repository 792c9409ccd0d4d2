// Kernels that select or replicate elements by index (type-agnostic, by
// element size): GATHER, SLICE, STRIDED_SLICE, TILE, BROADCAST_TO, PAD,
// PADV2, MIRROR_PAD, DEPTH_TO_SPACE, SPACE_TO_DEPTH.
#include <cstring>

#include "absl/strings/str_cat.h"
#include "converter/shape_inference_util.h"
#include "runtime/kernel.h"
#include "runtime/kernel_util.h"

namespace optconv {
namespace {

absl::Status CheckSameType(KernelContext& c) {
  if (c.in(0).type != c.out(0).type) return c.Invalid("output type differs from the input type");
  return absl::OkStatus();
}

// Copies the box of `in` starting at `begin` with `step` per dim and
// `sizes` elements per dim into `out` (row-major).
void StridedCopy(const TensorView& in, const std::vector<int64_t>& begin,
                 const std::vector<int64_t>& step, const Shape& sizes, uint8_t* out) {
  size_t es = ElementSize(in.type);
  std::vector<int64_t> in_strides = RowMajorStrides(in.shape);
  int64_t base = 0;
  std::vector<int64_t> strides(sizes.size());
  for (size_t d = 0; d < sizes.size(); ++d) {
    base += begin[d] * in_strides[d];
    strides[d] = step[d] * in_strides[d];
  }
  ForEachIndex<1>(sizes, {strides}, [&](int64_t i, const std::array<int64_t, 1>& off) {
    std::memcpy(out + i * es, in.bytes + (base + off[0]) * es, es);
  });
}

absl::Status Gather(KernelContext& c) {
  if (absl::Status s = CheckSameType(c); !s.ok()) return s;
  const TensorView& params = c.in(0);
  const auto& o = std::get<GatherOptions>(c.op.options);
  auto axis = NormalizeAxis(o.axis, params.rank());
  if (!axis) return c.Invalid("axis out of range");
  std::vector<int64_t> indices = c.in(1).ints();
  if (indices.size() != static_cast<size_t>(c.in(1).num_elements())) {
    return c.NoKernel(absl::StrCat("indices of type ", std::string(DataTypeName(c.in(1).type))));
  }
  int batch_dims = o.batch_dims < 0 ? o.batch_dims + c.in(1).rank() : o.batch_dims;
  int64_t batch = 1, outer = 1, inner = 1;
  for (int d = 0; d < batch_dims; ++d) batch *= params.shape[d];
  for (int d = batch_dims; d < *axis; ++d) outer *= params.shape[d];
  for (int d = *axis + 1; d < params.rank(); ++d) inner *= params.shape[d];
  int64_t dim = params.shape[*axis];
  int64_t per_batch = batch == 0 ? 0 : static_cast<int64_t>(indices.size()) / batch;
  size_t row = static_cast<size_t>(inner) * ElementSize(params.type);
  uint8_t* po = c.out(0).bytes.data();
  for (int64_t b = 0; b < batch; ++b) {
    for (int64_t k = 0; k < outer; ++k) {
      const uint8_t* src = params.bytes + ((b * outer + k) * dim) * row;
      for (int64_t j = 0; j < per_batch; ++j) {
        int64_t idx = indices[b * per_batch + j];
        if (idx < 0) idx += dim;  // ONNX-style negative indices
        if (idx < 0 || idx >= dim) {
          return c.Invalid(absl::StrCat("index ", indices[b * per_batch + j],
                                        " out of range for dim ", dim));
        }
        std::memcpy(po, src + idx * row, row);
        po += row;
      }
    }
  }
  return absl::OkStatus();
}

absl::Status Slice(KernelContext& c) {
  if (absl::Status s = CheckSameType(c); !s.ok()) return s;
  std::vector<int64_t> begin = c.in(1).ints();
  const Shape& sizes = c.out(0).shape;
  if (begin.size() != sizes.size() || static_cast<int>(begin.size()) != c.in(0).rank()) {
    return c.Invalid("begin length differs from rank");
  }
  for (size_t d = 0; d < sizes.size(); ++d) {
    if (begin[d] < 0 || begin[d] + sizes[d] > c.in(0).shape[d]) {
      return c.Invalid(absl::StrCat("slice out of range on dim ", d));
    }
  }
  StridedCopy(c.in(0), begin, std::vector<int64_t>(sizes.size(), 1), sizes, c.out(0).bytes.data());
  return absl::OkStatus();
}

absl::Status StridedSlice(KernelContext& c) {
  if (absl::Status s = CheckSameType(c); !s.ok()) return s;
  const TensorView& in = c.in(0);
  std::vector<int64_t> begin = c.in(1).ints(), end = c.in(2).ints();
  std::vector<int64_t> strides =
      c.has(3) ? c.in(3).ints() : std::vector<int64_t>(begin.size(), 1);
  absl::StatusOr<StridedSlicePlan> plan = PlanStridedSlice(
      in.shape, begin, end, strides, std::get<StridedSliceOptions>(c.op.options));
  if (!plan.ok()) return c.Invalid(std::string(plan.status().message()));
  if (plan->output_shape != c.out(0).shape) return c.Invalid("output shape differs from the plan");
  std::vector<int64_t> b, s;
  Shape sizes;
  for (const StridedSliceDim& d : plan->dims) {
    b.push_back(d.begin);
    s.push_back(d.stride);
    sizes.push_back(d.size);
  }
  StridedCopy(in, b, s, sizes, c.out(0).bytes.data());
  return absl::OkStatus();
}

absl::Status Tile(KernelContext& c) {
  if (absl::Status s = CheckSameType(c); !s.ok()) return s;
  const TensorView& in = c.in(0);
  std::vector<int64_t> in_strides = RowMajorStrides(in.shape);
  size_t es = ElementSize(in.type);
  uint8_t* po = c.out(0).bytes.data();
  ForEachCounter(c.out(0).shape, [&](int64_t i, const std::vector<int64_t>& idx) {
    int64_t off = 0;
    for (size_t d = 0; d < idx.size(); ++d) off += (idx[d] % in.shape[d]) * in_strides[d];
    std::memcpy(po + i * es, in.bytes + off * es, es);
  });
  return absl::OkStatus();
}

absl::Status BroadcastTo(KernelContext& c) {
  if (absl::Status s = CheckSameType(c); !s.ok()) return s;
  const TensorView& in = c.in(0);
  size_t es = ElementSize(in.type);
  uint8_t* po = c.out(0).bytes.data();
  ForEachIndex<1>(c.out(0).shape, {BroadcastStrides(in.shape, c.out(0).shape)},
                  [&](int64_t i, const std::array<int64_t, 1>& off) {
                    std::memcpy(po + i * es, in.bytes + off[0] * es, es);
                  });
  return absl::OkStatus();
}

absl::Status Pad(KernelContext& c) {
  if (absl::Status s = CheckSameType(c); !s.ok()) return s;
  const TensorView& in = c.in(0);
  HostTensor& out = c.out(0);
  std::vector<int64_t> pads = c.in(1).ints();
  int r = in.rank();
  if (static_cast<int>(pads.size()) != 2 * r) return c.Invalid("paddings are not [rank, 2]");
  size_t es = ElementSize(in.type);
  // Pad value: PADV2's constant, else zero (the zero point for quantized data).
  std::vector<uint8_t> value(es, 0);
  if (c.op.kind == OpKind::kPadV2 && c.has(2)) {
    if (c.in(2).type != in.type || c.in(2).size != es) return c.Invalid("constant value mismatch");
    std::memcpy(value.data(), c.in(2).bytes, es);
  } else if (c.output_quant[0] && !c.output_quant[0]->zero_points.empty() && es == 1) {
    value[0] = static_cast<uint8_t>(c.output_quant[0]->zero_points[0]);
  }
  uint8_t* po = out.bytes.data();
  for (int64_t i = 0, n = out.num_elements(); i < n; ++i) std::memcpy(po + i * es, value.data(), es);
  std::vector<int64_t> out_strides = RowMajorStrides(out.shape);
  int64_t base = 0;
  for (int d = 0; d < r; ++d) base += pads[2 * d] * out_strides[d];
  ForEachIndex<1>(in.shape, {out_strides}, [&](int64_t i, const std::array<int64_t, 1>& off) {
    std::memcpy(po + (base + off[0]) * es, in.bytes + i * es, es);
  });
  return absl::OkStatus();
}

absl::Status MirrorPad(KernelContext& c) {
  if (absl::Status s = CheckSameType(c); !s.ok()) return s;
  const TensorView& in = c.in(0);
  std::vector<int64_t> pads = c.in(1).ints();
  int r = in.rank();
  if (static_cast<int>(pads.size()) != 2 * r) return c.Invalid("paddings are not [rank, 2]");
  bool symmetric = std::get<MirrorPadOptions>(c.op.options).symmetric;
  std::vector<int64_t> in_strides = RowMajorStrides(in.shape);
  size_t es = ElementSize(in.type);
  uint8_t* po = c.out(0).bytes.data();
  ForEachCounter(c.out(0).shape, [&](int64_t i, const std::vector<int64_t>& idx) {
    int64_t off = 0;
    for (int d = 0; d < r; ++d) {
      int64_t n = in.shape[d];
      int64_t k = idx[d] - pads[2 * d];
      if (k < 0) k = symmetric ? -k - 1 : -k;
      if (k >= n) k = symmetric ? 2 * n - k - 1 : 2 * n - k - 2;
      off += k * in_strides[d];
    }
    std::memcpy(po + i * es, in.bytes + off * es, es);
  });
  return absl::OkStatus();
}

absl::Status DepthSpace(KernelContext& c) {
  if (absl::Status s = CheckSameType(c); !s.ok()) return s;
  const TensorView& in = c.in(0);
  const Shape& os = c.out(0).shape;
  int64_t bs = std::get<BlockSizeOptions>(c.op.options).block_size;
  bool to_space = c.op.kind == OpKind::kDepthToSpace;
  std::vector<int64_t> is = RowMajorStrides(in.shape);
  size_t es = ElementSize(in.type);
  uint8_t* po = c.out(0).bytes.data();
  ForEachCounter(os, [&](int64_t i, const std::vector<int64_t>& x) {
    int64_t off;
    if (to_space) {  // out[b,h,w,c] = in[b, h/bs, w/bs, ((h%bs)*bs + w%bs)*C_out + c]
      int64_t ch = ((x[1] % bs) * bs + x[2] % bs) * os[3] + x[3];
      off = x[0] * is[0] + (x[1] / bs) * is[1] + (x[2] / bs) * is[2] + ch;
    } else {  // out[b,h,w,(dh*bs+dw)*C_in + c] = in[b, h*bs+dh, w*bs+dw, c]
      int64_t cin = in.shape[3];
      int64_t blk = x[3] / cin, ch = x[3] % cin;
      off = x[0] * is[0] + (x[1] * bs + blk / bs) * is[1] + (x[2] * bs + blk % bs) * is[2] + ch;
    }
    std::memcpy(po + i * es, in.bytes + off * es, es);
  });
  return absl::OkStatus();
}

}  // namespace

KernelFn FindIndexingKernel(OpKind kind) {
  switch (kind) {
    case OpKind::kGather: return Gather;
    case OpKind::kSlice: return Slice;
    case OpKind::kStridedSlice: return StridedSlice;
    case OpKind::kTile: return Tile;
    case OpKind::kBroadcastTo: return BroadcastTo;
    case OpKind::kPad: case OpKind::kPadV2: return Pad;
    case OpKind::kMirrorPad: return MirrorPad;
    case OpKind::kDepthToSpace: case OpKind::kSpaceToDepth: return DepthSpace;
    default: return nullptr;
  }
}

}  // namespace optconv
