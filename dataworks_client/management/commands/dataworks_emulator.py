"""Run the local DataWorks OpenAPI emulator in the foreground."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dataworks_client.emulator import EmulatorStore, start_emulator
from dataworks_client.emulator.server import is_loopback


def _mask(value: str) -> str:
    return f"{value[:4]}…" if len(value) > 4 else "…"


class Command(BaseCommand):
    # Lazy: the command class is imported before a language is activated.
    help = gettext_lazy(  # type: ignore[assignment]
        "Serve the DataWorks OpenAPI (2020-05-18 RPC, ACS3-HMAC-SHA256) on loopback for local runs and tests."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8099, help=_("Port to listen on (0: any free)."))
        parser.add_argument("--host", default="127.0.0.1", help=_("Address to bind (loopback)."))
        parser.add_argument("--seed", type=Path, help=_("JSON seed file (see docs/emulator.md)."))
        parser.add_argument(
            "--access-key-id",
            help=_("AccessKey ID to accept (default: ALIBABA_CLOUD_ACCESS_KEY_ID, then settings)."),
        )
        parser.add_argument(
            "--access-key-secret",
            help=_("Its secret (prefer the environment: command lines are visible to other users)."),
        )
        parser.add_argument(
            "--allow-remote",
            action="store_true",
            help=_("Allow binding a non-loopback address (the control API still answers loopback only)."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        key_id = (
            options["access_key_id"]
            or os.environ.get("ALIBABA_CLOUD_ACCESS_KEY_ID")
            or getattr(settings, "DATAWORKS_ACCESS_KEY_ID", "")
        )
        secret = (
            options["access_key_secret"]
            or os.environ.get("ALIBABA_CLOUD_ACCESS_KEY_SECRET")
            or getattr(settings, "DATAWORKS_ACCESS_KEY_SECRET", "")
        )
        if not key_id or not secret:
            raise CommandError(
                _(
                    "No AccessKey pair: pass --access-key-id/--access-key-secret or set "
                    "ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET."
                )
            )
        host = options["host"]
        if not is_loopback(host) and not options["allow_remote"]:
            raise CommandError(
                _("Refusing to bind %(host)s: it is not a loopback address (use --allow-remote).") % {"host": host}
            )
        store = EmulatorStore()
        if options["seed"]:
            try:
                counts = store.load_seed(json.loads(options["seed"].read_text(encoding="utf-8")))
            except (OSError, ValueError) as exc:
                raise CommandError(_("Cannot load seed file: %(error)s") % {"error": exc}) from exc
            self.stdout.write(_("Seeded: %(counts)s") % {"counts": counts})
        try:
            running = start_emulator(
                access_key_id=key_id,
                access_key_secret=secret,
                port=options["port"],
                host=host,
                store=store,
                allow_remote=options["allow_remote"],
            )
        except OSError as exc:
            raise CommandError(
                _("Cannot listen on %(host)s:%(port)s: %(error)s")
                % {"host": host, "port": options["port"], "error": exc}
            ) from exc
        self.stdout.write(
            _("DataWorks emulator on %(url)s (AccessKey ID %(key)s); overview at %(url)s/_emulator/")
            % {"url": running.url, "key": _mask(key_id)}
        )
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass
        finally:
            running.stop()
