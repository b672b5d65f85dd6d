"""Reviewer rules as TOML: import (create/update/prune/dry run), validation errors with lines, export round trips."""

from __future__ import annotations

import tomllib
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from approvals.models import Rule, Ticket
from approvals.rules import io as rules_io
from approvals.rules.io import Problem, RulesFileError
from tests.factories import GroupFactory, RuleFactory, TicketFactory, UserFactory

pytestmark = pytest.mark.django_db

CONTRACT = """\
[[rules]]
name = "prod-sql"
projects = [123]
events = ["commit-file", "deploy-file"]
paths = ["etl/**"]
file_types = [10]
reviewers = ["alice"]
groups = ["dba"]
min_approvals = 1
timeout = "24h"
on_timeout = "FAIL"
auto = ""          # "", "OK", "WARN" or "FAIL"
"""

TWO_RULES = """\
# Two rules; the second has only a name.
[[rules]]
name = "prod-sql"
projects = [123, 456]
events = ["commit-file"]
reviewers = ["alice", "bob"]
groups = ["dba"]
min_approvals = 2
timeout = "30m"
on_timeout = "WARN"

[[rules]]
name = "catch-all"
"""


@pytest.fixture
def people():
    return {"alice": UserFactory(username="alice"), "bob": UserFactory(username="bob"), "dba": GroupFactory(name="dba")}


def _snapshot():
    """Everything an import could change, including each row's updated_at (so any write shows)."""
    return [
        (
            rule.pk,
            rule.name,
            rule.enabled,
            rule.projects,
            rule.events,
            rule.paths,
            rule.file_types,
            sorted(u.username for u in rule.reviewers.all()),
            sorted(g.name for g in rule.groups.all()),
            rule.min_approvals,
            rule.timeout,
            rule.on_timeout,
            rule.auto_outcome,
            rule.updated_at,
        )
        for rule in Rule.objects.order_by("name")
    ]


def _import(text: str, **kwargs):
    return rules_io.import_rules(text.encode("utf-8"), **kwargs)


def _problems(text: str) -> list[Problem]:
    with pytest.raises(RulesFileError) as caught:
        _import(text)
    return caught.value.problems


