"""Hard edges from issue 13: each request here answered 500 (or misled) before, and now gets a clear 4xx.

- JSON bodies nested 100,000 deep, or a comment nested 2,000 deep (RecursionError), and duplicate keys (last won).
- A form or JSON body declaring `charset=zlib_codec`, `rot13` or any charset other than UTF-8: a traceback of
  several kilobytes in the log per request (52 KB on older Django, with a 500).
- Admin list filters holding a NUL (a 500 on PostgreSQL) or naming no choice, and action selections that are no IDs.
- Password reset pages while no mail is configured ("sent", while nothing could be).
- Client addresses behind a proxy: the audit trail and login throttling see the proxy unless it is declared.
- `GET /api/v1/` answered 404.
"""

from __future__ import annotations

import json
import logging
import types

import pytest
from django.core import mail
from django.test import Client
from django.urls import clear_url_caches

from approvals.api.docs import build_schema
from approvals.api.parsers import MAX_DEPTH
from approvals.models import AuditEntry, Callback, Ticket
from approvals.tickets import services
from config.http import client_ip
from config.urls import build_urlpatterns
from tests.factories import RuleFactory, TicketFactory, UserFactory

pytestmark = pytest.mark.django_db

LOG_LIMIT = 2048


@pytest.fixture
def reviewer():
    return UserFactory(username="rita")


@pytest.fixture
def ticket(reviewer):
    return TicketFactory(matched=[RuleFactory(name="etl", reviewer_users=[reviewer])])


@pytest.fixture
def rita(reviewer):
    client = Client(raise_request_exception=False)
    client.force_login(reviewer)
    return client


def _post_raw(client, url, body, content_type="application/json", **extra):
    return client.generic("POST", url, body.encode() if isinstance(body, str) else body, content_type, **extra)


def _unchanged(ticket):
    ticket.refresh_from_db()
    return ticket.status == Ticket.Status.PENDING and not ticket.audit.exclude(action="CREATED").exists()


# --- JSON bodies of the API ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        "[" * 100_000 + "]" * 100_000,
        '{"comment": ' + "[" * 2_000 + "]" * 2_000 + "}",
        '{"comment": ' + '{"a": ' * 2_000 + "1" + "}" * 2_000 + "}",
    ],
    ids=["body-100000-deep", "comment-2000-deep-arrays", "comment-2000-deep-objects"],
)
@pytest.mark.parametrize("action", ["approve", "warn", "reject"])
def test_deeply_nested_json_is_a_400_naming_the_body(rita, ticket, action, body):
    response = _post_raw(rita, f"/api/v1/tickets/{ticket.pk}/{action}", body)

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    error = response.json()["error"]
    assert (error["code"], error["field"]) == ("parse_error", "body")
    assert f"more than {MAX_DEPTH} levels" in error["message"]
    assert _unchanged(ticket)


def test_nesting_up_to_the_limit_reaches_validation_and_one_more_level_does_not(rita, ticket):
    url = f"/api/v1/tickets/{ticket.pk}/reject"
    at_limit = '{"comment": ' + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1) + "}"
    beyond = '{"comment": ' + "[" * MAX_DEPTH + "]" * MAX_DEPTH + "}"
    brackets_in_a_string = json.dumps({"comment": "[" * 1_900 + "{" * 1_900})

    assert _post_raw(rita, url, at_limit).json()["error"]["code"] == "invalid"  # a list is not a comment
    assert _post_raw(rita, url, beyond).json()["error"]["code"] == "parse_error"
    decided = _post_raw(rita, url, brackets_in_a_string)
    assert decided.status_code == 200, decided.content
    assert decided.json()["status"] == "REJECTED"


@pytest.mark.parametrize(
    "body",
    ['{"comment": "harmless", "comment": "the one that counts"}', '{"comment": "x", "extra": {"a": 1, "a": 2}}'],
)
def test_duplicate_keys_are_refused_as_the_webhook_refuses_them(rita, ticket, body):
    response = _post_raw(rita, f"/api/v1/tickets/{ticket.pk}/reject", body)

    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["code"], error["field"]) == ("parse_error", "body")
    assert "twice" in error["message"]
    assert _unchanged(ticket)


