"""Private PostgreSQL and Redis servers for tests that stop and restart them (tests/production/test_restarts.py).

Each server runs on a free loopback port with its files in a temporary directory, so restarting it never touches
the machine's shared PostgreSQL (5432) or Redis (6379). PostgreSQL refuses to run as root: as root, the cluster is
created and run as the `postgres` user (or, where that user does not exist, a dedicated system user).

    with private_postgres() as pg, private_redis() as redis_server:
        pg.create_database("review_gate")
        pg.restart()            # pg_ctl restart -m fast
        redis_server.stop(); redis_server.start()

Both context managers stop their server and delete its directory on the way out, whatever happened inside.
Only the standard library is used, so the module works before Django is configured.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

LOOPBACK = "127.0.0.1"
DEDICATED_USER = "review-gate-pg"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


def _port_open(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection((LOOPBACK, port), timeout=0.5):
        return True
    return False


def _wait(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise RuntimeError(f"timed out after {timeout}s waiting for {what}")


# --- PostgreSQL -----------------------------------------------------------------------------------------------------


def postgres_bin_dir() -> Path:
    """Return the directory holding initdb, pg_ctl and postgres: Debian's newest /usr/lib/postgresql/*/bin first."""

    def version(path: str) -> tuple[int, ...]:
        match = re.search(r"/postgresql/([0-9.]+)/bin", path)
        return tuple(int(p) for p in match.group(1).split(".")) if match else (0,)

    candidates = sorted((str(p) for p in Path("/usr/lib/postgresql").glob("*/bin")), key=version, reverse=True)
    for directory in candidates:
        if Path(directory, "initdb").exists() and Path(directory, "pg_ctl").exists():
            return Path(directory)
    initdb = shutil.which("initdb")
    if initdb:
        return Path(os.path.realpath(initdb)).parent
    raise RuntimeError(
        "PostgreSQL server binaries (initdb, pg_ctl) not found: install Debian's `postgresql` package "
        "(or put initdb on PATH)"
    )


