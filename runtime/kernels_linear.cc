// Float kernels: FULLY_CONNECTED, BATCH_MATMUL and the resize family with
// TFLite's align_corners / half_pixel_centers coordinate rules.
#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "runtime/kernel.h"
#include "runtime/kernel_util.h"

namespace optconv {
namespace {

absl::Status FullyConnected(KernelContext& c) {
  if (absl::Status s = c.RequireFloat({0, 1, 2}); !s.ok()) return s;
  const auto& o = std::get<FullyConnectedOptions>(c.op.options);
  const TensorView& w = c.in(1);
  const int64_t units = w.shape[0], depth = w.shape[1];
  if (depth <= 0 || c.in(0).num_elements() % depth != 0) {
    return c.Invalid("input size is not a multiple of the weights' depth");
  }
  const int64_t batch = c.in(0).num_elements() / depth;
  const float* x = c.in(0).data<float>();
  const float* f = w.data<float>();
  const float* bias = c.has(2) ? c.in(2).data<float>() : nullptr;
  float* y = c.out(0).data<float>();
  for (int64_t b = 0; b < batch; ++b) {
    for (int64_t u = 0; u < units; ++u) {
      float acc = 0.0f;
      for (int64_t k = 0; k < depth; ++k) acc += x[b * depth + k] * f[u * depth + k];
      if (bias) acc += bias[u];
      y[b * units + u] = ApplyActivation(acc, o.activation);
    }
  }
  return absl::OkStatus();
}

absl::Status BatchMatMul(KernelContext& c) {
  if (absl::Status s = c.RequireFloat({0, 1}); !s.ok()) return s;
  const auto& o = std::get<BatchMatMulOptions>(c.op.options);
  const TensorView& a = c.in(0);
  const TensorView& b = c.in(1);
  HostTensor& out = c.out(0);
  const size_t ra = a.shape.size(), ro = out.shape.size();
  const int64_t m = out.shape[ro - 2], n = out.shape[ro - 1];
  const int64_t k = o.adj_x ? a.shape[ra - 2] : a.shape[ra - 1];
  Shape batch(out.shape.begin(), out.shape.end() - 2);
  Shape a_batch(a.shape.begin(), a.shape.end() - 2), b_batch(b.shape.begin(), b.shape.end() - 2);
  std::array<std::vector<int64_t>, 2> strides{BroadcastStrides(a_batch, batch),
                                               BroadcastStrides(b_batch, batch)};
  const float* pa = a.data<float>();
  const float* pb = b.data<float>();
  float* y = out.data<float>();
  const int64_t a_mat = m * k, b_mat = k * n;
  auto body = [&](int64_t i, const std::array<int64_t, 2>& off) {
    const float* am = pa + off[0] * a_mat;
    const float* bm = pb + off[1] * b_mat;
    float* ym = y + i * m * n;
    for (int64_t r = 0; r < m; ++r) {
      for (int64_t col = 0; col < n; ++col) {
        float acc = 0.0f;
        for (int64_t t = 0; t < k; ++t) {
          float av = o.adj_x ? am[t * m + r] : am[r * k + t];
          float bv = o.adj_y ? bm[col * k + t] : bm[t * n + col];
          acc += av * bv;
        }
        ym[r * n + col] = acc;
      }
    }
  };
  if (batch.empty()) {
    body(0, {0, 0});
  } else {
    ForEachIndex<2>(batch, strides, body);
  }
  return absl::OkStatus();
}

// Source coordinate scale of one resized dim (computed in float, as TFLite).
float ResizeScale(int64_t in, int64_t out, bool align_corners) {
  if (align_corners && out > 1) return static_cast<float>(in - 1) / static_cast<float>(out - 1);
  return static_cast<float>(in) / static_cast<float>(out);
}

int64_t NearestIndex(int64_t o, int64_t in, float scale, const ResizeOptions& opt) {
  const float offset = opt.half_pixel_centers ? 0.5f : 0.0f;
  const float v = (static_cast<float>(o) + offset) * scale;
  int64_t idx = opt.align_corners ? static_cast<int64_t>(std::round(v))
                                  : static_cast<int64_t>(std::floor(v));
  idx = std::min(idx, in - 1);
  if (opt.half_pixel_centers) idx = std::max<int64_t>(idx, 0);
  return idx;
}

absl::Status Resize(KernelContext& c) {
  if (absl::Status s = c.RequireFloat({0}); !s.ok()) return s;
  const auto& opt = std::get<ResizeOptions>(c.op.options);
  const TensorView& in = c.in(0);
  HostTensor& out = c.out(0);
  const int64_t n = in.shape[0], ih = in.shape[1], iw = in.shape[2], ch = in.shape[3];
  const int64_t oh = out.shape[1], ow = out.shape[2];
  const float sh = ResizeScale(ih, oh, opt.align_corners);
  const float sw = ResizeScale(iw, ow, opt.align_corners);
  const float* x = in.data<float>();
  float* y = out.data<float>();
  auto at = [&](int64_t b, int64_t yy, int64_t xx, int64_t k) {
    return x[((b * ih + yy) * iw + xx) * ch + k];
  };
  const bool bilinear = c.op.kind == OpKind::kResizeBilinear;
  for (int64_t b = 0; b < n; ++b) {
    for (int64_t oy = 0; oy < oh; ++oy) {
      for (int64_t ox = 0; ox < ow; ++ox) {
        float* yp = y + ((b * oh + oy) * ow + ox) * ch;
        if (!bilinear) {
          int64_t sy = NearestIndex(oy, ih, sh, opt), sx = NearestIndex(ox, iw, sw, opt);
          for (int64_t k = 0; k < ch; ++k) yp[k] = at(b, sy, sx, k);
          continue;
        }
        auto coord = [&](int64_t o, float scale, int64_t size, int64_t* lo, int64_t* hi) {
          float v = opt.half_pixel_centers ? (static_cast<float>(o) + 0.5f) * scale - 0.5f
                                           : static_cast<float>(o) * scale;
          *lo = std::max<int64_t>(static_cast<int64_t>(std::floor(v)), 0);
          *hi = std::min<int64_t>(static_cast<int64_t>(std::ceil(v)), size - 1);
          return v;
        };
        int64_t y0, y1, x0, x1;
        const float fy = coord(oy, sh, ih, &y0, &y1);
        const float fx = coord(ox, sw, iw, &x0, &x1);
        const float dy = fy - static_cast<float>(y0), dx = fx - static_cast<float>(x0);
        for (int64_t k = 0; k < ch; ++k) {
          yp[k] = at(b, y0, x0, k) * (1 - dy) * (1 - dx) + at(b, y1, x0, k) * dy * (1 - dx) +
                  at(b, y0, x1, k) * (1 - dy) * dx + at(b, y1, x1, k) * dy * dx;
        }
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace

KernelFn FindLinearKernel(OpKind kind) {
  switch (kind) {
    case OpKind::kFullyConnected: return FullyConnected;
    case OpKind::kBatchMatMul: return BatchMatMul;
    case OpKind::kResizeBilinear: case OpKind::kResizeNearestNeighbor: return Resize;
    default: return nullptr;
  }
}

}  // namespace optconv
