"""Build the official SDK client. The SDK is imported lazily, and only inside dataworks_client."""

from __future__ import annotations

import functools
from typing import Any

from dataworks_client.conf import ClientSettings


@functools.cache
def sdk_models() -> Any:
    """Return the SDK's models module (imported on first use: the SDK takes about 0.5 s to import)."""
    from alibabacloud_dataworks_public20200518 import models

    return models


def build_sdk_client(config: ClientSettings) -> Any:
    """Build the SDK client: explicit endpoint, protocol and timeouts; AccessKey pair or the default chain."""
    from alibabacloud_dataworks_public20200518.client import Client
    from alibabacloud_tea_openapi.utils_models import Config

    options: dict[str, Any] = {
        "endpoint": config.resolved_endpoint,
        "protocol": config.protocol,
        "region_id": config.region,
        "connect_timeout": config.connect_timeout_ms,
        "read_timeout": config.read_timeout_ms,
    }
    if config.uses_credential_chain:
        from alibabacloud_credentials.client import Client as CredentialClient

        # Environment, OIDC, CLI profile, credentials file, ECS RAM role, credentials URI, in that order.
        options["credential"] = CredentialClient()
    else:
        options["access_key_id"] = config.access_key_id
        options["access_key_secret"] = config.access_key_secret
    # No retry_options: the SDK makes exactly one attempt, and the task queue owns retrying (sdk-and-queue.md A2).
    return Client(Config(**options))
