"""The prometheus_client multiprocess directory of one host: prepared by whichever process starts first there.

Every process that records metrics (gunicorn workers, queue workers, management commands) writes its values to
files named after its pid in one directory, and /metrics sums them. Counters of a process that exited must stay (a
counter that drops looks like a reset), so the files are wiped only when no process that uses the directory is
alive: at the first start after a stop, or after a reboot. Each process registers its pid under `owners/` while it
holds the directory's lock; the next process to start wipes the value files only if no registered pid is alive on
this boot. Standard library only: gunicorn's config file calls it before Django is set up.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path

BOOT_ID_FILE = Path("/proc/sys/kernel/random/boot_id")


def _boot_id() -> str:
    try:
        return BOOT_ID_FILE.read_text(encoding="ascii").strip()
    except OSError:  # not Linux: pids alone decide
        return ""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def live_owners(directory: Path) -> list[int]:
    """Return the pids registered in `directory` that are alive on this boot."""
    owners = directory / "owners"
    boot = _boot_id()
    alive = []
    for entry in owners.glob("*") if owners.is_dir() else ():
        try:
            pid = int(entry.name)
            same_boot = entry.read_text(encoding="ascii").strip() == boot
        except (ValueError, OSError):
            continue
        if same_boot and _alive(pid):
            alive.append(pid)
    return alive


def prepare(directory: Path, pid: int | None = None) -> bool:
    """Create the directory, wipe its value files when no registered process is alive, register `pid`.

    Return True when this call wiped (this process is the first on the host). Safe to call from several processes
    starting at once: the decision is taken under an exclusive lock on `directory/.lock`.
    """
    pid = os.getpid() if pid is None else pid
    owners = directory / "owners"
    owners.mkdir(parents=True, exist_ok=True)
    with (directory / ".lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            wiped = False
            if not [owner for owner in live_owners(directory) if owner != pid]:
                for stale in directory.glob("*.db"):
                    with contextlib.suppress(FileNotFoundError):
                        stale.unlink()
                for entry in owners.glob("*"):
                    with contextlib.suppress(FileNotFoundError):
                        entry.unlink()
                wiped = True
            (owners / str(pid)).write_text(_boot_id(), encoding="ascii")
            return wiped
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def process_exited(directory: Path, pid: int) -> None:
    """Mark a child process dead (gunicorn's child_exit): drop its live gauges and its owner entry; keep counters."""
    with contextlib.suppress(FileNotFoundError):
        (directory / "owners" / str(pid)).unlink()
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(pid, str(directory))
