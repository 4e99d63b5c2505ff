"""The ``minnet`` command: ``demo``, ``doctor``, ``exercise``, ``practice``, ``runs``,
``sweep``, ``--version``."""

import argparse
import difflib
import os
import sys
from collections.abc import Mapping

import minnet
from minnet.errors import ConfigError, MinnetError


def _demo(args):
    from minnet.demo import run_demo

    print("minnet demo: the MNIST-1D residual MLP (40-100-[100]-10, Adam lr 1e-2, batch 100)")
    plot_path = os.path.abspath(args.plot)
    result = run_demo(steps=args.steps, seed=args.seed, progress=not args.no_progress,
                      plot_path=plot_path, verbose=True)
    print(f"Trained {result.steps} steps in {result.seconds:.1f} s")
    print(f"Train accuracy: {100 * result.train_accuracy:.1f}%")
    print(f"Test accuracy:  {100 * result.test_accuracy:.1f}%  (the MNIST-1D paper reports 68%)")
    print(f"Loss curves written to {result.plot_path}")
    return 0


# --- minnet doctor -------------------------------------------------------------------

_DOCTOR_EPILOG = """\
FILE.py must define experiment(), returning a dict (or an object with attributes):
  model, loss_fn, optimizer, X, y   required
  X_val, y_val                      optional validation data
  train                             optional: train(model, loss_fn, optimizer, X, y), your
                                    own training loop; it runs under minnet's watch() and
                                    its findings join the doctor's
The doctor's own checks run on copies: your model and optimizer are left as they were.

exit status:
  0  no finding is an error (warnings and hints exit 0)
  1  at least one finding is an error
  2  usage error (bad arguments, no experiment(), missing keys, unknown example)
  3  the experiment failed: importing FILE.py, its experiment() or its train()
     raised, or the model failed in the doctor's run; the traceback and the
     error are printed, and no report is written
"""

EXIT_OK, EXIT_FOUND_ERROR, EXIT_USAGE, EXIT_EXPERIMENT_FAILED = 0, 1, 2, 3

_REQUIRED_PARTS = ("model", "loss_fn", "optimizer", "X", "y")
_OPTIONAL_PARTS = ("X_val", "y_val", "train")


class _UsageError(Exception):
    """A mistake in how ``minnet doctor`` was called (exit status 2)."""


class _ExperimentFailed(Exception):
    """The user's code (or the model, in the doctor's run) raised (exit status 3).

    ``what`` says where, e.g. "experiment() in my_file.py raised"; ``error``
    is the user's exception, whose traceback is printed.
    """

    def __init__(self, what, error, show_traceback=True):
        super().__init__(what)
        self.what, self.error, self.show_traceback = what, error, show_traceback


def _report_failure(failure):
    """Print the user's traceback (from their own frames on) and a one-line summary."""
    from minnet.user_files import print_user_traceback

    error = failure.error
    if failure.show_traceback:
        print_user_traceback(error, skip=(__file__,))
        print(file=sys.stderr)
    summary = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
    print(f"minnet doctor: error: {failure.what} {summary}", file=sys.stderr)


def _load_experiment(path):
    """Import FILE.py (its directory on sys.path meanwhile) and return its ``experiment``."""
    from minnet.user_files import UserFileError, import_user_file

    try:
        module = import_user_file(path, "minnet_doctor_")
    except ConfigError as error:
        raise _UsageError(str(error)) from error
    except UserFileError as failure:
        raise _ExperimentFailed(f"importing {path} raised", failure.error) from failure.error
    experiment = getattr(module, "experiment", None)
    if not callable(experiment):
        raise _UsageError(f"{path} defines no experiment() function; see "
                          f"`minnet doctor --help` for what it must return")
    return experiment


