"""A throw-away PostgreSQL 15 server on a free 127.0.0.1 port, for the tests and the load
benchmark: a new cluster in a temporary folder, started with pg_ctl and deleted after.

initdb refuses to run as root, so as root the folder is given to the `postgres` user and the
server runs as that user (runuser); otherwise it runs as the current user. The server binaries
come from PostgreSQL 15 (`.ci/run` installs them on a machine that lacks them).
"""

from __future__ import annotations

import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import psycopg

PG_BIN = Path(os.environ.get("UNIONBOT_PG_BIN", "/usr/lib/postgresql/15/bin"))
START_TRIES = 3  # a free port can be taken between choosing it and starting on it


class PostgresUnavailable(RuntimeError):
    """The server could not be started; the message says why."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class PostgresServer:
    """One PostgreSQL cluster; `new_database()` gives each test its own empty database."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="unionbot-pg-"))
        self.data = self.folder / "data"
        self.port = 0
        self._names = itertools.count(1)
        self._as_postgres = os.geteuid() == 0

    def _run(self, *args: str) -> None:
        command = [str(PG_BIN / args[0]), *args[1:]]
        if self._as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
        if done.returncode != 0:
            log = self.folder / "log"
            tail = log.read_text(errors="replace")[-800:] if log.exists() else ""
            raise PostgresUnavailable(f"{' '.join(args[:1])} failed ({done.returncode}): "
                                      f"{(done.stderr or done.stdout).strip()[-800:]} {tail}")

    def start(self) -> PostgresServer:
        if not (PG_BIN / "initdb").exists():
            self.remove()
            raise PostgresUnavailable(f"{PG_BIN}/initdb is missing: install postgresql-15 "
                                      f"(apt-get install postgresql-15; .ci/run does)")
        try:
            if self._as_postgres:
                shutil.chown(self.folder, "postgres", "postgres")
            self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres",
                      "-E", "UTF8", "--locale=C")
            for attempt in range(START_TRIES):
                self.port = free_port()
                try:
                    self._run("pg_ctl", "-D", str(self.data), "-l", str(self.folder / "log"),
                              "-o", f"-p {self.port} -k {self.folder} "
                                    f"-c listen_addresses=127.0.0.1 -c fsync=off", "-w", "start")
                    return self
                except PostgresUnavailable:
                    if attempt == START_TRIES - 1:
                        raise
        except (OSError, LookupError, subprocess.SubprocessError, PostgresUnavailable) as exc:
            self.remove()
            raise PostgresUnavailable(str(exc)) from exc
        raise AssertionError("unreachable")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        """The URL of a new, empty database in this cluster."""
        name = f"unionbot_{next(self._names)}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')  # a generated name, never user input
        return self.url(name)

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")
        finally:
            self.remove()

    def remove(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)
