from __future__ import annotations

from django.urls import path

from approvals.web import views

app_name = "approvals"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("inbox/poll", views.inbox_poll, name="inbox_poll"),
    path("tickets/<int:ticket_id>/", views.ticket_detail, name="ticket"),
    path("tickets/<int:ticket_id>/decide", views.ticket_decide, name="decide"),
    path("tickets/<int:ticket_id>/override", views.ticket_override, name="override"),
    path("tickets/<int:ticket_id>/waive-finding", views.ticket_waive_finding, name="waive_finding"),
    path("tickets/<int:ticket_id>/retry-preparation", views.ticket_retry_preparation, name="retry_preparation"),
]