class TestImport:
    def test_the_contract_example_creates_a_rule_with_every_field(self, people):
        result = _import(CONTRACT)

        rule = Rule.objects.get(name="prod-sql")
        assert result.created == ["prod-sql"]
        assert (rule.projects, rule.events, rule.paths, rule.file_types) == (
            [123],
            ["commit-file", "deploy-file"],
            ["etl/**"],
            [10],
        )
        assert list(rule.reviewers.values_list("username", flat=True)) == ["alice"]
        assert list(rule.groups.values_list("name", flat=True)) == ["dba"]
        assert (rule.min_approvals, rule.timeout, rule.on_timeout, rule.auto_outcome, rule.enabled) == (
            1,
            timedelta(hours=24),
            "FAIL",
            "",
            True,
        )

    def test_absent_keys_take_the_documented_defaults(self):
        _import('[[rules]]\nname = "bare"\n')

        rule = Rule.objects.get(name="bare")
        assert (rule.projects, rule.events, rule.paths, rule.file_types) == ([], [], [], [])
        assert (rule.min_approvals, rule.timeout, rule.on_timeout, rule.auto_outcome, rule.enabled) == (
            1,
            None,
            "FAIL",
            "",
            True,
        )
        assert not rule.reviewers.exists()
        assert not rule.groups.exists()

    def test_importing_the_same_file_again_changes_nothing(self, people):
        _import(TWO_RULES)
        before = _snapshot()

        result = _import(TWO_RULES)

        assert (result.created, result.updated, result.unchanged) == ([], [], ["prod-sql", "catch-all"])
        assert _snapshot() == before

    def test_an_existing_rule_is_updated_by_name_and_its_reviewers_set_exactly(self, people):
        carol = UserFactory(username="carol")
        ops = GroupFactory(name="ops")
        existing = RuleFactory(name="prod-sql", projects=[1], min_approvals=1, reviewer_users=[carol, people["bob"]])
        existing.groups.set([ops])

        result = _import(TWO_RULES)

        existing.refresh_from_db()
        assert result.updated == ["prod-sql"]
        assert result.created == ["catch-all"]
        assert existing.projects == [123, 456]
        assert existing.min_approvals == 2
        assert existing.timeout == timedelta(minutes=30)
        assert existing.on_timeout == "WARN"
        assert sorted(existing.reviewers.values_list("username", flat=True)) == ["alice", "bob"]
        assert list(existing.groups.values_list("name", flat=True)) == ["dba"]

    def test_a_change_to_reviewers_alone_counts_as_an_update(self, people):
        _import(TWO_RULES)

        result = _import(TWO_RULES.replace('reviewers = ["alice", "bob"]', 'reviewers = ["alice"]'))

        assert result.updated == ["prod-sql"]
        assert list(Rule.objects.get(name="prod-sql").reviewers.values_list("username", flat=True)) == ["alice"]

    def test_without_prune_rules_missing_from_the_file_are_kept(self, people):
        RuleFactory(name="legacy")

        result = _import(TWO_RULES)

        assert result.deleted == []
        assert Rule.objects.filter(name="legacy").exists()

    def test_prune_deletes_rules_missing_from_the_file(self, people):
        legacy = RuleFactory(name="legacy")
        TicketFactory(matched=[legacy])

        result = _import(TWO_RULES, prune=True)

        assert result.deleted == ["legacy"]
        assert result.open_tickets_losing_rules == 1
        assert sorted(Rule.objects.values_list("name", flat=True)) == ["catch-all", "prod-sql"]

    def test_dry_run_reports_the_changes_but_makes_none(self, people):
        RuleFactory(name="legacy")
        RuleFactory(name="prod-sql", min_approvals=1)
        before = _snapshot()

        result = _import(TWO_RULES, prune=True, dry_run=True)

        assert (result.created, result.updated, result.deleted) == (["catch-all"], ["prod-sql"], ["legacy"])
        assert result.dry_run
        assert _snapshot() == before


