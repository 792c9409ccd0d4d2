// Float NHWC window kernels with TFLite padding rules: CONV_2D (grouped),
// DEPTHWISE_CONV_2D, TRANSPOSE_CONV, AVERAGE_POOL_2D, MAX_POOL_2D.
// Naive loops: these serve constant folding and reference checks.
#include <algorithm>
#include <limits>

#include "absl/strings/str_cat.h"
#include "runtime/kernel.h"
#include "runtime/kernel_util.h"

namespace optconv {
namespace {

// TFLite's leading padding for one spatial dim.
int64_t PadBefore(int64_t in, int64_t out, int64_t k, int64_t stride, int64_t dilation) {
  int64_t dk = (k - 1) * dilation + 1;
  return std::max<int64_t>((out - 1) * stride + dk - in, 0) / 2;
}

absl::Status Conv2D(KernelContext& c) {
  if (absl::Status s = c.RequireFloat({0, 1, 2}); !s.ok()) return s;
  const auto& o = std::get<Conv2DOptions>(c.op.options);
  const TensorView& in = c.in(0);
  const TensorView& w = c.in(1);
  const float* x = in.data<float>();
  const float* f = w.data<float>();
  const float* bias = c.has(2) ? c.in(2).data<float>() : nullptr;
  float* y = c.out(0).data<float>();
  const int64_t n = in.shape[0], ih = in.shape[1], iw = in.shape[2], ic = in.shape[3];
  const int64_t oc = w.shape[0], kh = w.shape[1], kw = w.shape[2], icg = w.shape[3];
  const int64_t oh = c.out(0).shape[1], ow = c.out(0).shape[2];
  if (icg <= 0 || ic % icg != 0 || oc % (ic / icg) != 0 || c.out(0).shape[3] != oc) {
    return c.Invalid("filter does not match the input channels or groups");
  }
  const int64_t groups = ic / icg, ocg = oc / groups;
  const int64_t pt = PadBefore(ih, oh, kh, o.stride_h, o.dilation_h);
  const int64_t pl = PadBefore(iw, ow, kw, o.stride_w, o.dilation_w);
  for (int64_t b = 0; b < n; ++b) {
    for (int64_t oy = 0; oy < oh; ++oy) {
      for (int64_t ox = 0; ox < ow; ++ox) {
        for (int64_t co = 0; co < oc; ++co) {
          const int64_t g = co / ocg;
          float acc = bias ? bias[co] : 0.0f;
          for (int64_t ky = 0; ky < kh; ++ky) {
            const int64_t iy = oy * o.stride_h - pt + ky * o.dilation_h;
            if (iy < 0 || iy >= ih) continue;
            for (int64_t kx = 0; kx < kw; ++kx) {
              const int64_t ix = ox * o.stride_w - pl + kx * o.dilation_w;
              if (ix < 0 || ix >= iw) continue;
              const float* xp = x + ((b * ih + iy) * iw + ix) * ic + g * icg;
              const float* fp = f + ((co * kh + ky) * kw + kx) * icg;
              for (int64_t k = 0; k < icg; ++k) acc += xp[k] * fp[k];
            }
          }
          y[((b * oh + oy) * ow + ox) * oc + co] = ApplyActivation(acc, o.activation);
        }
      }
    }
  }
  return absl::OkStatus();
}

absl::Status DepthwiseConv2D(KernelContext& c) {
  if (absl::Status s = c.RequireFloat({0, 1, 2}); !s.ok()) return s;
  const auto& o = std::get<DepthwiseConv2DOptions>(c.op.options);
  const TensorView& in = c.in(0);
  const TensorView& w = c.in(1);
  const float* x = in.data<float>();
  const float* f = w.data<float>();
  const float* bias = c.has(2) ? c.in(2).data<float>() : nullptr;
  float* y = c.out(0).data<float>();
  const int64_t n = in.shape[0], ih = in.shape[1], iw = in.shape[2], ic = in.shape[3];
  const int64_t kh = w.shape[1], kw = w.shape[2], oc = w.shape[3];
  const int64_t oh = c.out(0).shape[1], ow = c.out(0).shape[2];
  if (ic <= 0 || oc % ic != 0) return c.Invalid("filter channels are not a multiple of the input's");
  const int64_t mult = oc / ic;
  const int64_t pt = PadBefore(ih, oh, kh, o.stride_h, o.dilation_h);
  const int64_t pl = PadBefore(iw, ow, kw, o.stride_w, o.dilation_w);
  for (int64_t b = 0; b < n; ++b) {
    for (int64_t oy = 0; oy < oh; ++oy) {
      for (int64_t ox = 0; ox < ow; ++ox) {
        for (int64_t co = 0; co < oc; ++co) {
          const int64_t ci = co / mult;
          float acc = bias ? bias[co] : 0.0f;
          for (int64_t ky = 0; ky < kh; ++ky) {
            const int64_t iy = oy * o.stride_h - pt + ky * o.dilation_h;
            if (iy < 0 || iy >= ih) continue;
            for (int64_t kx = 0; kx < kw; ++kx) {
              const int64_t ix = ox * o.stride_w - pl + kx * o.dilation_w;
              if (ix < 0 || ix >= iw) continue;
              acc += x[((b * ih + iy) * iw + ix) * ic + ci] * f[(ky * kw + kx) * oc + co];
            }
          }
          y[((b * oh + oy) * ow + ox) * oc + co] = ApplyActivation(acc, o.activation);
        }
      }
    }
  }
  return absl::OkStatus();
}

absl::Status TransposeConv(KernelContext& c) {
  if (absl::Status s = c.RequireFloat({1, 2, 3}); !s.ok()) return s;
  const auto& o = std::get<TransposeConvOptions>(c.op.options);
  const TensorView& w = c.in(1);
  const TensorView& in = c.in(2);
  const float* x = in.data<float>();
  const float* f = w.data<float>();
  const float* bias = c.has(3) ? c.in(3).data<float>() : nullptr;
  HostTensor& out = c.out(0);
  float* y = out.data<float>();
  const int64_t n = in.shape[0], ih = in.shape[1], iw = in.shape[2], ic = in.shape[3];
  const int64_t oc = w.shape[0], kh = w.shape[1], kw = w.shape[2];
  const int64_t oh = out.shape[1], ow = out.shape[2];
  if (w.shape[3] != ic || out.shape[3] != oc) return c.Invalid("filter does not match input/output");
  // TFLite pads as if convolving the output back to the input.
  auto conv_out = [&](int64_t size, int64_t k, int64_t s) {
    return o.padding == Padding::kSame ? (size + s - 1) / s : (size - k + s) / s;
  };
  const int64_t pt = PadBefore(oh, conv_out(oh, kh, o.stride_h), kh, o.stride_h, 1);
  const int64_t pl = PadBefore(ow, conv_out(ow, kw, o.stride_w), kw, o.stride_w, 1);
  std::fill(y, y + out.num_elements(), 0.0f);
  for (int64_t b = 0; b < n; ++b) {
    for (int64_t iy = 0; iy < ih; ++iy) {
      for (int64_t ix = 0; ix < iw; ++ix) {
        const float* xp = x + ((b * ih + iy) * iw + ix) * ic;
        for (int64_t ky = 0; ky < kh; ++ky) {
          const int64_t oy = iy * o.stride_h - pt + ky;
          if (oy < 0 || oy >= oh) continue;
          for (int64_t kx = 0; kx < kw; ++kx) {
            const int64_t ox = ix * o.stride_w - pl + kx;
            if (ox < 0 || ox >= ow) continue;
            float* yp = y + ((b * oh + oy) * ow + ox) * oc;
            for (int64_t co = 0; co < oc; ++co) {
              const float* fp = f + ((co * kh + ky) * kw + kx) * ic;
              float acc = 0.0f;
              for (int64_t k = 0; k < ic; ++k) acc += xp[k] * fp[k];
              yp[co] += acc;
            }
          }
        }
      }
    }
  }
  for (int64_t i = 0, total = out.num_elements(); i < total; ++i) {
    y[i] = ApplyActivation(y[i] + (bias ? bias[i % oc] : 0.0f), o.activation);
  }
  return absl::OkStatus();
}

absl::Status Pool2D(KernelContext& c) {
  if (absl::Status s = c.RequireFloat({0}); !s.ok()) return s;
  const auto& o = std::get<Pool2DOptions>(c.op.options);
  const bool is_max = c.op.kind == OpKind::kMaxPool2D;
  const TensorView& in = c.in(0);
  const float* x = in.data<float>();
  float* y = c.out(0).data<float>();
  const int64_t n = in.shape[0], ih = in.shape[1], iw = in.shape[2], ch = in.shape[3];
  const int64_t oh = c.out(0).shape[1], ow = c.out(0).shape[2];
  const int64_t pt = PadBefore(ih, oh, o.filter_h, o.stride_h, 1);
  const int64_t pl = PadBefore(iw, ow, o.filter_w, o.stride_w, 1);
  for (int64_t b = 0; b < n; ++b) {
    for (int64_t oy = 0; oy < oh; ++oy) {
      const int64_t y0 = oy * o.stride_h - pt;
      const int64_t ys = std::max<int64_t>(0, -y0), ye = std::min<int64_t>(o.filter_h, ih - y0);
      for (int64_t ox = 0; ox < ow; ++ox) {
        const int64_t x0 = ox * o.stride_w - pl;
        const int64_t xs = std::max<int64_t>(0, -x0), xe = std::min<int64_t>(o.filter_w, iw - x0);
        for (int64_t k = 0; k < ch; ++k) {
          float acc = is_max ? std::numeric_limits<float>::lowest() : 0.0f;
          int64_t count = 0;
          for (int64_t fy = ys; fy < ye; ++fy) {
            for (int64_t fx = xs; fx < xe; ++fx) {
              float v = x[((b * ih + y0 + fy) * iw + x0 + fx) * ch + k];
              acc = is_max ? std::max(acc, v) : acc + v;
              ++count;
            }
          }
          if (!is_max) acc = count > 0 ? acc / static_cast<float>(count) : 0.0f;
          y[((b * oh + oy) * ow + ox) * ch + k] = ApplyActivation(acc, o.activation);
        }
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace

KernelFn FindConvKernel(OpKind kind) {
  switch (kind) {
    case OpKind::kConv2D: return Conv2D;
    case OpKind::kDepthwiseConv2D: return DepthwiseConv2D;
    case OpKind::kTransposeConv: return TransposeConv;
    case OpKind::kAveragePool2D: case OpKind::kMaxPool2D: return Pool2D;
    default: return nullptr;
  }
}

}  // namespace optconv
