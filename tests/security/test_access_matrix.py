"""Object-level access control as one table: every kind of user against every way to read or decide a ticket.

Each cell runs on a fresh database: one PENDING ticket of workspace 98764, matched by the rule "etl" whose only
reviewer is `reviewer`; `other_reviewer` reviews a rule (and a ticket) of another workspace; `operator` is the
DataWorks user who triggered the change. The cell states the exact status and what must be true afterwards.
Then: CSRF on every HTML form POST, and an API token that opens the API but not the admin or the UI.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from rest_framework.authtoken.models import Token

from approvals.models import AuditEntry, Callback, Ticket
from tests.factories import RuleFactory, TicketFactory, UserFactory

pytestmark = pytest.mark.django_db

OPERATOR_UID = "193745001735"  # TicketFactory's event operator
USERS = (
    "anonymous",
    "unrelated",
    "other_reviewer",
    "reviewer",
    "operator",
    "staff",
    "staff_override",
    "superuser",
)
ACTIONS = (
    "ui_list",
    "ui_detail",
    "ui_decide",
    "ui_override",
    "api_list",
    "api_detail",
    "api_approve",
    "api_reject",
    "admin_tickets",
    "admin_rules",
)
# Each cell: the status, then what must hold afterwards.
#   L  redirected to a login page                  B  redirected back to the ticket page (the refusal is a message)
#   +  the ticket is in the list                   -  the ticket is not in the list
#   A  the ticket is now APPROVED                  R  the ticket is now REJECTED
# In every cell without A or R the ticket stays PENDING, with no new audit entry and no result to deliver.
MATRIX: dict[str, str] = {
    #                 ui_list ui_detail ui_decide ui_override api_list api_detail api_approve api_reject adm_tkt adm_rul
    "anonymous": "     302L    302L      302L      302L        401      401        401         401        302L    302L",
    "unrelated": "     200-    404       404       404         200-     404        404         404        302L    302L",
    "other_reviewer": "200-    404       404       404         200-     404        404         404        302L    302L",
    "reviewer": "      200+    200       302A      302B        200+     200        200A        200R       302L    302L",
    "operator": "      200+    200       302B      302B        200+     200        403         403        302L    302L",
    "staff": "         200+    200       302B      302B        200+     200        403         403        403     403",
    "staff_override": "200+    200       302B      302R        200+     200        403         403        403     403",
    "superuser": "     200+    200       302B      302R        200+     200        403         403        200     200",
}
EFFECTS = {"L": "login", "B": "back", "+": "listed", "-": "hidden", "A": "APPROVED", "R": "REJECTED", "": ""}


def _cell(text: str) -> str:
    """Turn "302A" into "302 APPROVED" (status, then effect)."""
    return f"{text[:3]} {EFFECTS[text[3:]]}".strip()


CELLS = [(user, action, _cell(MATRIX[user].split()[i])) for user in USERS for i, action in enumerate(ACTIONS)]


@dataclass
class World:
    ticket: Ticket
    users: dict[str, Any]


@pytest.fixture
def world() -> World:
    reviewer = UserFactory(username="rita")
    other_reviewer = UserFactory(username="oscar")
    ticket = TicketFactory(matched=[RuleFactory(name="etl", projects=[98764], reviewer_users=[reviewer])])
    other_rule = RuleFactory(name="other-workspace", projects=[5555], reviewer_users=[other_reviewer])
    TicketFactory(matched=[other_rule], project_id=5555, title="theirs")  # so their lists are not empty
    staff_override = UserFactory(username="sol", is_staff=True)
    staff_override.user_permissions.add(Permission.objects.get(codename="override_decision"))
    users = {
        "anonymous": None,
        "unrelated": UserFactory(username="uma"),
        "other_reviewer": other_reviewer,
        "reviewer": reviewer,
        "operator": UserFactory(username="otto", dataworks_uid=OPERATOR_UID),
        "staff": UserFactory(username="stan", is_staff=True),
        "staff_override": staff_override,
        "superuser": UserFactory(username="root", is_staff=True, is_superuser=True),
    }
    return World(ticket=ticket, users=users)


def _client(user: Any, *, api: bool) -> Client:
    """The browser's session for UI and admin actions; a real DRF token (no session) for the API."""
    if user is None:
        return Client()
    if api:
        return Client(headers={"Authorization": f"Token {Token.objects.create(user=user).key}"})
    client = Client()
    client.force_login(user)
    return client


