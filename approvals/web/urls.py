from __future__ import annotations

from django.urls import path

from approvals.web import inbox, views

app_name = "approvals"
urlpatterns = [
    path("", inbox.inbox, name="inbox"),
    path("inbox/poll", inbox.inbox_poll, name="inbox_poll"),
    path("inbox/batch", inbox.inbox_batch, name="inbox_batch"),
    path("tickets/<int:ticket_id>/", views.ticket_detail, name="ticket"),
    path("tickets/<int:ticket_id>/decide", views.ticket_decide, name="decide"),
    path("tickets/<int:ticket_id>/withdraw-approval", views.ticket_withdraw_approval, name="withdraw_approval"),
    path("tickets/<int:ticket_id>/comment-line", views.ticket_comment_line, name="comment_line"),
    path("tickets/<int:ticket_id>/diff", views.ticket_diff, name="ticket_diff"),
    path("tickets/<int:ticket_id>/override", views.ticket_override, name="override"),
    path("tickets/<int:ticket_id>/waive-finding", views.ticket_waive_finding, name="waive_finding"),
    path("tickets/<int:ticket_id>/retry-preparation", views.ticket_retry_preparation, name="retry_preparation"),
]