# Each case: a rules file, then the (line, field) the error must name and a piece of its message.
BAD_FILES = {
    "syntax error": ('[[rules]]\nname = "x"\nmin_approvals = = 2\n', 3, "min_approvals", "Not valid TOML"),
    "unclosed array": ('[[rules]]\nname = "x"\nprojects = [1,\n', 3, "projects", "Not valid TOML"),
    "bad header": ('[[rules]\nname = "x"\n', 1, "", "Not valid TOML"),
    "unterminated string": ('[[rules]]\nname = "x\n', 2, "name", "Not valid TOML"),
    "wrong type": ('[[rules]]\nname = "x"\nprojects = ["123"]\n', 3, "projects", "not a whole number"),
    "wrong container type": ('[[rules]]\nname = "x"\npaths = "etl/**"\n', 3, "paths", "list of strings"),
    "bool is not an int": ('[[rules]]\nname = "x"\nfile_types = [true]\n', 3, "file_types", "not a whole number"),
    "unknown key": ('[[rules]]\nname = "x"\n\ncolour = "red"\n', 4, "colour", "Unknown key"),
    "unknown user": ('[[rules]]\nname = "x"\nreviewers = ["alice", "zed"]\n', 3, "reviewers", "Unknown user 'zed'"),
    "unknown group": ('[[rules]]\nname = "x"\ngroups = ["nobody"]\n', 3, "groups", "Unknown group 'nobody'"),
    "unknown event code": ('[[rules]]\nname = "x"\nevents = ["commit-flie"]\n', 3, "events", "'commit-flie'"),
    "event that is never gated": ('[[rules]]\nname = "x"\nevents = ["review-file"]\n', 3, "events", "review-file"),
    "min_approvals 0": ('[[rules]]\nname = "x"\nmin_approvals = 0\n', 3, "min_approvals", "at least 1"),
    "bad duration unit": ('[[rules]]\nname = "x"\ntimeout = "1w"\n', 3, "timeout", "not a duration"),
    "duration without unit": ('[[rules]]\nname = "x"\ntimeout = "24"\n', 3, "timeout", "not a duration"),
    "zero duration": ('[[rules]]\nname = "x"\ntimeout = "0m"\n', 3, "timeout", "longer than zero"),
    "duration as number": ('[[rules]]\nname = "x"\ntimeout = 24\n', 3, "timeout", "duration string"),
    "bad outcome": ('[[rules]]\nname = "x"\non_timeout = "MAYBE"\n', 3, "on_timeout", "OK, WARN, FAIL"),
    "bad auto": ('[[rules]]\nname = "x"\nauto = "YES"\n', 3, "auto", "OK, WARN, FAIL"),
    "enabled as string": ('[[rules]]\nname = "x"\nenabled = "yes"\n', 3, "enabled", "true or false"),
    "missing name": ('[[rules]]\nname = "x"\n\n[[rules]]\nprojects = [1]\n', 4, "name", "needs a name"),
    "duplicate name": ('[[rules]]\nname = "x"\n\n[[rules]]\nname = "x"\n', 5, "name", "defined twice"),
    "unknown top-level key": ('version = 2\n[[rules]]\nname = "x"\n', 1, "version", "top-level"),
    "rules not tables": ("rules = 5\n", 1, "rules", "[[rules]] tables"),
    "sub-table in a rule": ('[[rules]]\nname = "x"\n[rules.extra]\na = 1\n', 3, "extra", "Unknown key"),
    "path with a comma": ('[[rules]]\nname = "x"\npaths = ["a,b"]\n', 3, "paths", "comma"),
    "blank path": ('[[rules]]\nname = "x"\npaths = [" "]\n', 3, "paths", "empty"),
    "duplicate project": ('[[rules]]\nname = "x"\nprojects = [1, 1]\n', 3, "projects", "twice"),
    "name too long": (f'[[rules]]\nname = "{"n" * 101}"\n', 2, "name", "100"),
}


class TestInvalidFiles:
    @pytest.mark.parametrize(("text", "line", "field", "message"), BAD_FILES.values(), ids=BAD_FILES.keys())
    def test_the_error_names_line_and_field_and_nothing_changes(self, people, text, line, field, message):
        RuleFactory(name="x", projects=[9], reviewer_users=[people["bob"]])
        RuleFactory(name="keep-me")
        before = _snapshot()

        with pytest.raises(RulesFileError) as caught:
            _import(text, prune=True)

        assert [(p.line, p.field) for p in caught.value.problems][:1] == [(line, field)]
        assert message in caught.value.problems[0].message
        assert _snapshot() == before

    def test_a_valid_rule_before_a_bad_one_is_not_applied_either(self, people):
        text = CONTRACT + '\n[[rules]]\nname = "second"\nmin_approvals = 0\n'

        problems = _problems(text)

        assert [(p.line, p.field) for p in problems] == [(16, "min_approvals")]
        assert not Rule.objects.exists()

    def test_every_problem_is_reported_at_once(self, people):
        text = (
            "[[rules]]\n"
            'name = "a"\n'
            "projects = [\n"
            "  1,\n"
            '  "two",\n'
            "]\n"
            'timeout = "soon"\n'
            "\n"
            "[[rules]]\n"
            'name = "b"\n'
            'reviewers = ["ghost"]\n'
        )

        problems = _problems(text)

        assert [(p.line, p.field) for p in problems] == [(3, "projects"), (7, "timeout"), (11, "reviewers")]

    def test_unknown_people_are_reported_with_the_other_problems_in_line_order(self, people):
        text = '[[rules]]\nname = "b"\nreviewers = ["ghost", "alice"]\ngroups = ["nobody"]\nmin_approvals = 0\n'

        problems = _problems(text)

        assert [(p.line, p.field) for p in problems] == [(3, "reviewers"), (4, "groups"), (5, "min_approvals")]

    def test_not_utf8_is_an_error_naming_the_line(self):
        with pytest.raises(RulesFileError) as caught:
            rules_io.import_rules(b'[[rules]]\nname = "caf\xe9"\n')

        assert caught.value.problems[0].line == 2

    def test_lines_are_found_past_strings_comments_and_multiline_values(self, people):
        text = (
            '# [[rules]] in a comment\nnote_free = """\n[[rules]]\nname = "fake"\n"""\n'
            '[[rules]]\nname = "a" # [[rules]]\npaths = [\n  "x/**",  # a comment\n  "[[rules]]",\n]\n'
            "min_approvals = 0\n"
        )

        problems = _problems(text)

        assert [(p.line, p.field) for p in problems] == [(2, "note_free"), (12, "min_approvals")]

    def test_lines_are_found_with_crlf_spaced_headers_and_quoted_keys(self, people):
        text = '[[ rules ]]\r\nname = "a"\r\n\r\n[[rules]]\r\n"name" = "b"\r\n"min_approvals" = 0\r\n'

        problems = _problems(text)

        assert [(p.line, p.field) for p in problems] == [(6, "min_approvals")]

    def test_rules_written_as_inline_tables_point_at_the_rules_key(self):
        problems = _problems('\nrules = [{ name = "a", min_approvals = 0 }]\n')

        assert [(p.line, p.field) for p in problems] == [(2, "min_approvals")]


