"""The setup doctor: every check an operator needs on the first day and in every incident, each with a plain fix.

`manage.py doctor` and the staff page (admin/doctor/) run the same `run_checks()`. A check that FAILs means reviews
are blocked (no event can become a ticket, or no result can reach DataWorks): the command then exits non-zero. WARN
is worth a look; OK is fine. Nothing here prints a secret: only whether it is set.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, connection
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from config import metrics
from dataworks_client.client import get_client
from dataworks_client.conf import load_settings
from dataworks_client.errors import DataWorksError, DataWorksNotFound
from dataworks_client.types import Extension
from events.catalogue import GATED_CODES
from events.models import InboundEvent
from operations.collector import _queue
from operations.heartbeat import ALIVE_WITHIN, live_workers

OK, WARN, FAIL = "ok", "warn", "fail"
RECENT_DAYS = 7
TASK_WAIT_WARN = timedelta(minutes=5)
# Extension statuses (GetExtension.Status, docs/dataworks-protocol.md §7.1).
EXTENSION_STATUS = {
    0: gettext_lazy("testing"),
    1: gettext_lazy("online"),
    3: gettext_lazy("disabled"),
    4: gettext_lazy("in platform review"),
    5: gettext_lazy("approved by the platform"),
    6: gettext_lazy("refused by the platform"),
}
_CREDENTIAL_FAMILIES = frozenset(
    {"InvalidAccessKeyId", "SignatureDoesNotMatch", "IncompleteSignature", "Forbidden", "Local.Credentials"}
)


@dataclass(frozen=True, slots=True)
class Check:
    """One finding: what was checked, how it stands, what was seen, and what to do about it."""

    key: str
    title: str
    status: str
    detail: str
    fix: str = ""


@dataclass(slots=True)
class Report:
    checks: list[Check] = field(default_factory=list)
    checked_at: datetime = field(default_factory=timezone.now)

    @property
    def blocking(self) -> bool:
        """True when something blocks reviews (a FAIL)."""
        return any(check.status == FAIL for check in self.checks)

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": not self.blocking,
            "checked_at": self.checked_at.isoformat(),
            "checks": [asdict(check) for check in self.checks],
        }


def _database() -> Check:
    title = _("Database")
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as exc:
        return Check(
            "database",
            title,
            FAIL,
            _("Cannot query the database (%(error)s).") % {"error": type(exc).__name__},
            _("Check DATABASE_URL and that the database server is running and reachable from this host."),
        )
    return Check("database", title, OK, _("Reachable (%(vendor)s).") % {"vendor": connection.vendor})


def _broker(now: datetime) -> list[Check]:
    title = _("Queue broker")
    waiting, oldest = _queue(now)
    if waiting is None:
        return [
            Check(
                "broker",
                title,
                FAIL,
                _("The queue broker does not answer."),
                _("Check REDIS_URL and that Redis is running (or unset it to use the database as the queue)."),
            )
        ]
    kind = "redis" if settings.REDIS_URL else "database"
    checks = [
        Check("broker", title, OK, _("Reachable (%(kind)s); %(n)d tasks waiting.") % {"kind": kind, "n": waiting})
    ]
    task_title = _("Oldest waiting task")
    if oldest is None:
        checks.append(
            Check("oldest_task", task_title, OK, _("Not measurable with Redis; %(n)d waiting.") % {"n": waiting})
        )
    elif oldest > TASK_WAIT_WARN.total_seconds():
        checks.append(
            Check(
                "oldest_task",
                task_title,
                WARN,
                _("The oldest task has waited %(seconds)d s.") % {"seconds": oldest},
                _(
                    "Queue workers are too few or stuck: check the workers below, restart them, or add workers "
                    "(REVIEW_GATE_QUEUE_WORKERS)."
                ),
            )
        )
    else:
        checks.append(Check("oldest_task", task_title, OK, _("%(seconds)d s.") % {"seconds": oldest}))
    return checks


def _workers(now: datetime) -> Check:
    title = _("Queue workers")
    try:
        alive = live_workers(now)
    except DatabaseError:
        alive = []
    if not alive:
        return Check(
            "workers",
            title,
            FAIL,
            _("No queue worker was seen in the last %(seconds)d s.") % {"seconds": ALIVE_WITHIN.total_seconds()},
            _(
                "Start the worker: `python manage.py qcluster` (systemd unit review-gate-worker). Without it no event "
                "becomes a ticket and no result reaches DataWorks."
            ),
        )
    hosts = sorted({worker.host for worker in alive})
    return Check(
        "workers",
        title,
        OK,
        _("%(n)d worker processes alive on %(hosts)s.") % {"n": len(alive), "hosts": ", ".join(hosts)},
    )


def _eventbridge_token() -> Check:
    title = _("EventBridge token")
    if settings.EVENTBRIDGE_TOKEN:
        return Check("eventbridge_token", title, OK, _("Set."))
    return Check(
        "eventbridge_token",
        title,
        FAIL,
        _("EVENTBRIDGE_TOKEN is not set: every webhook delivery is refused."),
        _("Set EVENTBRIDGE_TOKEN to the Token of the EventBridge HTTP target and restart."),
    )


def _base_url() -> Check:
    title = _("Public address")
    url = settings.REVIEW_GATE_BASE_URL
    parts = urlsplit(url)
    if not parts.scheme or not parts.hostname:
        return Check(
            "base_url",
            title,
            FAIL,
            _("REVIEW_GATE_BASE_URL is not a full URL."),
            _("Set REVIEW_GATE_BASE_URL to the address reviewers open, e.g. https://review.example.com."),
        )
    if parts.scheme != "https":
        return Check(
            "base_url",
            title,
            WARN,
            _("%(url)s is not HTTPS: links in DataWorks tips and messages are sent in clear.") % {"url": url},
            _("Put TLS in front (docs/deploy.md) and set REVIEW_GATE_BASE_URL to its https:// address."),
        )
    return Check("base_url", title, OK, url)


def _dataworks() -> tuple[list[Check], Extension | None]:
    """Read the extension's registration once: it proves the credentials, the region and the extension code."""
    config = load_settings()
    where = {"region": config.region, "endpoint": config.resolved_endpoint}
    cred_title, ext_title = _("DataWorks credentials"), _("Extension")
    try:
        extension = get_client().get_extension()
    except ImproperlyConfigured as exc:
        return [Check("extension", ext_title, FAIL, str(exc), _("Set DATAWORKS_EXTENSION_CODE and restart."))], None
    except DataWorksNotFound as exc:
        ok = Check("credentials", cred_title, OK, _("Accepted by %(endpoint)s (%(region)s).") % where)
        missing = Check(
            "extension",
            ext_title,
            FAIL,
            _("DataWorks knows no extension %(code)s (%(error)s).")
            % {"code": config.extension_code, "error": exc.code},
            _(
                "Check DATAWORKS_EXTENSION_CODE against the extension list in DataWorks' Open Platform, and that "
                "it was registered in region %(region)s."
            )
            % where,
        )
        return [ok, missing], None
    except DataWorksError as exc:
        family = metrics.dataworks_error_family(exc.code)
        if family in _CREDENTIAL_FAMILIES:
            fix = _(
                "Check ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET (or the RAM role), and "
                "that the RAM user may call DataWorks OpenAPI."
            )
        elif family == "Local.Transport":
            fix = _("Check DATAWORKS_REGION (and DATAWORKS_ENDPOINT, if set), DNS and the outbound firewall.")
        else:
            fix = _("Retry in a minute; if it persists, look up the error code in the DataWorks documentation.")
        detail = _("%(endpoint)s (%(region)s) answered %(error)s.") % {**where, "error": exc.code or type(exc).__name__}
        return [Check("credentials", cred_title, FAIL, detail, fix)], None
    status = str(EXTENSION_STATUS.get(extension.status if extension.status is not None else -1, extension.status))
    checks = [Check("credentials", cred_title, OK, _("Accepted by %(endpoint)s (%(region)s).") % where)]
    if extension.status in (0, 1, 5):
        detail = _("%(code)s is %(status)s; test workspace %(project)s.") % {
            "code": extension.extension_code,
            "status": status,
            "project": extension.project_testing or "-",
        }
        fix = _("While testing, only the test workspace sends events; publish the extension to use it in others.")
        checks.append(Check("extension", ext_title, OK if extension.status != 0 else WARN, detail, fix))
    else:
        checks.append(
            Check(
                "extension",
                ext_title,
                FAIL,
                _("%(code)s is %(status)s.") % {"code": extension.extension_code, "status": status},
                _("Enable or re-publish the extension in DataWorks' Open Platform."),
            )
        )
    return checks, extension


