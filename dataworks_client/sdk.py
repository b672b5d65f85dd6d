"""Build the official SDK clients, one per API version. The SDKs are imported lazily, and only here.

Both versions share one `ClientSettings` and, when no AccessKey pair is configured, one credential-chain object,
so a refreshed STS token or RAM-role credential serves both.
"""

from __future__ import annotations

import functools
import importlib
from typing import Any

from dataworks_client.conf import ClientSettings

V2020 = "2020-05-18"
V2024 = "2024-05-18"
API_VERSIONS = (V2020, V2024)
_PACKAGES = {V2020: "alibabacloud_dataworks_public20200518", V2024: "alibabacloud_dataworks_public20240518"}


def require_version(value: Any) -> str:
    """Return `value` if it is a supported API version.

    :raises ValueError: otherwise.
    """
    if value not in API_VERSIONS:
        raise ValueError(f"api_version must be one of {', '.join(API_VERSIONS)}, got {value!r}")
    return str(value)


@functools.cache
def sdk_models(version: str = V2020) -> Any:
    """Return the models module of one API version's SDK (imported on first use: an SDK takes ~0.5 s)."""
    return importlib.import_module(f"{_PACKAGES[require_version(version)]}.models")


def build_credential(config: ClientSettings) -> Any:
    """Return the default credential chain's client, or None when an AccessKey pair is configured."""
    if not config.uses_credential_chain:
        return None
    from alibabacloud_credentials.client import Client as CredentialClient

    # Environment, OIDC, CLI profile, credentials file, ECS RAM role, credentials URI, in that order.
    return CredentialClient()


def build_sdk_client(config: ClientSettings, version: str = V2020, *, credential: Any = None) -> Any:
    """Build one version's SDK client: explicit endpoint, protocol and timeouts; AccessKey pair or `credential`.

    Pass the same `credential` (from build_credential) for both versions; without one, a chain is built here.
    """
    module = importlib.import_module(f"{_PACKAGES[require_version(version)]}.client")
    from alibabacloud_tea_openapi.utils_models import Config

    options: dict[str, Any] = {
        "endpoint": config.resolved_endpoint,
        "protocol": config.protocol,
        "region_id": config.region,
        "connect_timeout": config.connect_timeout_ms,
        "read_timeout": config.read_timeout_ms,
    }
    if config.uses_credential_chain:
        options["credential"] = credential if credential is not None else build_credential(config)
    else:
        options["access_key_id"] = config.access_key_id
        options["access_key_secret"] = config.access_key_secret
    # No retry_options: the SDK makes exactly one attempt, and the task queue owns retrying (sdk-and-queue.md A2).
    return module.Client(Config(**options))
