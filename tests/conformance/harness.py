"""Shared machinery of the conformance suite.

Runs `optconv convert`, loads the result in the real LiteRT interpreter and
the source in onnxruntime, feeds both the same data (transposed when the
converter moved an image tensor to NHWC) and compares every output.
"""
import dataclasses
import functools
import hashlib
import itertools
import json
import math
import os
import re
import subprocess
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
GENERATED = REPO / "tests" / "conformance" / ".generated"
SHARED_MODELS = Path(os.environ.get("OPTCONV_SHARED_MODELS") or REPO.parent / "shared" / "models")
ONNX_TESTDATA = Path(os.environ.get("OPTCONV_ONNX_TESTDATA") or "/usr/share/libonnx-testdata/data")

# Pass criteria for every compared output (docs/testing.md).
MIN_SQNR_DB = 80.0
MAX_REL_DIFF = 1e-3  # of max |reference|

# The ONNX ops optconv must convert (the list). Constant is trivially
# folded by any importer, so models using it count as fully supported too.
SUPPORTED_OPS = frozenset("""
    Conv ConvTranspose BatchNormalization Relu Clip LeakyRelu PRelu Sigmoid HardSigmoid HardSwish
    Tanh Add Sub Mul Div Pow Sqrt Erf MatMul Gemm MaxPool AveragePool GlobalAveragePool Flatten
    Reshape Transpose Concat Split Slice Squeeze Unsqueeze Softmax Pad Resize ReduceMean
    LayerNormalization Gather Cast Dropout Identity LSTM Constant Einsum""".split())

EXIT_OK, EXIT_USAGE, EXIT_INVALID, EXIT_UNSUPPORTED, EXIT_INTERNAL = 0, 1, 2, 3, 4


@functools.lru_cache(maxsize=None)
def claimed_ops(fmt):
    """The op types `optconv ops` says it converts for `fmt` ("onnx", "tensorflow"): every one
    the binary claims is held to the conformance cases, not only the issue's list. Empty when
    the binary cannot run (the conversion tests then fail on their own)."""
    try:
        proc = subprocess.run([str(optconv_binary()), "ops", "--format", fmt, "--json"],
                              capture_output=True, text=True, timeout=60)
        return frozenset(json.loads(proc.stdout)[fmt]) if proc.returncode == 0 else frozenset()
    except (OSError, ValueError, KeyError, subprocess.SubprocessError):
        return frozenset()

# "<file>: node '<name>' (<op>): <problem>"
NODE_ERROR = re.compile(r"node '([^']*)' \(([^)]*)\)")


# What AddressSanitizer, LeakSanitizer and UBSan print when they find a bug.
SANITIZER_MARKERS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:")


def optconv_binary():
    return Path(os.environ.get("OPTCONV") or REPO / "build" / "cli" / "optconv")


def sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


@dataclasses.dataclass
class ConvertResult:
    model: Path
    output: Path
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    report: dict | None  # the --json report, when stdout held one

    def describe(self):
        return (f"optconv convert {self.model} exited {self.returncode}\n"
                f"--- stderr ---\n{self.stderr.strip()[-4000:]}")


def run_optconv(args, timeout=600):
    binary = optconv_binary()
    if not binary.exists():
        raise AssertionError(f"optconv binary not found at {binary}; build it with "
                             "scripts/build.sh (or point OPTCONV at it)")
    proc = subprocess.run([str(binary), *map(str, args)], capture_output=True, text=True,
                          errors="replace", timeout=timeout)
    # A sanitizer build (scripts/asan.sh) reports on stderr; any report fails the test.
    for marker in SANITIZER_MARKERS:
        if marker in proc.stderr:
            raise AssertionError(f"sanitizer report ({marker!r}) from optconv "
                                 f"{' '.join(map(str, args))}:\n{proc.stderr[-6000:]}")
    return proc


