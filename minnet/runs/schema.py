"""The run store's file: its tables, their version, and how a connection to it is opened.

Schema versions: ``PRAGMA user_version`` holds the schema version that wrote
the file. A file of a newer version raises ``StoreError`` (never a silent
rewrite), and so does a SQLite file of someone else's (tables, no version);
an empty file is given the current schema. ``minnet.runs.store`` reads and
writes the runs through the connection ``connect`` opens.
"""

import sqlite3

from minnet.errors import MinnetError

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    status TEXT NOT NULL,
    started REAL NOT NULL,
    ended REAL,
    host TEXT NOT NULL,
    pid INTEGER NOT NULL,
    error TEXT,
    sweep TEXT,
    trial TEXT
);
CREATE TABLE params (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (run_id, key)
);
CREATE TABLE metrics (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    step INTEGER,
    epoch INTEGER,
    value REAL,
    time REAL NOT NULL
);
CREATE INDEX metrics_by_run ON metrics(run_id, key);
CREATE TABLE findings (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    code TEXT NOT NULL,
    severity TEXT NOT NULL,
    location TEXT NOT NULL,
    evidence TEXT NOT NULL,
    explanation TEXT NOT NULL,
    fix TEXT NOT NULL,
    step INTEGER
);
CREATE TABLE artifacts (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    path TEXT NOT NULL,
    time REAL NOT NULL
);
CREATE UNIQUE INDEX one_run_per_trial ON runs(sweep, trial) WHERE sweep IS NOT NULL;
"""


class StoreError(MinnetError, RuntimeError):
    """The run store cannot be used: a newer schema, not a minnet store, no such run."""


def connect(path, timeout):
    """An autocommit connection to the store file ``path``, its schema checked (or created).

    Autocommit (``isolation_level=None``): each statement, or each explicit
    BEGIN ... COMMIT, is one transaction; ``timeout`` is how long a write waits
    for another process's.
    """
    connection = sqlite3.connect(path, timeout=timeout, isolation_level=None)
    try:
        _prepare(connection, path)
    except BaseException:
        connection.close()
        raise
    return connection


def _prepare(connection, path):
    """Check the file's schema version, switch on WAL mode, create the tables when new."""
    try:
        version = connection.execute("PRAGMA user_version").fetchone()[0]
    except sqlite3.DatabaseError as error:
        raise StoreError(f"RunStore: {path} is not a SQLite file ({error})") from error
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"RunStore: {path} was written by a newer minnet (store schema "
            f"{version}; this minnet reads schema {SCHEMA_VERSION} and older). Upgrade "
            f"minnet, or record into another file (MINNET_RUNS=path or store=path); "
            f"the file was left as it is")
    if version == 0:  # before WAL mode, which would rewrite a foreign file's header
        _refuse_foreign_tables(connection, path)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")  # WAL: durable at checkpoints
    connection.execute("PRAGMA foreign_keys=ON")
    if version == SCHEMA_VERSION:
        return
    # version 0: a new file, or a SQLite file of someone else's
    connection.execute("BEGIN IMMEDIATE")
    try:
        version = connection.execute("PRAGMA user_version").fetchone()[0]
        if version == 0:  # another process may have created it meanwhile
            _refuse_foreign_tables(connection, path)
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    connection.execute(statement)
            connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise


def _refuse_foreign_tables(connection, path):
    """StoreError when the file holds tables but no schema version (not a minnet store).

    Version and tables are read in one read transaction: another process
    may create the schema between two separate reads.
    """
    in_transaction = connection.in_transaction
    if not in_transaction:
        connection.execute("BEGIN")
    try:
        version = connection.execute("PRAGMA user_version").fetchone()[0]
        tables = connection.execute(
            "SELECT name FROM sqlite_master WHERE type='table'").fetchall()
    finally:
        if not in_transaction:
            connection.execute("COMMIT")
    if version == 0 and tables:
        raise StoreError(f"RunStore: {path} holds tables that are not a minnet "
                         f"run store ({', '.join(t[0] for t in tables)}); give "
                         f"another file")
