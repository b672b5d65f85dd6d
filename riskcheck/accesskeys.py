"""AccessKey IDs (MC16): find them, and mask them wherever code is shown."""

from __future__ import annotations

import re

# "LTAI" and 12 or more letters or digits; no left boundary, so a key glued to other text is still found.
ACCESS_KEY = re.compile(r"LTAI[A-Za-z0-9]{12,}")


def mask_key(key: str) -> str:
    """All but the first 4 and the last 2 characters replaced by ``*``."""
    if len(key) <= 6:
        return "*" * len(key)
    return key[:4] + "*" * (len(key) - 6) + key[-2:]


def mask_secrets(text: str) -> str:
    """``text`` with every AccessKey ID masked (see ``mask_key``)."""
    return ACCESS_KEY.sub(lambda match: mask_key(match.group(0)), text)