def convert(model, output, timeout=600):
    """`optconv convert MODEL -o OUTPUT --json`, never raising on a failed conversion."""
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    if output.exists():
        output.unlink()
    start = time.monotonic()
    proc = run_optconv(["convert", model, "-o", output, "--json"], timeout=timeout)
    seconds = time.monotonic() - start
    report = None
    try:
        report = json.loads(proc.stdout) if proc.stdout.strip() else None
    except json.JSONDecodeError:
        pass
    return ConvertResult(Path(model), output, proc.returncode, proc.stdout, proc.stderr, seconds,
                         report)


# ----------------------------------------------------------------------------------------------
# Inputs

def onnx_io(model):
    """([(name, dims, np dtype)], [(name, dims, np dtype)]) of the graph; dims hold str for
    symbolic dimensions. Initializers listed as inputs (old IR) are left out."""
    from onnx import helper
    inits = {i.name for i in model.graph.initializer}

    def describe(vi):
        t = vi.type.tensor_type
        dims = [d.dim_value if d.HasField("dim_value") else (d.dim_param or "?")
                for d in t.shape.dim]
        return vi.name, dims, np.dtype(helper.tensor_dtype_to_np_dtype(t.elem_type))

    ins = [describe(v) for v in model.graph.input if v.name not in inits]
    outs = [describe(v) for v in model.graph.output]
    return ins, outs


def make_feeds(inputs, specs, seed, dims=None):
    """Random feeds: `specs` maps input name to {"kind": normal|positive|tokens|value, ...};
    `dims` maps symbolic dimension names to sizes (default 1)."""
    rng = np.random.default_rng(seed)
    feeds = {}
    for name, shape, dtype in inputs:
        shape = [d if isinstance(d, int) else (dims or {}).get(d, 1) for d in shape]
        spec = specs.get(name, {"kind": "normal"})
        kind = spec["kind"]
        if kind == "value":
            feeds[name] = np.full(shape, spec["value"], dtype)
        elif kind == "tokens" or np.issubdtype(dtype, np.integer):
            low, high = spec.get("low", 0), spec.get("high", 10)
            feeds[name] = rng.integers(low, high, shape).astype(dtype)
        elif np.issubdtype(dtype, np.bool_):
            feeds[name] = rng.integers(0, 2, shape).astype(bool)
        else:
            x = rng.standard_normal(shape).astype(dtype)
            feeds[name] = np.abs(x) + dtype.type(0.5) if kind == "positive" else x
    return feeds


def run_onnxruntime(model_path, feeds):
    import onnxruntime as ort
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.log_severity_level = 3
    sess = ort.InferenceSession(str(model_path), options, providers=["CPUExecutionProvider"])
    names = [o.name for o in sess.get_outputs()]
    return dict(zip(names, sess.run(None, feeds)))


# ----------------------------------------------------------------------------------------------
# The LiteRT side

def channels_last_perm(rank):
    return (0, *range(2, rank), 1)


def inverse_perm(perm):
    return tuple(np.argsort(perm))


def shapes_match(concrete, tflite_shape):
    return len(concrete) == len(tflite_shape) and all(
        t == -1 or c == t for c, t in zip(concrete, tflite_shape))


def layout_candidates(onnx_shape, tflite_shape, name, recorded=None):
    """Permutations that may turn an ONNX-layout array into the TFLite tensor's layout: the
    converter's own record when it gave one, else every one the shapes allow (identity
    first). Two candidates remain when the shape cannot tell, e.g. [1, 8, 8, 8]."""
    if recorded is not None:
        return [tuple(recorded)]
    onnx_shape = list(onnx_shape)
    found = []
    if shapes_match(onnx_shape, tflite_shape):
        found.append(tuple(range(len(onnx_shape))))
    if len(onnx_shape) >= 3:
        perm = channels_last_perm(len(onnx_shape))
        if shapes_match([onnx_shape[p] for p in perm], tflite_shape) and perm not in found:
            found.append(perm)
    if not found:
        raise AssertionError(f"'{name}': TFLite shape {list(tflite_shape)} is neither the ONNX "
                             f"shape {onnx_shape} nor its channels-last permutation")
    return found


def layout_perm(onnx_shape, tflite_shape, name, recorded=None):
    """The first layout candidate (identity when the shapes allow it)."""
    return layout_candidates(onnx_shape, tflite_shape, name, recorded)[0]