def _perform(action: str, client: Client, ticket: Ticket) -> Any:
    pk = ticket.pk
    if action == "ui_list":
        return client.get("/")
    if action == "ui_detail":
        return client.get(f"/tickets/{pk}/")
    if action == "ui_decide":
        return client.post(f"/tickets/{pk}/decide", {"action": "approve", "comment": "looks fine"})
    if action == "ui_override":
        return client.post(f"/tickets/{pk}/override", {"result": "FAIL", "reason": "incident 42"})
    if action == "api_list":
        return client.get("/api/v1/tickets/")
    if action == "api_detail":
        return client.get(f"/api/v1/tickets/{pk}/")
    if action == "api_approve":
        return client.post(f"/api/v1/tickets/{pk}/approve", {}, content_type="application/json")
    if action == "api_reject":
        return client.post(f"/api/v1/tickets/{pk}/reject", {"comment": "no"}, content_type="application/json")
    if action == "admin_tickets":
        return client.get("/admin/approvals/ticket/")
    if action == "admin_rules":
        return client.get("/admin/approvals/rule/")
    raise AssertionError(action)


def _listed(action: str, response: Any, ticket: Ticket) -> bool:
    if action == "api_list":
        return ticket.pk in [row["id"] for row in response.json()["results"]]
    return f'href="/tickets/{ticket.pk}/"' in response.content.decode()


@pytest.mark.parametrize(("user", "action", "expected"), CELLS, ids=[f"{u}-{a}" for u, a, _ in CELLS])
def test_access_matrix(world, user, action, expected):
    status, _, effect = expected.partition(" ")
    ticket = world.ticket
    audit_before = ticket.audit.count()

    response = _perform(action, _client(world.users[user], api=action.startswith("api_")), ticket)

    assert response.status_code == int(status), (response.status_code, response.content[:300])
    if action.startswith("api_"):
        assert response["Content-Type"] == "application/json"
        if response.status_code >= 400:
            assert set(response.json()["error"]) >= {"code", "message"}
        if action == "api_detail" and response.status_code == 200:
            assert response.json()["id"] == ticket.pk
    if effect == "login":
        assert re.match(r"^/(accounts|admin)/login/", response["Location"]), response["Location"]
    elif effect in ("back", "APPROVED", "REJECTED") and response.status_code == 302:
        # A refused decision goes back to the form (post-redirect-get), where the reason is shown.
        anchor = "#decide" if effect == "back" and action == "ui_decide" else ""
        assert response["Location"] == f"/tickets/{ticket.pk}/{anchor}"
    elif effect in ("listed", "hidden"):
        assert _listed(action, response, ticket) is (effect == "listed")
    elif action == "ui_detail" and response.status_code == 200:
        assert ticket.message_id in response.content.decode()

    ticket.refresh_from_db()
    if effect in ("APPROVED", "REJECTED"):
        assert ticket.status == effect
        assert ticket.decided_by == world.users[user]
        assert Callback.objects.filter(ticket=ticket).count() == 1
    else:
        assert ticket.status == Ticket.Status.PENDING
        assert ticket.audit.count() == audit_before
        assert not Callback.objects.exists()


def test_the_matrix_covers_every_user_and_action():
    assert set(MATRIX) == set(USERS)
    assert all(len(row.split()) == len(ACTIONS) for row in MATRIX.values())


