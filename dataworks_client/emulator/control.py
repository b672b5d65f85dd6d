"""The emulator's unsigned control API for tests and other processes, answered to loopback clients only."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from dataworks_client.emulator.page import render_page

if TYPE_CHECKING:
    from dataworks_client.emulator.server import EmulatorHandler


def _refuse_remote(handler: EmulatorHandler) -> bool:
    if handler.client_is_loopback():
        return False
    handler.send_json(403, {"error": "the control API answers loopback clients only"})
    return True


def handle_get(handler: EmulatorHandler, path: str) -> None:
    """Serve the HTML overview, the recorded callbacks and requests, and the calls started (and held) so far."""
    if _refuse_remote(handler):
        return
    store = handler.server.store
    if path in {"/_emulator", "/_emulator/"}:
        html = render_page(store.callbacks_json(), store.requests_json())
        handler.send_bytes(200, html.encode("utf-8"), "text/html; charset=utf-8")
    elif path == "/_emulator/callbacks":
        handler.send_json(200, {"callbacks": store.callbacks_json()})
    elif path == "/_emulator/requests":
        handler.send_json(200, {"requests": store.requests_json()})
    elif path == "/_emulator/payloads":
        # Sample Operation Center event `data` payloads matching the seeded nodes (for simulations and demos).
        handler.send_json(200, {"payloads": store.event_payloads_json()})
    elif path == "/_emulator/started":
        handler.send_json(200, {"started": store.started_json(), "held": store.held_count()})
    else:
        handler.send_json(404, {"error": "unknown control path"})


def handle_post(handler: EmulatorHandler, path: str, body: bytes) -> None:
    """Seed the store, queue faults, release held calls or reset; answer 400 with the reason for malformed input."""
    if _refuse_remote(handler):
        return
    store = handler.server.store
    try:
        payload: Any = json.loads(body.decode("utf-8")) if body.strip() else {}
        if path == "/_emulator/seed":
            handler.send_json(200, {"loaded": store.load_seed(payload)})
        elif path == "/_emulator/faults":
            faults = payload if isinstance(payload, list) else [payload]
            store.load_seed({"faults": faults})
            handler.send_json(200, {"queued": len(faults)})
        elif path == "/_emulator/release":
            handler.send_json(200, {"released": store.release_held()})
        elif path == "/_emulator/reset":
            store.reset()
            handler.send_json(200, {"reset": True})
        else:
            handler.send_json(404, {"error": "unknown control path"})
    except (ValueError, UnicodeDecodeError) as exc:
        handler.send_json(400, {"error": str(exc)})