def recorded_layouts(report):
    """Per-tensor permutations if the --json report records them ({"io": [{"name", "perm"}]})."""
    layouts = {}
    for entry in (report or {}).get("io", []) or []:
        perm = entry.get("perm") or entry.get("permutation")
        if isinstance(entry, dict) and "name" in entry and perm:
            layouts[entry["name"]] = perm
    return layouts


class TfliteRunner:
    """One .tflite model in LiteRT (single thread), addressed by ONNX tensor names."""

    def __init__(self, path, onnx_inputs, onnx_outputs):
        from ai_edge_litert.interpreter import Interpreter
        self.path = Path(path)
        self.interp = Interpreter(model_path=str(path), num_threads=1)
        self.onnx_inputs = [n for n, _, _ in onnx_inputs]
        self.onnx_outputs = [n for n, _, _ in onnx_outputs]
        self.runner = None
        self.ran = False
        sigs = self.interp.get_signature_list()
        if len(sigs) == 1:
            key, sig = next(iter(sigs.items()))
            if (set(sig["inputs"]) == set(self.onnx_inputs) and
                    set(self.onnx_outputs) <= set(sig["outputs"])):
                self.runner = self.interp.get_signature_runner(key)
                self.matched_by = "signature"
        if self.runner is None:
            ins = [d["name"] for d in self.interp.get_input_details()]
            outs = [d["name"] for d in self.interp.get_output_details()]
            if set(ins) == set(self.onnx_inputs) and set(self.onnx_outputs) <= set(outs):
                self.matched_by = "tensor name"
                self.in_index = {d["name"]: d for d in self.interp.get_input_details()}
                self.out_index = {d["name"]: d for d in self.interp.get_output_details()}
            elif len(ins) == len(self.onnx_inputs) and len(outs) == len(self.onnx_outputs):
                self.matched_by = "position"
                self.in_index = dict(zip(self.onnx_inputs, self.interp.get_input_details()))
                self.out_index = dict(zip(self.onnx_outputs, self.interp.get_output_details()))
            else:
                raise AssertionError(
                    f"cannot match TFLite inputs {ins} / outputs {outs} to ONNX inputs "
                    f"{self.onnx_inputs} / outputs {self.onnx_outputs}")

    def input_details(self):
        """ONNX input name -> LiteRT details (shape, shape_signature, dtype)."""
        if self.runner is not None:
            return self.runner.get_input_details()
        return self.in_index

    def op_names(self):
        return [op["op_name"] for op in self.interp._get_ops_details()]

    def run(self, feeds):
        """feeds are already in TFLite layout and dtype; returns ONNX output name -> array.

        TFLite's fused sequence LSTMs keep their state in variable tensors across
        invocations (the official converter's output does the same); ONNX is
        stateless, so every run starts from reset variables."""
        if self.ran:
            self.interp.reset_all_variables()  # needs allocated tensors: not before the 1st run
        self.ran = True
        if self.runner is not None:
            result = self.runner(**feeds)
            return {name: result[name] for name in self.onnx_outputs}
        for name, value in feeds.items():
            detail = self.in_index[name]
            if list(detail["shape"]) != list(value.shape):
                self.interp.resize_tensor_input(detail["index"], list(value.shape))
        self.interp.allocate_tensors()
        for name, value in feeds.items():
            self.interp.set_tensor(self.in_index[name]["index"], value)
        self.interp.invoke()
        return {name: self.interp.get_tensor(d["index"]).copy()
                for name, d in self.out_index.items() if name in self.onnx_outputs}


def to_tflite_dtype(value, dtype, name):
    dtype = np.dtype(dtype)
    if value.dtype == dtype:
        return value
    if np.issubdtype(value.dtype, np.integer) and np.issubdtype(dtype, np.integer):
        info = np.iinfo(dtype)
        if value.size and (value.min() < info.min or value.max() > info.max):
            raise AssertionError(f"'{name}': values do not fit the TFLite input type {dtype}")
        return value.astype(dtype)
    raise AssertionError(f"'{name}': ONNX input type {value.dtype} became {dtype} in TFLite")


# ----------------------------------------------------------------------------------------------
# Comparison