def _experiment_parts(experiment, origin):
    """The parts of an experiment (a dict or an object with attributes) as a dict."""
    if isinstance(experiment, Mapping):
        parts = {key: experiment.get(key) for key in _REQUIRED_PARTS + _OPTIONAL_PARTS}
    else:
        parts = {key: getattr(experiment, key, None) for key in _REQUIRED_PARTS + _OPTIONAL_PARTS}
    missing = [key for key in _REQUIRED_PARTS if parts[key] is None]
    if missing:
        raise _UsageError(
            f"{origin} gave no {', '.join(missing)}; it must give model, loss_fn, optimizer, "
            f"X, y (and optionally X_val, y_val, train), as dict keys or attributes")
    if parts["train"] is not None and not callable(parts["train"]):
        raise _UsageError(f"{origin}: train must be a callable train(model, loss_fn, "
                          f"optimizer, X, y), got {type(parts['train']).__name__}")
    return parts


def _merge_reports(first, second):
    """One report with the findings of both; ``second``'s records win where both have a key."""
    from minnet.diagnostics.report.finding import Report

    merged = Report(findings=list(first.findings), records={**first.records, **second.records})
    return merged.add(list(second.findings))


def _diagnose(parts, steps, seed, origin):
    """Run mn.doctor on the experiment, then the user's train() under mn.watch."""
    from minnet.diagnostics.doctor import doctor

    try:
        report = doctor(parts["model"], parts["loss_fn"], parts["X"], parts["y"],
                        X_val=parts["X_val"], y_val=parts["y_val"],
                        optimizer=parts["optimizer"], steps=steps, rng=seed)
    except Exception as error:  # the model failed on the data (or the doctor itself did)
        # A minnet error names the layer and the shapes: the doctor's frames add nothing.
        raise _ExperimentFailed(f"the doctor could not run the {origin}:", error,
                                show_traceback=not isinstance(error, MinnetError)) from error
    if parts["train"] is not None:
        from minnet.diagnostics.watch import watch

        watcher = watch(parts["model"], optimizer=parts["optimizer"], loss_fn=parts["loss_fn"])
        try:
            with watcher:
                parts["train"](parts["model"], parts["loss_fn"], parts["optimizer"],
                               parts["X"], parts["y"])
        except Exception as error:
            raise _ExperimentFailed(f"train() from {origin} raised", error) from error
        report = _merge_reports(report, watcher.report())
    return report


def _list_examples():
    from minnet.zoo import EXAMPLES

    width = max((len(name) for name in EXAMPLES), default=0)
    print("Built-in examples (run one with: minnet doctor --example NAME):")
    for name, example in EXAMPLES.items():
        kind = "healthy" if example.healthy else "broken "
        print(f"  {name:<{width}}  {kind}  {example.description}")
    return 0


