"""``minnet sweep FILE.py --grid lr=1e-4,1e-3,1e-2 --seeds 0-4``: a sweep from the shell.

FILE.py defines ``train(params, seed)`` returning its final metrics. The
trials run in joblib's worker processes, or on Dask with ``--scheduler``;
each is a run in the store. The command prints a table of the trials and the
mean and spread of ``--metric`` per setting, and writes ``--plot``.

Exit codes: 0 every trial finished, 1 some trial failed (its error is
printed), 2 usage error (no FILE.py, no train(), bad --grid or --seeds,
an unreachable scheduler).
"""

import argparse
import os
import sys

from minnet.errors import ConfigError

EXIT_OK, EXIT_TRIAL_FAILED, EXIT_USAGE = 0, 1, 2

_EPILOG = """\
FILE.py must define train(params, seed), returning its final metrics: a dict
{name: number} (or one number, named "metric"). params holds one value of each
--grid parameter; seed is one of --seeds. minnet.runs.current_run() is the
trial's run while train() runs: log per-step metrics into it.

examples:
  minnet sweep examples/sweep_lr.py --grid lr=0.001,0.01,0.1 --seeds 0-4 --plot sweep.png
  minnet sweep train.py --grid lr=1e-3,1e-2 --grid batch_size=32,64 --seeds 0,1 --jobs 2
  minnet sweep train.py --grid lr=1e-3,1e-2 --scheduler tcp://host:8786
      (a Dask cluster: its workers must see FILE.py and the store file, e.g. on a
      shared file system)

exit status:
  0  every trial finished
  1  at least one trial failed (the sweep went on; the errors are printed)
  2  usage error (FILE.py, train(), --grid, --seeds, --scheduler)
"""


def _load_train(path):
    """The ``FileFunction`` of FILE.py's train, imported here once to fail early."""
    from minnet.sweeps.trial import FileFunction
    from minnet.user_files import UserFileError, print_user_traceback

    if not os.path.isfile(path):
        raise ConfigError(f"no such file: {path}")
    train = FileFunction(path, "train")
    try:
        train.load()
    except UserFileError as failure:  # a syntax error, a failed import, ... in FILE.py
        print_user_traceback(failure.error)
        error = failure.error
        raise ConfigError(f"importing {path} raised {type(error).__name__}: {error}") from error
    return train


def _x_parameter(grid):
    """The plot's x axis: the first parameter with several values (else the first one)."""
    return next((name for name, values in grid.items() if len(values) > 1), next(iter(grid)))


def _sweep(args):
    from minnet.sweeps.grid import parse_grid_options, parse_seeds
    from minnet.sweeps.sweep import sweep

    if args.jobs < 1:
        raise ConfigError(f"--jobs must be >= 1, got {args.jobs}")
    grid = parse_grid_options(args.grid)
    seeds = parse_seeds(args.seeds)
    train = _load_train(args.file)
    backend = "dask" if args.scheduler else "joblib"
    store = args.store or None
    result = sweep(train, grid, seeds=seeds, n_jobs=args.jobs, backend=backend,
                   scheduler=args.scheduler, store=store, name=args.name or "sweep")
    settings = len(result.trials) // len(seeds)
    where = f"Dask at {args.scheduler}" if args.scheduler else f"joblib, {args.jobs} processes"
    print(f"Sweep {result.sweep}: {len(result.trials)} trials ({settings} settings x "
          f"{len(seeds)} seeds) on {where}; runs in {result.store}\n")
    print(result.table())
    metrics = result.metric_names()
    if args.metric is not None and args.metric not in metrics:
        raise ConfigError(f"--metric {args.metric}: train() returned no such metric; it "
                          f"returned {', '.join(metrics) or 'none (every trial failed)'}")
    metric = args.metric or (metrics[0] if metrics else None)
    if metric is not None:
        print(f"\n{metric} over {len(seeds)} seeds:")
        print(result.summary(metric))
        if args.plot:
            result.plot(metric, _x_parameter(grid), args.plot)
            print(f"\nPlot written to {os.path.abspath(args.plot)}")
    if result.failed:
        print(f"\n{len(result.failed)} of {len(result.trials)} trials failed", file=sys.stderr)
        return EXIT_TRIAL_FAILED
    return EXIT_OK


def run(args):
    try:
        return _sweep(args)
    except ConfigError as error:
        print(f"minnet sweep: error: {error}", file=sys.stderr)
        return EXIT_USAGE


def add_parser(commands):
    """Register ``minnet sweep`` on the ``minnet`` command's subparsers."""
    parser = commands.add_parser(
        "sweep", help="train over a grid of parameters and seeds (joblib or Dask)",
        description="Run train(params, seed) from FILE.py for every setting of the grid and "
                    "every seed,\neach trial a run in the store; print the results and the "
                    "mean and spread per setting.",
        epilog=_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("file", metavar="FILE.py", help="a Python file defining train(params, "
                                                        "seed)")
    parser.add_argument("--grid", action="append", required=True, metavar="NAME=V1,V2,...",
                        help="a parameter and its values (int, float or text); repeat for "
                             "more parameters")
    parser.add_argument("--seeds", default="0", help="seeds: a range 0-4 or a list 0,1,2 "
                                                     "(default 0)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, metavar="N",
                        help="worker processes (joblib) or workers of --scheduler local "
                             "(default: one per core)")
    parser.add_argument("--scheduler", metavar="ADDRESS|local",
                        help="run on Dask: a scheduler's address (tcp://host:8786), or 'local' "
                             "for a cluster of --jobs processes on this machine")
    parser.add_argument("--metric", metavar="M", help="the metric to summarize and plot "
                                                      "(default: the first train() returns)")
    parser.add_argument("--plot", metavar="PNG", help="write the metric against the first "
                                                      "swept parameter to this file")
    parser.add_argument("--store", metavar="PATH", help="the run store (default: $MINNET_RUNS, "
                                                        "else ./minnet-runs.sqlite)")
    parser.add_argument("--name", help="the runs' name (default 'sweep')")
    parser.set_defaults(run=run)
