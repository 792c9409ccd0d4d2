#!/usr/bin/env python3
"""Runs the exporter's zoo models in the real LiteRT runtime and compares
every output with a numpy reference.

Usage:
  OPTCONV_TFLITE_DUMP_DIR=/tmp/zoo optconv_unit_tests --gtest_filter='TfliteExporterTest.Zoo*'
  python litert_check.py /tmp/zoo      # needs ai_edge_litert and numpy

Each model runs twice: with LiteRT's default delegate (XNNPACK) and with the
builtin kernels only. Weights are read back from the model, so the references
only encode the op semantics. Exit status 1 on any mismatch.
"""
import math
import os
import sys

import numpy as np
from ai_edge_litert.interpreter import Interpreter, OpResolverType

RNG_SEED = 0


# ----------------------------------------------------------------- helpers
def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def same_pads(size, k, s, d=1):
    ek = (k - 1) * d + 1
    out = -(-size // s)
    total = max((out - 1) * s + ek - size, 0)
    return out, total // 2, total - total // 2


def conv2d(x, w, b, stride=1, same=False, dil=1):
    n, h, wd, _ = x.shape
    co, kh, kw, _ = w.shape
    if same:
        oh, pt, pb = same_pads(h, kh, stride, dil)
        ow, pl, pr = same_pads(wd, kw, stride, dil)
    else:
        oh = (h - ((kh - 1) * dil + 1)) // stride + 1
        ow = (wd - ((kw - 1) * dil + 1)) // stride + 1
        pt = pb = pl = pr = 0
    xp = np.pad(x, ((0, 0), (pt, pb), (pl, pr), (0, 0)))
    out = np.zeros((n, oh, ow, co), np.float64)
    for i in range(kh):
        for j in range(kw):
            patch = xp[:, i * dil:i * dil + (oh - 1) * stride + 1:stride,
                       j * dil:j * dil + (ow - 1) * stride + 1:stride, :]
            out += patch @ w[:, i, j, :].T
    return out + (0 if b is None else b)


def depthwise(x, w, b, mult, stride=1, dil=1):
    n, h, wd, c = x.shape
    _, kh, kw, _ = w.shape
    oh = (h - ((kh - 1) * dil + 1)) // stride + 1
    ow = (wd - ((kw - 1) * dil + 1)) // stride + 1
    xe = np.repeat(x, mult, axis=3)
    out = np.zeros((n, oh, ow, c * mult))
    for i in range(kh):
        for j in range(kw):
            out += xe[:, i * dil:i * dil + (oh - 1) * stride + 1:stride,
                      j * dil:j * dil + (ow - 1) * stride + 1:stride, :] * w[0, i, j, :]
    return out + b


def transpose_conv(x, w, b, out_shape, stride):
    n, h, wd, _ = x.shape
    co, kh, kw, _ = w.shape
    full = np.zeros((n, (h - 1) * stride + kh, (wd - 1) * stride + kw, co))
    for y in range(h):
        for xx in range(wd):
            full[:, y * stride:y * stride + kh, xx * stride:xx * stride + kw, :] += np.einsum(
                'nc,oijc->nijo', x[:, y, xx, :], w)
    oh, ow = out_shape[1], out_shape[2]
    pt = max((h - 1) * stride + kh - oh, 0) // 2
    pl = max((wd - 1) * stride + kw - ow, 0) // 2
    return full[:, pt:pt + oh, pl:pl + ow, :] + b


def pool(x, k, s, same, fn):
    n, h, w, c = x.shape
    if same:
        oh, pt, pb = same_pads(h, k, s)
        ow, pl, pr = same_pads(w, k, s)
    else:
        oh, ow, pt, pb, pl, pr = (h - k) // s + 1, (w - k) // s + 1, 0, 0, 0, 0
    xp = np.pad(x, ((0, 0), (pt, pb), (pl, pr), (0, 0)), constant_values=np.nan)
    out = np.zeros((n, oh, ow, c))
    for i in range(oh):
        for j in range(ow):
            out[:, i, j, :] = fn(xp[:, i * s:i * s + k, j * s:j * s + k, :], axis=(1, 2))
    return out


def resize_bilinear(x, oh, ow, align=False, half=False):
    _, h, w, _ = x.shape

    def axis(out_size, in_size):
        scale = ((in_size - 1) / (out_size - 1)) if (align and out_size > 1) else in_size / out_size
        res = []
        for o in range(out_size):
            v = (o + 0.5) * scale - 0.5 if half else o * scale
            lo = max(int(math.floor(v)), 0)
            hi = min(int(math.ceil(v)), in_size - 1)
            res.append((v, lo, hi))
        return res

    out = np.zeros((x.shape[0], oh, ow, x.shape[3]))
    for i, (vy, y0, y1) in enumerate(axis(oh, h)):
        for j, (vx, x0, x1) in enumerate(axis(ow, w)):
            dy, dx = vy - y0, vx - x0
            out[:, i, j] = (x[:, y0, x0] * (1 - dy) * (1 - dx) + x[:, y1, x0] * dy * (1 - dx) +
                            x[:, y0, x1] * (1 - dy) * dx + x[:, y1, x1] * dy * dx)
    return out


def resize_nearest(x, oh, ow, align=False, half=False):
    _, h, w, _ = x.shape

    def idx(out_size, in_size):
        scale = ((in_size - 1) / (out_size - 1)) if (align and out_size > 1) else in_size / out_size
        off = 0.5 if half else 0.0
        r = []
        for o in range(out_size):
            v = round((o + off) * scale) if align else math.floor((o + off) * scale)
            r.append(max(0, min(int(v), in_size - 1)))
        return r

    return x[:, idx(oh, h)][:, :, idx(ow, w)]


def depth_to_space(x, b):
    n, h, w, c = x.shape
    return x.reshape(n, h, w, b, b, c // (b * b)).transpose(0, 1, 3, 2, 4, 5).reshape(
        n, h * b, w * b, c // (b * b))


def space_to_depth(x, b):
    n, h, w, c = x.shape
    return x.reshape(n, h // b, b, w // b, b, c).transpose(0, 1, 3, 2, 4, 5).reshape(
        n, h // b, w // b, c * b * b)


def softmax(x, beta=1.0):
    e = np.exp(beta * (x - x.max(-1, keepdims=True)))
    return e / e.sum(-1, keepdims=True)


erf = np.vectorize(math.erf)


# -------------------------------------------------------------- references
# Each takes (inputs by name, constants by name) and returns outputs by name.
def ref_conv_chain(i, c):
    y = np.clip(conv2d(i['x'], c['conv.w'], c['conv.b'], same=True), 0, 6) + c['shift']
    return {'probs': softmax(y.reshape(1, 256))}


def ref_fc_dynamic(i, c):
    return {'y': np.maximum(i['x'] @ c['fc.w'].T + c['fc.b'], 0)}


def ref_fc_keepdims_nobias(i, c):
    return {'y': i['x'] @ c['fc.w'].T}


def ref_depthwise(i, c):
    return {'y': np.maximum(depthwise(i['x'], c['dw.w'], c['dw.b'], 2, dil=2), 0)}


def ref_transpose_conv(i, c):
    return {'y': transpose_conv(i['x'], c['tc.w'], c['tc.b'], c['out_shape'], 2)}


def ref_pools(i, c):
    return {'avg': pool(i['x'], 2, 2, False, np.mean),
            'max': np.maximum(pool(i['x'], 3, 1, True, np.nanmax), 0)}


def ref_matmul_concat(i, c):
    return {'matmul': i['a'] @ i['c'].transpose(0, 2, 1),
            'concat': np.concatenate([i['a'], i['c']], 1)}


def ref_reducers(i, c):
    x = i['x']
    return {'mean': x.mean(1, keepdims=True), 'sum': x.sum((0, 2)), 'max': x.max(2),
            'min': x.min(-1, keepdims=True), 'prod': x.prod(1)}


def ref_activations(i, c):
    x = i['x']
    return {
        'leaky_relu': np.where(x > 0, x, 0.3 * x),
        'gelu_tanh': 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x**3))),
        'gelu': 0.5 * x * (1 + erf(x / math.sqrt(2))),
        'elu': np.where(x > 0, x, np.exp(x) - 1),
        'hard_swish': x * np.clip(x + 3, 0, 6) / 6,
        'relu': np.maximum(x, 0),
        'relu6': np.clip(x, 0, 6),
        'relu_n1_to_1': np.clip(x, -1, 1),
        'logistic': sigmoid(x),
        'tanh': np.tanh(x),
        'prelu': np.where(x >= 0, x, c['alpha'] * x),
        'log_softmax': np.log(softmax(x)),
        'softmax_beta': softmax(x, 0.5),
        'l2norm': x / np.sqrt(np.maximum((x * x).sum(-1, keepdims=True), 1e-6)),
    }


