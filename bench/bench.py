"""optconv against its peers, side by side in one run (driven by bench/run).

For each model x mode, every tool converts the same source `reps` times, the
tools alternating within each repetition (the order rotates per repetition);
medians are reported. Each converted file is then measured once: size (raw
and gzip -9), op and TRANSPOSE counts, LiteRT latency (the tools' files
timed in turn, 1 thread, default XNNPACK delegate, after warm-up) and
accuracy against the source framework's float output on the same inputs.

Writes <out>/<timestamp>.json and, for a full run, docs/benchmarks.md.
"""
import argparse
import datetime
import json
import os
import shlex
import shutil
import statistics
import sys
import time
import traceback

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))

import numpy as np  # noqa: E402

import data  # noqa: E402
import machine  # noqa: E402
import models as registry  # noqa: E402
import report  # noqa: E402
import tflite_eval  # noqa: E402
import tools  # noqa: E402
from measure import run_measured  # noqa: E402

BENCH_DIR = tools.BENCH_DIR
REPO_DIR = registry.REPO_DIR
CALIB_SAMPLES = 100
# One model per peer, both small: the CI run stays within a few minutes.
QUICK_MODELS = ["unet", "keras_mobilenet_v2"]


def log(msg):
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def parse_args(argv):
    p = argparse.ArgumentParser(prog="bench/run", description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true",
                   help=f"{', '.join(QUICK_MODELS)}; float32 and int8; 1 repetition")
    p.add_argument("--models", help="comma-separated model names (default: all)")
    p.add_argument("--modes", help="comma-separated subset of " + ",".join(tools.MODES))
    p.add_argument("--reps", type=int, help="conversion repetitions (default 3, quick 1)")
    p.add_argument("--scaling-reps", type=int, help="repetitions in the scaling run (default: reps)")
    p.add_argument("--no-scaling-peer", action="store_true", help="optconv only in the scaling run")
    p.add_argument("--eval-samples", type=int, help="accuracy samples (default 100, quick 10)")
    p.add_argument("--latency-runs", type=int, help="timed invocations (default 30, quick 10)")
    p.add_argument("--rep-budget", type=float, default=120,
                   help="stop repeating a tool's conversion once its repetitions for one "
                        "model x mode have taken this many seconds (default 120; 0 = no limit)")
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument("--timeout", type=float, default=1800, help="per conversion, seconds")
    p.add_argument("--out", default=os.path.join(BENCH_DIR, "results"),
                   help="directory for <timestamp>.json")
    p.add_argument("--doc", help="markdown to write (default: docs/benchmarks.md for a full run, "
                                 "<out>/<timestamp>.md otherwise)")
    p.add_argument("--optconv", default=os.environ.get(
        "OPTCONV_BIN", os.path.join(REPO_DIR, "build-bench", "cli", "optconv")))
    p.add_argument("--optconv-build-error", default=os.environ.get("OPTCONV_BUILD_ERROR"),
                   help=argparse.SUPPRESS)
    p.add_argument("--command", default=None, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.quick:
        args.reps = args.reps or 1
        args.eval_samples = args.eval_samples or 10
        args.latency_runs = args.latency_runs or 10
    args.reps = args.reps or 3
    args.scaling_reps = args.scaling_reps or args.reps
    args.eval_samples = args.eval_samples or 100
    args.latency_runs = args.latency_runs or 30
    if args.models:
        args.model_list = [m.strip() for m in args.models.split(",") if m.strip()]
    elif args.quick:
        args.model_list = list(QUICK_MODELS)
    else:
        args.model_list = (registry.PEER_ONNX + registry.ISSUE2_EXTRA + registry.SAVEDMODEL
                           + registry.SCALING)
    for m in args.model_list:
        registry.group_of(m)  # validates the name
    if args.modes:
        args.mode_list = [m.strip() for m in args.modes.split(",") if m.strip()]
        bad = [m for m in args.mode_list if m not in tools.MODES]
        if bad:
            p.error(f"unknown mode(s) {bad}; known: {tools.MODES}")
    else:
        args.mode_list = ["float32", "int8"] if args.quick else list(tools.MODES)
    args.full = not args.quick and not args.models and not args.modes
    return args


def modes_for(model, args):
    # The issue-2 extras and the scaling run measure float conversion cost only.
    if model.group in ("issue2", "scaling"):
        return [m for m in args.mode_list if m == "float32"]
    return list(args.mode_list)


class Bench:
    def __init__(self, args):
        self.args = args
        self.stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
        self.work = os.path.join(BENCH_DIR, ".work", self.stamp)
        _prune_old_work(os.path.join(BENCH_DIR, ".work"), keep=2)
        os.makedirs(self.work, exist_ok=True)
        self.logs = os.path.join(self.work, "logs")
        os.makedirs(self.logs, exist_ok=True)
        self.runs, self.rows, self.errors = [], [], []
        self.optconv_problems = []  # failures in configurations optconv claims
        self.optconv = tools.Optconv(args.optconv)
        self.o2t_cwd = os.path.join(self.work, "onnx2tf_cwd")
        os.makedirs(self.o2t_cwd, exist_ok=True)
        self.onnx2tf = tools.Onnx2tf(sys.executable, self.o2t_cwd)
        self.tfconv = tools.TFLiteConverter(sys.executable)

    # ----- inputs ---------------------------------------------------------
    def prepare_onnx2tf_cwd(self):
        # onnx2tf downloads a 20-image sample file into its working directory
        # for its own output check of 4D image inputs; there is no network
        # here, so we place an equivalent file made from the same photographs.
        imgs = data.photo_crops(20, 128, 128, seed=data.CALIB_SEED)
        np.save(os.path.join(self.o2t_cwd,
                             "calibration_image_sample_data_20x128x128x3_float32.npy"),
                np.stack(imgs).astype(np.float32))

    def prepare_data(self, model):
        d = os.path.join(self.work, "data", model.name)
        os.makedirs(d, exist_ok=True)
        n_eval = self.args.eval_samples if model.classifier else min(20, self.args.eval_samples)
        eval_x = data.make_samples(model.input, n_eval, data.EVAL_SEED)
        calib_x = data.make_samples(model.input, CALIB_SAMPLES, data.CALIB_SEED)
        calib = {"npz": os.path.join(d, "calib.npz"), "nhwc_npy": os.path.join(d, "calib_tf.npy")}
        np.savez(calib["npz"], **{f"s{i:03d}": x for i, x in enumerate(calib_x)})
        stacked = np.concatenate(calib_x, axis=0)
        if stacked.ndim == 4 and model.fmt == "onnx":
            stacked = stacked.transpose(0, 2, 3, 1)  # onnx2tf's converted input is NHWC
        np.save(calib["nhwc_npy"], stacked)
        refs = self.references(model, eval_x, d)
        model.output_shape = list(refs[0].shape)
        return eval_x, refs, calib

    def references(self, model, xs, d):
        if model.fmt == "onnx":
            import onnxruntime as ort
            sess = ort.InferenceSession(model.path, providers=["CPUExecutionProvider"])
            name = sess.get_inputs()[0].name
            return [sess.run(None, {name: x})[0] for x in xs]
        inputs = os.path.join(d, "eval_inputs.npz")
        outputs = os.path.join(d, "eval_refs.npz")
        np.savez(inputs, **{f"s{i:03d}": x for i, x in enumerate(xs)})
        res = run_measured([sys.executable, os.path.join(tools.PEERS_DIR, "tf_reference.py"),
                            model.path, inputs, outputs], os.path.join(self.logs, "tf_reference"),
                           env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2"))
        if res.exit_code != 0:
            raise RuntimeError(f"TensorFlow reference for {model.name} failed:\n"
                               f"{res.stderr[-2000:]}")
        loaded = np.load(outputs)
        return [loaded[f"s{i:03d}"] for i in range(len(xs))]

    # ----- conversions ----------------------------------------------------
    def tools_for(self, model):
        if model.fmt == "savedmodel":
            return [self.optconv, self.tfconv]
        if model.group == "issue2":
            return [self.optconv]
        if model.group == "scaling" and self.args.no_scaling_peer:
            return [self.optconv]
        return [self.optconv, self.onnx2tf]

    def convert(self, model, mode, job, rep):
        if job.tool == "optconv" and self.args.optconv_build_error:
            return {"ok": False, "exit_code": None, "wall_s": None, "peak_rss_bytes": None,
                    "error": "optconv could not be built: " + self.args.optconv_build_error}
        if job.tool == "optconv" and not os.path.isfile(job.cmd[0]):
            return {"ok": False, "exit_code": None, "wall_s": None, "peak_rss_bytes": None,
                    "error": f"optconv binary not found at {job.cmd[0]}"}
        shutil.rmtree(job.out_dir, ignore_errors=True)
        os.makedirs(job.out_dir, exist_ok=True)
        cmd = list(job.cmd)
        if job.tool == "optconv" and mode == "float32":
            cmd.append("--json")
        prefix = os.path.join(self.logs, f"{model.name}.{job.key.replace(':', '_')}.rep{rep}")
        res = run_measured(cmd, prefix, cwd=job.cwd, timeout_s=self.args.timeout, env=job.env)
        run = {"ok": res.exit_code == 0, "exit_code": res.exit_code, "wall_s": res.wall_s,
               "peak_rss_bytes": res.peak_rss_bytes,
               "peak_tree_sampled_bytes": res.peak_tree_sampled_bytes,
               "maxrss_child_bytes": res.maxrss_child_bytes, "rss_samples": res.samples,
               "timed_out": res.timed_out, "cmd": shlex.join(cmd), "log": prefix}
        self_report = _last_json(res.stdout)
        if self_report:
            if "convert_s" in self_report:
                run["tool_convert_s"] = self_report["convert_s"]
                run["tool_import_s"] = self_report.get("import_s")
            if "seconds" in self_report:
                run["optconv_seconds"] = self_report["seconds"]
        if res.exit_code == 0 and not os.path.isfile(job.output_file):
            run["ok"] = False
            run["error"] = (f"exit 0 but {os.path.basename(job.output_file)} was not written "
                            f"(files: {sorted(os.listdir(job.out_dir))})")
        elif res.exit_code != 0:
            run["error"] = _error_text(job.tool, res)
        return run

    def convert_all(self, model, mode, jobs, done_keys):
        """Reps x tools, alternating; returns per-tool run lists."""
        per_tool = {job.tool: [] for job in jobs}
        reps = self.args.scaling_reps if model.group == "scaling" else self.args.reps
        failed = set()
        spent = {job.tool: 0.0 for job in jobs}
        budget = self.args.rep_budget
        for rep in range(reps):
            order = jobs[rep % len(jobs):] + jobs[:rep % len(jobs)]
            for job in order:
                if job.tool in failed:
                    continue  # a failed conversion is not repeated
                shared = done_keys.get(job.key)
                if shared is not None and shared["mode"] != mode:
                    # This invocation already ran for another mode: reuse its runs.
                    if rep >= len(shared["runs"]):
                        continue
                    run = dict(shared["runs"][rep], shared_with_mode=shared["mode"])
                elif rep > 0 and budget and spent[job.tool] >= budget:
                    continue  # slow converters get fewer repetitions (the row says how many)
                else:
                    log(f"{model.name} {mode} {job.tool} rep {rep + 1}/{reps}")
                    run = self.convert(model, mode, job, rep)
                    run.update(model=model.name, mode=mode, tool=job.tool, key=job.key, rep=rep)
                    self.runs.append(run)
                    done_keys.setdefault(job.key, {"mode": mode, "runs": []})["runs"].append(run)
                per_tool[job.tool].append(run)
                spent[job.tool] += run.get("wall_s") or 0.0
                if not run["ok"]:
                    failed.add(job.tool)
                    log(f"  {job.tool} failed: {run.get('error', '')[:300]}")
                else:
                    log(f"  {job.tool} {run['wall_s']:.2f} s, "
                        f"{run['peak_rss_bytes'] / 2**20:.0f} MiB")
        return per_tool

    # ----- one model ------------------------------------------------------
    def bench_model(self, model):
        modes = modes_for(model, self.args)
        if not modes:
            return
        log(f"== {model.name} ({model.fmt}, {model.file_bytes / 1e6:.1f} MB): "
            f"{', '.join(modes)}")
        eval_x, refs, calib = self.prepare_data(model)
        work = os.path.join(self.work, "out", model.name)
        done_keys = {}
        for mode in modes:
            tool_objs = self.tools_for(model)
            jobs = [t.job(model, mode, work, calib) for t in tool_objs]
            per_tool = self.convert_all(model, mode, jobs, done_keys)
            rows = [self.summarize(model, mode, job, per_tool[job.tool]) for job in jobs]
            self.evaluate(model, rows, jobs, eval_x, refs)
            for row in rows:
                self.check_optconv(model, row)
            self.rows.extend(rows)

    def summarize(self, model, mode, job, runs):
        row = {"model": model.name, "group": model.group, "format": model.fmt, "mode": mode,
               "tool": job.tool, "reps": len(runs), "source_bytes": model.file_bytes}
        ok = [r for r in runs if r["ok"]]
        if not runs or not ok:
            row["status"] = "failed"
            row["error"] = runs[0].get("error", "no run") if runs else "no run"
            if runs and runs[0].get("exit_code") is not None:
                row["exit_code"] = runs[0]["exit_code"]
            return row
        row["status"] = "ok"
        walls = [r["wall_s"] for r in ok]
        peaks = [r["peak_rss_bytes"] for r in ok]
        row["conversion"] = {
            "wall_s": statistics.median(walls), "wall_min_s": min(walls),
            "wall_max_s": max(walls), "peak_rss_bytes": int(statistics.median(peaks)),
            "peak_rss_max_bytes": max(peaks)}
        tool_times = [r["tool_convert_s"] for r in ok if r.get("tool_convert_s") is not None]
        if tool_times:
            row["conversion"]["tool_convert_s"] = statistics.median(tool_times)
            row["conversion"]["tool_import_s"] = statistics.median(
                [r["tool_import_s"] for r in ok if r.get("tool_import_s") is not None])
        if ok[0].get("shared_with_mode"):
            row["shared_invocation_with"] = ok[0]["shared_with_mode"]
        if ok[-1].get("optconv_seconds"):
            row["optconv_seconds"] = ok[-1]["optconv_seconds"]
        row["output_file"] = job.output_file
        return row

    def evaluate(self, model, rows, jobs, eval_x, refs):
        live = []
        for row, job in zip(rows, jobs):
            if row["status"] != "ok":
                continue
            try:
                row["output"] = dict(tflite_eval.file_sizes(job.output_file),
                                     **tflite_eval.op_stats(job.output_file))
                runner = self.runner_factory(model, job.output_file)()
                row["layout"] = runner.layout
                outs = [runner.run(x) for x in eval_x]
                del runner  # freed before the latency passes create theirs
                row["accuracy"] = tflite_eval.accuracy(outs, refs, model.classifier)
                live.append(row)
            except Exception as e:  # LiteRT refused the file or the I/O did not match
                row["status"] = "eval_failed"
                row["error"] = f"{type(e).__name__}: {e}"
                log(f"  {row['tool']} evaluation failed: {row['error'][:300]}")
        if live:
            factories = [self.runner_factory(model, row["output_file"]) for row in live]
            lat = tflite_eval.interleaved_latency(factories, eval_x[0], self.args.warmup,
                                                  self.args.latency_runs)
            for row, result in zip(live, lat):
                row["latency"] = result
            mine = next((r for r in live if r["tool"] == "optconv"), None)
            if mine is not None and len(live) > 1 and mine["mode"] == "float32":
                mine["latency_aa"] = self.aa_latency(model, mine["output_file"], eval_x[0])
        for row in live:
            acc = row["accuracy"]
            log(f"  {row['tool']}: {row['output']['size_bytes'] / 1e6:.2f} MB, "
                f"{row['output']['ops']} ops ({row['output']['transposes']} TRANSPOSE), "
                f"{row['latency']['latency_ms']:.2f} ms, SQNR {acc['sqnr_db']:.1f} dB"
                + (f", top-1 {acc['top1_agreement']:.2f}" if 'top1_agreement' in acc else ""))

    @staticmethod
    def runner_factory(model, path):
        return lambda: tflite_eval.Runner(path, model.input["shape"], model.output_shape)

    def aa_latency(self, model, path, sample):
        """The noise floor of a latency ratio: optconv's file timed against a copy of
        itself, exactly as two tools' files are; the ratio should be 1 and its distance
        from 1 is what the machine adds."""
        copy = os.path.join(os.path.dirname(path), "aa_copy_" + os.path.basename(path))
        shutil.copyfile(path, copy)
        try:
            a, b = tflite_eval.interleaved_latency(
                [self.runner_factory(model, path), self.runner_factory(model, copy)],
                sample, self.args.warmup, self.args.latency_runs)
        finally:
            os.remove(copy)
        return {"latency_ms": a["latency_ms"], "copy_latency_ms": b["latency_ms"],
                "ratio": a["latency_ms"] / b["latency_ms"]}

    def check_optconv(self, model, row):
        if row["tool"] != "optconv" or row["status"] == "ok":
            return
        crashed = row.get("exit_code") is not None and row["exit_code"] < 0
        supported = (model.fmt, row["mode"]) in tools.optconv_supported()
        if crashed or supported:
            why = "crashed" if crashed else "failed on a supported configuration"
            self.optconv_problems.append(f"{model.name} {row['mode']}: optconv {why}: "
                                         f"{row.get('error', '')[:500]}")

    def optconv_baseline(self):
        """Peak RSS of `optconv --version`: the program and its shared libraries, which a
        conversion pays whatever the model (issue 2's memory goal is read above it too)."""
        if not os.path.isfile(self.args.optconv):
            return None
        res = run_measured([self.args.optconv, "--version"],
                           os.path.join(self.logs, "optconv_baseline"))
        return res.peak_rss_bytes if res.exit_code == 0 else None

    # ----- whole run ------------------------------------------------------
    def run(self):
        started = datetime.datetime.now().isoformat(timespec="seconds")
        t0 = time.time()
        self.prepare_onnx2tf_cwd()
        log(f"models: {', '.join(self.args.model_list)}")
        model_objs = registry.generate(self.args.model_list, self.logs)
        meta_models = {}
        for model in model_objs:
            try:
                self.bench_model(model)
            except Exception:
                err = traceback.format_exc()
                self.errors.append(f"{model.name}: {err}")
                log(f"harness error on {model.name}:\n{err}")
            meta_models[model.name] = {
                "format": model.fmt, "group": model.group, "file_bytes": model.file_bytes,
                "params": model.params, "input": model.input, "output_shape": model.output_shape,
                "classifier": model.classifier, "output_activation": model.output_activation}
        result = {
            "schema": 1,
            "started": started,
            "finished": datetime.datetime.now().isoformat(timespec="seconds"),
            "duration_s": time.time() - t0,
            "command": self.args.command or "bench/run",
            "quick": self.args.quick,
            "full": self.args.full,
            "machine": machine.describe(),
            "versions": machine.versions(self.args.optconv, REPO_DIR),
            "config": {"reps": self.args.reps, "scaling_reps": self.args.scaling_reps,
                       "modes": self.args.mode_list, "eval_samples": self.args.eval_samples,
                       "calib_samples": CALIB_SAMPLES, "latency_runs": self.args.latency_runs,
                       "warmup": self.args.warmup, "timeout_s": self.args.timeout,
                       "rep_budget_s": self.args.rep_budget,
                       "optconv_supported": sorted(":".join(x)
                                                   for x in tools.optconv_supported()),
                       "optconv_mode_flags": tools.OPTCONV_MODE_FLAGS},
            "data": {"photos": data.PHOTOS, "distinct_photos": data.distinct_photo_count(),
                     "eval_seed": data.EVAL_SEED, "calib_seed": data.CALIB_SEED},
            "models": meta_models,
            "rows": self.rows,
            "runs": self.runs,
            "harness_errors": self.errors,
            "optconv_problems": self.optconv_problems,
            "work_dir": self.work,
        }
        result["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
        result["optconv_baseline_rss_bytes"] = self.optconv_baseline()
        os.makedirs(self.args.out, exist_ok=True)
        json_path = os.path.join(self.args.out, f"{self.stamp}.json")
        with open(json_path, "w") as f:
            json.dump(result, f, indent=1, default=_json_default)
        doc = self.args.doc or (os.path.join(REPO_DIR, "docs", "benchmarks.md") if self.args.full
                                else os.path.join(self.args.out, f"{self.stamp}.md"))
        report.write(result, json_path, doc)
        log(f"results: {json_path}")
        log(f"report:  {doc}")
        for problem in self.optconv_problems:
            log(f"OPTCONV ERROR: {problem[:400]}")
        for err in self.errors:
            log(f"HARNESS ERROR: {err.splitlines()[-1] if err else err}")
        if self.errors:
            return 2
        return 1 if self.optconv_problems else 0


def _prune_old_work(root, keep):
    """Converted files of old runs are large (onnx2tf also writes SavedModels)."""
    if not os.path.isdir(root):
        return
    runs = sorted(d for d in os.listdir(root) if d[:8].isdigit())
    for old in runs[:-keep] if len(runs) > keep else []:
        shutil.rmtree(os.path.join(root, old), ignore_errors=True)


def _last_json(text):
    text = (text or "").strip()
    if not text:
        return None
    try:
        value = json.loads(text)
        return value if isinstance(value, dict) else None
    except ValueError:
        pass
    for line in reversed(text.splitlines()):
        line = line.strip()
        if line.startswith("{"):
            try:
                return json.loads(line)
            except ValueError:
                return None
    return None


def _error_text(tool, res):
    lines = [l.rstrip() for l in (res.stderr or "").splitlines() if l.strip()]
    if res.timed_out:
        head = f"timed out after {res.wall_s:.0f} s"
    elif res.exit_code < 0:
        head = f"killed by signal {-res.exit_code}"
    else:
        head = f"exit code {res.exit_code}"
    if not lines:
        out_lines = [l for l in (res.stdout or "").splitlines() if l.strip()]
        return f"{head}: {out_lines[-1] if out_lines else '(no output)'}"
    if tool == "optconv":
        return f"{head}: " + " | ".join(lines[:6])
    # Python peers: the last exception line of the traceback, and the line
    # after it (Keras/TF put the actual reason there).
    exc = [i for i, l in enumerate(lines)
           if not l.startswith(" ") and ("Error" in l or "Exception" in l)]
    if not exc:
        return f"{head}: {lines[-1]}"
    i = exc[-1]
    detail = lines[i + 1].strip() if i + 1 < len(lines) and not lines[i + 1].startswith(
        ("  File", "Traceback", "Call arguments")) else ""
    return f"{head}: {lines[i]}" + (f" {detail[:400]}" if detail else "")


def _json_default(value):
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return float(value)
    if isinstance(value, np.ndarray):
        return value.tolist()
    return str(value)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        return Bench(args).run()
    except Exception:
        traceback.print_exc()
        return 2


if __name__ == "__main__":
    sys.exit(main())
