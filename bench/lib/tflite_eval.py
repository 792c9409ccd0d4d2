"""What a converted .tflite is worth: size, ops, LiteRT latency and accuracy.

Inputs are fed in the source model's convention and adapted to the .tflite
signature: a layout permutation when the converter moved channels last (the
identity first, then channels-last, then any permutation that matches the
shape), quantization when the tensor is int8/uint8, a cast for integer ids.
Outputs are dequantized and permuted back the same way before comparison.
"""
import collections
import gzip
import hashlib
import itertools
import os
import statistics
import time

import numpy as np
import tflite
from ai_edge_litert.interpreter import Interpreter, OpResolverType


def file_sizes(path):
    raw = open(path, "rb").read()
    return {"size_bytes": len(raw), "gzip_bytes": len(gzip.compress(raw, compresslevel=9))}


def _tensor_shape(sg, index):
    return [] if index < 0 else sg.Tensors(index).ShapeAsNumpy().tolist() or []


def op_stats(path):
    """Op count over all subgraphs, TRANSPOSE count, the op histogram and a digest of
    the op sequence (each op's name and its input and output shapes): two files with
    the same digest run the same kernels on the same shapes."""
    model = tflite.Model.GetRootAsModel(open(path, "rb").read(), 0)
    hist = collections.Counter()
    sequence = hashlib.sha256()
    for si in range(model.SubgraphsLength()):
        sg = model.Subgraphs(si)
        for oi in range(sg.OperatorsLength()):
            op = sg.Operators(oi)
            code = model.OperatorCodes(op.OpcodeIndex())
            builtin = max(code.BuiltinCode(), code.DeprecatedBuiltinCode())
            name = tflite.opcode2name(builtin)
            if name == "CUSTOM" and code.CustomCode():
                name = "CUSTOM:" + code.CustomCode().decode("utf-8", "replace")
            hist[name] += 1
            ins = [_tensor_shape(sg, op.Inputs(j)) for j in range(op.InputsLength())]
            outs = [_tensor_shape(sg, op.Outputs(j)) for j in range(op.OutputsLength())]
            sequence.update(repr((si, name, ins, outs)).encode())
    return {"ops": sum(hist.values()), "transposes": hist.get("TRANSPOSE", 0),
            "subgraphs": model.SubgraphsLength(), "op_histogram": dict(sorted(hist.items())),
            "op_sequence_sha256": sequence.hexdigest()}


def find_perm(src_shape, dst_shape):
    """A permutation p with src_shape[p] == dst_shape, preferring the identity
    and then channels-last; None if there is none."""
    src, dst = tuple(src_shape), tuple(int(d) for d in dst_shape)
    if len(src) != len(dst):
        return None
    n = len(src)
    candidates = [tuple(range(n))]
    if n >= 3:
        candidates.append((0,) + tuple(range(2, n)) + (1,))
    candidates += list(itertools.permutations(range(n)))
    for perm in candidates:
        if tuple(src[i] for i in perm) == dst:
            return perm
    return None


def _quantize(x, detail):
    scale, zero = detail["quantization"]
    info = np.iinfo(detail["dtype"])
    return np.clip(np.round(x / scale) + zero, info.min, info.max).astype(detail["dtype"])


def _dequantize(y, detail):
    if np.issubdtype(detail["dtype"], np.integer) and detail["quantization"][0] != 0:
        scale, zero = detail["quantization"]
        return (y.astype(np.float32) - zero) * scale
    return y.astype(np.float32)


