"""Trigram indexes for the inbox's search (node or file name, path) on PostgreSQL; nothing on other databases.

Django's `icontains` on PostgreSQL compares `UPPER(column::text) LIKE UPPER('%term%')`, so the indexes are on that
expression with `gin_trgm_ops`: a substring search then reads the index instead of every ticket. SQLite has no
trigram index; its search scans (docs/review-ui.md). Building the indexes locks writes to the ticket table for the
build (seconds at 100,000 tickets); on a large installation run the CREATE INDEX CONCURRENTLY statements by hand first
(the IF NOT EXISTS below then skips them).
"""

from django.db import migrations

INDEXES = (
    ("ticket_title_trgm", "title"),
    ("ticket_path_trgm", "path"),
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, column in INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON approvals_ticket USING gin (UPPER({column}::text) gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _column in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("approvals", "0009_risk")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
