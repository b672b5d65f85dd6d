"""A workspace's tip language: the admin's workspace settings, else the extension option, else the global setting."""

from __future__ import annotations

import pytest

from workspaces.models import WorkspaceSettings
from workspaces.resolve import tip_language

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("admin_choice", "option", "global_setting", "expected"),
    [
        (None, None, "zh-hans", "zh-hans"),
        (None, None, "en", "en"),
        (None, {"tipLanguage": "en"}, "zh-hans", "en"),
        (None, {"tipLanguage": "zh-CN"}, "en", "zh-hans"),
        (None, {"tipLanguage": "klingon"}, "en", "en"),  # an unknown option value is ignored, not trusted
        ("", {"tipLanguage": "en"}, "zh-hans", "en"),  # a blank admin choice inherits
        ("zh-hans", {"tipLanguage": "en"}, "en", "zh-hans"),  # the admin's choice wins over everything
    ],
)
def test_the_admin_setting_overrides_the_workspace_option_which_overrides_the_global_setting(
    settings, admin_choice, option, global_setting, expected
):
    settings.REVIEW_GATE_TIP_LANGUAGE = global_setting
    if admin_choice is not None:
        WorkspaceSettings.objects.create(project_id=10001, tip_language=admin_choice)

    assert tip_language(10001, option) == expected
    assert tip_language(20002, None) == global_setting  # another workspace is not affected
