"""The converters under test: how to invoke each for a model and a mode.

Modes: float32, fp16 (float16 weights), dynamic (int8 weights, float
activations), int8 (int8 weights and activations, float I/O, calibrated on
the same 100 samples for every tool).

A Job is one converter process. Some peer invocations produce several modes
at once (onnx2tf writes float32 and float16 from one run, and its dynamic and
int8 outputs from one quantizing run); such modes share the job's `key`, so
the harness measures the invocation once per repetition and reports its cost
in each mode it serves.
"""
import dataclasses
import os
import sys
from typing import List, Optional

BENCH_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PEERS_DIR = os.path.join(BENCH_DIR, "peers")

MODES = ["float32", "fp16", "dynamic", "int8"]

# optconv's flag for each non-float mode. The CLI has no quantization yet, so
# these are the options we expect it to grow; until then the CLI rejects them
# and the row shows its error.
OPTCONV_MODE_FLAGS = {
    "float32": [],
    "fp16": ["--quantize", "float16"],
    "dynamic": ["--quantize", "dynamic"],
    "int8": ["--quantize", "int8", "--calibration-data", "{calib_npz}"],
}

# (source format, mode) pairs optconv claims to support. In --quick mode a
# failure in one of these is an error of the run; elsewhere a failure is an
# expected, reported row. Override with OPTCONV_BENCH_SUPPORTED="onnx:float32,...".
OPTCONV_SUPPORTED = {("onnx", "float32"), ("savedmodel", "float32")}


def optconv_supported():
    env = os.environ.get("OPTCONV_BENCH_SUPPORTED")
    if env:
        return {tuple(item.split(":")) for item in env.split(",") if item}
    return OPTCONV_SUPPORTED


@dataclasses.dataclass
class Job:
    tool: str
    key: str            # jobs with the same key (per model) are one invocation
    cmd: List[str]
    out_dir: str
    output_file: str    # the .tflite this mode takes from the invocation
    cwd: Optional[str] = None
    env: Optional[dict] = None
    reports_json: bool = False  # stdout's last line is {"convert_s": ...}


class Optconv:
    name = "optconv"

    def __init__(self, binary):
        self.binary = binary

    def job(self, model, mode, work_dir, calib):
        out_dir = os.path.join(work_dir, f"optconv_{mode}")
        out = os.path.join(out_dir, f"{model.name}.tflite")
        flags = [f.format(calib_npz=calib.get("npz", "")) for f in OPTCONV_MODE_FLAGS[mode]]
        cmd = [self.binary, "convert", model.path, "-o", out] + flags
        return Job(self.name, f"optconv:{mode}", cmd, out_dir, out)


class Onnx2tf:
    name = "onnx2tf"

    def __init__(self, python, cwd):
        self.python = python
        self.cwd = cwd  # holds the sample-data file onnx2tf would download

    def job(self, model, mode, work_dir, calib):
        script = os.path.join(PEERS_DIR, "onnx2tf_convert.py")
        base = os.path.splitext(os.path.basename(model.path))[0]
        if mode in ("float32", "fp16"):
            out_dir = os.path.join(work_dir, "onnx2tf_float")
            cmd = [self.python, script, model.path, out_dir]
            key = "onnx2tf:float"
        else:
            out_dir = os.path.join(work_dir, "onnx2tf_quant")
            cmd = [self.python, script, model.path, out_dir, "--quant", calib["nhwc_npy"]]
            key = "onnx2tf:quant"
        suffix = {"float32": "float32", "fp16": "float16", "dynamic": "dynamic_range_quant",
                  "int8": "integer_quant"}[mode]
        out = os.path.join(out_dir, f"{base}_{suffix}.tflite")
        return Job(self.name, key, cmd, out_dir, out, cwd=self.cwd, reports_json=True)


class TFLiteConverter:
    name = "tflite_converter"

    def __init__(self, python):
        self.python = python

    def job(self, model, mode, work_dir, calib):
        out_dir = os.path.join(work_dir, f"tfconv_{mode}")
        out = os.path.join(out_dir, f"{model.name}.tflite")
        cmd = [self.python, os.path.join(PEERS_DIR, "tf_convert.py"), model.path, out, mode]
        if mode == "int8":
            cmd.append(calib["npz"])
        env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", TF_USE_LEGACY_KERAS="1")
        return Job(self.name, f"tfconv:{mode}", cmd, out_dir, out, env=env, reports_json=True)


def python_exe():
    return sys.executable