@pytest.mark.parametrize("body", ['{"comment": NaN}', '{"comment": "x"} trailing', b'{"comment": "\xff"}'])
def test_other_bodies_that_are_not_strict_json_are_parse_errors(rita, ticket, body):
    response = _post_raw(rita, f"/api/v1/tickets/{ticket.pk}/reject", body)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"
    assert _unchanged(ticket)


def test_a_body_larger_than_the_upload_limit_is_refused_unread(rita, ticket, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    body = json.dumps({"comment": "x" * 2000})

    response = _post_raw(rita, f"/api/v1/tickets/{ticket.pk}/reject", body)

    assert response.status_code == 400
    assert response.json()["error"]["message"] == "The body is larger than 1024 bytes."
    assert _unchanged(ticket)


# --- Charsets ------------------------------------------------------------------------------------------------------

BAD_CHARSETS = ["zlib_codec", "rot13", "base64_codec", "no-such-charset", "utf-16", "latin-1"]


@pytest.mark.parametrize("charset", BAD_CHARSETS)
def test_login_with_a_charset_that_is_not_utf8_is_a_400_with_one_short_log_line(caplog, charset):
    UserFactory(username="alice")
    client = Client(raise_request_exception=False)
    caplog.set_level(logging.INFO)

    response = _post_raw(
        client,
        "/accounts/login/",
        b"username=alice&password=correct-horse-battery",
        f"application/x-www-form-urlencoded; charset={charset}",
    )

    assert response.status_code == 400
    assert b"charset" in response.content
    assert "_auth_user_id" not in client.session
    assert len(caplog.text) < LOG_LIMIT, caplog.text
    assert "Traceback" not in caplog.text


@pytest.mark.parametrize("charset", ["zlib_codec", "rot13", "no-such-charset"])
def test_decide_with_a_bad_charset_is_a_400_logged_in_or_not(caplog, rita, ticket, charset):
    content_type = f"application/x-www-form-urlencoded; charset={charset}"
    anonymous = Client(raise_request_exception=False, enforce_csrf_checks=True)
    anonymous.cookies["csrftoken"] = "a" * 32
    caplog.set_level(logging.INFO)

    as_nobody = _post_raw(
        anonymous,
        f"/tickets/{ticket.pk}/decide",
        b"action=reject&comment=x&csrfmiddlewaretoken=" + b"a" * 32,
        content_type,
    )
    as_reviewer = _post_raw(rita, f"/tickets/{ticket.pk}/decide", b"action=reject&comment=no", content_type)

    assert (as_nobody.status_code, as_reviewer.status_code) == (400, 400)
    assert len(caplog.text) < 2 * LOG_LIMIT, caplog.text
    assert "Traceback" not in caplog.text
    assert _unchanged(ticket)


@pytest.mark.parametrize("url", ["/api/v1/tickets/{pk}/reject", "/events/eventbridge/"])
def test_the_api_and_the_webhook_answer_a_bad_charset_with_their_json_error(rita, ticket, url):
    response = _post_raw(rita, url.format(pk=ticket.pk), '{"comment": "no"}', "application/json; charset=zlib_codec")

    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["code"], error["field"]) == ("unsupported_charset", "Content-Type")
    assert _unchanged(ticket)


@pytest.mark.parametrize("charset", ["utf-8", "UTF-8", "utf8", '"utf-8"', "us-ascii"])
def test_utf8_and_ascii_pass_under_any_of_their_names(charset):
    UserFactory(username="alice")
    client = Client()

    response = _post_raw(
        client,
        "/accounts/login/",
        b"username=alice&password=correct-horse-battery",
        f"application/x-www-form-urlencoded; charset={charset}",
    )

    assert response.status_code == 302
    assert client.session["_auth_user_id"]


# --- The admin ---------------------------------------------------------------------------------------------------

TICKETS_URL = "/admin/approvals/ticket/"


