"""Security controls: headers, login throttling, audited rule changes, append-only logs."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from approvals.models import AuditEntry, Rule, RuleChange
from approvals.rules.io import import_rules
from tests.factories import RuleFactory, TicketFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_pages_carry_a_csp_that_forbids_inline_script(client):
    client.force_login(UserFactory(username="viewer"))

    for url in ("/", "/accounts/login/", "/api/v1/tickets/"):
        policy = client.get(url)["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
        assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy


def test_standard_security_headers(client):
    response = client.get("/accounts/login/")

    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]


def test_failed_logins_are_throttled_per_username_and_address(client, settings):
    UserFactory(username="target")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "target", "password": "wrong"})

    locked = client.post("/accounts/login/", {"username": "target", "password": "correct-horse-battery"})

    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_correct_password_below_the_limit_logs_in(client):
    UserFactory(username="ok")
    client.post("/accounts/login/", {"username": "ok", "password": "wrong"})

    response = client.post("/accounts/login/", {"username": "ok", "password": "correct-horse-battery"})

    assert response.status_code == 302
    assert client.session["_auth_user_id"]


def test_admin_rule_changes_are_logged_with_who_and_where(admin_client, admin_user):
    reviewer = UserFactory(username="rev")
    form = {
        "name": "prod-sql",
        "enabled": "on",
        "projects": "123",
        "events": "commit-file",
        "paths": "",
        "file_types": "",
        "reviewers": [reviewer.pk],
        "min_approvals": "1",
        "timeout": "",
        "on_timeout": "FAIL",
        "auto_outcome": "",
    }
    response = admin_client.post("/admin/approvals/rule/add/", form, REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 302, response.content[:2000]
    rule = Rule.objects.get(name="prod-sql")

    admin_client.post(f"/admin/approvals/rule/{rule.pk}/delete/", {"post": "yes"}, REMOTE_ADDR="203.0.113.8")

    changes = list(RuleChange.objects.order_by("pk").values_list("action", "actor", "ip_address", "source"))
    assert changes == [
        ("CREATED", admin_user.pk, "203.0.113.7", "admin"),
        ("DELETED", admin_user.pk, "203.0.113.8", "admin"),
    ]
    assert RuleChange.objects.first().snapshot["reviewers"] == ["rev"]


def test_imported_rule_changes_are_logged(db):
    Group.objects.create(name="dba")
    import_rules(b'[[rules]]\nname = "a"\ngroups = ["dba"]\n')
    import_rules(b'[[rules]]\nname = "a"\ngroups = ["dba"]\nmin_approvals = 2\n')
    import_rules(b"", prune=True)

    assert list(RuleChange.objects.order_by("pk").values_list("action", "source")) == [
        ("CREATED", "import_rules"),
        ("UPDATED", "import_rules"),
        ("DELETED", "import_rules"),
    ]


def test_logs_are_append_only():
    ticket = TicketFactory(matched=[RuleFactory()])
    entry = AuditEntry.objects.create(ticket=ticket, action="CREATED")
    change = RuleChange.objects.create(rule_name="x", action="CREATED", source="admin")

    for record in (entry, change):
        with pytest.raises(ValueError, match="append-only"):
            record.delete()
        with pytest.raises(ValueError, match="append-only"):
            record.save()


def test_the_admin_never_shows_whole_api_tokens(admin_client):
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=UserFactory(username="apiuser"))

    listing = admin_client.get("/admin/authtoken/tokenproxy/").content.decode()
    detail = admin_client.get(f"/admin/authtoken/tokenproxy/{token.user_id}/change/")

    assert token.key[:6] in listing
    assert token.key not in listing
    assert detail.status_code in (302, 403) and token.key not in detail.content.decode()