@dataclasses.dataclass
class Metrics:
    name: str
    sqnr_db: float
    max_abs_diff: float
    max_abs_ref: float
    ok: bool
    note: str = ""

    @property
    def rel_diff(self):
        return self.max_abs_diff / self.max_abs_ref if self.max_abs_ref > 0 else (
            0.0 if self.max_abs_diff == 0 else math.inf)

    def __str__(self):
        return (f"{self.name}: SQNR {self.sqnr_db:.1f} dB, max|diff| {self.max_abs_diff:.3g} "
                f"(max|ref| {self.max_abs_ref:.3g}, rel {self.rel_diff:.2g}){self.note}")


def compare(name, ref, out):
    """SQNR >= MIN_SQNR_DB and max|diff| <= MAX_REL_DIFF * max|ref| (exact for ints/bools)."""
    ref, out = np.asarray(ref), np.asarray(out)
    if ref.shape != out.shape:
        return Metrics(name, -math.inf, math.inf, 0.0, False,
                       f" — shape {list(out.shape)} != reference {list(ref.shape)}")
    if not np.issubdtype(ref.dtype, np.floating):
        equal = np.array_equal(ref.astype(np.float64), out.astype(np.float64))
        diff = float(np.max(np.abs(ref.astype(np.float64) - out.astype(np.float64)), initial=0))
        return Metrics(name, math.inf if equal else -math.inf, diff,
                       float(np.max(np.abs(ref.astype(np.float64)), initial=0)), equal,
                       " (exact compare)")
    ref64, out64 = ref.astype(np.float64), out.astype(np.float64)
    note = ""
    special = ~np.isfinite(ref64)
    if special.any():  # NaN/inf must be reproduced where the reference has them
        same = (np.isnan(ref64) & np.isnan(out64)) | (ref64 == out64)
        if not same[special].all():
            return Metrics(name, -math.inf, math.inf, 0.0, False, " — NaN/inf differ")
        ref64, out64 = ref64[~special], out64[~special]
        note = " (non-finite values equal)"
    if not np.isfinite(out64).all():
        return Metrics(name, -math.inf, math.inf, 0.0, False, " — output has NaN/inf")
    err = out64 - ref64
    signal, noise = float(np.sum(ref64 ** 2)), float(np.sum(err ** 2))
    if noise == 0:
        sqnr = math.inf
    else:
        sqnr = -math.inf if signal == 0 else 10 * math.log10(signal / noise)
    max_abs = float(np.max(np.abs(err), initial=0))
    max_ref = float(np.max(np.abs(ref64), initial=0))
    ok = max_abs <= MAX_REL_DIFF * max_ref and (sqnr >= MIN_SQNR_DB or max_abs == 0)
    return Metrics(name, sqnr, max_abs, max_ref, ok, note)


@dataclasses.dataclass
class TfliteInfo:
    """What the harness learned about a .tflite while running it (picklable)."""
    matched_by: str
    ops: list
    inputs: dict  # ONNX input name -> {"shape", "shape_signature", "dtype"}
    ambiguous_layouts: list = dataclasses.field(default_factory=list)


def _info(runner):
    inputs = {name: {"shape": list(d["shape"]),
                     "shape_signature": list(d.get("shape_signature", d["shape"])),
                     "dtype": np.dtype(d["dtype"]).name}
              for name, d in runner.input_details().items()}
    return TfliteInfo(runner.matched_by, runner.op_names(), inputs)


def _load_in_worker(tflite_path):
    from ai_edge_litert.interpreter import Interpreter
    Interpreter(model_path=str(tflite_path), num_threads=1).allocate_tensors()


def _inspect_in_worker(tflite_path, onnx_inputs, onnx_outputs):
    return _info(TfliteRunner(tflite_path, onnx_inputs, onnx_outputs))