def _event_codes(extension: Extension) -> Check:
    title = _("Event codes")
    bound = {event.event_code for event in extension.bind_events if event.event_code}
    gated = set(GATED_CODES)
    ungated = sorted(bound - gated)
    unbound = sorted(gated - bound)
    if not bound:
        return Check(
            "event_codes",
            title,
            FAIL,
            _("The extension is bound to no event."),
            _("Bind the extension to the events to review (commit-file, deploy-file, ...) in the Open Platform."),
        )
    if ungated:
        return Check(
            "event_codes",
            title,
            WARN,
            _(
                "Bound but not reviewed by Review Gate: %(codes)s. DataWorks waits for an answer Review Gate never "
                "sends."
            )
            % {"codes": ", ".join(ungated)},
            _("Unbind these events from the extension, or expect those operations to wait until they time out."),
        )
    detail = _("Bound and reviewed: %(codes)s.") % {"codes": ", ".join(sorted(bound & gated))}
    if unbound:
        detail += " " + _("Reviewable but not bound (not reviewed): %(codes)s.") % {"codes": ", ".join(unbound)}
    return Check("event_codes", title, OK, detail)


def _workspaces(extension: Extension | None, now: datetime) -> Check:
    title = _("Workspaces")
    since = now - timedelta(days=RECENT_DAYS)
    recent = sorted(
        {
            project
            for project in InboundEvent.objects.filter(received_at__gte=since, project_id__isnull=False)
            .values_list("project_id", flat=True)
            .distinct()[:50]
            if project is not None
        }
    )
    parts = [
        _("Events in the last %(days)d days from: %(ids)s.") % {"days": RECENT_DAYS, "ids": ", ".join(map(str, recent))}
        if recent
        else _("No event in the last %(days)d days.") % {"days": RECENT_DAYS}
    ]
    if extension is not None:
        disabled = extension.parameters.get("extension.project.disabled", "")
        if extension.status == 0 and extension.project_testing:
            parts.append(_("Testing: enabled in workspace %(id)s only.") % {"id": extension.project_testing})
        if disabled:
            parts.append(_("Disabled by parameter in: %(ids)s.") % {"ids": disabled[:200]})
    fix = (
        ""
        if recent
        else _(
            "Enable the extension in each workspace's Management Center (Extensions), then commit "
            "a file there to see its event arrive."
        )
    )
    return Check("workspaces", title, OK if recent else WARN, " ".join(parts), fix)


