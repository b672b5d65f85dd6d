"""Channels in the rules file (`[[channels]]`, beside `[[rules]]`) and the check that rules name real channels.

Registered with approvals' rule extension points (approvals.rules.extensions) in apps.py: approvals never imports
notifications. A channel holds the *names* of the environment variables with its URL and secret, never values.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import Group
from django.utils.translation import gettext as _

from approvals.rules.extensions import Section, SectionProblem
from notifications.channels.message import Kind
from notifications.models import Channel

KEYS = ("name", "kind", "enabled", "url_env", "secret_env", "to", "language")
_NAME_RE = re.compile(r"[-a-zA-Z0-9_]{1,100}")
_ENV_RE = re.compile(r"[A-Z_][A-Z0-9_]{0,99}")
_EMAIL_RE = re.compile(r"[^@\s]{1,64}@[^@\s]{1,255}")
_LANGUAGES = ("", "zh-hans", "en")
_NEEDS_URL = {Kind.DINGTALK, Kind.FEISHU, Kind.WECOM, Kind.SLACK, Kind.WEBHOOK}
_SIGNED = {Kind.DINGTALK, Kind.FEISHU, Kind.WEBHOOK}


def channel_problems(table: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Return (key, message) for everything wrong with one channel's values (shared by the file and the admin)."""
    problems: list[tuple[str, str]] = []
    for key in table:
        if key not in KEYS:
            problems.append((key, _("Unknown key; allowed keys: %(keys)s.") % {"keys": ", ".join(KEYS)}))
    name, kind = table.get("name"), table.get("kind")
    if not isinstance(name, str) or not _NAME_RE.fullmatch(name):
        problems.append(("name", _("Every channel needs a name of letters, digits, - and _ (at most 100).")))
    kinds = [k.value for k in Kind]
    if kind not in kinds:
        problems.append(("kind", _("Must be one of: %(kinds)s.") % {"kinds": ", ".join(kinds)}))
    for key in ("url_env", "secret_env"):
        value = table.get(key, "")
        if not isinstance(value, str) or (value and not _ENV_RE.fullmatch(value)):
            problems.append((key, _("Must be the name of an environment variable, like SALES_DINGTALK_URL.")))
    if kind in _NEEDS_URL and not table.get("url_env"):
        problems.append(("url_env", _("A %(kind)s channel needs url_env.") % {"kind": kind}))
    if kind in _SIGNED - {Kind.WEBHOOK} and not table.get("secret_env"):
        problems.append(("secret_env", _("A %(kind)s robot must sign its messages; set secret_env.") % {"kind": kind}))
    if kind == Kind.WEBHOOK and not table.get("secret_env"):
        problems.append(("secret_env", _("A webhook channel must sign its messages; set secret_env.")))
    to = table.get("to", [])
    if not isinstance(to, list) or not all(isinstance(a, str) and _EMAIL_RE.fullmatch(a) for a in to):
        problems.append(("to", _("Must be a list of e-mail addresses.")))
    elif to and kind != Kind.EMAIL:
        problems.append(("to", _("Only e-mail channels have recipients.")))
    if table.get("language", "") not in _LANGUAGES:
        problems.append(("language", _('Must be "zh-hans", "en" or "".')))
    if not isinstance(table.get("enabled", True), bool):
        problems.append(("enabled", _("Must be true or false.")))
    return problems


def _read(tables: list[dict[str, Any]]) -> tuple[set[str], list[SectionProblem]]:
    names: set[str] = set()
    problems: list[SectionProblem] = []
    for index, table in enumerate(tables):
        for key, message in channel_problems(table):
            problems.append(SectionProblem(index, key, message))
        name = table.get("name")
        if isinstance(name, str):
            if name in names:
                problems.append(SectionProblem(index, "name", _("Channel %(name)r is defined twice.") % {"name": name}))
            names.add(name)
    return names, problems


def _values(table: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "kind": table["kind"],
        "enabled": table.get("enabled", True),
        "url_env": table.get("url_env", ""),
        "secret_env": table.get("secret_env", ""),
        "to": list(table.get("to", [])),
        "language": table.get("language", ""),
    }


def _apply(tables: list[dict[str, Any]], dry_run: bool) -> list[str]:
    """Create or update the file's channels by name (channels it does not list are kept: rules may name them)."""
    notes: list[str] = []
    for table in tables:
        values = _values(table)
        channel = Channel.objects.filter(name=table["name"]).first()
        if channel is None:
            notes.append(_("channel %(name)s: created") % {"name": table["name"]})
            if not dry_run:
                Channel.objects.create(name=table["name"], **values)
        elif any(getattr(channel, key) != value for key, value in values.items()):
            notes.append(_("channel %(name)s: updated") % {"name": table["name"]})
            if not dry_run:
                Channel.objects.filter(pk=channel.pk).update(**values)
    return notes


def _export() -> str:
    from approvals.rules.io.export import toml_string

    out = []
    for channel in Channel.objects.order_by("name"):
        lines = [f"name = {toml_string(channel.name)}", f"kind = {toml_string(channel.kind)}"]
        if not channel.enabled:
            lines.append("enabled = false")
        for key in ("url_env", "secret_env", "language"):
            if getattr(channel, key):
                lines.append(f"{key} = {toml_string(getattr(channel, key))}")
        if channel.to:
            lines.append("to = [" + ", ".join(toml_string(str(a)) for a in channel.to) + "]")
        out.append("\n[[channels]]\n" + "".join(line + "\n" for line in lines))
    return "".join(out)


CHANNELS_SECTION = Section(key="channels", read=_read, apply=_apply, export=_export)


def unknown_channels(values: Mapping[str, Any], declared: Mapping[str, set[str]]) -> list[tuple[str, str]]:
    """Refuse a rule that names a channel (or an escalation group) that exists neither here nor in its file."""
    named = set(values.get("notify") or [])
    if values.get("escalate_to_channel"):
        named.add(values["escalate_to_channel"])
    known = set(Channel.objects.filter(name__in=named).values_list("name", flat=True)) | declared.get("channels", set())
    problems = []
    for name in sorted(named - known):
        field = (
            "escalate_to_channel"
            if name == values.get("escalate_to_channel") and name not in (values.get("notify") or [])
            else "notify"
        )
        problems.append((field, _("Unknown channel %(name)r.") % {"name": name}))
    group = values.get("escalate_to_group")
    if group and not Group.objects.filter(name=group).exists():
        problems.append(("escalate_to_group", _("Unknown group %(name)r.") % {"name": group}))
    return problems
