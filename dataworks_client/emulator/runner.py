"""Start and stop the emulator on a background thread (tests, the benchmark, the management command)."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from dataworks_client.emulator.server import EmulatorServer, is_loopback
from dataworks_client.emulator.store import EmulatorStore


@dataclass
class RunningEmulator:
    """A started emulator: its address, its store, and how to stop it."""

    server: EmulatorServer
    thread: threading.Thread

    @property
    def store(self) -> EmulatorStore:
        return self.server.store

    @property
    def host(self) -> str:
        return str(self.server.server_address[0])

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    @property
    def endpoint(self) -> str:
        """Return host:port, the form DATAWORKS_ENDPOINT takes (no scheme)."""
        return f"{self.host}:{self.port}"

    @property
    def url(self) -> str:
        return f"http://{self.endpoint}"

    def set_credentials(self, credentials: dict[str, str]) -> None:
        """Replace the AccessKey pairs the emulator accepts."""
        self.server.credentials = dict(credentials)

    def stop(self) -> None:
        """Stop serving and close the listening socket."""
        self.server.stopping.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)

    def __enter__(self) -> RunningEmulator:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()


def start_emulator(
    *,
    access_key_id: str,
    access_key_secret: str,
    port: int = 0,
    host: str = "127.0.0.1",
    store: EmulatorStore | None = None,
    allow_remote: bool = False,
) -> RunningEmulator:
    """Bind (port 0 picks a free port) and serve on a daemon thread.

    :raises ValueError: for a non-loopback host without allow_remote, or an empty key pair.
    """
    if not is_loopback(host) and not allow_remote:
        raise ValueError(f"refusing to bind non-loopback host {host!r} without allow_remote")
    if not access_key_id or not access_key_secret:
        raise ValueError("the emulator needs an AccessKey ID and secret to verify signatures")
    server = EmulatorServer((host, port), store or EmulatorStore(), {access_key_id: access_key_secret})
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="dataworks-emulator", daemon=True
    )
    thread.start()
    return RunningEmulator(server, thread)