def ref_splits(i, c):
    x = i['x']
    out = {f'split{k}': v for k, v in enumerate(np.split(x, 3, 1))}
    out['splitv0'], out['splitv1'] = x[:, :1], x[:, 1:]
    packed = np.stack([x, x], 1)
    out['pack'] = packed
    for k in range(6):
        out[f'unpack{k}'] = packed[:, :, k]
    return out


def ref_shapes(i, c):
    s = i['x'].reshape(3, 2)
    return {'squeeze': s, 'expand_dims': s[:, None, :], 'transpose': s.T,
            'tile': np.tile(s, (2, 1)), 'slice': s[1:3, 0:1], 'shape': np.array([3, 2]),
            'broadcast_to': np.broadcast_to(s, (4, 3, 2)), 'fill': np.full((2, 2), 3.5),
            'range': np.array([1, 4, 7])}


def ref_strided_slice_gather(i, c):
    x = i['x']
    return {'ss_masks': x[1:3, 0:6:2, 4::-1], 'ss_shrink': x[2],
            'gather': np.take(x, c['idx'], axis=0),
            'gather_batched': np.stack([np.take(x[b], c['bidx'][b], axis=0) for b in range(4)])}


def ref_resize_space(i, c):
    x = i['x']
    d2s = depth_to_space(x, 2)
    return {'bilinear_half': resize_bilinear(x, 6, 8, half=True),
            'bilinear_align': resize_bilinear(x, 6, 8, align=True),
            'nearest_half': resize_nearest(x, 6, 8, half=True),
            'nearest': resize_nearest(x, 6, 8),
            'depth_to_space': d2s, 'space_to_depth': space_to_depth(d2s, 2)}