@pytest.fixture
def staff():
    client = Client(raise_request_exception=False)
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize(
    ("url", "params"),
    [
        (TICKETS_URL, {"status__exact": "\x00"}),
        (TICKETS_URL, {"callback_status__exact": "SENT\x00"}),
        (TICKETS_URL, {"event_code": "commit-file\x00"}),
        (TICKETS_URL, {"q": "orders\x00"}),
        (TICKETS_URL, {"status__exact": "NO_SUCH_STATUS"}),
        (TICKETS_URL, {"status__in": "PENDING,NOPE"}),
        ("/admin/approvals/callback/", {"state__exact": "\x00"}),
        ("/admin/approvals/callback/", {"result__exact": "MAYBE"}),
        ("/admin/approvals/auditentry/", {"action__exact": "\x00"}),
    ],
)
def test_admin_list_filters_that_cannot_match_are_an_invalid_lookup_not_a_500(staff, ticket, url, params):
    # On PostgreSQL a NUL in a parameter was a 500; SQLite compared it. Both now answer Django's invalid lookup.
    response = staff.get(url, params)

    assert response.status_code == 302
    assert response["Location"].endswith("?e=1")
    assert staff.get(url, {**params, "e": "1"}).status_code == 200  # Django's "invalid lookup" page


def test_admin_list_filters_with_real_choices_still_filter(staff, ticket):
    response = staff.get(TICKETS_URL, {"status__exact": "PENDING", "status__in": "PENDING,APPROVED"})

    assert response.status_code == 200
    assert [t.pk for t in response.context["cl"].result_list] == [ticket.pk]


@pytest.fixture
def callback(reviewer, ticket):
    services.ticket_approve(ticket_id=ticket.pk, user=reviewer, comment="ship it")
    return Callback.objects.get(ticket=ticket)


@pytest.mark.parametrize("selected", [["abc"], ["1", "abc"], ["1e3"], ["-1"], [str(2**64)], ["\x00"]])
@pytest.mark.parametrize("action", ["retry_now", "mark_resolved"])
def test_delivery_actions_with_a_selection_that_is_no_ids_do_nothing_and_say_so(staff, callback, action, selected):
    before = AuditEntry.objects.count()

    response = staff.post(
        "/admin/approvals/callback/", {"action": action, "index": "0", "_selected_action": selected, "reason": "x"}
    )

    assert response.status_code == 302
    page = staff.get(response["Location"])
    assert "nothing was done" in page.content.decode()
    assert AuditEntry.objects.count() == before


def test_retry_now_with_a_real_selection_still_runs(staff, callback):
    response = staff.post(
        "/admin/approvals/callback/", {"action": "retry_now", "index": "0", "_selected_action": [str(callback.pk)]}
    )

    assert response.status_code == 302
    assert "Queued 1 deliveries" in staff.get(response["Location"]).content.decode()


def test_ticket_and_audit_lists_refuse_a_selection_that_is_no_ids(staff, ticket):
    for url in (TICKETS_URL, "/admin/approvals/auditentry/"):
        response = staff.post(url, {"action": "delete_selected", "index": "0", "_selected_action": ["abc"]})
        assert response.status_code in (200, 302)
    assert Ticket.objects.filter(pk=ticket.pk).exists()


# --- Password reset ----------------------------------------------------------------------------------------------

RESET_URLS = ["/accounts/password_reset/", "/accounts/password_reset/done/", "/accounts/reset/MQ/set-password/"]


def test_without_mail_password_reset_is_not_there_and_the_login_page_does_not_offer_it(client, settings):
    assert not settings.MAIL_CONFIGURED
    for url in [*RESET_URLS, "/accounts/reset/done/"]:
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"email": "rita@example.invalid"}).status_code == 404, url
    login = client.get("/accounts/login/").content.decode()
    assert "password_reset" not in login and "Forgotten" not in login
    assert mail.outbox == []


@pytest.fixture
def site_with_mail(settings):
    settings.EMAIL_HOST = "smtp.example.invalid"
    settings.MAIL_CONFIGURED = settings.REVIEW_GATE_PASSWORD_RESET = True
    urlconf = types.ModuleType("urls_with_password_reset")
    urlconf.urlpatterns = build_urlpatterns(password_reset=True)  # type: ignore[attr-defined]
    settings.ROOT_URLCONF = urlconf
    yield
    clear_url_caches()


def test_with_mail_configured_password_reset_sends_its_link(client, reviewer, site_with_mail):
    login = client.get("/accounts/login/").content.decode()
    sent = client.post("/accounts/password_reset/", {"email": reviewer.email})

    assert 'href="/accounts/password_reset/"' in login
    assert sent.status_code == 302 and sent["Location"] == "/accounts/password_reset/done/"
    assert client.get(sent["Location"]).status_code == 200
    assert len(mail.outbox) == 1 and "/accounts/reset/" in mail.outbox[0].body