def _last_event(now: datetime) -> Check:
    title = _("Last event received")
    last = InboundEvent.objects.aggregate(last=Max("received_at"))["last"]
    if last is None:
        return Check(
            "last_event",
            title,
            WARN,
            _("No event was ever received."),
            _("Check the EventBridge rule: its HTTP target must be %(url)s/events/eventbridge/ with the token.")
            % {"url": settings.REVIEW_GATE_BASE_URL.rstrip("/")},
        )
    age = int((now - last).total_seconds())
    return Check(
        "last_event", title, OK, _("%(when)s (%(seconds)d s ago).") % {"when": last.isoformat(), "seconds": age}
    )


def run_checks(*, call_dataworks: bool = True) -> Report:
    """Run every check and return the report (one DataWorks read call, a few database queries)."""
    now = timezone.now()
    report = Report(checked_at=now)
    report.checks.append(_database())
    report.checks.extend(_broker(now))
    report.checks.append(_workers(now))
    report.checks.append(_eventbridge_token())
    report.checks.append(_base_url())
    extension = None
    if call_dataworks:
        dataworks_checks, extension = _dataworks()
        report.checks.extend(dataworks_checks)
        if extension is not None:
            report.checks.append(_event_codes(extension))
    try:
        report.checks.append(_workspaces(extension, now))
        report.checks.append(_last_event(now))
    except DatabaseError:
        pass  # the database check above already failed and says what to do
    return report