class TestExport:
    def test_export_writes_the_contract_format(self, people):
        _import(CONTRACT)

        text = rules_io.export_rules()

        assert text == (
            rules_io.EXPORT_HEADER + "\n"
            "[[rules]]\n"
            'name = "prod-sql"\n'
            "enabled = true\n"
            "projects = [123]\n"
            'events = ["commit-file", "deploy-file"]\n'
            'paths = ["etl/**"]\n'
            "file_types = [10]\n"
            'risk_at_least = ""\n'
            'risk_at_most = ""\n'
            'reviewers = ["alice"]\n'
            'groups = ["dba"]\n'
            "min_approvals = 1\n"
            'timeout = "1d"\n'
            'on_timeout = "FAIL"\n'
            'auto = ""\n'
            "notify = []\n"
            'remind_every = ""\n'
            'escalate_after = ""\n'
            'escalate_to_group = ""\n'
            'escalate_to_channel = ""\n'
            "working_hours = true\n"
        )

    def test_export_import_export_is_byte_identical(self, people):
        tricky = RuleFactory(
            name='q"uote\\back slash ünï',
            enabled=False,
            projects=[5, 3],
            events=["freeze-node", "commit-file"],
            paths=["a/**/x.sql", 'we"ird\\', "ünïcode/?"],
            file_types=[10, 6],
            min_approvals=2,
            timeout=timedelta(seconds=90),
            on_timeout="WARN",
            auto_outcome="",
            reviewer_users=[people["bob"], people["alice"]],
        )
        tricky.groups.set([people["dba"], GroupFactory(name="a-team")])
        RuleFactory(name="auto-ok", auto_outcome="OK", timeout=timedelta(hours=36))
        RuleFactory(name="Zeta", timeout=timedelta(days=2))
        first = rules_io.export_rules()
        Rule.objects.all().delete()

        _import(first)
        second = rules_io.export_rules()
        result = _import(second)

        assert second == first
        assert result.unchanged == ["Zeta", "auto-ok", 'q"uote\\back slash ünï']
        assert tomllib.loads(first)["rules"][2]["name"] == 'q"uote\\back slash ünï'

    def test_export_of_no_rules_imports_as_no_rules(self):
        assert rules_io.parse_rules(rules_io.export_rules()) == []

    @pytest.mark.parametrize(
        ("value", "quoted"),
        [
            ("plain", '"plain"'),
            ('say "hi"', '"say \\"hi\\""'),
            ("back\\slash", '"back\\\\slash"'),
            ("tab\tnew\nline\r", '"tab\\u0009new\\u000Aline\\u000D"'),
            ("nul\x00del\x7f", '"nul\\u0000del\\u007F"'),
            ("中文 ü", '"中文 ü"'),
        ],
    )
    def test_strings_are_escaped_per_the_toml_spec(self, value, quoted):
        assert rules_io.toml_string(value) == quoted
        assert tomllib.loads(f"v = {quoted}")["v"] == value

    @pytest.mark.parametrize(
        ("text", "duration", "canonical"),
        [
            ("90s", timedelta(seconds=90), "90s"),
            ("30m", timedelta(minutes=30), "30m"),
            ("120m", timedelta(hours=2), "2h"),
            ("24h", timedelta(days=1), "1d"),
            ("2d", timedelta(days=2), "2d"),
            ("", None, ""),
            (" 45m ", timedelta(minutes=45), "45m"),
        ],
    )
    def test_durations_parse_and_format_canonically(self, text, duration, canonical):
        assert rules_io.parse_duration(text) == duration
        assert rules_io.format_duration(duration) == canonical

    @pytest.mark.parametrize(
        ("duration", "text"),
        [(timedelta(0), ""), (timedelta(seconds=-5), ""), (timedelta(milliseconds=1500), "2s")],
    )
    def test_durations_import_cannot_write_still_export_as_importable_text(self, duration, text):
        assert rules_io.format_duration(duration) == text