def _example_experiment(name, seed):
    from minnet.zoo import EXAMPLES

    if name not in EXAMPLES:
        close = difflib.get_close_matches(name, list(EXAMPLES), n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise _UsageError(f"unknown example {name!r}{hint} (minnet doctor --list shows them all)")
    example = EXAMPLES[name]
    print(f"Example {name}: {example.description}\n")
    return example, example.build(seed)


def _expected_note(example, report):
    """For an example: what it was meant to show, and whether the doctor found it."""
    if example.healthy:
        verdict = "and it does" if report.healthy else "but the doctor reported a problem"
        return f"This example is healthy: no warning or error is expected, {verdict}."
    # An example judged at "info" (a hint such as constant-feature) counts info findings.
    found = {f.code for f in report.problems(getattr(example, "severity", "warning"))}
    marks = [f"{code} ({'found' if code in found else 'NOT found'})" for code in example.expected]
    return "This example is meant to show: " + ", ".join(marks)


def _doctor(args):
    chosen = [flag for flag, given in (("FILE.py", args.file), ("--example", args.example),
                                        ("--list", args.list)) if given]
    if len(chosen) != 1:
        args.doctor_parser.error("give exactly one of FILE.py, --example NAME or --list"
                                 + (f" (got {' and '.join(chosen)})" if chosen else ""))
    try:
        if args.list:
            return _list_examples()
        example = None
        if args.example:
            example, experiment = _example_experiment(args.example, args.seed)
            origin = f"example {args.example!r}"
        else:
            origin = f"experiment() in {args.file}"
            experiment_fn = _load_experiment(args.file)
            try:
                experiment = experiment_fn()
            except Exception as error:
                raise _ExperimentFailed(f"{origin} raised", error) from error
        report = _diagnose(_experiment_parts(experiment, origin), args.steps, args.seed, origin)
    except _UsageError as error:
        print(f"minnet doctor: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except _ExperimentFailed as failure:
        _report_failure(failure)
        return EXIT_EXPERIMENT_FAILED
    from minnet.diagnostics.report.markdown import save_report

    print(report)
    if example is not None:
        print("\n" + _expected_note(example, report))
    path = save_report(report, args.out)
    print(f"\nReport and plots written to {os.path.abspath(path)}")
    if args.html:
        print(f"HTML report written to {os.path.abspath(report.save(args.html, format='html'))}")
    return EXIT_FOUND_ERROR if report.has_errors else EXIT_OK


def _add_doctor_parser(commands):
    doctor = commands.add_parser(
        "doctor", help="diagnose why a network does not train (findings, plots, fixes)",
        description="Run the doctor (lint, data checks, sanity routines, a short monitored\n"
                    "run) on the experiment defined in FILE.py, or on a built-in example;\n"
                    "print the ranked findings and write a Markdown report with plots\n"
                    "(and, with --html, the same as one web page).",
        epilog=_DOCTOR_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    doctor.add_argument("file", nargs="?", metavar="FILE.py",
                        help="a Python file defining experiment()")
    doctor.add_argument("--example", metavar="NAME",
                        help="run a built-in example instead (see --list)")
    doctor.add_argument("--list", action="store_true", help="list the built-in examples")
    doctor.add_argument("--out", default="minnet-doctor-report", metavar="DIR",
                        help="where to write report.md and the plots "
                             "(default ./minnet-doctor-report/)")
    doctor.add_argument("--html", metavar="PATH",
                        help="also write the report as one self-contained web page (.html)")
    doctor.add_argument("--steps", type=int, default=None, metavar="N",
                        help="steps of the doctor's monitored run (default: the doctor's own)")
    doctor.add_argument("--seed", type=int, default=0,
                        help="random seed of the doctor and of --example (default 0)")
    doctor.set_defaults(run=_doctor, doctor_parser=doctor)


def build_parser():
    parser = argparse.ArgumentParser(
        prog="minnet",
        description="minnet: a from-scratch NumPy neural-network library for learning and "
                    "debugging.")
    parser.add_argument("--version", action="version", version=f"minnet {minnet.__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    demo = commands.add_parser("demo", help="train the MNIST-1D MLP and print its test accuracy")
    demo.add_argument("--steps", type=int, default=6000, help="optimizer steps (default 6000)")
    demo.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    demo.add_argument("--plot", default="minnet-demo-loss.png",
                      help="where to write the loss-curve PNG (default ./minnet-demo-loss.png)")
    demo.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    demo.set_defaults(run=_demo)
    _add_doctor_parser(commands)
    from minnet.exercises.cli import add_parser as add_exercise_parser

    add_exercise_parser(commands)
    from minnet.practice.cli import add_parser as add_practice_parser

    add_practice_parser(commands)
    from minnet.runs.cli import add_parser as add_runs_parser

    add_runs_parser(commands)
    from minnet.sweeps.cli import add_parser as add_sweep_parser

    add_sweep_parser(commands)
    return parser


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    if getattr(args, "steps", None) is not None and args.steps < 1:
        parser.error(f"--steps must be >= 1, got {args.steps}")
    try:
        status = args.run(args)
        sys.stdout.flush()  # inside the try: a pipe closed early fails here, not at exit
        return status
    except BrokenPipeError:  # `minnet exercise list | head`: the reader left; so do we
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


if __name__ == "__main__":
    sys.exit(main())
