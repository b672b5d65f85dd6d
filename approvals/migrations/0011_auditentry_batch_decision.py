"""The audit action that says a decision was part of a batch (approvals.tickets.batch): a new choice only."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("approvals", "0010_inbox_search_indexes")]

    operations = [
        migrations.AlterField(
            model_name="auditentry",
            name="action",
            field=models.CharField(
                choices=[
                    ("CREATED", "Created"),
                    ("APPROVED", "Approved"),
                    ("APPROVED_WITH_WARNING", "Approved with a warning"),
                    ("REJECTED", "Rejected"),
                    ("OVERRIDDEN", "Emergency override"),
                    ("EXPIRED", "Expired"),
                    ("AUTO_DECIDED", "Decided automatically"),
                    ("NEEDS_ATTENTION", "Needs attention"),
                    ("PREPARATION_RETRIED", "Preparation retried by an administrator"),
                    ("CALLBACK_SENT", "Result delivered to DataWorks"),
                    ("CALLBACK_FAILED", "Result delivery failed"),
                    ("CALLBACK_RETRIED", "Result delivery retried by an administrator"),
                    ("CALLBACK_RESOLVED", "Result delivery marked as resolved"),
                    ("RESOLVED_IN_DATAWORKS", "Resolved in DataWorks"),
                    ("FINDING_WAIVED", "Risk finding waived"),
                    ("BATCH_DECISION", "Decided in a batch"),
                ],
                max_length=30,
                verbose_name="action",
            ),
        ),
    ]
