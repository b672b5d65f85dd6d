"""Admin actions on tickets that call the transition layer: "Retry preparation" for tickets that need attention.

The ticket admin lists them in its `actions`; each calls one service per ticket, so the change is audited exactly as
from the ticket page.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from approvals.errors import ApprovalError
from approvals.models import Ticket
from approvals.tickets import policy, services
from config.http import client_ip


@admin.action(description=gettext_lazy("Retry preparation (tickets that need attention)"), permissions=["view"])
def retry_preparation(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Ticket]) -> None:
    """Send each selected ticket that needs attention back to preparation; others are skipped and counted."""
    user = request.user
    if not isinstance(user, get_user_model()) or not policy.may_retry_preparation(user):
        modeladmin.message_user(request, _("Only staff may retry a ticket's preparation."), messages.ERROR)
        return
    ids = list(queryset.order_by("pk").values_list("pk", "status"))
    retried, failed = 0, []
    for ticket_id, status in ids:
        if status != Ticket.Status.NEEDS_ATTENTION:
            continue
        try:
            services.ticket_retry_preparation(ticket_id=ticket_id, user=user, ip=client_ip(request))
        except ApprovalError as exc:
            failed.append(f"#{ticket_id}: {exc.message}")
        else:
            retried += 1
    skipped = len(ids) - retried - len(failed)
    if retried:
        modeladmin.message_user(
            request,
            ngettext(
                "Preparation will be retried for %(n)d ticket.",
                "Preparation will be retried for %(n)d tickets.",
                retried,
            )
            % {"n": retried},
            messages.SUCCESS,
        )
    if skipped:
        modeladmin.message_user(
            request,
            ngettext(
                "%(n)d selected ticket does not need attention and was left as it is.",
                "%(n)d selected tickets do not need attention and were left as they are.",
                skipped,
            )
            % {"n": skipped},
            messages.WARNING,
        )
    for message in failed:
        modeladmin.message_user(request, message, messages.ERROR)
