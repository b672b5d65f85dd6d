"""Shared helpers of the benchmarks: the app's environment, processes, databases, percentiles, machine facts.

Everything here talks to 127.0.0.1 only. Every process a benchmark starts is registered and killed (its whole
process group) at exit, on SIGTERM/SIGINT and on failure; every database and Redis database it creates is dropped
or flushed the same way. Results are written as JSON to bench/out/ (git-ignored); run_all.py turns them into
bench/RESULTS.md.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "bench"
OUT_DIR = BENCH_DIR / "out"
VENV_PYTHON = ROOT / ".venv" / "bin" / "python"
LOOPBACK = "127.0.0.1"

PG_HOST, PG_PORT, PG_USER = LOOPBACK, 5432, "postgres"
PG_BENCH_DB = "review_gate_bench"
PG_URL = f"postgres://{PG_USER}@{PG_HOST}:{PG_PORT}/{PG_BENCH_DB}"
REDIS_URL = f"redis://{LOOPBACK}:6379/15"

BENCH_KEY_ID = "LTAIbench0000000000000"
BENCH_KEY_SECRET = "bench-secret-for-the-local-emulator-only"  # noqa: S105 - throwaway emulator key
EXTENSION_CODE = "review-gate-bench"


def ensure_venv() -> None:
    """Re-run this script with the project's virtualenv Python when started with another interpreter."""
    if VENV_PYTHON.exists() and Path(sys.prefix).resolve() != (ROOT / ".venv").resolve():
        os.execv(str(VENV_PYTHON), [str(VENV_PYTHON), *sys.argv])  # noqa: S606 - our own venv's python
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))


PYTHON = sys.executable
LOCK_PATH = Path(tempfile.gettempdir()) / "review-gate-bench.lock"
LOCK_ENV = "BENCH_LOCK_HELD"
_LOCK_FDS: list[int] = []


def hold_bench_lock(wait_seconds: float = 1500) -> None:
    """Run one benchmark at a time on this machine: they share the PostgreSQL bench database, Redis db 15 and the
    CPU, and a second run would drop the first one's database. Waits (bounded) for a run already going; the
    processes a run starts inherit the lock through the environment."""
    import fcntl

    if os.environ.get(LOCK_ENV) == "1":
        return
    fd = os.open(LOCK_PATH, os.O_RDWR | os.O_CREAT, 0o644)
    deadline = time.monotonic() + wait_seconds
    waiting = False
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            if not waiting:
                holder = Path(LOCK_PATH).read_text(encoding="utf-8", errors="replace").strip() or "?"
                print(f"[bench] another benchmark run (pid {holder}) is going; waiting for it to finish", flush=True)
                waiting = True
            if time.monotonic() > deadline:
                os.close(fd)
                raise SystemExit(f"[bench] gave up after {wait_seconds:.0f}s waiting for {LOCK_PATH}") from None
            time.sleep(2)
    os.ftruncate(fd, 0)
    os.write(fd, str(os.getpid()).encode())
    _LOCK_FDS.append(fd)  # held until this process exits
    os.environ[LOCK_ENV] = "1"


def start_bench() -> None:
    """What every bench script does first: use the project's virtualenv, then take the one-run-at-a-time lock."""
    ensure_venv()
    hold_bench_lock()


# --- Cleanup: processes, databases, temp dirs ------------------------------------------------------------------


class _Cleanup:
    """LIFO list of cleanup actions, run once at exit, on SIGTERM/SIGINT/SIGHUP, or when a bench calls run()."""

    def __init__(self) -> None:
        self.actions: list[tuple[str, Callable[[], None]]] = []
        self.installed = False

    def install(self) -> None:
        if self.installed:
            return
        self.installed = True
        atexit.register(self.run)

        def _on_signal(signum: int, frame: object) -> None:
            raise SystemExit(128 + signum)  # unwinds try/finally blocks, then atexit runs the rest

        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(sig, _on_signal)

    def add(self, name: str, action: Callable[[], None]) -> Callable[[], None]:
        self.install()
        self.actions.append((name, action))
        return action

    def remove(self, action: Callable[[], None]) -> None:
        self.actions = [(n, a) for n, a in self.actions if a is not action]

    def run(self) -> None:
        while self.actions:
            name, action = self.actions.pop()
            try:
                action()
            except Exception as exc:  # cleanup must go on whatever one step does
                print(f"[bench] cleanup step {name!r} failed: {exc!r}", file=sys.stderr)