def _server_user() -> str | None:
    """Return the user to run PostgreSQL as, or None to run it as ourselves (when we are not root)."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", DEDICATED_USER):
        with contextlib.suppress(KeyError):
            pwd.getpwnam(name)
            return name
    subprocess.run(
        ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", DEDICATED_USER],
        check=True,
        capture_output=True,
    )
    return DEDICATED_USER


class PrivatePostgres:
    """A throw-away PostgreSQL cluster (trust authentication, user `postgres`) on a free loopback port."""

    def __init__(self, root: Path, port: int, bin_dir: Path, run_as: str | None) -> None:
        self.root = root
        self.port = port
        self.bin_dir = bin_dir
        self.run_as = run_as
        self.data = root / "data"
        self.log = root / "postgres.log"

    def url(self, database: str = "postgres") -> str:
        return f"postgres://postgres@{LOOPBACK}:{self.port}/{database}"

    def dsn(self, database: str = "postgres") -> str:
        return f"host={LOOPBACK} port={self.port} user=postgres dbname={database} connect_timeout=3"

    def _run(self, *args: str, timeout: float = 60) -> None:
        command = [str(self.bin_dir / args[0]), *args[1:]]
        if self.run_as:
            command = ["runuser", "-u", self.run_as, "--", *command]
        # Output to a file, never a pipe: the postmaster pg_ctl starts would hold a pipe open after pg_ctl exits.
        with (self.root / "pg_ctl.out").open("ab") as out:
            result = subprocess.run(command, stdout=out, stderr=out, timeout=timeout, check=False, cwd=self.root)
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(args[:2])} failed ({result.returncode}); see {self.root / 'pg_ctl.out'}")

    def init(self) -> None:
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync")
        settings = {
            "port": str(self.port),
            "listen_addresses": f"'{LOOPBACK}'",
            "unix_socket_directories": f"'{self.root}'",
            "max_connections": "200",
            "fsync": "off",  # a throw-away cluster; a fast shutdown still checkpoints everything
            "full_page_writes": "off",
        }
        with (self.data / "postgresql.conf").open("a", encoding="utf-8") as conf:
            conf.write("\n# tests/private_servers.py\n")
            conf.writelines(f"{name} = {value}\n" for name, value in settings.items())

    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60", "start")

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")

    def restart(self, mode: str = "fast") -> None:
        """`pg_ctl restart -m fast`: every session is terminated, the server comes back on the same port."""
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-m", mode, "-w", "-t", "60", "restart")

    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists() and _port_open(self.port)

    def create_database(self, name: str) -> None:
        if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
            raise ValueError(f"unsafe database name {name!r}")
        self._run("psql", "-h", LOOPBACK, "-p", str(self.port), "-U", "postgres", "-d", "postgres", "-v",
                  "ON_ERROR_STOP=1", "-c", f"CREATE DATABASE {name}")  # fmt: skip

    def kill(self) -> None:
        """Stop whatever is left: an immediate shutdown, then SIGKILL to the postmaster if it is still there."""
        pid_file = self.data / "postmaster.pid"
        if not pid_file.exists():
            return
        with contextlib.suppress(Exception):
            self.stop("immediate")
        with contextlib.suppress(Exception):
            pid = int(pid_file.read_text().split()[0])
            os.kill(pid, signal.SIGKILL)


@contextlib.contextmanager
def private_postgres() -> Iterator[PrivatePostgres]:
    """Create, start, yield, and finally stop and delete a private PostgreSQL cluster."""
    bin_dir = postgres_bin_dir()
    run_as = _server_user()
    root = Path(tempfile.mkdtemp(prefix="rg-private-pg-"))
    try:
        if run_as:
            entry = pwd.getpwnam(run_as)
            os.chown(root, entry.pw_uid, entry.pw_gid)
        server = PrivatePostgres(root, free_port(), bin_dir, run_as)
        try:
            server.init()
            server.start()
            yield server
        finally:
            server.kill()
    finally:
        shutil.rmtree(root, ignore_errors=True)


# --- Redis ----------------------------------------------------------------------------------------------------------


class PrivateRedis:
    """A `redis-server` with no persistence on a free loopback port; stop() and start() keep the port."""

    def __init__(self, root: Path, port: int) -> None:
        self.root = root
        self.port = port
        self.log = root / "redis.log"
        self.process: subprocess.Popen[bytes] | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://{LOOPBACK}:{self.port}/{db}"

    def ping(self) -> bool:
        try:
            with socket.create_connection((LOOPBACK, self.port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(64).startswith(b"+PONG")
        except OSError:
            return False

    def start(self) -> None:
        if self.process is not None and self.process.poll() is None:
            raise RuntimeError("the private Redis is already running")
        server = shutil.which("redis-server")
        if not server:
            raise RuntimeError("redis-server not found: install Debian's `redis-server` package")
        args = [server, "--port", str(self.port), "--bind", LOOPBACK, "--save", "", "--appendonly", "no"]
        args += ["--dir", str(self.root), "--daemonize", "no"]
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(args, stdout=out, stderr=out, start_new_session=True, cwd=self.root)
        _wait(lambda: self.ping() or self.process.poll() is not None, 30, f"redis-server on port {self.port}")
        if self.process.poll() is not None:
            raise RuntimeError(f"redis-server exited ({self.process.returncode}); see {self.log}")

    def stop(self) -> None:
        """SIGTERM (no save configured, so it exits at once), SIGKILL after 10 s; the port is free afterwards."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        _wait(lambda: not _port_open(self.port), 10, f"port {self.port} to close")


@contextlib.contextmanager
def private_redis() -> Iterator[PrivateRedis]:
    """Start, yield, and finally stop a private redis-server and delete its directory."""
    root = Path(tempfile.mkdtemp(prefix="rg-private-redis-"))
    server = PrivateRedis(root, free_port())
    try:
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)
