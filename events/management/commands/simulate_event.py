"""Simulate DataWorks: seed the emulator with an event's details and post the event to the webhook."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from events import simulation
from events.catalogue import BY_CODE, GATED_CODES

MAX_CONTENT_BYTES = 1024 * 1024


def _post_json(url: str, body: dict[str, Any], headers: dict[str, str] | None = None) -> tuple[int, dict[str, Any]]:
    if urlsplit(url).scheme not in {"http", "https"}:
        raise CommandError(_("Only http and https URLs are supported (got %(url)r).") % {"url": url})
    data = json.dumps(body).encode("utf-8")
    headers = {"Content-Type": "application/json", **(headers or {})}
    request = urllib.request.Request(url, data=data, method="POST", headers=headers)  # noqa: S310 - scheme checked
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - scheme checked above
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:
        try:
            return exc.code, json.loads(exc.read() or b"{}")
        except ValueError:
            return exc.code, {}


class Command(BaseCommand):
    # Lazy: the command class is imported before a language is activated.
    help = gettext_lazy(  # type: ignore[assignment]
        "Send a realistic DataWorks event to Review Gate, with its details seeded in the local emulator."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "event_code",
            choices=sorted(BY_CODE),
            metavar="event-code",
            help=_("e.g. %(codes)s") % {"codes": ", ".join(GATED_CODES[:4])},
        )
        parser.add_argument("--project", type=int, default=10001, help=_("workspace ID (default 10001)"))
        parser.add_argument("--file", default="ods_orders_daily", help=_("file, table or target name"))
        parser.add_argument("--content", type=Path, help=_("a file whose text is the new code (file events)"))
        parser.add_argument("--count", type=int, default=1, help=_("how many events to send (default 1)"))
        parser.add_argument("--operator", default=simulation.DEMO_OPERATOR, help=_("DataWorks UID of the operator"))
        parser.add_argument(
            "--ids",
            default="",
            help=_(
                "node IDs (node and backfill events) or instance IDs (instance events), comma-separated; "
                "default: the example seed's"
            ),
        )
        parser.add_argument(
            "--webhook", default="", help=_("webhook URL (default: REVIEW_GATE_BASE_URL/events/eventbridge/)")
        )
        parser.add_argument("--emulator", default="", help=_("emulator base URL (default: from DATAWORKS_ENDPOINT)"))

    def handle(self, *args: Any, **options: Any) -> None:
        if not 1 <= options["count"] <= 10_000:
            raise CommandError(_("--count must be between 1 and 10000."))
        content = self._content(options["content"])
        ids = self._ids(options["ids"])
        webhook = options["webhook"] or settings.REVIEW_GATE_BASE_URL.rstrip("/") + "/events/eventbridge/"
        emulator = options["emulator"] or (
            f"{settings.DATAWORKS_PROTOCOL}://{settings.DATAWORKS_ENDPOINT}" if settings.DATAWORKS_ENDPOINT else ""
        )
        if not emulator:
            raise CommandError(_("No emulator: set DATAWORKS_ENDPOINT (demo mode does) or pass --emulator."))
        if not settings.EVENTBRIDGE_TOKEN:
            raise CommandError(_("EVENTBRIDGE_TOKEN is not set; the webhook would refuse the event."))
        for index in range(options["count"]):
            sim = simulation.build(
                options["event_code"],
                project_id=options["project"],
                file_name=options["file"] if options["count"] == 1 else f"{options['file']}_{index + 1}",
                content=content,
                operator=options["operator"],
                ids=ids,
                context=True,
            )
            self._seed(emulator, sim)
            status, body = _post_json(webhook, sim.event, {"x-eventbridge-signature-token": settings.EVENTBRIDGE_TOKEN})
            if status >= 300:
                raise CommandError(
                    _("The webhook answered %(status)s: %(body)s") % {"status": status, "body": json.dumps(body)[:500]}
                )
            self.stdout.write(
                _("sent %(code)s %(message_id)s -> %(status)s %(answer)s")
                % {
                    "code": options["event_code"],
                    "message_id": sim.message_id,
                    "status": status,
                    "answer": body.get("status", ""),
                }
            )
        self.stdout.write(
            self.style.SUCCESS(
                _("Done. Tickets: %(tickets)s   Emulator: %(emulator)s")
                % {"tickets": settings.REVIEW_GATE_BASE_URL.rstrip("/") + "/", "emulator": f"{emulator}/_emulator/"}
            )
        )

    def _ids(self, raw: str) -> list[int] | None:
        parts = [part.strip() for part in raw.split(",") if part.strip()]
        if not parts:
            return None
        if len(parts) > 1000 or not all(part.isascii() and part.isdigit() and len(part) <= 18 for part in parts):
            raise CommandError(_("--ids must be up to 1000 comma-separated numeric IDs."))
        return [int(part) for part in parts]

    def _content(self, path: Path | None) -> str | None:
        if path is None:
            return None
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise CommandError(_("Cannot read %(path)s: %(error)s") % {"path": path, "error": exc.strerror}) from None
        if len(raw) > MAX_CONTENT_BYTES:
            raise CommandError(_("%(path)s is larger than %(n)d bytes.") % {"path": path, "n": MAX_CONTENT_BYTES})
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            raise CommandError(_("%(path)s is not UTF-8 text.") % {"path": path}) from None

    def _seed(self, emulator: str, sim: simulation.Simulation) -> None:
        try:
            status, body = _post_json(emulator.rstrip("/") + "/_emulator/seed", sim.seed)
        except (urllib.error.URLError, OSError) as exc:
            raise CommandError(
                _("Cannot reach the DataWorks emulator at %(url)s (%(error)s). Is `make run` running?")
                % {"url": emulator, "error": exc}
            ) from None
        if status >= 300:
            raise CommandError(
                _("The emulator refused the seed (%(status)s): %(body)s")
                % {"status": status, "body": json.dumps(body)[:500]}
            )