def _check_in_worker(tflite_path, onnx_inputs, onnx_outputs, feed_sets, references, report):
    runner = TfliteRunner(tflite_path, onnx_inputs, onnx_outputs)
    recorded = recorded_layouts(report)
    details = runner.input_details()
    metrics, problems, ambiguous = [], [], set()
    for index, (feeds, ref) in enumerate(zip(feed_sets, references)):
        choices = {}
        for name, value in feeds.items():
            d = details[name]
            signature = d.get("shape_signature", d["shape"])
            choices[name] = layout_candidates(value.shape, signature, name, recorded.get(name))
            if len(choices[name]) > 1:
                ambiguous.add(name)
        best = None
        # Usually one combination; shapes like [1, 8, 8, 8] cannot tell NCHW from NHWC, so
        # each reading is tried and the one whose outputs match is kept.
        for combo in itertools.product(*choices.values()):
            # np.array(order="C"), not ascontiguousarray: that turns a scalar into [1].
            tfl_feeds = {name: np.array(
                to_tflite_dtype(feeds[name], details[name]["dtype"], name).transpose(perm),
                order="C") for name, perm in zip(choices, combo)}
            outs = runner.run(tfl_feeds)
            result = [_compare_output(name, index, ref[name], outs[name], recorded, ambiguous)
                      for name in runner.onnx_outputs]
            if best is None or sum(not m.ok for m in result) < sum(not m.ok for m in best):
                best = result
            if all(m.ok for m in result):
                break
        metrics += best
        problems += [str(m) for m in best if not m.ok]
    info = _info(runner)
    info.ambiguous_layouts = sorted(ambiguous)
    return metrics, problems, info


def _compare_output(name, index, expected, got, recorded, ambiguous):
    expected = np.asarray(expected)
    candidates = layout_candidates(expected.shape, got.shape, name, recorded.get(name))
    if len(candidates) > 1:
        ambiguous.add(name)
    tried = [compare(f"{name}[{index}]", expected.transpose(perm), got) for perm in candidates]
    return next((m for m in tried if m.ok), tried[0])


def check_against_reference(tflite_path, onnx_inputs, onnx_outputs, feed_sets, references,
                            report=None):
    """Runs each feed set through LiteRT and compares with `references` (a list of
    {output name: array}, one per feed set). Returns (metrics, problems, TfliteInfo)."""
    return LITERT.call("_check_in_worker", str(tflite_path), onnx_inputs, onnx_outputs,
                       feed_sets, references, report)


def inspect_tflite(tflite_path, onnx_inputs, onnx_outputs):
    """TfliteInfo of a .tflite (ops, input shapes) without running it."""
    return LITERT.call("_inspect_in_worker", str(tflite_path), onnx_inputs, onnx_outputs)


def _serve(conn):
    """The worker's loop: LiteRT runs here so that a model that aborts the
    interpreter fails one test instead of killing the pytest process."""
    while True:
        try:
            name, args = conn.recv()
        except EOFError:
            return
        try:
            conn.send((True, globals()[name](*args)))
        except Exception as e:  # reported to the test, which fails with it
            conn.send((False, f"{type(e).__name__}: {e}"))


class _Worker:
    def __init__(self):
        self.proc = self.conn = None

    def call(self, name, *args, timeout=600):
        if self.proc is None or not self.proc.is_alive():
            import multiprocessing
            ctx = multiprocessing.get_context("spawn")
            self.conn, child = ctx.Pipe()
            self.proc = ctx.Process(target=_serve, args=(child,), daemon=True)
            self.proc.start()
            child.close()
        self.conn.send((name, args))
        if not self.conn.poll(timeout):
            self.proc.kill()
            self.proc = None
            raise AssertionError(f"LiteRT did not finish within {timeout}s on {args[0]}")
        try:
            ok, value = self.conn.recv()
        except EOFError:
            self.proc.join(5)
            code = self.proc.exitcode
            self.proc = None
            raise AssertionError(f"LiteRT crashed (worker exit {code}) on {args[0]}") from None
        if not ok:
            raise AssertionError(value)
        return value


LITERT = _Worker()


# ----------------------------------------------------------------------------------------------
# Error-message checks

def listed_nodes(stderr):
    """{(node name, op type)} named in `<file>: node '<name>' (<op>): ...` lines."""
    return set(NODE_ERROR.findall(stderr))


def dir_listing(path):
    return sorted(p.name for p in Path(path).iterdir())