def ref_pads(i, c):
    x, p = i['x'], c['pads']
    return {'pad': np.pad(x, p), 'padv2': np.pad(x, p, constant_values=7.0),
            'mirror_symmetric': np.pad(x, p, mode='symmetric'),
            'mirror_reflect': np.pad(x, p, mode='reflect')}


def ref_cast_arg_cumsum(i, c):
    x = i['x']
    rev_incl = np.flip(np.cumsum(np.flip(x, 1), 1), 1)
    return {'cast_i32': np.trunc(x).astype(np.int32), 'argmax': x.argmax(1),
            'argmin': x.argmin(1), 'cumsum_excl_rev': rev_incl - x, 'cumsum': np.cumsum(x, 1)}


def ref_dequantize(i, c):
    return {'y': i['x'] * np.array([1, -2, 0.5, 3.140625])}


def ref_binary(i, c):
    a, b = i['a'], i['c']
    less, ge = a < b, a >= b
    return {'add_relu': np.maximum(a + b, 0), 'sub_relu6': np.clip(a - b, 0, 6),
            'mul_relu_n1': np.clip(a * b, -1, 1), 'div': a / b,
            'maximum': np.maximum(a, b), 'minimum': np.minimum(a, b),
            'squared_difference': (a - b)**2, 'abs': np.abs(a), 'pow': np.abs(a)**b,
            'less': less, 'greater_equal': ge, 'greater': a > b, 'less_equal': a <= b,
            'equal': a == b, 'not_equal': a != b, 'logical_and': less & ge,
            'logical_or': less | ge, 'select_v2': np.where(less, a, b)}


def ref_unary(i, c):
    x = i['x']
    p = np.abs(x)
    return {'abs': p, 'exp': np.exp(x), 'log': np.log(p), 'sqrt': np.sqrt(p),
            'rsqrt': 1 / np.sqrt(p), 'square': x * x, 'neg': -x, 'sin': np.sin(x),
            'cos': np.cos(x), 'floor': np.floor(x), 'ceil': np.ceil(x), 'round': np.round(x),
            'sign': np.sign(x)}


def ref_quantized_conv(i, c, q):
    xs, xz = q['x']
    ws = q['w'][0]
    x = (i['x'].astype(np.float64) - xz) * xs
    w = c['w'].astype(np.float64) * ws[:, None, None, None]
    bias = c['b'] * q['b'][0]
    y = conv2d(x, w, bias)
    ys, yz = q['y']
    return {'y': np.clip(np.round(y / ys) + yz, -128, 127)}


def ref_lstm(i, c):
    x = i['x']
    h = np.zeros((x.shape[1], 5))
    cell = np.zeros((x.shape[1], 5))
    ys = []
    for t in range(x.shape[0]):
        gate = {g: x[t] @ c[f'w_{g}'].T + h @ c[f'r_{g}'].T + c[f'b_{g}'] for g in 'ifco'}
        cell = sigmoid(gate['f']) * cell + sigmoid(gate['i']) * np.tanh(gate['c'])
        h = sigmoid(gate['o']) * np.tanh(cell)
        ys.append(h)
    return {'y': np.stack(ys)}


def ref_reshape_int64(i, c):
    return {'y': i['x'].reshape(3, 4)}


