"""The experiment store: one SQLite file of runs, their parameters, metrics and findings.

A run is one training (``fit(..., run="name")``, ``with mn.Run("name")``, or
one trial of a sweep). The store keeps, per run: its name and status, the
parameters (model, optimizer, seed, data shapes, versions; JSON values), the
metrics per step and per epoch, the doctor's findings and the checkpoint
paths. The file lives in the working folder (``minnet-runs.sqlite``) unless
``MINNET_RUNS`` or an explicit path moves it.

Why SQLite in WAL mode: several processes (a sweep's workers, two notebooks)
append to one file at once without losing rows, readers never block the
writer, and a process killed mid-run leaves every committed row readable.
Each write is its own short transaction; ``busy_timeout`` makes a writer
wait for another instead of failing.

The file's tables and their version are ``minnet.runs.schema``'s.
"""

import json
import math
import os
import socket
import time
from collections import namedtuple

from minnet.runs.schema import StoreError, connect  # noqa: F401 (StoreError: re-exported)

DEFAULT_FILE = "minnet-runs.sqlite"
ENVIRONMENT_VARIABLE = "MINNET_RUNS"

# A run's status: "running" until it ends; "finished", "failed" (the code raised) or
# "interrupted" (Ctrl-C). A process killed mid-run leaves "running" behind: see
# RunRecord.state.
STATUSES = ("running", "finished", "failed", "interrupted")



_RECORD_FIELDS = ("id", "name", "status", "started", "ended", "host", "pid", "error",
                  "sweep", "trial")


class RunRecord(namedtuple("RunRecord", _RECORD_FIELDS)):
    """One row of ``runs``: id, name, status, started/ended (Unix seconds), host, pid,
    error (the exception's text of a failed run), sweep and trial (None outside sweeps)."""

    __slots__ = ()

    @property
    def state(self):
        """The status, with "unfinished" for a run whose process ended without finishing it.

        Only a run of this host can be seen to be dead; one from another host
        that still says "running" is reported as running.
        """
        if self.status == "running" and self.host == socket.gethostname() \
                and not _process_alive(self.pid):
            return "unfinished"
        return self.status

    @property
    def seconds(self):
        """Wall time: to the end, or to now for a run still going (None when unfinished)."""
        if self.ended is not None:
            return self.ended - self.started
        return None if self.state == "unfinished" else time.time() - self.started


MetricRow = namedtuple("MetricRow", "key step epoch value time")


def _process_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        return True
    return True


def default_store_path():
    """``$MINNET_RUNS`` when set, else ``minnet-runs.sqlite`` in the working folder."""
    return os.environ.get(ENVIRONMENT_VARIABLE) or os.path.join(os.getcwd(), DEFAULT_FILE)


def to_json(value):
    """``value`` as JSON text; NumPy scalars and arrays and other objects as plain values."""
    return json.dumps(value, default=_plain, sort_keys=True)


def _plain(value):
    if hasattr(value, "tolist"):  # NumPy scalars and arrays
        return value.tolist()
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=repr)
    return repr(value)


