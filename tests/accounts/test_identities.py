"""External identities: imported by corporate e-mail (unverified), typed in by admins (unverified), used only to
mention people; quiet hours and mute for direct messages."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.directory import direct_message_hold, identities_by_user
from accounts.models import ContactPreferences, ExternalIdentity
from accounts.services import identities_import_csv
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
HEADER = "email,provider,tenant,external_id,mobile\n"


def test_rows_match_users_by_email_case_insensitively_and_are_unverified():
    alice = UserFactory(username="alice", email="Alice@Example.com")

    result = identities_import_csv(HEADER + "alice@example.COM,dingtalk,corp1,manager4711,\n")

    assert (result.created, result.updated, result.problems) == (1, 0, [])
    identity = ExternalIdentity.objects.get()
    assert (identity.user, identity.external_id, identity.verified, identity.source) == (
        alice,
        "manager4711",
        False,
        ExternalIdentity.Source.IMPORT,
    )


def test_bad_rows_are_refused_with_their_line_and_the_rest_is_written():
    UserFactory(username="alice", email="alice@example.com")
    UserFactory(username="twin1", email="twin@example.com")
    UserFactory(username="twin2", email="twin@example.com")
    text = HEADER + (
        "alice@example.com,feishu,,ou_123,\n"
        "nobody@example.com,feishu,,ou_999,\n"  # line 3: no such user
        "twin@example.com,feishu,,ou_777,\n"  # line 4: shared address: never guess
        "alice@example.com,pager,,x,\n"  # line 5: unknown platform
        "alice@example.com,dingtalk,,,\n"  # line 6: neither id nor mobile
    )

    result = identities_import_csv(text)

    assert result.created == 1
    assert [line for line, _problem in result.problems] == [3, 4, 5, 6]
    assert ExternalIdentity.objects.count() == 1


def test_an_id_that_belongs_to_someone_else_is_refused():
    alice, bob = UserFactory(username="alice", email="a@x.cn"), UserFactory(username="bob", email="b@x.cn")
    ExternalIdentity.objects.create(user=alice, provider="slack", external_id="U1")

    result = identities_import_csv(HEADER + "b@x.cn,slack,,U1,\n")

    assert result.created == 0 and "another user" in result.problems[0][1]
    assert identities_by_user([alice.pk, bob.pk], "slack")[alice.pk].external_id == "U1"


def test_the_command_reports_and_fails_on_refused_rows(tmp_path, capsys):
    UserFactory(username="alice", email="alice@example.com")
    path = tmp_path / "ids.csv"
    path.write_text(HEADER + "alice@example.com,wecom,,zhangsan,\nghost@example.com,wecom,,x,\n", encoding="utf-8")

    with pytest.raises(CommandError):
        call_command("import_identities", str(path), "--dry-run")
    assert ExternalIdentity.objects.count() == 0  # a dry run writes nothing
    out = capsys.readouterr()
    assert "line 3" in out.err


def test_missing_columns_are_named():
    result = identities_import_csv("email,provider\n")
    assert "external_id" in result.problems[0][1]


@pytest.mark.parametrize(
    ("quiet", "moment", "held_until"),
    [
        ((time(22), time(8)), "2026-11-30T23:30", "2026-12-01T08:00"),  # across midnight
        ((time(22), time(8)), "2026-12-01T07:59", "2026-12-01T08:00"),
        ((time(22), time(8)), "2026-12-01T08:00", None),
        ((time(12), time(13)), "2026-12-01T12:30", "2026-12-01T13:00"),
    ],
)
def test_quiet_hours_hold_direct_messages_until_they_end(settings, quiet, moment, held_until):
    settings.TIME_ZONE = "Asia/Shanghai"
    zone = ZoneInfo("Asia/Shanghai")
    user = UserFactory(username="q")
    ContactPreferences.objects.create(user=user, quiet_from=quiet[0], quiet_until=quiet[1])

    muted, until = direct_message_hold(user, datetime.fromisoformat(moment).replace(tzinfo=zone))

    assert not muted
    expected = datetime.fromisoformat(held_until).replace(tzinfo=zone) if held_until else None
    assert until == expected


def test_admins_typing_an_identity_never_make_it_verified(admin_client):
    user = UserFactory(username="typed")

    response = admin_client.post(
        "/admin/accounts/externalidentity/add/",
        {"user": user.pk, "provider": "dingtalk", "tenant": "", "external_id": "d-1", "mobile": "", "source": "login"},
    )

    assert response.status_code == 302
    identity = ExternalIdentity.objects.get()
    assert (identity.verified, identity.source) == (False, ExternalIdentity.Source.ADMIN)
