"""MaxCompute-aware risk analysis of DataWorks code (SQL, Shell, PyODPS): a pure package, no Django.

    from riskcheck import analyse, AnalysisConfig, risk_at_most, Severity
    analysis = analyse(code, language=language_for("node.sql"), old_code=previous, config=AnalysisConfig(...))
    analysis.risk, analysis.findings, analysis.to_json()

The rules (MC01-MC18) are described in docs/risk-rules.md; their messages, in English and Simplified Chinese, are in
``riskcheck.messages``.
"""

from riskcheck.accesskeys import mask_secrets
from riskcheck.analyse import LANGUAGES, analyse, language_for
from riskcheck.messages import DEFAULT_SEVERITY, MESSAGES, RULES, TITLES, WHY
from riskcheck.model import (
    DEFAULT_CONFIG,
    NOT_ASSESSED,
    Analysis,
    AnalysisConfig,
    Finding,
    NotAssessed,
    Risk,
    Severity,
    parse_risk,
    risk_at_least,
    risk_at_most,
    risk_name,
)

__all__ = [
    "DEFAULT_CONFIG",
    "DEFAULT_SEVERITY",
    "LANGUAGES",
    "MESSAGES",
    "NOT_ASSESSED",
    "RULES",
    "TITLES",
    "WHY",
    "Analysis",
    "AnalysisConfig",
    "Finding",
    "NotAssessed",
    "Risk",
    "Severity",
    "analyse",
    "language_for",
    "mask_secrets",
    "parse_risk",
    "risk_at_least",
    "risk_at_most",
    "risk_name",
]
