"""The database backend of the shared DataWorks rate limiter."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RateWindow(models.Model):
    """Count the DataWorks calls one bucket (region and read/write kind) made in one one-second window."""

    bucket = models.CharField(_("bucket"), max_length=100)
    # Epoch second the window starts at: an integer keeps the unique key exact across processes and databases.
    window_start = models.BigIntegerField(_("window start (epoch second)"))
    count = models.PositiveIntegerField(_("calls"), default=0)

    class Meta:
        verbose_name = _("DataWorks rate window")
        verbose_name_plural = _("DataWorks rate windows")
        constraints = [
            models.UniqueConstraint(fields=["bucket", "window_start"], name="dataworks_ratewindow_bucket_window"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.bucket}@{self.window_start}: {self.count}"
