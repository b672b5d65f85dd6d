"""Channels as code: `[[channels]]` beside `[[rules]]` in the file import_rules / export_rules handle."""

from __future__ import annotations

from datetime import timedelta

import pytest

from approvals import rules as _rules  # noqa: F401 - the rules package registers nothing; notifications does
from approvals.models import Rule
from approvals.rules import io as rules_io
from approvals.rules.io import RulesFileError
from notifications.models import Channel
from tests.factories import GroupFactory, UserFactory

pytestmark = pytest.mark.django_db

FILE = """
[[channels]]
name = "sales-dingtalk"
kind = "dingtalk"
url_env = "SALES_DINGTALK_URL"
secret_env = "SALES_DINGTALK_SECRET"

[[channels]]
name = "sales-mail"
kind = "email"
to = ["sales-data@example.com"]

[[rules]]
name = "sales-prod"
projects = [10001]
reviewers = ["alice"]
notify = ["sales-dingtalk", "sales-mail"]
remind_every = "30m"
escalate_after = "4h"
escalate_to_group = "dba"
escalate_to_channel = "sales-dingtalk"
working_hours = true
"""


@pytest.fixture
def people():
    UserFactory(username="alice")
    GroupFactory(name="dba")


def test_the_issue_example_creates_channels_and_a_rule_that_names_them(people):
    result = rules_io.import_rules(FILE.encode())

    assert result.created == ["sales-prod"]
    assert sorted(result.sections) == ["channel sales-dingtalk: created", "channel sales-mail: created"]
    ding = Channel.objects.get(name="sales-dingtalk")
    assert (ding.kind, ding.url_env, ding.secret_env) == ("dingtalk", "SALES_DINGTALK_URL", "SALES_DINGTALK_SECRET")
    assert Channel.objects.get(name="sales-mail").to == ["sales-data@example.com"]
    rule = Rule.objects.get(name="sales-prod")
    assert rule.notify == ["sales-dingtalk", "sales-mail"]
    assert (rule.remind_every, rule.escalate_after) == (timedelta(minutes=30), timedelta(hours=4))
    assert (rule.escalate_to_group, rule.escalate_to_channel, rule.working_hours) == ("dba", "sales-dingtalk", True)


def test_export_then_import_then_export_is_byte_identical(people):
    rules_io.import_rules(FILE.encode())
    first = rules_io.export_rules()

    assert '[[channels]]\nname = "sales-dingtalk"' in first
    assert "SALES_DINGTALK_SECRET" in first  # the variable's name, never a value
    rules_io.import_rules(first.encode(), prune=True)
    assert rules_io.export_rules() == first


def test_a_rule_naming_an_unknown_channel_or_group_is_refused_with_its_line(people):
    text = FILE.replace('notify = ["sales-dingtalk", "sales-mail"]', 'notify = ["sales-dingtalk", "nowhere"]')
    text = text.replace('escalate_to_group = "dba"', 'escalate_to_group = "nobody"')

    with pytest.raises(RulesFileError) as caught:
        rules_io.import_rules(text.encode())

    found = {(p.line, p.field, p.message) for p in caught.value.problems}
    assert (17, "notify", "Unknown channel 'nowhere'.") in found
    assert (20, "escalate_to_group", "Unknown group 'nobody'.") in found
    assert Channel.objects.count() == 0 and Rule.objects.count() == 0  # nothing half-applied


@pytest.mark.parametrize(
    ("table", "field"),
    [
        ('name = "x"\nkind = "pager"\nurl_env = "X"', "kind"),
        ('name = "x"\nkind = "dingtalk"\nurl_env = "X"', "secret_env"),  # a robot must sign
        ('name = "x"\nkind = "webhook"\nurl_env = "lower_case"\nsecret_env = "S"', "url_env"),
        ('name = "x"\nkind = "email"\nto = ["not an address"]', "to"),
        ('name = "x y"\nkind = "email"', "name"),
        ('name = "x"\nkind = "slack"\nurl_env = "X"\nurl = "https://hooks.slack.com/services/T/B/SECRET"', "url"),
    ],
)
def test_bad_channels_are_refused_with_their_line_and_field(people, table, field):
    with pytest.raises(RulesFileError) as caught:
        rules_io.import_rules(f"\n[[channels]]\n{table}\n".encode())

    assert (2, field) in {(p.line, p.field) for p in caught.value.problems}


def test_a_dry_run_writes_no_channel(people):
    result = rules_io.import_rules(FILE.encode(), dry_run=True)

    assert result.sections and Channel.objects.count() == 0 and Rule.objects.count() == 0