CLEANUP = _Cleanup()


def temp_dir(prefix: str) -> Path:
    path = Path(tempfile.mkdtemp(prefix=f"review-gate-{prefix}-"))
    CLEANUP.add(f"remove {path}", lambda: shutil.rmtree(path, ignore_errors=True))
    return path


@dataclass
class Proc:
    """A started process (leader of its own process group) and its log file."""

    name: str
    popen: subprocess.Popen[bytes]
    log: Path
    _stopper: Callable[[], None] | None = field(default=None, repr=False)

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def log_text(self) -> str:
        try:
            return self.log.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""

    def stop(self, timeout: float = 20) -> None:
        if self._stopper is not None:
            CLEANUP.remove(self._stopper)
            self._stopper = None
        _stop_group(self.popen, timeout)


def _stop_group(popen: subprocess.Popen[bytes], timeout: float) -> None:
    if popen.poll() is not None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(popen.pid, signal.SIGKILL)  # stragglers of an exited leader
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(popen.pid, signal.SIGTERM)
    try:
        popen.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(popen.pid, signal.SIGKILL)
        popen.wait(timeout=10)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(popen.pid, signal.SIGKILL)


def start(name: str, args: list[str], env: dict[str, str], log: Path) -> Proc:
    """Start a process in its own session (so it and its children stop together), output to `log`."""
    with log.open("ab") as out:
        popen = subprocess.Popen(args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    proc = Proc(name=name, popen=popen, log=log)
    proc._stopper = CLEANUP.add(f"stop {name}", lambda: _stop_group(popen, 20))
    return proc


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


def wait_until(predicate: Callable[[], bool], timeout: float, what: str, every: float = 0.2) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if predicate():
            return time.monotonic() - started
        time.sleep(every)
    raise TimeoutError(f"timed out after {timeout:.0f}s waiting for {what}")


def http_get(port: int, path: str, timeout: float = 5.0) -> tuple[int, bytes]:
    """GET http://127.0.0.1:port/path with http.client (loopback only)."""
    import http.client

    conn = http.client.HTTPConnection(LOOPBACK, port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def http_json(port: int, method: str, path: str, body: Any = None, timeout: float = 30.0) -> Any:
    import http.client

    conn = http.client.HTTPConnection(LOOPBACK, port, timeout=timeout)
    try:
        data = None if body is None else json.dumps(body).encode()
        conn.request(method, path, body=data, headers={"Content-Type": "application/json"})
        response = conn.getresponse()
        payload = response.read()
        if response.status >= 300:
            raise RuntimeError(f"{method} {path} -> {response.status}: {payload[:300]!r}")
        return json.loads(payload or b"null")
    finally:
        conn.close()


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((LOOPBACK, port)) == 0


# --- The app's environment -------------------------------------------------------------------------------------


@dataclass
class Backend:
    """A storage configuration: the database and the queue broker."""

    key: str  # "sqlite" | "postgres"
    label: str
    database_url: str  # "" = embedded SQLite in the data dir
    redis_url: str  # "" = the database is the broker


SQLITE = Backend("sqlite", "SQLite + ORM broker", "", "")
POSTGRES = Backend("postgres", "PostgreSQL + Redis", PG_URL, REDIS_URL)
BACKENDS = {b.key: b for b in (SQLITE, POSTGRES)}


def app_env(
    backend: Backend, data_dir: Path, *, port: int = 8000, emulator_endpoint: str = "", **extra: str
) -> dict[str, str]:
    """Production-mode environment (DEBUG off, no demo) pointed at the bench database, broker and emulator."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k.lower() not in {"http_proxy", "https_proxy", "all_proxy", "no_proxy"}
        and not k.startswith(("DJANGO_", "REVIEW_GATE_", "DATAWORKS_", "ALIBABA_CLOUD_", "GUNICORN_", "PYTEST"))
        and k not in {"DATABASE_URL", "REDIS_URL", "EVENTBRIDGE_TOKEN", "LOG_LEVEL"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_SECRET_KEY="bench-" + secrets.token_urlsafe(40),
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        DJANGO_SECURE_COOKIES="0",  # plain http on loopback
        EVENTBRIDGE_TOKEN="bench-token-" + secrets.token_hex(12),
        DATAWORKS_EXTENSION_CODE=EXTENSION_CODE,
        ALIBABA_CLOUD_ACCESS_KEY_ID=BENCH_KEY_ID,
        ALIBABA_CLOUD_ACCESS_KEY_SECRET=BENCH_KEY_SECRET,
        ALIBABA_CLOUD_ECS_METADATA_DISABLED="true",
        REVIEW_GATE_BASE_URL=f"http://{LOOPBACK}:{port}",
        REVIEW_GATE_DATA_DIR=str(data_dir),
        PYTHONUNBUFFERED="1",
    )
    if emulator_endpoint:  # http is allowed for a loopback endpoint only; without one nothing calls DataWorks
        env.update(DATAWORKS_ENDPOINT=emulator_endpoint, DATAWORKS_PROTOCOL="http")
    if backend.database_url:
        env["DATABASE_URL"] = backend.database_url
    if backend.redis_url:
        env["REDIS_URL"] = backend.redis_url
    env.update(extra)
    return env


def manage(env: dict[str, str], *args: str, log: Path | None = None, timeout: float = 300) -> str:
    """Run manage.py with `env`; raise with its output when it fails."""
    result = subprocess.run(
        [PYTHON, str(ROOT / "manage.py"), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    output = result.stdout + result.stderr
    if log is not None:
        with log.open("a", encoding="utf-8") as out:
            out.write(output)
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed ({result.returncode}):\n{output[-3000:]}")
    return output


def prepare_database(backend: Backend, env: dict[str, str], *, collectstatic: bool = False) -> None:
    """Create a fresh database (dropped again at exit), flush the bench Redis db, migrate, collect static files."""
    if backend.database_url:
        pg_recreate()
        CLEANUP.add("drop PostgreSQL bench database", pg_drop)
    if backend.redis_url:
        redis_flush()
        CLEANUP.add("flush Redis bench db", redis_flush)
    (Path(env["REVIEW_GATE_DATA_DIR"]) / "static").mkdir(parents=True, exist_ok=True)  # whitenoise warns without it
    manage(env, "migrate", "--noinput", "-v", "0")
    if collectstatic:
        manage(env, "collectstatic", "--noinput", "-v", "0")


def start_gunicorn(
    env: dict[str, str], port: int, log: Path, *, workers: int | None = None, app: str = "config.wsgi"
) -> Proc:
    """Start gunicorn with config/gunicorn.conf.py on 127.0.0.1:port and wait for /healthz."""
    if workers is not None:
        env = {**env, "GUNICORN_WORKERS": str(workers)}
    args = [
        str(Path(PYTHON).parent / "gunicorn"),
        *(["--pythonpath", str(BENCH_DIR)] if app != "config.wsgi" else []),
        app,
        "--bind",
        f"{LOOPBACK}:{port}",
        "--config",
        str(ROOT / "config" / "gunicorn.conf.py"),
    ]
    proc = start("gunicorn", args, env, log)

    def ready() -> bool:
        if not proc.alive():
            raise RuntimeError(f"gunicorn exited:\n{proc.log_text()[-3000:]}")
        try:
            return http_get(port, "/healthz", timeout=2)[0] == 200
        except OSError:
            return False

    wait_until(ready, 60, "gunicorn /healthz")
    expected = workers or _configured_workers(env)
    wait_until(lambda: len(children(proc.pid)) >= expected, 30, "gunicorn workers")
    # Each worker imports the app lazily on its first request: warm every worker before measuring.
    for _ in range(expected * 4):
        http_get(port, "/healthz")
    return proc


def _configured_workers(env: dict[str, str]) -> int:
    if env.get("GUNICORN_WORKERS"):
        return int(env["GUNICORN_WORKERS"])
    return min(2 * (os.cpu_count() or 1) + 1, 8)


def start_emulator(env: dict[str, str], port: int, log: Path) -> Proc:
    """Start `manage.py dataworks_emulator` (as `make run` does in demo mode) and wait for its control API."""
    proc = start("emulator", [PYTHON, str(ROOT / "manage.py"), "dataworks_emulator", "--port", str(port)], env, log)

    def ready() -> bool:
        if not proc.alive():
            raise RuntimeError(f"emulator exited:\n{proc.log_text()[-3000:]}")
        try:
            return http_get(port, "/_emulator/callbacks", timeout=2)[0] == 200
        except OSError:
            return False

    wait_until(ready, 60, "the DataWorks emulator")
    return proc


# django-q2 logs in the active language (REVIEW_GATE_LANGUAGE defaults to Chinese): "ready for work at <pid>" or
# "已准备好在 <pid> 处工作".
QWORKER_READY = re.compile(r"(?:ready for work at |\u5df2\u51c6\u5907\u597d\u5728 )(\d+)")


def start_qcluster(env: dict[str, str], log: Path, workers: int) -> Proc:
    """Start `manage.py qcluster` with `workers` workers and wait until they are all ready."""
    env = {**env, "REVIEW_GATE_QUEUE_WORKERS": str(workers)}
    proc = start("qcluster", [PYTHON, str(ROOT / "manage.py"), "qcluster"], env, log)

    def ready() -> bool:
        if not proc.alive():
            raise RuntimeError(f"qcluster exited:\n{proc.log_text()[-3000:]}")
        return len(queue_worker_pids(proc)) >= workers

    wait_until(ready, 90, "the queue workers")
    return proc


def queue_worker_pids(proc: Proc) -> list[int]:
    """PIDs of the cluster's live task workers (django-q2 logs 'ready for work at PID'; recycled workers log anew)."""
    group = set(descendants(proc.pid))
    pids = [int(p) for p in QWORKER_READY.findall(proc.log_text())]
    return [pid for pid in dict.fromkeys(pids) if pid in group and rss_kib(pid) is not None]


# --- PostgreSQL and Redis --------------------------------------------------------------------------------------


def _pg_admin() -> Any:
    import psycopg

    return psycopg.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, dbname="postgres", autocommit=True)


def pg_recreate() -> None:
    with _pg_admin() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{PG_BENCH_DB}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{PG_BENCH_DB}"')


def pg_drop() -> None:
    with _pg_admin() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{PG_BENCH_DB}" WITH (FORCE)')


def pg_version() -> str:
    try:
        with _pg_admin() as conn:
            return str(conn.execute("SHOW server_version").fetchone()[0])
    except Exception as exc:
        return f"unavailable ({type(exc).__name__})"


def redis_client() -> Any:
    import redis

    return redis.Redis.from_url(REDIS_URL, socket_timeout=5)


def redis_flush() -> None:
    redis_client().flushdb()


def redis_version() -> str:
    try:
        return str(redis_client().info("server")["redis_version"])
    except Exception as exc:
        return f"unavailable ({type(exc).__name__})"


# --- /proc ------------------------------------------------------------------------------------------------------


def rss_kib(pid: int) -> int | None:
    """VmRSS of a process in KiB, or None when it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            found.extend(int(p) for p in (task / "children").read_text().split())
    return found


def descendants(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        for child in children(todo.pop()):
            out.append(child)
            todo.append(child)
    return out


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (not its children), in seconds."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_times() -> list[int]:
    """The machine's aggregate CPU counters from /proc/stat (user nice system idle iowait irq softirq steal ...)."""
    try:
        return [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    except (OSError, ValueError):
        return []


def cpu_share(before: list[int], after: list[int]) -> dict[str, float]:
    """Busy and steal shares of all CPU time between two cpu_times() samples (steal = taken by the hypervisor)."""
    if not before or not after:
        return {}
    delta = [b - a for a, b in zip(before, after, strict=False)]
    total = sum(delta[:8]) or 1
    idle = delta[3] + delta[4]
    return {"busy": (total - idle - delta[7]) / total, "steal": delta[7] / total, "idle": idle / total}


def service_cpu_seconds(names: tuple[str, ...] = ("postgres", "redis-server")) -> float:
    """CPU used so far by the PostgreSQL and Redis servers (exited backends are counted in their parent's cutime)."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        comm = text[text.find("(") + 1 : text.rfind(")")]
        if comm in names:
            fields = text.rsplit(")", 1)[1].split()
            total += sum(int(v) for v in fields[11:15])
    return total / os.sysconf("SC_CLK_TCK")


def busy_cpu_seconds(times: list[int]) -> float:
    """Busy CPU seconds (user, nice, system, irq, softirq) in a cpu_times() sample."""
    if not times:
        return 0.0
    return (times[0] + times[1] + times[2] + times[5] + times[6]) / os.sysconf("SC_CLK_TCK")


# --- Statistics -------------------------------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    """Linear-interpolated percentile (p in 0..100) of unsorted values; nan for none."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def summary_ms(values_ms: list[float]) -> dict[str, float]:
    return {
        "n": len(values_ms),
        "p50": percentile(values_ms, 50),
        "p90": percentile(values_ms, 90),
        "p99": percentile(values_ms, 99),
        "max": max(values_ms) if values_ms else float("nan"),
        "mean": sum(values_ms) / len(values_ms) if values_ms else float("nan"),
    }


# --- Machine and results ----------------------------------------------------------------------------------------


def _cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def _mem_total_gib() -> float:
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024 / 1024
    return float("nan")


def _tool_version(args: list[str]) -> str:
    try:
        out = subprocess.run(args, capture_output=True, text=True, timeout=10, check=False)
    except OSError:
        return "not installed"
    text = (out.stdout + out.stderr).strip().splitlines()
    return text[0] if text else "unknown"


def machine() -> dict[str, Any]:
    import django
    import gunicorn

    commit = _tool_version(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"])
    try:  # read-only: how far the work tree (outside bench/) differs from that commit
        status = subprocess.run(
            ["git", "-C", str(ROOT), "status", "--porcelain"], capture_output=True, text=True, timeout=10, check=False
        ).stdout.splitlines()
        changed = [line for line in status if not line[3:].startswith("bench/") and line[3:] != "Makefile"]
        if changed:
            commit += f" + {len(changed)} uncommitted file(s) outside bench/"
    except OSError:
        pass
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "ram_gib": round(_mem_total_gib(), 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "gunicorn": gunicorn.__version__,
        "postgresql": pg_version(),
        "redis": redis_version(),
        "wrk": _tool_version(["wrk", "-v"]).split(" Copyright")[0],
        "commit": commit,
    }


def write_result(name: str, data: dict[str, Any]) -> Path:
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    path = OUT_DIR / f"{name}.json"
    path.write_text(json.dumps(data, indent=2, default=str), encoding="utf-8")
    return path


def read_result(name: str) -> dict[str, Any] | None:
    path = OUT_DIR / f"{name}.json"
    if not path.exists():
        return None
    return dict(json.loads(path.read_text(encoding="utf-8")))


def run_child(script: Path, args: list[str], timeout: float) -> int:
    """Run one part of a bench in its own process (one Django configuration per process), bounded in time."""
    popen = subprocess.Popen([PYTHON, str(script), *args], cwd=ROOT, start_new_session=True)
    stopper = CLEANUP.add(f"stop {script.name} {args}", lambda: _stop_group(popen, 30))
    try:
        return popen.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        print(f"[bench] {script.name} {' '.join(args)} exceeded {timeout:.0f}s; stopping it", file=sys.stderr)
        _stop_group(popen, 30)  # SIGTERM first: the child cleans up its servers and databases
        return 124
    finally:
        CLEANUP.remove(stopper)


def run_backends(
    script: Path,
    name: str,
    backend: str | None,
    measure: Callable[[str], dict[str, Any]],
    *,
    timeout: float,
    order: tuple[str, ...] = ("postgres", "sqlite"),
    section: Callable[[], str] | None = None,
) -> None:
    """Run a bench script's measurement: for `--backend KEY` here (results in bench/out/<name>-KEY.json), otherwise
    each backend of `order` in its own process (one Django configuration per process), then print `section()`."""
    if backend:
        try:
            data = measure(backend)
        finally:
            CLEANUP.run()
        write_result(f"{name}-{backend}", data)
        return
    for key in order:
        code = run_child(script, ["--backend", key, *sys.argv[1:]], timeout=timeout)
        if code != 0:
            print(f"[bench] {name} on {key} failed with exit code {code}", file=sys.stderr)
    if section is not None:
        print(section())


@contextlib.contextmanager
def django_for(env: dict[str, str]) -> Iterator[None]:
    """Set this process's environment to `env` and set Django up (once per process)."""
    os.environ.clear()
    os.environ.update(env)
    import django

    django.setup()
    yield


def fmt(value: float | None, digits: int = 1) -> str:
    if value is None or value != value:  # None or nan
        return "-"
    return f"{value:,.{digits}f}"
