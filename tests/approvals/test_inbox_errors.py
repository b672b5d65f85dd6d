"""The error pages (403, 404, 500) in the app's style and language, saying what to do; 500 needs nothing."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django.views.defaults import server_error

from tests.factories import TicketFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_404_is_styled_and_says_what_to_do(client):
    client.force_login(UserFactory(username="rita"))
    ticket = TicketFactory()  # nobody's: rita may not see it

    response = client.get(f"/tickets/{ticket.pk}/")

    html = response.content.decode()
    assert response.status_code == 404
    assert 'data-testid="error-page"' in html and "/static/css/app.css" in html
    assert "Go to the inbox" in html and "find the ticket in your inbox" in html


def test_404_in_chinese(client):
    client.force_login(UserFactory(username="rita"))
    response = client.get("/no/such/page", HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert response.status_code == 404
    assert '<html lang="zh-hans">' in response.content.decode()


def test_403_shows_the_reason(client):
    client.force_login(UserFactory(username="rita"))
    ticket = TicketFactory()

    response = client.post(f"/tickets/{ticket.pk}/retry-preparation")

    html = response.content.decode()
    assert response.status_code == 403
    assert 'data-testid="error-page"' in html and "Only staff may retry" in html


def test_500_renders_without_database_or_request_context(django_assert_num_queries):
    request = RequestFactory().get("/")

    with django_assert_num_queries(0):
        response = server_error(request)

    html = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong" in html and "Try again in a minute" in html and "app.css" in html


@pytest.mark.parametrize(("language", "phrase"), [("en", "The form expired"), ("zh-hans", "表单已过期")])
def test_a_csrf_failure_shows_the_apps_page_in_the_users_language(language, phrase):
    from django.test import Client

    from tests.factories import UserFactory

    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory(username=f"csrf-{language}"))
    client.cookies["review_gate_language"] = language

    response = client.post("/inbox/batch", {"action": "approve"}, HTTP_ACCEPT_LANGUAGE=language)

    assert response.status_code == 403
    body = response.content.decode()
    assert phrase in body and 'data-testid="error-page"' in body
