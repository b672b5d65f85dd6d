from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DataworksClientConfig(AppConfig):
    """Register the DataWorks client (its rate-limit table and the emulator command)."""

    name = "dataworks_client"
    verbose_name = _("DataWorks client")
    default_auto_field = "django.db.models.BigAutoField"
