"""``minnet runs list | show | compare | plot | delete | export``: read the run store back.

Every action takes ``--store PATH`` (default ``$MINNET_RUNS``, else
``./minnet-runs.sqlite``). Exit codes: 0 done, 2 misused: no store there,
an empty store, an unknown run id, a store of a newer schema, a missing
metric, MLflow not installed; the message says which.
"""

import argparse
import os
import sys

from minnet.runs.store import RunStore, StoreError, default_store_path

EXIT_OK, EXIT_USAGE = 0, 2


class _Usage(Exception):
    pass


def _open_store(args):
    """The store at ``--store``, never created by a command that only reads it."""
    path = args.store or default_store_path()
    if not os.path.exists(path):
        raise _Usage(f"no run store at {path}: record runs with fit(..., run=\"name\") or "
                     f"`with mn.Run(\"name\")`, or point --store (or MINNET_RUNS) at one")
    return RunStore(path)


def _records(store, ids):
    """The RunRecords of ``ids`` (StoreError naming the known ids for an unknown one)."""
    if not store.list_runs():
        raise _Usage(f"the run store {store.path} holds no run yet")
    return [store.get_run(run_id) for run_id in ids]


def _list(args, store):
    from minnet.runs.tables import list_text

    records = store.list_runs(sweep=args.sweep)
    if not records:
        where = f" of sweep {args.sweep!r}" if args.sweep else ""
        raise _Usage(f"the run store {store.path} holds no run{where} yet")
    print(list_text(store, records))
    return EXIT_OK


def _show(args, store):
    from minnet.runs.tables import show_text

    (record,) = _records(store, [args.id])
    print(show_text(store, record))
    return EXIT_OK


def _compare(args, store):
    from minnet.runs.tables import compare_text

    if len(args.ids) < 2:
        raise _Usage(f"compare needs two run ids or more, got {len(args.ids)}")
    print(compare_text(store, _records(store, args.ids)))
    return EXIT_OK


def _plot(args, store):
    from minnet.runs.plot import plot_runs

    records = _records(store, args.ids)
    path = os.path.abspath(args.out or f"minnet-runs-{args.metric}.png")
    plot_runs(store, records, metric=args.metric, path=path)
    print(f"Plot of {args.metric} for run(s) {', '.join(str(r.id) for r in records)} "
          f"written to {path}")
    return EXIT_OK


def _delete(args, store):
    (record,) = _records(store, [args.id])
    rows = len(store.metrics(record.id))
    what = f"run {record.id} ({record.name}, {record.state}, {rows} metric rows)"
    if not args.yes:
        print(f"Delete {what} from {store.path}? [y/N] ", end="", flush=True)
        answer = sys.stdin.readline().strip().lower()
        if answer not in ("y", "yes"):
            print("Nothing deleted.")
            return EXIT_OK
    store.delete_run(record.id)
    print(f"Deleted {what}.")
    return EXIT_OK


def _export(args, store):
    from minnet.runs.mlflow_export import export_runs

    if not args.mlflow:
        raise _Usage("export needs a destination: --mlflow DIR")
    exported = export_runs(store, _records(store, args.ids), args.mlflow)
    for run_id, mlflow_id in exported.items():
        print(f"run {run_id} -> MLflow run {mlflow_id}")
    print(f"Exported {len(exported)} run(s) to {args.mlflow} (experiment 'minnet')")
    return EXIT_OK


def add_parser(commands):
    """Register ``minnet runs ...`` on the ``minnet`` command's subparsers."""
    parser = commands.add_parser(
        "runs", help="the recorded runs: list, show, compare, plot, delete, export",
        description="Read back the runs that fit(..., run=\"name\") and mn.Run recorded.")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--store", metavar="PATH",
                        help="the run store (default: $MINNET_RUNS, else ./minnet-runs.sqlite)")
    sub = parser.add_subparsers(dest="runs_command", metavar="ACTION", required=True)

    def action(name, function, help_text):
        action_parser = sub.add_parser(name, help=help_text, parents=[common])
        action_parser.set_defaults(runs_action=function)
        return action_parser

    listing = action("list", _list, "every run: id, name, state, start, duration, final metrics")
    listing.add_argument("--sweep", metavar="ID", help="only the runs of this sweep")
    action("show", _show, "a run's parameters, final metrics, findings and checkpoints"
           ).add_argument("id", type=int)
    action("compare", _compare, "the parameters that differ, and the final metrics side by side"
           ).add_argument("ids", type=int, nargs="+", metavar="ID")
    plot = action("plot", _plot, "overlay one metric's curves of several runs (a PNG)")
    plot.add_argument("ids", type=int, nargs="+", metavar="ID")
    plot.add_argument("--metric", default="loss",
                      help="the metric to draw (default: loss, the training loss of each step)")
    plot.add_argument("--out", metavar="PNG", help="the file (default ./minnet-runs-METRIC.png)")
    delete = action("delete", _delete, "delete a run and everything recorded for it")
    delete.add_argument("id", type=int)
    delete.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    export = action("export", _export, 'copy runs into MLflow (pip install "minnet[mlflow]")')
    export.add_argument("ids", type=int, nargs="+", metavar="ID")
    export.add_argument("--mlflow", metavar="DIR", required=True,
                        help="a folder for MLflow's local tracking store (or a tracking URI)")
    parser.set_defaults(run=run)


def run(args):
    try:
        with _open_store(args) as store:
            return args.runs_action(args, store)
    except (_Usage, StoreError) as error:
        print(f"minnet runs: error: {error}", file=sys.stderr)
        return EXIT_USAGE
