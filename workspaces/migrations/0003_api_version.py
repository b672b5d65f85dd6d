from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("workspaces", "0002_risk_settings"),
    ]

    operations = [
        migrations.AddField(
            model_name="workspacesettings",
            name="api_version",
            field=models.CharField(
                blank=True,
                choices=[
                    ("", "Inherit (the workspace option in DataWorks, else 2020-05-18)"),
                    ("2020-05-18", "2020-05-18 (DataStudio)"),
                    ("2024-05-18", "2024-05-18 (new Data Studio)"),
                ],
                default="",
                help_text=(
                    "Workspaces on the new Data Studio use 2024-05-18 for the event detail, file versions and the "
                    "result of Data Studio events; Operation Center results always use 2020-05-18."
                ),
                max_length=10,
                verbose_name="DataWorks API version",
            ),
        ),
    ]
