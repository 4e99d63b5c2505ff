"""Run the zoo's examples the way ``minnet doctor --example`` does, and tabulate the detections.

``run_example(example, seed)`` builds the experiment, runs ``doctor()`` on it
and, when it has a hand-written loop, runs that loop under ``watch()``,
merging the findings (and those of a ``Report`` the loop returns, as a
``fit()`` run with a ``DoctorCallback`` does). ``python -m
minnet.zoo.report`` prints the detection table of
``docs/doctor-zoo.md`` (each example once, seed 0; healthy ones on 3 seeds).
"""

import sys
import time
from dataclasses import dataclass

import numpy as np

from minnet.diagnostics.report.finding import SEVERITIES, Report

HEALTHY_SEEDS = (0, 1, 2)


@dataclass
class Run:
    """The outcome of one example at one seed: its report and how long it took (s)."""

    example: object
    seed: int
    report: Report
    seconds: float

    def found(self, code):
        """The findings with ``code`` at the example's severity or worse."""
        return [f for f in self.report.problems(self.example.severity) if f.code == code]

    @property
    def missing(self):
        """Expected codes that did not fire (at the example's severity or worse)."""
        return [code for code in self.example.expected if not self.found(code)]

    @property
    def false_alarms(self):
        """For a healthy example: its warnings and errors (none is allowed)."""
        return self.report.problems("warning") if self.example.healthy else []


def run_example(example, seed=0):
    """``doctor()`` on ``example.build(seed)``, plus its training loop under ``watch()``."""
    from minnet.diagnostics.doctor import doctor
    from minnet.diagnostics.watch import watch

    experiment = example.build(seed)
    start = time.perf_counter()
    report = doctor(experiment.model, experiment.loss_fn, experiment.X, experiment.y,
                    X_val=experiment.X_val, y_val=experiment.y_val,
                    optimizer=experiment.optimizer, rng=seed)
    if experiment.train is not None:
        with watch(experiment.model, experiment.optimizer, experiment.loss_fn) as watcher:
            # A broken loop may overflow; the watcher reports it, numpy need not warn.
            with np.errstate(all="ignore"):
                returned = experiment.train(experiment.model, experiment.loss_fn,
                                            experiment.optimizer, experiment.X, experiment.y)
        report.add(watcher.report().findings)
        if isinstance(returned, Report):
            report.add(returned.findings)
    return Run(example, seed, report, time.perf_counter() - start)


def _cell(findings):
    if not findings:
        return "no", "", ""
    worst = min(findings, key=lambda f: SEVERITIES.index(f.severity))
    steps = [f.step for f in findings if f.step is not None]
    return "yes", worst.severity, (str(min(steps)) if steps else "before training")


def table_rows(runs):
    """Markdown rows: example, mistake, expected code, found?, severity, step, time, others."""
    rows = []
    for run in runs:
        example = run.example
        others = sorted({f.code for f in run.report.problems("warning")} - set(example.expected))
        if example.healthy:
            alarms = ", ".join(f"{f.code} ({f.severity})" for f in run.false_alarms) or "none"
            rows.append(f"| {example.name} (seed {run.seed}) | {example.description} | none | "
                        f"false alarms: {alarms} | | | {run.seconds:.2f} s | |")
            continue
        for code in example.expected:
            found, severity, step = _cell(run.found(code))
            rows.append(f"| {example.name} | {example.description} | {code} | {found} | "
                        f"{severity} | {step} | {run.seconds:.2f} s | {', '.join(others)} |")
    return rows


def main(argv=None):
    from minnet.zoo import EXAMPLES

    names = (argv if argv is not None else sys.argv[1:]) or list(EXAMPLES)
    print("| example | mistake | expected code | found? | severity | step of detection "
          "| time | other warnings/errors |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for name in names:
        example = EXAMPLES[name]
        for seed in (HEALTHY_SEEDS if example.healthy else (0,)):
            for row in table_rows([run_example(example, seed)]):
                print(row, flush=True)


if __name__ == "__main__":
    main()
