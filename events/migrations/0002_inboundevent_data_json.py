"""Keep the validated CloudEvent `data` beside the raw body, filled for events stored before this migration."""

from __future__ import annotations

import json
from typing import Any

from django.db import migrations, models

BATCH = 500


def _data_json(raw_body: str) -> str:
    """Return the body's `data` as ASCII JSON text, or "" when the body cannot be read (never raises)."""
    try:
        envelope = json.loads(raw_body)
    except (ValueError, RecursionError):
        return ""
    data = envelope.get("data") if isinstance(envelope, dict) else None
    if not isinstance(data, dict):
        return ""
    try:
        return json.dumps(data, ensure_ascii=True, separators=(",", ":"))
    except (ValueError, RecursionError):
        return ""


def fill_data(apps: Any, schema_editor: Any) -> None:
    InboundEvent = apps.get_model("events", "InboundEvent")
    batch = []
    for event in InboundEvent.objects.only("pk", "raw_body").order_by("pk").iterator(chunk_size=BATCH):
        event.data_json = _data_json(event.raw_body)
        batch.append(event)
        if len(batch) >= BATCH:
            InboundEvent.objects.bulk_update(batch, ["data_json"])
            batch = []
    if batch:
        InboundEvent.objects.bulk_update(batch, ["data_json"])


class Migration(migrations.Migration):
    dependencies = [("events", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="inboundevent",
            name="data_json",
            field=models.TextField(blank=True, default="{}", editable=False, verbose_name="validated data (JSON)"),
        ),
        migrations.AlterField(
            model_name="inboundevent",
            name="raw_body",
            field=models.TextField(
                blank=True, help_text="Empty for events found by reconciliation.", verbose_name="raw payload"
            ),
        ),
        migrations.RunPython(fill_data, migrations.RunPython.noop, elidable=False),
    ]
