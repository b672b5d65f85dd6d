"""Languages and time: the interface's default language, the language of tips sent to DataWorks, the time zone."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.env import env_str
from config.settings._mode import BASE_DIR
from config.settings.dataworks import DATAWORKS_REGION

LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
_CODES = {code for code, _name in LANGUAGES}


def _language(name: str, default: str) -> str:
    value = env_str(name, default).lower()
    if value not in _CODES:
        raise ImproperlyConfigured(f"{name} must be one of {', '.join(sorted(_CODES))} (got {value!r}).")
    return value


# What a browser that asks for neither language gets (Accept-Language decides otherwise, then the user's choice).
LANGUAGE_CODE = _language("REVIEW_GATE_LANGUAGE", "zh-hans")
# The language of the tip DataWorks shows the developer: Chinese in mainland China regions, English elsewhere,
# unless set; a workspace may choose its own (Workspace settings in the admin, or the extension option tipLanguage).
REVIEW_GATE_TIP_LANGUAGE = _language(
    "REVIEW_GATE_TIP_LANGUAGE", "zh-hans" if DATAWORKS_REGION.startswith("cn-") else "en"
)
LOCALE_PATHS = [BASE_DIR / "locale"]
# Stored in UTC; shown in this zone, with the zone named.
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_NAME = "review_gate_language"
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
