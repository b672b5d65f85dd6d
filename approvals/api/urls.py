"""Routes of the API, mounted by config.urls as: path("api/v1/", include("approvals.api.urls"))."""

from __future__ import annotations

from django.urls import path, re_path, register_converter

from approvals.api import docs, views


class TicketIdConverter:
    """A ticket primary key: digits only, short enough for a 64-bit column (longer ones fall through to 404)."""

    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(TicketIdConverter, "ticket_id")

app_name = "approvals_api"
urlpatterns = [
    path("", views.ApiRootApi.as_view(), name="root"),
    path("tickets/", views.TicketListApi.as_view(), name="ticket-list"),
    path("tickets/batch-decide", views.TicketBatchDecideApi.as_view(), name="ticket-batch-decide"),
    path("tickets/<ticket_id:ticket_id>/", views.TicketDetailApi.as_view(), name="ticket-detail"),
    path("tickets/<ticket_id:ticket_id>/approve", views.TicketApproveApi.as_view(), name="ticket-approve"),
    path("tickets/<ticket_id:ticket_id>/warn", views.TicketWarnApi.as_view(), name="ticket-warn"),
    path("tickets/<ticket_id:ticket_id>/reject", views.TicketRejectApi.as_view(), name="ticket-reject"),
    path("schema/", docs.SchemaApi.as_view(), name="schema"),
    path("docs/", docs.api_docs, name="docs"),
    # [\s\S], not ".": a path with a newline (%0A) must get the API's JSON 404 too, not the site's HTML page.
    re_path(r"^[\s\S]*$", views.not_found, name="not-found"),
]
