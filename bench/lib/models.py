"""The bench's model registry and generation (cached under bench/.models).

ONNX models come from the conformance suite's generator
tests/models/gen_torchvision.py (read, never edited) and, for the scaling run,
bench/models/gen_scaling.py; both run under Debian's python3 with torch.
SavedModels come from bench/models/gen_savedmodel.py in the bench venv.
"""
import dataclasses
import json
import os
import subprocess
import sys
from typing import Optional

from tools import BENCH_DIR

REPO_DIR = os.path.dirname(BENCH_DIR)
MODELS_DIR = os.path.join(BENCH_DIR, ".models")
TORCH_PYTHON = "/usr/bin/python3"
GEN_TORCHVISION = os.path.join(REPO_DIR, "tests", "models", "gen_torchvision.py")
GEN_SCALING = os.path.join(BENCH_DIR, "models", "gen_scaling.py")
GEN_SAVEDMODEL = os.path.join(BENCH_DIR, "models", "gen_savedmodel.py")

# Sections of the report and the models in each.
PEER_ONNX = ["mobilenet_v2", "resnet50", "efficientnet_b0", "unet", "transformer_encoder"]
ISSUE2_EXTRA = ["resnet18", "squeezenet1_1", "shufflenet_v2_x1_0", "mnasnet0_5", "googlenet",
                "lstm_classifier"]
SAVEDMODEL = ["keras_mobilenet_v2", "keras_resnet50", "keras_efficientnet_b0",
              "keras_lstm_text", "keras_transformer"]
SCALING = ["scale_depth_1x", "scale_depth_4x", "scale_depth_16x",
           "scale_width_1x", "scale_width_4x", "scale_width_16x"]
TORCHVISION = PEER_ONNX + ISSUE2_EXTRA
SAVEDMODEL_VERSION = 2  # gen_savedmodel.GENERATOR_VERSION; older caches are regenerated


def _savedmodel_version(meta_path):
    try:
        return json.load(open(meta_path)).get("generator_version", 1)
    except (OSError, ValueError):
        return None


@dataclasses.dataclass
class Model:
    name: str
    fmt: str            # "onnx" | "savedmodel"
    group: str          # "peer_onnx" | "issue2" | "savedmodel" | "scaling"
    path: str
    input: dict         # {"name", "shape", "kind", ...} for data.make_samples
    classifier: bool
    file_bytes: int = 0
    params: Optional[int] = None
    output_shape: Optional[list] = None
    output_activation: Optional[str] = None


def group_of(name):
    for group, names in (("peer_onnx", PEER_ONNX), ("issue2", ISSUE2_EXTRA),
                         ("savedmodel", SAVEDMODEL), ("scaling", SCALING)):
        if name in names:
            return group
    raise KeyError(f"unknown bench model '{name}' (known: "
                   f"{', '.join(TORCHVISION + SAVEDMODEL + SCALING)})")


def _run(cmd, log):
    with open(log, "w") as f:
        proc = subprocess.run(cmd, stdout=f, stderr=subprocess.STDOUT)
    if proc.returncode != 0:
        tail = open(log).read()[-3000:]
        raise RuntimeError(f"model generation failed: {' '.join(cmd)}\n{tail}")


def generate(names, log_dir):
    """Makes sure every named model exists on disk; generates the missing."""
    onnx_dir = os.path.join(MODELS_DIR, "onnx")
    sm_dir = os.path.join(MODELS_DIR, "savedmodel")
    os.makedirs(onnx_dir, exist_ok=True)
    os.makedirs(sm_dir, exist_ok=True)
    tv = [n for n in names if n in TORCHVISION]
    index_path = os.path.join(onnx_dir, "index.json")
    index = json.load(open(index_path)) if os.path.exists(index_path) else {}
    missing_tv = [n for n in tv if n not in index
                  or not os.path.exists(os.path.join(onnx_dir, f"{n}.onnx"))]
    if missing_tv:
        if not os.path.exists(GEN_TORCHVISION):
            raise RuntimeError(f"{GEN_TORCHVISION} is missing: cannot generate {missing_tv}")
        # The generator rewrites index.json with only the names it is given:
        # regenerate everything we have so the index stays complete.
        want = sorted(set(index) & set(TORCHVISION) | set(missing_tv))
        _run([TORCH_PYTHON, GEN_TORCHVISION, onnx_dir] + want,
             os.path.join(log_dir, "gen_torchvision.log"))
    missing_sc = [n for n in names if n in SCALING
                  and not os.path.exists(os.path.join(onnx_dir, f"{n}.onnx"))]
    if missing_sc:
        _run([TORCH_PYTHON, GEN_SCALING, onnx_dir] + missing_sc,
             os.path.join(log_dir, "gen_scaling.log"))
    missing_sm = [n for n in names if n in SAVEDMODEL
                  and _savedmodel_version(os.path.join(sm_dir, f"{n}.json")) != SAVEDMODEL_VERSION]
    if missing_sm:
        env = dict(os.environ, TF_USE_LEGACY_KERAS="1", TF_CPP_MIN_LOG_LEVEL="2")
        with open(os.path.join(log_dir, "gen_savedmodel.log"), "w") as f:
            proc = subprocess.run([sys.executable, GEN_SAVEDMODEL, sm_dir] + missing_sm,
                                  stdout=f, stderr=subprocess.STDOUT, env=env)
        if proc.returncode != 0:
            tail = open(os.path.join(log_dir, "gen_savedmodel.log")).read()[-3000:]
            raise RuntimeError(f"SavedModel generation failed:\n{tail}")
    return [load(n) for n in names]


def _dir_bytes(path):
    total = 0
    for root, _, files in os.walk(path):
        total += sum(os.path.getsize(os.path.join(root, f)) for f in files)
    return total


def load(name):
    group = group_of(name)
    if group == "savedmodel":
        path = os.path.join(MODELS_DIR, "savedmodel", name)
        meta = json.load(open(path + ".json"))
        return Model(name, "savedmodel", group, path, meta["input"], meta["classifier"],
                     file_bytes=_dir_bytes(path), params=meta.get("params"),
                     output_activation=meta.get("output_activation",
                                                "softmax" if meta["classifier"] else "none"))
    import onnx
    path = os.path.join(MODELS_DIR, "onnx", f"{name}.onnx")
    proto = onnx.load(path)
    graph_input = [i for i in proto.graph.input
                   if i.name not in {init.name for init in proto.graph.initializer}][0]
    shape = [d.dim_value for d in graph_input.type.tensor_type.shape.dim]
    params = int(sum(_numel(init.dims) for init in proto.graph.initializer))
    if group == "scaling":
        kind, classifier = "image", True
    else:
        index = json.load(open(os.path.join(MODELS_DIR, "onnx", "index.json")))
        kind = index[name]["kind"]
        classifier = bool(index[name].get("image_classifier"))
    if kind in ("classifier", "cnn", "image"):
        spec = {"kind": "image", "shape": shape, "style": "torch"}
    elif kind == "tokens":
        spec = {"kind": "tokens", "shape": shape, "dtype": "int64",
                "high": index[name]["inputs"][graph_input.name]["high"]}
    else:
        spec = {"kind": "normal", "shape": shape}
    spec["name"] = graph_input.name
    return Model(name, "onnx", group, path, spec, classifier,
                 file_bytes=os.path.getsize(path), params=params)


def _numel(dims):
    n = 1
    for d in dims:
        n *= d
    return n
