"""Read the DATAWORKS_* settings once, when a client is constructed (never at import time)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class ClientSettings:
    region: str = "cn-hangzhou"
    endpoint: str = ""
    protocol: str = "https"
    extension_code: str = ""
    access_key_id: str = ""
    access_key_secret: str = field(default="", repr=False)
    connect_timeout_ms: int = 3000
    read_timeout_ms: int = 10000
    reads_per_second: int = 40
    writes_per_second: int = 15
    rate_max_wait_seconds: float = 2.0
    redis_url: str = field(default="", repr=False)  # may embed a password

    @property
    def resolved_endpoint(self) -> str:
        """Return host[:port] to call: DATAWORKS_ENDPOINT, or the region's public endpoint."""
        return self.endpoint or f"dataworks.{self.region}.aliyuncs.com"

    @property
    def uses_credential_chain(self) -> bool:
        """Tell whether no AccessKey pair is configured, so the SDK's default credential chain applies."""
        return not self.access_key_id and not self.access_key_secret


def load_settings() -> ClientSettings:
    """Build ClientSettings from django.conf.settings, checking what the client itself depends on.

    :raises ImproperlyConfigured: an endpoint with a scheme, an unknown protocol or half an AccessKey pair.
    """
    values = ClientSettings(
        region=str(getattr(settings, "DATAWORKS_REGION", "") or "cn-hangzhou"),
        endpoint=str(getattr(settings, "DATAWORKS_ENDPOINT", "") or ""),
        protocol=str(getattr(settings, "DATAWORKS_PROTOCOL", "") or "https").lower(),
        extension_code=str(getattr(settings, "DATAWORKS_EXTENSION_CODE", "") or ""),
        access_key_id=str(getattr(settings, "DATAWORKS_ACCESS_KEY_ID", "") or ""),
        access_key_secret=str(getattr(settings, "DATAWORKS_ACCESS_KEY_SECRET", "") or ""),
        connect_timeout_ms=int(getattr(settings, "DATAWORKS_CONNECT_TIMEOUT_MS", 3000)),
        read_timeout_ms=int(getattr(settings, "DATAWORKS_READ_TIMEOUT_MS", 10000)),
        reads_per_second=int(getattr(settings, "DATAWORKS_READS_PER_SECOND", 40)),
        writes_per_second=int(getattr(settings, "DATAWORKS_WRITES_PER_SECOND", 15)),
        rate_max_wait_seconds=float(getattr(settings, "DATAWORKS_RATE_MAX_WAIT_SECONDS", 2.0)),
        redis_url=str(getattr(settings, "REDIS_URL", "") or ""),
    )
    if "://" in values.endpoint:
        raise ImproperlyConfigured("DATAWORKS_ENDPOINT takes host[:port] without a scheme.")
    if values.protocol not in {"https", "http"}:
        raise ImproperlyConfigured("DATAWORKS_PROTOCOL must be https or http.")
    if bool(values.access_key_id) != bool(values.access_key_secret):
        raise ImproperlyConfigured("Set both DataWorks AccessKey settings, or neither to use the credential chain.")
    if values.connect_timeout_ms <= 0 or values.read_timeout_ms <= 0:
        raise ImproperlyConfigured("DATAWORKS_CONNECT_TIMEOUT_MS and DATAWORKS_READ_TIMEOUT_MS must be positive.")
    return values
