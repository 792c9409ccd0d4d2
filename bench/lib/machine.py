"""Machine description and tool versions for the results file."""
import os
import platform
import subprocess
from importlib import metadata

import psutil

PACKAGES = ["tensorflow-cpu", "tf-keras", "onnx2tf", "ai-edge-litert", "onnxruntime", "onnx",
            "onnxsim", "onnx-graphsurgeon", "numpy", "psutil", "scikit-image", "pillow", "tflite"]


def _read(path):
    try:
        return open(path).read()
    except OSError:
        return ""


def describe():
    cpu = "unknown"
    for line in _read("/proc/cpuinfo").splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    os_name = "unknown"
    for line in _read("/etc/os-release").splitlines():
        if line.startswith("PRETTY_NAME="):
            os_name = line.split("=", 1)[1].strip('"')
    load = os.getloadavg()
    return {
        "cpu_model": cpu,
        "logical_cores": psutil.cpu_count(logical=True),
        "physical_cores": psutil.cpu_count(logical=False),
        "ram_bytes": psutil.virtual_memory().total,
        "os": os_name,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "load_average_at_start": [round(x, 2) for x in load],
    }


def versions(optconv_bin, repo_dir):
    out = {}
    for pkg in PACKAGES:
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = None
    try:
        out["torch (model export, Debian python3)"] = subprocess.run(
            ["/usr/bin/python3", "-c",
             "import torch, torchvision; print(torch.__version__, torchvision.__version__)"],
            capture_output=True, text=True, timeout=120).stdout.strip() or None
    except (OSError, subprocess.TimeoutExpired):
        out["torch (model export, Debian python3)"] = None
    try:
        commit = subprocess.run(["git", "-C", repo_dir, "rev-parse", "--short", "HEAD"],
                                capture_output=True, text=True, timeout=30).stdout.strip()
        dirty = subprocess.run(["git", "-C", repo_dir, "status", "--porcelain", "--", ".",
                                ":!bench", ":!docs"], capture_output=True, text=True,
                               timeout=30).stdout.strip()
        out["optconv"] = f"git {commit}{' + uncommitted changes' if dirty else ''}"
    except (OSError, subprocess.TimeoutExpired):
        out["optconv"] = None
    out["optconv_binary"] = optconv_bin
    return out
