"""DataWorks OpenAPI settings (DATAWORKS_*, the AccessKey pair) and check_dataworks, their one consistency check.

dataworks_client.conf reads these settings and calls check_dataworks again for values changed at runtime.
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from config.env import env_float, env_int, env_str, is_loopback_host
from config.settings._mode import PRODUCTION, require


def check_dataworks(
    *,
    region: str,
    endpoint: str,
    protocol: str,
    access_key_id: str,
    access_key_secret: str,
    production: bool = False,
) -> None:
    """Refuse inconsistent DataWorks settings with a message naming the variable.

    :raises ImproperlyConfigured: a malformed region, an endpoint with a scheme, an unknown protocol, half an
        AccessKey pair, or (production only) http to an endpoint that is not loopback.
    """
    if not region.replace("-", "").isalnum():
        raise ImproperlyConfigured(f"DATAWORKS_REGION must look like cn-hangzhou (got {region!r}).")
    if "://" in endpoint:
        raise ImproperlyConfigured("DATAWORKS_ENDPOINT takes host[:port] without a scheme; use DATAWORKS_PROTOCOL.")
    if protocol not in {"https", "http"}:
        raise ImproperlyConfigured(f"DATAWORKS_PROTOCOL must be https or http (got {protocol!r}).")
    if production and protocol == "http" and not is_loopback_host(endpoint):
        raise ImproperlyConfigured(
            "DATAWORKS_PROTOCOL=http is only allowed for a loopback DATAWORKS_ENDPOINT (the local emulator); "
            "AccessKey-signed calls to DataWorks must use https."
        )
    if bool(access_key_id) != bool(access_key_secret):
        missing = "ALIBABA_CLOUD_ACCESS_KEY_SECRET" if access_key_id else "ALIBABA_CLOUD_ACCESS_KEY_ID"
        raise ImproperlyConfigured(
            f"{missing} is not set while its pair is; set both, or neither to use the SDK's credential chain."
        )


DATAWORKS_REGION = env_str("DATAWORKS_REGION", "cn-hangzhou")
DATAWORKS_ENDPOINT = env_str("DATAWORKS_ENDPOINT")
DATAWORKS_PROTOCOL = env_str("DATAWORKS_PROTOCOL", "https").lower()
DATAWORKS_ACCESS_KEY_ID = env_str("ALIBABA_CLOUD_ACCESS_KEY_ID")
DATAWORKS_ACCESS_KEY_SECRET = env_str("ALIBABA_CLOUD_ACCESS_KEY_SECRET")
check_dataworks(
    region=DATAWORKS_REGION,
    endpoint=DATAWORKS_ENDPOINT,
    protocol=DATAWORKS_PROTOCOL,
    access_key_id=DATAWORKS_ACCESS_KEY_ID,
    access_key_secret=DATAWORKS_ACCESS_KEY_SECRET,
    production=PRODUCTION,
)
DATAWORKS_EXTENSION_CODE = require(
    "DATAWORKS_EXTENSION_CODE",
    env_str("DATAWORKS_EXTENSION_CODE"),
    "every result callback names the extension",
)
DATAWORKS_CONNECT_TIMEOUT_MS = env_int("DATAWORKS_CONNECT_TIMEOUT_MS", 3000, minimum=100, maximum=60000)
DATAWORKS_READ_TIMEOUT_MS = env_int("DATAWORKS_READ_TIMEOUT_MS", 10000, minimum=100, maximum=120000)
# DataWorks allows ~50 reads/s and ~20 writes/s per account and region; stay under with headroom.
DATAWORKS_READS_PER_SECOND = env_int("DATAWORKS_READS_PER_SECOND", 40, minimum=1, maximum=1000)
DATAWORKS_WRITES_PER_SECOND = env_int("DATAWORKS_WRITES_PER_SECOND", 15, minimum=1, maximum=1000)
DATAWORKS_RATE_MAX_WAIT_SECONDS = env_float("DATAWORKS_RATE_MAX_WAIT_SECONDS", 2.0)
