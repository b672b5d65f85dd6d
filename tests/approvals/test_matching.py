"""Which rules apply to a change: workspace, event code, path glob and file type, as tables."""

from __future__ import annotations

import pytest

from approvals.models import Rule
from approvals.tickets.matching import Subject, matching_rules, path_matches, rule_matches
from tests.factories import RuleFactory

COMMIT = Subject(project_id=123, event_code="commit-file", path="etl/orders/daily.sql", file_type=10)
FREEZE = Subject(project_id=123, event_code="freeze-node")  # an Operation Center event: no path, no file type


@pytest.mark.parametrize(
    ("pattern", "path", "expected"),
    [
        ("etl/**", "etl/a/b.sql", True),
        ("etl/**", "etl/x.sql", True),
        ("etl/**", "etl2/x.sql", False),
        ("etl/**", "etl", False),
        ("etl/**", "other/etl/x.sql", False),
        ("*.sql", "x.sql", True),
        ("*.sql", "etl/x.sql", False),  # * does not cross /
        ("etl/*", "etl/a/b.sql", False),
        ("etl/*", "etl/b.sql", True),
        ("etl/*/b.sql", "etl/a/b.sql", True),
        ("etl/*/b.sql", "etl/a/c/b.sql", False),
        ("**/x.sql", "x.sql", True),
        ("**/x.sql", "a/x.sql", True),
        ("**/x.sql", "a/b/c/x.sql", True),
        ("**/x.sql", "a/xx.sql", False),
        ("**/x.sql", "a/b/y.sql", False),
        ("a/**/x.sql", "a/x.sql", True),
        ("a/**/x.sql", "a/b/c/x.sql", True),
        ("a/**/x.sql", "b/x.sql", False),
        ("?.sql", "a.sql", True),
        ("?.sql", "ab.sql", False),
        ("?.sql", ".sql", False),
        ("etl/?/x.sql", "etl/a/x.sql", True),
        ("etl?x.sql", "etl/x.sql", False),  # ? does not match /
        ("ods_orders_daily", "ods_orders_daily", True),
        ("ods_orders_daily", "ods_orders_daily_v2", False),
        ("a.sql", "aXsql", False),  # a dot is literal, not a regex wildcard
        ("[ab].sql", "a.sql", False),  # brackets are literal too
        ("[ab].sql", "[ab].sql", True),
        ("/etl/**", "etl/x.sql", True),  # leading slashes are ignored on both sides
        ("etl/**", "/etl/x.sql", True),
        ("  etl/**  ", "etl/x.sql", True),  # surrounding spaces in the glob are ignored
        ("ETL/**", "etl/x.sql", False),  # case matters
    ],
)
def test_path_globs(pattern, path, expected):
    assert path_matches(pattern, path) is expected


@pytest.mark.parametrize(
    ("criteria", "subject", "expected"),
    [
        # Empty criteria match everything, with or without a path.
        ({}, COMMIT, True),
        ({}, FREEZE, True),
        # Workspace
        ({"projects": [123]}, COMMIT, True),
        ({"projects": [1, 123]}, COMMIT, True),
        ({"projects": [999]}, COMMIT, False),
        ({"projects": ["123"]}, COMMIT, True),  # legacy string IDs are read as numbers
        # Event code
        ({"events": ["commit-file"]}, COMMIT, True),
        ({"events": ["deploy-file", "commit-file"]}, COMMIT, True),
        ({"events": ["deploy-file"]}, COMMIT, False),
        ({"events": ["freeze-node"]}, FREEZE, True),
        # File type
        ({"file_types": [10]}, COMMIT, True),
        ({"file_types": [6]}, COMMIT, False),
        ({"file_types": [10]}, FREEZE, False),  # an event without a file type never matches a file type rule
        # Path
        ({"paths": ["etl/**"]}, COMMIT, True),
        ({"paths": ["etl2/**", "etl/**"]}, COMMIT, True),  # any glob may match
        ({"paths": ["etl2/**"]}, COMMIT, False),
        ({"paths": ["etl/**"]}, FREEZE, False),
        # Every filled-in criterion must hold
        ({"projects": [123], "events": ["commit-file"], "paths": ["etl/**"], "file_types": [10]}, COMMIT, True),
        ({"projects": [123], "events": ["commit-file"], "paths": ["etl/**"], "file_types": [6]}, COMMIT, False),
        ({"projects": [123], "events": ["deploy-file"], "paths": ["etl/**"], "file_types": [10]}, COMMIT, False),
        ({"projects": [124], "events": ["commit-file"], "paths": ["etl/**"], "file_types": [10]}, COMMIT, False),
        ({"projects": [123], "events": ["commit-file"], "paths": ["ods/**"], "file_types": [10]}, COMMIT, False),
        ({"projects": [123], "events": ["freeze-node"]}, FREEZE, True),
        # Disabled rules never match
        ({"enabled": False}, COMMIT, False),
        ({"enabled": False, "projects": [123], "events": ["commit-file"]}, COMMIT, False),
    ],
)
def test_rule_criteria(criteria, subject, expected):
    rule = Rule(name="r", **criteria)

    assert rule_matches(rule, subject) is expected


@pytest.mark.parametrize("glob", ["etl/**", "*.sql", "ods_orders"])
def test_path_rules_never_match_events_without_a_path(glob):
    assert rule_matches(Rule(name="r", paths=[glob]), FREEZE) is False


@pytest.mark.parametrize("glob", ["**", "*"])
def test_catch_all_path_rules_never_match_events_without_a_path(glob):
    assert rule_matches(Rule(name="r", paths=[glob]), FREEZE) is False


@pytest.mark.django_db
class TestMatchingRules:
    def test_returns_every_enabled_matching_rule_by_name(self):
        RuleFactory(name="b-etl", paths=["etl/**"])
        RuleFactory(name="a-project", projects=[123])
        RuleFactory(name="c-everything")
        RuleFactory(name="d-off", enabled=False)
        RuleFactory(name="e-other-project", projects=[7])

        names = [rule.name for rule in matching_rules(COMMIT)]

        assert names == ["a-project", "b-etl", "c-everything"]

    def test_a_path_rule_is_skipped_for_an_event_without_a_path(self):
        RuleFactory(name="etl", paths=["etl/**"])
        RuleFactory(name="freeze", events=["freeze-node"])

        assert [rule.name for rule in matching_rules(FREEZE)] == ["freeze"]

    def test_no_rule_matches_gives_an_empty_list(self):
        RuleFactory(name="deploy", events=["deploy-file"])

        assert matching_rules(COMMIT) == []

    def test_an_explicit_candidate_list_is_filtered_the_same_way(self):
        on = Rule(name="on", projects=[123])
        off = Rule(name="off", projects=[123], enabled=False)

        assert matching_rules(COMMIT, [on, off]) == [on]