class RunStore:
    """The runs in one SQLite file (created with the current schema when missing).

    Parameters
    ----------
    path : str or None, the file (default: ``default_store_path()``)
    timeout : float, seconds a write waits for another process's write
    """

    def __init__(self, path=None, timeout=30.0):
        self.path = os.fspath(path) if path is not None else default_store_path()
        directory = os.path.dirname(os.path.abspath(self.path))
        os.makedirs(directory, exist_ok=True)
        self._connection = connect(self.path, timeout)

    # --- writing -----------------------------------------------------------------

    def create_run(self, name, params=None, sweep=None, trial=None):
        """A new run in status "running"; returns its id.

        With ``sweep`` and ``trial`` (a sweep's id and the trial's key), a
        run of the same trial that did not finish (its worker died) is
        replaced by this one: a trial is in the store once.
        """
        now = time.time()
        with self._transaction() as connection:
            if sweep is not None:
                connection.execute("DELETE FROM runs WHERE sweep = ? AND trial = ?",
                                   (sweep, trial))
            cursor = connection.execute(
                "INSERT INTO runs (name, status, started, host, pid, sweep, trial) "
                "VALUES (?, 'running', ?, ?, ?, ?, ?)",
                (str(name), now, socket.gethostname(), os.getpid(), sweep, trial))
            run_id = cursor.lastrowid
            self._insert_params(connection, run_id, params or {})
        return run_id

    def log_params(self, run_id, params):
        """Add or replace parameters (a dict of JSON-able values) of a run."""
        with self._transaction() as connection:
            self._insert_params(connection, run_id, params)

    @staticmethod
    def _insert_params(connection, run_id, params):
        connection.executemany(
            "INSERT OR REPLACE INTO params (run_id, key, value) VALUES (?, ?, ?)",
            [(run_id, str(key), to_json(value)) for key, value in params.items()])

    def log_metrics(self, run_id, rows):
        """Append metric rows, each ``(key, value, step, epoch, time)``, in one transaction."""
        with self._transaction() as connection:
            connection.executemany(
                "INSERT INTO metrics (run_id, key, value, step, epoch, time) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [(run_id, str(key), _number(value), step, epoch, at)
                 for key, value, step, epoch, at in rows])

    def log_findings(self, run_id, findings):
        """Record the doctor's findings (``Finding`` objects) of a run."""
        with self._transaction() as connection:
            connection.executemany(
                "INSERT INTO findings (run_id, code, severity, location, evidence, explanation, "
                "fix, step) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [(run_id, f.code, f.severity, f.where, to_json(f.evidence), f.explanation,
                  f.fix, f.step) for f in findings])

    def log_artifact(self, run_id, path, kind="checkpoint"):
        """Record a file the run wrote (a checkpoint's path, absolute)."""
        with self._transaction() as connection:
            connection.execute("INSERT INTO artifacts (run_id, kind, path, time) "
                               "VALUES (?, ?, ?, ?)",
                               (run_id, kind, os.path.abspath(os.fspath(path)), time.time()))

    def finish_run(self, run_id, status="finished", error=None):
        """Mark a run ended with ``status`` ("finished", "failed" or "interrupted")."""
        if status not in STATUSES[1:]:
            raise StoreError(f"RunStore.finish_run: status must be one of {STATUSES[1:]}, "
                             f"got {status!r}")
        with self._transaction() as connection:
            connection.execute("UPDATE runs SET status = ?, ended = ?, error = ? WHERE id = ?",
                               (status, time.time(), error, run_id))

    def delete_run(self, run_id):
        """Delete a run and everything recorded for it; StoreError when there is none."""
        self.get_run(run_id)
        with self._transaction() as connection:
            connection.execute("DELETE FROM runs WHERE id = ?", (run_id,))

    # --- reading -----------------------------------------------------------------

    def list_runs(self, sweep=None):
        """Every run (of one sweep when given), oldest first, as ``RunRecord``s."""
        query = f"SELECT {', '.join(_RECORD_FIELDS)} FROM runs"
        rows = (self._connection.execute(query + " ORDER BY id").fetchall() if sweep is None
                else self._connection.execute(query + " WHERE sweep = ? ORDER BY id",
                                              (sweep,)).fetchall())
        return [RunRecord(*row) for row in rows]

    def get_run(self, run_id):
        """The ``RunRecord`` of ``run_id``; StoreError naming the known ids when missing."""
        row = self._connection.execute(
            f"SELECT {', '.join(_RECORD_FIELDS)} FROM runs WHERE id = ?", (run_id,)).fetchone()
        if row is None:
            known = [r[0] for r in self._connection.execute("SELECT id FROM runs ORDER BY id")]
            shown = ", ".join(map(str, known[-10:])) or "none"
            raise StoreError(f"RunStore: no run {run_id} in {self.path} (runs: {shown})")
        return RunRecord(*row)

    def params(self, run_id):
        """The parameters of a run as a dict of plain values."""
        return {key: json.loads(value) for key, value in self._connection.execute(
            "SELECT key, value FROM params WHERE run_id = ? ORDER BY key", (run_id,))}

    def metrics(self, run_id, key=None):
        """A run's metric rows in the order logged (of one ``key`` when given)."""
        query = "SELECT key, step, epoch, value, time FROM metrics WHERE run_id = ?"
        args = (run_id,)
        if key is not None:
            query, args = query + " AND key = ?", (run_id, key)
        return [MetricRow(key, step, epoch, _from_sql(value), at) for key, step, epoch, value, at
                in self._connection.execute(query + " ORDER BY rowid", args)]

    def metric_keys(self, run_id):
        return [row[0] for row in self._connection.execute(
            "SELECT DISTINCT key FROM metrics WHERE run_id = ? ORDER BY key", (run_id,))]

    def final_metrics(self, run_id):
        """``{key: value}`` of each metric's last logged row."""
        rows = self._connection.execute(
            "SELECT key, value FROM metrics WHERE rowid IN (SELECT MAX(rowid) FROM metrics "
            "WHERE run_id = ? GROUP BY key) ORDER BY key", (run_id,))
        return {key: _from_sql(value) for key, value in rows}

    def findings(self, run_id):
        """A run's findings as dicts (code, severity, where, evidence, explanation, fix, step)."""
        rows = self._connection.execute(
            "SELECT code, severity, location, evidence, explanation, fix, step FROM findings "
            "WHERE run_id = ? ORDER BY rowid", (run_id,))
        return [{"code": code, "severity": severity, "where": where,
                 "evidence": json.loads(evidence), "explanation": explanation, "fix": fix,
                 "step": step}
                for code, severity, where, evidence, explanation, fix, step in rows]

    def artifacts(self, run_id):
        """``[(kind, path)]`` of a run, in the order recorded."""
        return self._connection.execute(
            "SELECT kind, path FROM artifacts WHERE run_id = ? ORDER BY rowid",
            (run_id,)).fetchall()

    # --- plumbing ----------------------------------------------------------------

    def _transaction(self):
        return _Transaction(self._connection)

    def close(self):
        self._connection.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self):
        return f"RunStore({self.path!r})"


class _Transaction:
    """``BEGIN IMMEDIATE`` ... ``COMMIT`` (``ROLLBACK`` on an exception).

    IMMEDIATE takes the write lock at the start, so two writers queue on
    ``busy_timeout`` instead of one failing at its first write.
    """

    def __init__(self, connection):
        self.connection = connection

    def __enter__(self):
        self.connection.execute("BEGIN IMMEDIATE")
        return self.connection

    def __exit__(self, kind, error, traceback):
        self.connection.execute("ROLLBACK" if kind is not None else "COMMIT")
        return False


def _number(value):
    """A metric value as a float for SQLite (inf kept; NaN becomes NULL: SQLite has no NaN)."""
    return None if value is None else float(value)


def _from_sql(value):
    """A metric value read back: NULL (a NaN when written) is NaN again."""
    return math.nan if value is None else value