# --- CSRF on every HTML form POST ----------------------------------------------------------------------------------


def _csrf_client(user: Any = None) -> Client:
    client = Client(enforce_csrf_checks=True)
    if user is not None:
        client.force_login(user)
    return client


def _token_from(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.content.decode())
    assert match, f"no CSRF token in the form of {url}"
    return match.group(1)


@pytest.mark.parametrize(
    ("who", "path", "data", "after"),
    [
        ("reviewer", "decide", {"action": "reject", "comment": "no"}, Ticket.Status.REJECTED),
        ("superuser", "override", {"result": "FAIL", "reason": "incident 42"}, Ticket.Status.REJECTED),
    ],
)
def test_ticket_forms_need_the_csrf_token(world, who, path, data, after):
    ticket = world.ticket
    client = _csrf_client(world.users[who])
    url = f"/tickets/{ticket.pk}/{path}"

    refused = client.post(url, data)

    assert refused.status_code == 403
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.PENDING
    assert not ticket.audit.exclude(action=AuditEntry.Action.CREATED).exists()
    # The same form with the token from the page goes through: the 403 was the CSRF check, nothing else.
    token = _token_from(client, f"/tickets/{ticket.pk}/")
    accepted = client.post(url, {**data, "csrfmiddlewaretoken": token})
    assert accepted.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == after


def test_logout_needs_the_csrf_token(world):
    client = _csrf_client(world.users["reviewer"])

    assert client.post("/accounts/logout/").status_code == 403
    assert client.get("/").status_code == 200  # still logged in

    token = _token_from(client, "/")
    assert client.post("/accounts/logout/", {"csrfmiddlewaretoken": token}).status_code == 302
    assert client.get("/").status_code == 302


def test_login_needs_the_csrf_token(world):
    client = _csrf_client()
    credentials = {"username": "rita", "password": "correct-horse-battery"}

    assert client.post("/accounts/login/", credentials).status_code == 403
    assert "_auth_user_id" not in client.session

    token = _token_from(client, "/accounts/login/")
    response = client.post("/accounts/login/", {**credentials, "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(world.users["reviewer"].pk)


def test_admin_forms_need_the_csrf_token(world):
    client = _csrf_client(world.users["superuser"])

    response = client.post("/admin/approvals/rule/add/", {"name": "sneaky", "min_approvals": 1, "on_timeout": "FAIL"})

    assert response.status_code == 403
    assert not world.ticket.rules.model.objects.filter(name="sneaky").exists()


def test_api_decisions_with_the_session_need_the_csrf_header(world):
    ticket = world.ticket
    client = _csrf_client(world.users["reviewer"])
    url = f"/api/v1/tickets/{ticket.pk}/reject"

    refused = client.post(url, {"comment": "no"}, content_type="application/json")

    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "permission_denied"
    assert refused.json()["error"]["message"].startswith("CSRF Failed")
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.PENDING
    token = _token_from(client, f"/tickets/{ticket.pk}/")
    accepted = client.post(url, {"comment": "no"}, content_type="application/json", headers={"X-CSRFToken": token})
    assert accepted.status_code == 200


# --- An API token opens the API, and nothing else ---------------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["/admin/", "/admin/approvals/ticket/", "/admin/approvals/rule/", "/admin/authtoken/tokenproxy/"]
)
def test_a_superuser_token_does_not_open_the_admin(world, url):
    client = _client(world.users["superuser"], api=True)
    assert client.get("/api/v1/tickets/").status_code == 200  # the token itself is good

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_a_token_does_not_open_the_browser_ui(world):
    client = _client(world.users["reviewer"], api=True)

    for url in ("/", f"/tickets/{world.ticket.pk}/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    response = client.post(f"/tickets/{world.ticket.pk}/decide", {"action": "approve"})
    assert response.status_code in (302, 403)
    world.ticket.refresh_from_db()
    assert world.ticket.status == Ticket.Status.PENDING