# --- Client addresses behind a proxy ------------------------------------------------------------------------------


def _request(remote="10.0.0.2", forwarded=None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return types.SimpleNamespace(META=meta)


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (0, "203.0.113.7", "10.0.0.2"),  # no proxy declared: X-Forwarded-For is the client's to write
        (1, "203.0.113.7", "203.0.113.7"),
        (1, "198.51.100.1, 203.0.113.7", "203.0.113.7"),  # the client wrote the first one itself
        (2, "198.51.100.1, 203.0.113.7, 10.0.0.9", "203.0.113.7"),
        (2, "203.0.113.7", "10.0.0.2"),  # fewer hops than declared: not through the proxies
        (1, "not-an-address", "10.0.0.2"),
        (1, "", "10.0.0.2"),
        (1, None, "10.0.0.2"),
        (1, " 2001:db8::1 ", "2001:db8::1"),
        (1, "fe80::1%eth0", "10.0.0.2"),
        (1, "203.0.113.7:4431", "10.0.0.2"),
    ],
)
def test_client_ip_trusts_exactly_the_declared_proxies(settings, count, forwarded, expected):
    settings.REVIEW_GATE_PROXY_COUNT = count

    assert client_ip(_request(forwarded=forwarded)) == expected


def _fail_logins(client, username, address, times):
    for _ in range(times):
        client.post("/accounts/login/", {"username": username, "password": "wrong"}, HTTP_X_FORWARDED_FOR=address)


def test_without_a_declared_proxy_throttling_sees_only_the_proxy_address(settings):
    UserFactory(username="alice")
    _fail_logins(Client(), "alice", "203.0.113.66", settings.AXES_FAILURE_LIMIT)

    alice = Client().post(
        "/accounts/login/",
        {"username": "alice", "password": "correct-horse-battery"},
        HTTP_X_FORWARDED_FOR="198.51.100.5",
    )

    assert alice.status_code == 429  # everyone behind the proxy shares one address: alice is locked out too


def test_with_a_declared_proxy_throttling_locks_out_the_guesser_only(settings):
    settings.REVIEW_GATE_PROXY_COUNT = 1
    UserFactory(username="alice")
    _fail_logins(Client(), "alice", "203.0.113.66", settings.AXES_FAILURE_LIMIT)

    guesser = Client().post(
        "/accounts/login/",
        {"username": "alice", "password": "correct-horse-battery"},
        HTTP_X_FORWARDED_FOR="203.0.113.66",
    )
    alice = Client().post(
        "/accounts/login/",
        {"username": "alice", "password": "correct-horse-battery"},
        HTTP_X_FORWARDED_FOR="198.51.100.5",
    )

    assert guesser.status_code == 429
    assert alice.status_code == 302


@pytest.mark.parametrize(("count", "recorded"), [(0, "127.0.0.1"), (1, "203.0.113.7")])
def test_the_audit_trail_records_the_client_behind_a_declared_proxy(settings, rita, ticket, count, recorded):
    settings.REVIEW_GATE_PROXY_COUNT = count

    response = rita.post(
        f"/api/v1/tickets/{ticket.pk}/reject",
        {"comment": "no"},
        "application/json",
        HTTP_X_FORWARDED_FOR="203.0.113.7",
    )

    assert response.status_code == 200
    assert ticket.audit.get(action=AuditEntry.Action.REJECTED).ip_address == recorded


# --- The API root --------------------------------------------------------------------------------------------------


def test_the_api_root_links_tickets_schema_and_docs_and_stays_out_of_the_schema(client):
    response = client.get("/api/v1/")

    assert response.status_code == 200
    body = response.json()
    assert body["tickets"] == "http://testserver/api/v1/tickets/"
    assert body["schema"] == "http://testserver/api/v1/schema/"
    assert body["docs"] == "http://testserver/api/v1/docs/"
    assert client.get(body["docs"]).status_code == 200
    assert client.get("/api/v1/nothing-here").status_code == 404
    assert "/api/v1/" not in build_schema()["paths"]
