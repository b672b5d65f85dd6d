from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="RateWindow",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("bucket", models.CharField(max_length=100, verbose_name="bucket")),
                ("window_start", models.BigIntegerField(verbose_name="window start (epoch second)")),
                ("count", models.PositiveIntegerField(default=0, verbose_name="calls")),
            ],
            options={
                "verbose_name": "DataWorks rate window",
                "verbose_name_plural": "DataWorks rate windows",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("bucket", "window_start"), name="dataworks_ratewindow_bucket_window"
                    )
                ],
            },
        ),
    ]