class Runner:
    """One .tflite in LiteRT: 1 thread, default delegates (XNNPACK)."""

    def __init__(self, path, src_input_shape, src_output_shape, threads=1):
        self.interp = Interpreter(model_path=path, num_threads=threads)
        self.interp.allocate_tensors()
        ins, outs = self.interp.get_input_details(), self.interp.get_output_details()
        if len(ins) != 1 or len(outs) != 1:
            raise ValueError(f"expected 1 input and 1 output, found {len(ins)} and {len(outs)}")
        self.inp, self.out = ins[0], outs[0]
        self.in_perm = find_perm(src_input_shape, self.inp["shape"])
        if self.in_perm is None:
            raise ValueError(f"input shape {list(self.inp['shape'])} does not match the "
                             f"source's {list(src_input_shape)} under any permutation")
        perm = find_perm(src_output_shape, self.out["shape"])
        if perm is None:
            raise ValueError(f"output shape {list(self.out['shape'])} does not match the "
                             f"source's {list(src_output_shape)} under any permutation")
        self.out_inverse = tuple(np.argsort(perm))
        self.layout = {"input_perm": list(self.in_perm), "output_perm": list(perm),
                       "input_dtype": np.dtype(self.inp["dtype"]).name,
                       "output_dtype": np.dtype(self.out["dtype"]).name}

    def set_input(self, x):
        x = np.transpose(x, self.in_perm)
        dtype = self.inp["dtype"]
        if np.issubdtype(dtype, np.integer) and self.inp["quantization"][0] != 0:
            x = _quantize(x, self.inp)
        self.interp.set_tensor(self.inp["index"], np.ascontiguousarray(x.astype(dtype)))

    def invoke(self):
        self.interp.invoke()

    def output(self):
        y = _dequantize(self.interp.get_tensor(self.out["index"]), self.out)
        return np.transpose(y, self.out_inverse)

    def run(self, x):
        self.set_input(x)
        self.invoke()
        return self.output()


def accuracy(outputs, references, classifier):
    """SQNR (dB) and max relative error over all samples, top-1 agreement."""
    out = np.concatenate([o.reshape(-1) for o in outputs]).astype(np.float64)
    ref = np.concatenate([r.reshape(-1) for r in references]).astype(np.float64)
    noise = float(np.sum((out - ref) ** 2))
    signal = float(np.sum(ref ** 2))
    sqnr = float("inf") if noise == 0 else 10 * np.log10(signal / noise)
    result = {"sqnr_db": sqnr,
              "max_rel_err": float(np.max(np.abs(out - ref)) / max(1e-30, np.max(np.abs(ref)))),
              "samples": len(outputs)}
    if classifier:
        agree = [int(np.argmax(o.reshape(-1)) == np.argmax(r.reshape(-1)))
                 for o, r in zip(outputs, references)]
        result["top1_agreement"] = sum(agree) / len(agree)
    return result


def interleaved_latency(factories, sample, warmup, iterations):
    """Median invoke() time per file, the files timed in turn each round.

    factories[i]() creates a fresh Runner for file i. Of interpreters created one after
    another in a process, the earlier-created runs measurably slower (one file timed
    against a copy of itself: the first-created was 2-4 % slower on efficientnet_b0 and
    mobilenet_v2), so the measurement is two passes with opposite creation orders,
    `iterations` rounds each, and the order within a round alternates too: every file is
    first as often as last.
    """
    n = len(factories)
    times = [[] for _ in range(n)]
    by_position = [[[] for _ in range(n)] for _ in range(n)]  # [file][creation position]
    for order in (list(range(n)), list(range(n))[::-1]):
        runners = {}
        for i in order:
            runners[i] = factories[i]()
        for i in order:
            runners[i].set_input(sample)
            for _ in range(warmup):
                runners[i].invoke()
        for r in range(iterations):
            for i in (order if r % 2 == 0 else order[::-1]):
                start = time.perf_counter()
                runners[i].invoke()
                elapsed = time.perf_counter() - start
                times[i].append(elapsed)
                by_position[i][order.index(i)].append(elapsed)
        del runners
    return [{"latency_ms": 1000 * statistics.median(t), "latency_min_ms": 1000 * min(t),
             "latency_runs": len(t),
             "latency_ms_by_creation_position": [1000 * statistics.median(p)
                                                 for p in by_position[i]]}
            for i, t in enumerate(times)]


def op_resolver_note():
    return str(OpResolverType.AUTO)


def exists(path):
    return path and os.path.isfile(path)
