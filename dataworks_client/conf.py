"""Map the validated DATAWORKS_* settings into ClientSettings when a client is built (never at import time)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings


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
    metadata_cache_seconds: int = 300  # workspace and member lookups (GetProject, ListProjectMembers)

    @property
    def resolved_endpoint(self) -> str:
        """Return host[:port] to call: DATAWORKS_ENDPOINT, or the region's public endpoint."""
        return self.endpoint or f"dataworks.{self.region}.aliyuncs.com"

    @property
    def uses_credential_chain(self) -> bool:
        """Tell whether no AccessKey pair is configured, so the SDK's default credential chain applies."""
        return not self.access_key_id and not self.access_key_secret


def load_settings() -> ClientSettings:
    """Build ClientSettings from django.conf.settings (defaults and checks live in config/settings/dataworks.py).

    :raises ImproperlyConfigured: the values fail config's check_dataworks (possible only when changed at runtime,
        as tests do; the settings module runs the same check at start).
    """
    # Imported here, not at module level: importing config.settings.* evaluates the settings package, and this
    # module must stay importable before Django is configured.
    from config.settings.dataworks import check_dataworks

    check_dataworks(
        region=settings.DATAWORKS_REGION,
        endpoint=settings.DATAWORKS_ENDPOINT,
        protocol=settings.DATAWORKS_PROTOCOL,
        access_key_id=settings.DATAWORKS_ACCESS_KEY_ID,
        access_key_secret=settings.DATAWORKS_ACCESS_KEY_SECRET,
    )
    return ClientSettings(
        region=settings.DATAWORKS_REGION,
        endpoint=settings.DATAWORKS_ENDPOINT,
        protocol=settings.DATAWORKS_PROTOCOL,
        extension_code=settings.DATAWORKS_EXTENSION_CODE,
        access_key_id=settings.DATAWORKS_ACCESS_KEY_ID,
        access_key_secret=settings.DATAWORKS_ACCESS_KEY_SECRET,
        connect_timeout_ms=settings.DATAWORKS_CONNECT_TIMEOUT_MS,
        read_timeout_ms=settings.DATAWORKS_READ_TIMEOUT_MS,
        reads_per_second=settings.DATAWORKS_READS_PER_SECOND,
        writes_per_second=settings.DATAWORKS_WRITES_PER_SECOND,
        rate_max_wait_seconds=settings.DATAWORKS_RATE_MAX_WAIT_SECONDS,
        redis_url=settings.REDIS_URL,
        metadata_cache_seconds=_metadata_cache_seconds(),
    )


METADATA_CACHE_DEFAULT_SECONDS = 300
METADATA_CACHE_MAX_SECONDS = 3600


def _metadata_cache_seconds() -> int:
    """Return DATAWORKS_METADATA_CACHE_SECONDS: the setting if defined, else the environment variable, else 300.

    Read here rather than in config/settings so the client owns its one new knob; 0 turns caching off.

    :raises ImproperlyConfigured: the value is not an integer from 0 to 3600.
    """
    from django.core.exceptions import ImproperlyConfigured

    from config.env import env_int

    value = getattr(settings, "DATAWORKS_METADATA_CACHE_SECONDS", None)
    if value is None:
        value = env_int(
            "DATAWORKS_METADATA_CACHE_SECONDS",
            METADATA_CACHE_DEFAULT_SECONDS,
            minimum=0,
            maximum=METADATA_CACHE_MAX_SECONDS,
        )
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= METADATA_CACHE_MAX_SECONDS:
        raise ImproperlyConfigured(
            f"DATAWORKS_METADATA_CACHE_SECONDS must be an integer from 0 to {METADATA_CACHE_MAX_SECONDS}."
        )
    return value
