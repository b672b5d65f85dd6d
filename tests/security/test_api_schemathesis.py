"""Schemathesis against the JSON API's own OpenAPI schema, with a real DRF token of a reviewer who has tickets.

Transport: schemathesis' WSGI support, calling `config.wsgi.application` in the test's thread, rather than
`live_server`. It needs no server thread and no transactional database (the requests see the factories' rows through
the test's own connection, and everything is rolled back afterwards), so it is several times faster, and it still
runs the whole Django stack (middleware, URL routing, DRF, the exception handler) as a server would; only the HTTP
server is left out, and the browser tests go through one. The schema is loaded at import from `/api/v1/schema/`:
`schemathesis.pytest.from_fixture` (lazy loading) fails under pytest 9 (it sets `node._nodeid`), and for the same
reason the five collected items share one node ID (a failure's title still names its operation).

Each of the five operations gets `MAX_EXAMPLES` generated cases, positive and negative (schemathesis' "all" modes):
`GENERATED_CASES` in all, plus the probes the checks send. Path IDs are mostly aimed at real tickets (hers in every
state, her own change, one hidden from her). Checks: every built-in one (no 5xx; status codes, content types,
headers and bodies as documented; schema-invalid input refused and schema-valid input accepted; a request without
the token, or with a wrong one, refused), plus `json_error_body`: every error is the API's JSON error body.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token

from approvals.models import ReviewerProfile, Ticket
from tests.factories import GroupFactory, RuleFactory, TicketFactory, UserFactory

pytestmark = pytest.mark.django_db

MAX_EXAMPLES = 100
OPERATIONS = 5  # list, detail, approve, warn, reject
GENERATED_CASES = OPERATIONS * MAX_EXAMPLES  # 500, plus the probes schemathesis' checks send
SCHEMA_URL = "/api/v1/schema/?format=json"


@schemathesis.check
def json_error_body(ctx: Any, response: Any, case: Any) -> bool | None:
    """Every 4xx of the API is `{"error": {"code": str, "message": str, "field"?: str, "details"?: {...}}}`."""
    if response.status_code < 400:
        return None
    content_type = {k.lower(): v for k, v in response.headers.items()}.get("content-type", [""])[0]
    assert content_type.startswith("application/json"), response.headers
    body = response.json()
    assert set(body) == {"error"}, body
    error = body["error"]
    assert isinstance(error.get("code"), str) and error["code"], body
    assert isinstance(error.get("message"), str) and error["message"].strip(), body
    assert set(error) <= {"code", "message", "field", "details"}, body
    return True


@pytest.fixture(autouse=True)
def _keep_the_test_connection_open() -> Any:
    """Do what Django's test client does: a request must not close the connection that holds the test transaction."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def reviewer_world() -> dict[str, Any]:
    """A reviewer (by name and by group) of several tickets in every state, and tickets they may not see."""
    reviewer = UserFactory(username="rita")
    dba = GroupFactory(name="dba")
    reviewer.groups.add(dba)
    rule = RuleFactory(name="etl", reviewer_users=[reviewer])
    pair = RuleFactory(name="pair", reviewer_groups=[dba], min_approvals=2)
    tickets = [
        TicketFactory(matched=[rule]),
        TicketFactory(matched=[rule], old_config="cron: 1\n", new_config="cron: 2\n"),
        TicketFactory(matched=[pair], new_content="SELECT 1;\r\nSELECT '\u202e';"),
        TicketFactory(matched=[rule], status=Ticket.Status.PREPARING),
        TicketFactory(matched=[rule], status=Ticket.Status.NEEDS_ATTENTION, attention_reason="DataWorks said no"),
        TicketFactory(matched=[rule], event__event_code="freeze-node", event_code="freeze-node", project_id=7),
        TicketFactory(matched=[rule], operator_uid="rita-uid"),  # her own change: 403 on every decision
    ]
    ReviewerProfile.objects.create(user=reviewer, dataworks_uid="rita-uid")
    hidden = TicketFactory(matched=[RuleFactory(name="not-hers", reviewer_users=[UserFactory(username="x")])])
    KNOWN_IDS[:] = [*(t.pk for t in tickets), hidden.pk]
    CURRENT_TOKEN[:] = [Token.objects.create(user=reviewer).key]
    return {"token": CURRENT_TOKEN[0], "ids": KNOWN_IDS[:-1], "hidden": hidden.pk}


def _load_schema() -> Any:
    from config.wsgi import application

    config = schemathesis.Config.from_dict(
        {"generation": {"mode": "all", "max-examples": MAX_EXAMPLES, "database": "none"}}
    )
    # Loaded at import, from the running app's public schema endpoint (it reads no database row).
    return schemathesis.openapi.from_wsgi(SCHEMA_URL, application, config=config)


schema = _load_schema()
KNOWN_IDS: list[int] = []  # the tickets of the running test, set by `reviewer_world`
CURRENT_TOKEN: list[str] = []  # the reviewer's DRF token of the running test


@schema.auth(refresh_interval=None)  # a new token per test: never reuse one from a cache
class ReviewerToken:
    """The reviewer's real DRF token, as `Authorization: Token <key>`; schemathesis also probes without it."""

    def get(self, case: Any, context: Any) -> str:
        return CURRENT_TOKEN[0] if CURRENT_TOKEN else "no-test-running"  # asked once at collection, too

    def set(self, case: Any, data: str, context: Any) -> None:
        case.headers = {**(case.headers or {}), "Authorization": f"Token {data}"}


@schema.hook
def flatmap_path_parameters(context: Any, path_parameters: dict[str, Any]) -> Any:
    """Aim most cases at real tickets (hers, and one hidden from her): random int64 IDs almost never exist."""
    generated = path_parameters.get("ticket_id") if isinstance(path_parameters, dict) else None
    if not isinstance(generated, int) or isinstance(generated, bool):
        return st.just(path_parameters)  # a negative case (not an integer): keep it as generated
    return st.sampled_from([*KNOWN_IDS, generated]).map(lambda ticket_id: {**path_parameters, "ticket_id": ticket_id})


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_the_api_keeps_to_its_schema(case, reviewer_world):
    # Schemathesis' WSGI transport asks for gzip but does not decode it (real clients do; compression has its own
    # tests in tests/approvals/test_ticket_page.py): ask for the identity encoding.
    case.call_and_validate(headers={"Accept-Encoding": "identity"}, additional_checks=[json_error_body])