class TestCommands:
    def test_import_rules_prints_a_summary(self, people, tmp_path: Path):
        path = tmp_path / "rules.toml"
        path.write_text(TWO_RULES, encoding="utf-8")
        out = StringIO()

        call_command("import_rules", str(path), stdout=out)
        call_command("import_rules", str(path), stdout=out)

        assert "Rules: 2 created, 0 updated, 0 unchanged, 0 deleted." in out.getvalue()
        assert "Rules: 0 created, 0 updated, 2 unchanged, 0 deleted." in out.getvalue()

    def test_import_rules_prune_and_dry_run_flags(self, people, tmp_path: Path):
        RuleFactory(name="legacy")
        path = tmp_path / "rules.toml"
        path.write_text(TWO_RULES, encoding="utf-8")
        out = StringIO()

        call_command("import_rules", str(path), "--prune", "--dry-run", stdout=out)

        assert "would be deleted: legacy" in out.getvalue()
        assert "Dry run, nothing was changed. Rules: 2 created, 0 updated, 0 unchanged, 1 deleted." in out.getvalue()
        assert list(Rule.objects.values_list("name", flat=True)) == ["legacy"]

    def test_import_rules_error_names_file_line_and_field(self, people, tmp_path: Path):
        path = tmp_path / "rules.toml"
        path.write_text('[[rules]]\nname = "x"\nmin_approvals = 0\n', encoding="utf-8")

        with pytest.raises(CommandError) as caught:
            call_command("import_rules", str(path))

        assert f"{path}:3: min_approvals: Must be at least 1" in str(caught.value)
        assert "nothing was changed" in str(caught.value)
        assert not Rule.objects.exists()

    def test_import_rules_missing_file_is_a_clean_error(self, tmp_path: Path):
        with pytest.raises(CommandError, match="Cannot read"):
            call_command("import_rules", str(tmp_path / "missing.toml"))

    def test_export_to_stdout_and_file_round_trips_through_import(self, people, tmp_path: Path):
        _import(TWO_RULES)
        out = StringIO()
        path = tmp_path / "exported.toml"

        call_command("export_rules", stdout=out)
        call_command("export_rules", str(path), stderr=StringIO())
        Rule.objects.all().delete()
        call_command("import_rules", str(path), stdout=StringIO())

        assert path.read_bytes() == out.getvalue().encode("utf-8")
        assert rules_io.export_rules() == out.getvalue()
        assert Ticket.objects.count() == 0  # importing rules never touches tickets
