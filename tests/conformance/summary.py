"""Collects per-model results during the session and renders the summary table."""
import collections
import math

_ROWS = collections.OrderedDict()  # (suite, model) -> fields
_COUNTS = collections.defaultdict(collections.Counter)  # suite -> outcome -> n
_NOTES = []


def record(suite, model, **fields):
    """Adds/updates the row of `model` (fields: status, convert_s, ops, onnx_nodes,
    transposes, sqnr_db, rel_diff, note)."""
    _ROWS.setdefault((suite, model), {}).update(fields)


def count(suite, outcome):
    _COUNTS[suite][outcome] += 1


def note(text):
    _NOTES.append(text)


def _fmt(value, spec):
    if value is None:
        return "-"
    if isinstance(value, float) and math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return format(value, spec)


def render():
    if not _ROWS and not _COUNTS:
        return ""
    lines = []
    suites = sorted({suite for suite, _ in _ROWS})
    for suite in suites:
        rows = [(m, f) for (s, m), f in _ROWS.items() if s == suite]
        lines += [f"### {suite} ({len(rows)} models)", "",
                  "| model | status | convert s | ops tflite/onnx | transposes | min SQNR dB "
                  "| max rel diff | note |",
                  "|---|---|---|---|---|---|---|---|"]
        for model, f in sorted(rows):
            ops = (f"{_fmt(f.get('ops'), 'd')}/{_fmt(f.get('onnx_nodes'), 'd')}"
                   if f.get("onnx_nodes") is not None else "-")
            lines.append(
                f"| {model} | {f.get('status', '?')} | {_fmt(f.get('convert_s'), '.2f')} | {ops} "
                f"| {_fmt(f.get('transposes'), 'd')} | {_fmt(f.get('sqnr_db'), '.1f')} "
                f"| {_fmt(f.get('rel_diff'), '.2g')} | {f.get('note', '')} |")
        statuses = collections.Counter(f.get("status", "?") for _, f in rows)
        lines += ["", "totals: " + ", ".join(f"{k} {v}" for k, v in sorted(statuses.items())), ""]
    for suite, counter in sorted(_COUNTS.items()):
        lines.append(f"### {suite}: " + ", ".join(f"{k} {v}" for k, v in sorted(counter.items())))
    lines += [f"- {n}" for n in _NOTES]
    return "\n".join(lines) + "\n"
