"""The text of ``minnet runs list | show | compare``: plain tables built from a ``RunStore``.

Each function takes an open store (and run records) and returns the text to
print, so the CLI only parses arguments and the tests read strings.
"""

import json
import re
import time

# Shown first in the compact metric columns of ``list``, when the runs have them.
PREFERRED_METRICS = ("val_acc", "val_loss", "train_acc", "train_loss", "loss")
LIST_METRIC_COLUMNS = 3
# Wall-clock metrics: different at every run, so ``compare`` shows them apart.
TIMING_METRICS = ("epoch_time", "fit_time")
CELL_WIDTH = 40


def table(headers, rows, numbers_right=True):
    """Columns padded to their widest cell, two spaces apart; columns of numbers
    right-aligned (left-aligned like the rest with ``numbers_right=False``)."""
    cells = [list(map(str, headers))] + [list(map(str, row)) for row in rows]
    widths = [max(len(row[column]) for row in cells) for column in range(len(headers))]
    numeric = [numbers_right and len(cells) > 1 and all(_is_number(row[column])
                                                        for row in cells[1:])
               for column in range(len(headers))]
    lines = []
    for row in cells:
        padded = [cell.rjust(width) if right else cell.ljust(width)
                  for cell, width, right in zip(row, widths, numeric)]
        lines.append("  ".join(padded).rstrip())
    return "\n".join(lines)


def _is_number(text):
    """A number, a wall time ("2.2 s", "3m05s") or "-" (missing): aligned to the right."""
    return re.fullmatch(r"-|[-+]?(\d[\d.e+-]*( s|m\d\ds|h\d\dm)?|nan|inf)", text) is not None


def number(value):
    """A metric value in 4 significant digits ("-" when missing)."""
    return "-" if value is None else f"{value:.4g}"


def seconds(value):
    """A wall time: "0.42 s", "3m05s", "2h07m" ("-" when unknown)."""
    if value is None:
        return "-"
    if value < 60:
        return f"{value:.2g} s" if value < 1 else f"{value:.1f} s"
    minutes, rest = divmod(int(round(value)), 60)
    if minutes < 60:
        return f"{minutes}m{rest:02d}s"
    return f"{minutes // 60}h{minutes % 60:02d}m"


def moment(timestamp):
    """A Unix time as local "YYYY-MM-DD HH:MM:SS"."""
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(timestamp))


def cell(value):
    """A parameter value on one line, cut to ``CELL_WIDTH`` characters."""
    text = value if isinstance(value, str) else json.dumps(value)
    text = " ".join(text.split())
    return text if len(text) <= CELL_WIDTH else text[:CELL_WIDTH - 3] + "..."


def metric_columns(finals, limit=LIST_METRIC_COLUMNS):
    """The metrics ``list`` shows: preferred ones first, then others, timing left out."""
    present = {key for final in finals for key in final if key not in TIMING_METRICS + ("lr",)}
    ordered = [key for key in PREFERRED_METRICS if key in present]
    ordered += sorted(present - set(ordered))
    return ordered[:limit]


def list_text(store, records):
    """``minnet runs list``: id, name, state, started, duration and final metrics."""
    finals = [store.final_metrics(record.id) for record in records]
    columns = metric_columns(finals)
    rows = [[record.id, record.name, record.state, moment(record.started),
             seconds(record.seconds)] + [number(final.get(key)) for key in columns]
            for record, final in zip(records, finals)]
    return table(["id", "name", "state", "started", "duration"] + columns, rows)


def show_text(store, record):
    """``minnet runs show ID``: the run, its parameters, final metrics, findings, checkpoints."""
    lines = [f"Run {record.id}: {record.name}  ({record.state}, {seconds(record.seconds)}, "
             f"started {moment(record.started)} on {record.host}, pid {record.pid})"]
    if record.sweep is not None:
        lines.append(f"sweep {record.sweep}, trial {record.trial}")
    if record.error:
        lines.append(f"error: {record.error}")
    params = store.params(record.id)
    lines += ["", "Parameters:"]
    lines += _indented(table(["name", "value"], [[key, cell(value)]
                                                 for key, value in params.items()]), params)
    final = store.final_metrics(record.id)
    lines += ["", "Final metrics:"]
    lines += _indented(table(["metric", "value"], [[key, number(value)]
                                                   for key, value in final.items()]), final)
    findings = store.findings(record.id)
    lines += ["", "Findings:"]
    lines += [f"  [{f['severity']}] {f['code']} at {f['where']}: {f['explanation']} "
              f"Fix: {f['fix']}" for f in findings] or ["  (none)"]
    checkpoints = [path for kind, path in store.artifacts(record.id) if kind == "checkpoint"]
    lines += ["", "Checkpoints:"] + ([f"  {path}" for path in checkpoints] or ["  (none)"])
    return "\n".join(lines)


def _indented(text, content):
    return ["  " + line for line in text.splitlines()] if content else ["  (none)"]


def compare_text(store, records):
    """``minnet runs compare``: the parameters that differ, then final metrics side by side."""
    headers = [f"{record.id} {record.name}" for record in records]
    params = [store.params(record.id) for record in records]
    keys = sorted({key for run_params in params for key in run_params})
    differing = [key for key in keys  # None: absent from that run
                 if len({json.dumps(p[key], sort_keys=True) if key in p else None
                         for p in params}) > 1]
    lines = ["Parameters that differ:"]
    if differing:
        rows = [[key] + [cell(p[key]) if key in p else "-" for p in params] for key in differing]
        lines += _indented(table(["parameter"] + headers, rows), rows)
    else:
        lines.append(f"  (none: the {len(records)} runs have the same {len(keys)} parameters)")
    finals = [store.final_metrics(record.id) for record in records]
    metrics = sorted({key for final in finals for key in final} - set(TIMING_METRICS))
    rows = [[key] + [number(final.get(key)) for final in finals] for key in metrics]
    rows.append(["wall time"] + [seconds(record.seconds) for record in records])
    lines += ["", "Final metrics:"] + _indented(table(["metric"] + headers, rows), rows)
    return "\n".join(lines)
