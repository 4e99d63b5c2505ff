"""``minnet runs export ID... --mlflow DIR``: runs copied into a local MLflow tracking store.

Everything is written through MLflow's own client (``MlflowClient``), never
by writing MLflow's files: the runs read back with any MLflow tool
(``mlflow ui --backend-store-uri DIR``, ``MlflowClient(DIR)``).

The optional extra ``pip install "minnet[mlflow]"`` installs ``mlflow-skinny``,
MLflow's client without its server. Its local store is the file store
(``DIR`` as ``file://`` URI), which MLflow 3 keeps "in maintenance mode" and
opens only when ``MLFLOW_ALLOW_FILE_STORE=true``: the export sets it for its
own calls. With the full ``mlflow`` package installed, ``--mlflow`` also
takes a ``sqlite:///PATH`` URI, MLflow's recommended local store.

What maps to what: a minnet run becomes an MLflow run of the experiment
``minnet`` (its name, start and end time and status kept); every parameter
becomes a param (strings as they are, other values as JSON); every metric
row becomes a metric of the same key, with its step (for an epoch metric,
the epoch; for a row with neither, its position) and time; findings and
checkpoints become tags (``minnet_findings`` as JSON, ``minnet_checkpoints``).
"""

import contextlib
import json
import os

from minnet.runs.store import StoreError

EXPERIMENT = "minnet"
STATUS = {"finished": "FINISHED", "failed": "FAILED", "interrupted": "KILLED",
          "unfinished": "FAILED"}  # a run still running is left RUNNING
BATCH = 1000  # MLflow's log_batch takes at most 1000 metrics per call
PARAM_LIMIT = 6000  # MLflow's longest param value


def tracking_uri(destination):
    """A folder as a ``file://`` URI (created); a URI with a scheme is used as it is."""
    if "://" in destination:
        return destination
    folder = os.path.abspath(destination)
    os.makedirs(folder, exist_ok=True)
    return "file://" + folder


@contextlib.contextmanager
def _file_store_allowed():
    previous = os.environ.get("MLFLOW_ALLOW_FILE_STORE")
    os.environ["MLFLOW_ALLOW_FILE_STORE"] = "true"
    try:
        yield
    finally:
        if previous is None:
            del os.environ["MLFLOW_ALLOW_FILE_STORE"]
        else:
            os.environ["MLFLOW_ALLOW_FILE_STORE"] = previous


def export_runs(store, records, destination):
    """Copy ``records`` (RunRecords of ``store``) into MLflow at ``destination``.

    Returns ``{minnet run id: MLflow run id}``. StoreError when MLflow is not installed.
    """
    try:
        from mlflow.tracking import MlflowClient
    except ImportError as error:
        raise StoreError('minnet runs export --mlflow needs MLflow: pip install '
                         '"minnet[mlflow]" (or mlflow-skinny)') from error
    uri = tracking_uri(destination)
    with _file_store_allowed():
        client = MlflowClient(tracking_uri=uri)
        experiment = client.get_experiment_by_name(EXPERIMENT)
        experiment_id = (experiment.experiment_id if experiment is not None
                         else client.create_experiment(EXPERIMENT))
        return {record.id: _export_one(client, experiment_id, store, record)
                for record in records}


def mlflow_param(value):
    """A minnet parameter as MLflow's string, cut to MLflow's limit."""
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
    return text[:PARAM_LIMIT]


def _export_one(client, experiment_id, store, record):
    from mlflow.entities import Metric, Param

    tags = {"minnet_run_id": str(record.id), "minnet_host": record.host}
    if record.sweep is not None:
        tags.update({"minnet_sweep": record.sweep, "minnet_trial": str(record.trial)})
    if record.error:
        tags["minnet_error"] = record.error
    findings = store.findings(record.id)
    if findings:
        tags["minnet_findings"] = json.dumps(findings)
    checkpoints = [path for kind, path in store.artifacts(record.id) if kind == "checkpoint"]
    if checkpoints:
        tags["minnet_checkpoints"] = "\n".join(checkpoints)
    run = client.create_run(experiment_id, start_time=_ms(record.started), tags=tags,
                            run_name=record.name)
    run_id = run.info.run_id
    params = [Param(key, mlflow_param(value)) for key, value in store.params(record.id).items()]
    for start in range(0, len(params), 100):  # log_batch: at most 100 params per call
        client.log_batch(run_id, params=params[start:start + 100])
    positions = {}
    metrics = []
    for row in store.metrics(record.id):
        position = positions[row.key] = positions.get(row.key, -1) + 1
        step = row.step if row.step is not None else row.epoch
        metrics.append(Metric(row.key, row.value, _ms(row.time),
                              position if step is None else step))
    for start in range(0, len(metrics), BATCH):
        client.log_batch(run_id, metrics=metrics[start:start + BATCH])
    if record.state in STATUS:
        client.set_terminated(run_id, STATUS[record.state],
                              end_time=None if record.ended is None else _ms(record.ended))
    return run_id


def _ms(seconds):
    return int(round(seconds * 1000))
