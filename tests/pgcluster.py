"""A throwaway PostgreSQL cluster a test owns: made in a temporary folder, on a free port, removed after.

A test that stops or restarts PostgreSQL must never touch the machine's own server, which other tests
(and other people's) are using: it makes one of these instead. The cluster listens on 127.0.0.1 only,
trusts local connections (it holds nothing but test data), and runs with fsync off, since nothing in
it needs to survive a crash of the machine.

Run as root (CI), initdb refuses to work: the cluster's programs then run as the `postgres` account
(`runuser`), which owns the folder. Clients (psql, createdb, Django) connect over TCP as the
`postgres` database user whoever runs them.

    with PostgresCluster.create() as cluster:
        cluster.start()
        cluster.createdb("portal")
        url = cluster.url("portal")
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from tests.services import postgres_bindir

SUPERUSER = "postgres"
PREFIX = "bangqiao-pg-"
OWNER = "owner.pid"  # the test process that made the cluster


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def sweep_orphans() -> None:
    """Stop and remove the clusters earlier test processes made and could not clean up (killed outright).

    Only folders this module made (their prefix, an owner file) whose owner process is gone: a
    cluster another test session is using right now is never touched.
    """
    bindir = postgres_bindir()
    for owner_file in Path(tempfile.gettempdir()).glob(f"{PREFIX}*/{OWNER}"):
        try:
            owner = int(owner_file.read_text())
            os.kill(owner, 0)
        except ProcessLookupError:
            if bindir is not None:
                PostgresCluster(bindir, owner_file.parent, port=0).remove()
        except (OSError, ValueError):
            continue


class PostgresCluster:
    """One cluster: its folder, its port, and the pg_ctl verbs a fault test needs."""

    def __init__(self, bindir: Path, folder: Path, port: int) -> None:
        self.bindir = bindir
        self.folder = folder
        self.data = folder / "data"
        self.log = folder / "postgres.log"
        self.port = port

    @classmethod
    def create(cls) -> PostgresCluster:
        """Run initdb into a new temporary folder; the cluster is not started yet."""
        bindir = postgres_bindir()
        if bindir is None:
            raise RuntimeError("PostgreSQL's server programs (initdb, pg_ctl) are not installed")
        sweep_orphans()
        folder = Path(tempfile.mkdtemp(prefix=PREFIX))
        (folder / OWNER).write_text(str(os.getpid()))
        if os.geteuid() == 0:
            account = pwd.getpwnam(SUPERUSER)
            os.chown(folder, account.pw_uid, account.pw_gid)
        cluster = cls(bindir, folder, free_port())
        try:
            cluster._owner(
                "initdb", "-D", str(cluster.data), "-U", SUPERUSER, "--auth=trust",
                "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync",
            )  # fmt: skip
        except BaseException:
            cluster.remove()
            raise
        return cluster

    def __enter__(self) -> PostgresCluster:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.remove()

    def url(self, database: str) -> str:
        return f"postgres://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        """Start the server and wait until it accepts connections."""
        self._pg_ctl("start")
        self.wait_ready()

    def stop(self, mode: str = "fast") -> None:
        """Stop the server: `fast` ends every session at once, as an operator's restart does."""
        self._owner("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "30", "stop")

    def restart(self) -> None:
        """Restart the server as `pg_ctl restart -m fast` does, and wait until it accepts connections."""
        self._pg_ctl("restart", "-m", "fast")
        self.wait_ready()

    def is_ready(self) -> bool:
        done = subprocess.run(
            [self.bindir / "pg_isready", "-q", "-h", "127.0.0.1", "-p", str(self.port), "-U", SUPERUSER],
            check=False,
        )
        return done.returncode == 0

    def wait_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while not self.is_ready():
            if time.monotonic() > deadline:
                raise TimeoutError(f"PostgreSQL on port {self.port} does not answer:\n{self.log_tail()}")
            time.sleep(0.1)

    def createdb(self, name: str) -> None:
        subprocess.run(
            [self.bindir / "createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", SUPERUSER, name],
            check=True,
            capture_output=True,
        )

    def psql(self, sql: str, database: str = "postgres") -> str:
        """Run one statement and return its rows, unaligned."""
        done = subprocess.run(
            [self.bindir / "psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", SUPERUSER, "-d", database,
             "-X", "-tA", "-v", "ON_ERROR_STOP=1", "-c", sql],
            check=True,
            capture_output=True,
            text=True,
        )  # fmt: skip
        return done.stdout.strip()

    def connections(self, application_name: str) -> int:
        """Count the sessions a client opened under `application_name` (the one asking has another)."""
        quoted = application_name.replace("'", "''")
        return int(self.psql(f"SELECT count(*) FROM pg_stat_activity WHERE application_name = '{quoted}'"))

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no server log)"

    def remove(self) -> None:
        """Stop the server if it runs, whatever state the test left it in, and delete the folder."""
        if (self.data / "postmaster.pid").exists():
            done = subprocess.run(
                self._as_owner("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "-t", "10", "stop"),
                cwd=self.folder,
                check=False,
                capture_output=True,
            )
            if done.returncode != 0:
                self._kill_postmaster()
        shutil.rmtree(self.folder, ignore_errors=True)

    def _kill_postmaster(self) -> None:
        try:
            pid = int((self.data / "postmaster.pid").read_text().splitlines()[0])
            os.kill(pid, signal.SIGKILL)  # the server's own children exit when their postmaster dies
        except (OSError, ValueError, IndexError):
            pass

    def _pg_ctl(self, verb: str, *args: str) -> None:
        # The log file every time: without one, the server would write to pg_ctl's own output, which
        # this process reads to its end, and a server that keeps it open never lets that end come.
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.folder} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        self._owner("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "-t", "30", *args, verb)

    def _as_owner(self, program: str, *args: str) -> list[str]:
        command = [str(self.bindir / program), *args]
        if os.geteuid() == 0:
            return ["runuser", "-u", SUPERUSER, "--", *command]
        return command

    def _owner(self, program: str, *args: str) -> None:
        """Run one of the server's programs as the account that owns the cluster."""
        done = subprocess.run(
            self._as_owner(program, *args), cwd=self.folder, check=False, capture_output=True, text=True
        )
        if done.returncode != 0:
            raise RuntimeError(f"{program} failed ({done.returncode}):\n{done.stdout}{done.stderr}\n{self.log_tail()}")