def lstm_pass(xs, c, prefix, size):
    h = np.zeros((xs.shape[1], size))
    cell = np.zeros((xs.shape[1], size))
    out = []
    for x in xs:
        gate = {g: x @ c[f'{prefix}w_{g}'].T + h @ c[f'{prefix}r_{g}'].T + c[f'{prefix}b_{g}']
                for g in 'ifco'}
        cell = sigmoid(gate['f']) * cell + sigmoid(gate['i']) * np.tanh(gate['c'])
        h = sigmoid(gate['o']) * np.tanh(cell)
        out.append(h)
    return np.stack(out)


def ref_bilstm(i, c):
    xs = i['x'].transpose(1, 0, 2)  # batch-major -> time-major
    fw = lstm_pass(xs, c, 'fw_', 3)
    bw = lstm_pass(xs[::-1], c, 'bw_', 3)[::-1]
    return {'y': np.concatenate([fw, bw], -1).transpose(1, 0, 2)}


REFERENCES = {name[4:]: fn for name, fn in globals().items() if name.startswith('ref_')}
# Inputs to resize before allocation (dynamic dims).
RESIZE = {'fc_dynamic': {'x': [3, 16]}}
# Outputs whose math the runtime approximates (ULP-level differences).
TOLERANCE = {'default': (2e-5, 2e-5), 'activations': (1e-4, 1e-4), 'lstm': (1e-4, 1e-4),
             'bilstm': (1e-4, 1e-4), 'unary': (1e-4, 1e-4), 'binary': (1e-4, 1e-4)}


def make_input(detail, shape, rng):
    dtype = detail['dtype']
    if dtype == np.int8:
        return rng.integers(-128, 128, shape).astype(np.int8)
    return (rng.standard_normal(shape) * 1.5).astype(dtype)


def run(path, resolver):
    name = os.path.basename(path)[:-len('.tflite')]
    it = Interpreter(model_path=path, num_threads=1, experimental_op_resolver_type=resolver)
    for d in it.get_input_details():
        if d['name'] in RESIZE.get(name, {}):
            it.resize_tensor_input(d['index'], RESIZE[name][d['name']])
    it.allocate_tensors()
    rng = np.random.default_rng(RNG_SEED)
    inputs = {}
    for d in it.get_input_details():
        inputs[d['name']] = make_input(d, d['shape'], rng)
        it.set_tensor(d['index'], inputs[d['name']])
    it.invoke()
    consts, quant = {}, {}
    for d in it.get_tensor_details():
        qp = d['quantization_parameters']
        if len(qp['scales']):
            quant[d['name']] = (qp['scales'] if len(qp['scales']) > 1 else qp['scales'][0],
                                qp['zero_points'][0])
        try:
            consts[d['name']] = it.get_tensor(d['index'])
        except ValueError:
            pass
    got = {d['name']: it.get_tensor(d['index']) for d in it.get_output_details()}
    ref_fn = REFERENCES[name]
    want = ref_fn(inputs, consts, quant) if ref_fn.__code__.co_argcount == 3 else ref_fn(
        inputs, consts)
    return name, got, want


def main():
    folder = sys.argv[1] if len(sys.argv) > 1 else os.environ.get('OPTCONV_TFLITE_DUMP_DIR', '.')
    failures = 0
    files = sorted(f for f in os.listdir(folder) if f.endswith('.tflite'))
    for f in files:
        for label, resolver in (('xnnpack', OpResolverType.AUTO),
                                ('builtin', OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES)):
            try:
                name, got, want = run(os.path.join(folder, f), resolver)
            except Exception as e:  # pylint: disable=broad-except
                print(f'FAIL {f} [{label}]: {e}')
                failures += 1
                continue
            rtol, atol = TOLERANCE.get(name, TOLERANCE['default'])
            if name == 'quantized_conv':
                rtol, atol = 0, 1  # one quantization step
            worst, bad = 0.0, []
            if set(got) != set(want):
                bad.append(f'outputs {sorted(got)} != {sorted(want)}')
            for key in sorted(set(got) & set(want)):
                g = got[key].astype(np.float64)
                w = np.asarray(want[key]).astype(np.float64)
                if g.shape != w.shape:
                    bad.append(f'{key}: shape {g.shape} != {w.shape}')
                    continue
                err = np.abs(g - w)
                worst = max(worst, float(err.max(initial=0)))
                if not np.allclose(g, w, rtol=rtol, atol=atol):
                    bad.append(f'{key}: max |err| {err.max():.3g}')
            status = 'ok  ' if not bad else 'FAIL'
            failures += bool(bad)
            print(f'{status} {name:22s} [{label}] outputs={len(got):2d} max|err|={worst:.2e}'
                  + ('' if not bad else '  ' + '; '.join(bad)))
    print(f'{len(files)} models, {failures} failures')
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
