"""What the browser tests share: the test users' password, signing in through the real login form, screenshots."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

PASSWORD = "correct-horse-battery"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def log_in(page: Any, live_server: Any, username: str, *, landing: str = "/") -> None:
    """Sign in through the login form (not the language switcher's button) and wait for the landing page."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("form[action$='/accounts/login/'] button[type=submit]")
    page.wait_for_url(f"{live_server.url}{landing}")


def shoot(page: Any, name: str, *, full_page: bool = True) -> None:
    """Save docs/screenshots/<name>.png, only when REVIEW_GATE_SCREENSHOTS=1 (they are regenerated on purpose)."""
    if os.environ.get("REVIEW_GATE_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page)
