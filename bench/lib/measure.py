"""Runs one converter process and measures it: wall time and peak memory.

Peak memory is that of the whole process tree: a sampler thread sums the RSS
of the converter process and all its descendants every ~10 ms (onnx2tf starts
onnxsim subprocesses). The kernel's own high-water mark of the converter
process (ru_maxrss) catches a peak between two samples, which matters for
converters that finish in a fraction of a second; the reported peak is the
larger of the two. ru_maxrss of a child forked from this (large) Python
process would include the pre-exec copy of our own image, so the converter is
started through /usr/bin/time (Debian's `time`, a small process) and its %M
of the converter is used instead; /usr/bin/time itself is left out of the
sampled sum. Wall time runs from just before the fork to the child's exit (the main
thread blocks in wait4, so exit is seen at once, not at the next sample).
"""
import dataclasses
import os
import signal
import subprocess
import threading
import time
from typing import List, Optional

import psutil

SAMPLE_PERIOD_S = 0.01
GNU_TIME = "/usr/bin/time"


@dataclasses.dataclass
class ProcResult:
    cmd: List[str]
    exit_code: int
    wall_s: float
    peak_rss_bytes: int
    peak_tree_sampled_bytes: int
    maxrss_child_bytes: int
    samples: int
    timed_out: bool
    stdout: str
    stderr: str


def _tree_rss(proc: psutil.Process, include_root: bool) -> int:
    total = 0
    try:
        procs = ([proc] if include_root else []) + proc.children(recursive=True)
    except psutil.Error:
        return 0
    for p in procs:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total


def run_measured(cmd: List[str], log_prefix: str, cwd: Optional[str] = None,
                 timeout_s: float = 1800, env: Optional[dict] = None) -> ProcResult:
    """Runs `cmd` to completion, returns its exit code, wall time and peak RSS.

    stdout/stderr go to `log_prefix`.out/.err (files, not pipes, so a chatty
    converter can never block on a full pipe while we wait for it).
    """
    wrapped = os.access(GNU_TIME, os.X_OK)
    time_file = log_prefix + ".maxrss"
    full_cmd = [GNU_TIME, "-f", "%M", "-o", time_file] + list(cmd) if wrapped else list(cmd)
    with open(log_prefix + ".out", "w+") as out_f, open(log_prefix + ".err", "w+") as err_f:
        start = time.perf_counter()
        child = subprocess.Popen(full_cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=out_f,
                                 stderr=err_f, start_new_session=True)
        ps_child = psutil.Process(child.pid)
        peak = [0, 0]  # max sampled tree RSS, sample count
        done = threading.Event()

        def sampler():
            while not done.is_set():
                rss = _tree_rss(ps_child, include_root=not wrapped)
                if rss > peak[0]:
                    peak[0] = rss
                peak[1] += 1
                done.wait(SAMPLE_PERIOD_S)

        thread = threading.Thread(target=sampler, daemon=True)
        thread.start()
        expired = threading.Event()

        def on_timeout():
            expired.set()
            _kill_tree(child.pid)  # the child's own process group, still unreaped

        timer = threading.Timer(timeout_s, on_timeout)
        timer.start()
        try:
            _, status, rusage = os.wait4(child.pid, 0)
        finally:
            timer.cancel()
        wall = time.perf_counter() - start
        done.set()
        thread.join()
        child.returncode = os.waitstatus_to_exitcode(status)
        out_f.seek(0)
        stdout = out_f.read()
        err_f.seek(0)
        stderr = err_f.read()
    maxrss = rusage.ru_maxrss * 1024
    exit_code = child.returncode
    if wrapped:
        maxrss, exit_code = _parse_gnu_time(time_file, exit_code)
    return ProcResult(cmd=list(cmd), exit_code=exit_code, wall_s=wall,
                      peak_rss_bytes=max(peak[0], maxrss), peak_tree_sampled_bytes=peak[0],
                      maxrss_child_bytes=maxrss, samples=peak[1], timed_out=expired.is_set(),
                      stdout=stdout, stderr=stderr)


def _parse_gnu_time(path: str, exit_code: int):
    """(max RSS bytes of the converter, its exit code) from GNU time's -o file."""
    try:
        lines = [l.strip() for l in open(path) if l.strip()]
    except OSError:
        return 0, exit_code
    maxrss = int(lines[-1]) * 1024 if lines and lines[-1].isdigit() else 0
    for line in lines:
        if line.startswith("Command terminated by signal"):
            exit_code = -int(line.split()[-1])
    return maxrss, exit_code


def _kill_tree(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
