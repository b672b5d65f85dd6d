"""A workspace's risk settings: validated in the admin, resolved admin > extension option > analyser default."""

from __future__ import annotations

import pytest

from riskcheck import DEFAULT_CONFIG, Severity
from workspaces.admin import WorkspaceSettingsForm
from workspaces.models import WorkspaceSettings
from workspaces.resolve import risk_config

pytestmark = pytest.mark.django_db


def _form(**risk):
    data = {"project_id": "10001", "name": "sales", "tip_language": "", **risk}
    return WorkspaceSettingsForm(data=data)


def test_the_admin_stores_valid_risk_settings():
    form = _form(
        risk_severity_overrides="mc14=medium, MC09=LOW",
        risk_disabled_rules="MC10\nMC07",
        risk_scratch_patterns="scratch_*",
        risk_protected_patterns="ods_*, Prod_Prj.dim_*",
    )

    assert form.is_valid(), form.errors
    settings = form.save()

    assert settings.risk_severity_overrides == {"MC09": "LOW", "MC14": "MEDIUM"}
    assert settings.risk_disabled_rules == ["MC07", "MC10"]
    assert settings.risk_protected_patterns == ["ods_*", "prod_prj.dim_*"]
    again = WorkspaceSettingsForm(instance=settings)
    assert again.initial["risk_severity_overrides"] == "MC09=LOW, MC14=MEDIUM"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("risk_severity_overrides", "MC19=HIGH"),
        ("risk_severity_overrides", "MC01=SEVERE"),
        ("risk_severity_overrides", "MC01=NONE"),  # switch a rule off instead
        ("risk_severity_overrides", "MC01"),
        ("risk_disabled_rules", "MC1"),
        ("risk_disabled_rules", "MC02, MC02"),
        ("risk_protected_patterns", "ods_*;drop"),
        ("risk_scratch_patterns", "x" * 201),
    ],
)
def test_the_admin_refuses_bad_risk_settings(field, value):
    form = _form(**{field: value})

    assert not form.is_valid()
    assert field in form.errors


def test_nothing_configured_is_the_analysers_default():
    config = risk_config(10001)

    assert config.scratch_patterns == DEFAULT_CONFIG.scratch_patterns
    assert (config.protected_patterns, config.disabled_rules, dict(config.severity_overrides)) == ((), frozenset(), {})


def test_the_extension_option_applies_when_the_admin_left_a_setting_empty():
    options = {"riskDisabledRules": "MC09, MC14", "riskProtectedTables": ["ods_*"], "riskSeverities": {"MC04": "HIGH"}}

    config = risk_config(10001, options, projects=["sales_dw", "sales_dw_dev"])

    assert config.disabled_rules == frozenset({"MC09", "MC14"})
    assert config.protected_patterns == ("ods_*",)
    assert config.severity_overrides == {"MC04": Severity.HIGH}
    assert config.projects == frozenset({"sales_dw", "sales_dw_dev"})


def test_the_admin_setting_wins_over_the_option_and_a_bad_option_is_ignored():
    WorkspaceSettings.objects.create(project_id=10001, risk_disabled_rules=["MC01"])
    options = {"riskDisabledRules": ["MC09"], "riskProtectedTables": "ods_*; DROP", "riskSeverities": "loud"}

    config = risk_config(10001, options)

    assert config.disabled_rules == frozenset({"MC01"})
    assert config.protected_patterns == ()
    assert dict(config.severity_overrides) == {}
    assert risk_config(20002, {}).disabled_rules == frozenset()  # another workspace is not affected


def test_severity_overrides_can_be_typed_as_text_in_a_dataworks_option(db):
    from riskcheck import Severity
    from workspaces.resolve import risk_config

    config = risk_config(777, {"riskSeverities": "MC04=high, MC14=MEDIUM"})
    assert config.severity_overrides == {"MC04": Severity.HIGH, "MC14": Severity.MEDIUM}
    assert risk_config(777, {"riskSeverities": "MC04 HIGH"}).severity_overrides == {}  # not pairs: ignored, logged
