"""API views: one APIView per operation. Each validates its input, calls one selector or service, serializes.

Errors of every kind leave through `approvals.api.exceptions.api_exception_handler` as JSON. OpenAPI annotations
decorate the view classes (not their methods) so they build on the views' drf-spectacular AutoSchema whatever
REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"] says.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.http import Http404, HttpRequest, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from approvals.tickets import batch, services
from approvals.tickets.selectors import ticket_visible, tickets_by_ids, with_api_columns
from config.http import client_ip

from .exceptions import api_exception_handler, error_body
from .pagination import ticket_page
from .parsers import StrictJSONParser
from .serializers import (
    MAX_ID,
    BatchDecisionInputSerializer,
    BatchResultSerializer,
    CommentedDecisionInputSerializer,
    DecisionInputSerializer,
    ErrorSerializer,
    TicketDetailSerializer,
    TicketFilterSerializer,
    TicketPageSerializer,
    TicketSerializer,
    TicketStateSerializer,
)

if TYPE_CHECKING:
    from approvals.models import Ticket

FILTERS = ("status", "project_id", "event_code", "message_id")


def _errors(*statuses: int) -> dict[int, OpenApiResponse]:
    descriptions = {
        400: gettext_lazy("Invalid input; `field` names the parameter or body field."),
        401: gettext_lazy("Not logged in and no valid `Authorization: Token <key>` header."),
        403: gettext_lazy("Not allowed (not a reviewer, own change, already approved), or CSRF failed."),
        404: gettext_lazy("No such ticket, or you may not see it."),
        406: gettext_lazy("The `Accept` header asks for something other than JSON."),
        409: gettext_lazy("The ticket is not waiting for a decision."),
        415: gettext_lazy("The body is not JSON (`Content-Type: application/json`)."),
    }
    # DRF answers 406 on every operation whose client will not accept JSON, so every operation documents it.
    return {status: OpenApiResponse(ErrorSerializer, description=descriptions[status]) for status in (*statuses, 406)}


TICKET_ID = OpenApiParameter(
    "ticket_id", OpenApiTypes.INT64, OpenApiParameter.PATH, description=gettext_lazy("The ticket's `id`.")
)


class ApiSchema(AutoSchema):
    """drf-spectacular's inspector, taking the operationId from the view (APIViews are never seen as lists)."""

    def get_operation_id(self) -> str:
        return getattr(self.view, "operation_id", None) or str(super().get_operation_id())

    def get_operation(self, *args: Any, **kwargs: Any) -> dict[str, Any] | None:
        operation = super().get_operation(*args, **kwargs)
        if operation is not None and getattr(self.view, "FilterSerializer", None) is not None:
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "query":
                    # The filters read the query string as DRF does: an empty value (`?page=`) is no value at all.
                    parameter["allowEmptyValue"] = True
        return operation


class ApiView(APIView):
    """Base of the API views: JSON only (strict and bounded), the API's error handler, a 401 for anonymous requests."""

    renderer_classes = [JSONRenderer]
    parser_classes = [StrictJSONParser]
    schema = ApiSchema()
    operation_id: str | None = None

    def get_exception_handler(self) -> Callable[[Exception, dict[str, Any]], Response | None]:
        return api_exception_handler

    def get_authenticate_header(self, request: Request) -> str:
        # DRF answers 403 instead of 401 when the *first* authenticator offers no WWW-Authenticate challenge, and
        # session authentication offers none: challenge with the first authenticator that has one (Token).
        for authenticator in self.get_authenticators():
            header = authenticator.authenticate_header(request)
            if header:
                return str(header)
        return ""


def _visible_ticket(request: Request, ticket_id: int) -> Ticket:
    """Return a ticket the user may see, or raise 404 whether it is missing or hidden."""
    ticket = ticket_visible(user=request.user, ticket_id=ticket_id, for_listing=True) if ticket_id <= MAX_ID else None
    if ticket is None:
        raise Http404(_("No such ticket, or you may not see it."))
    return ticket


@extend_schema(
    summary=gettext_lazy("List tickets"),
    description=gettext_lazy("Tickets you may see, newest first, filtered and paginated (50 a page, at most 200)."),
    parameters=[TicketFilterSerializer],
    responses={200: TicketPageSerializer, **_errors(400, 401, 404)},
    tags=["tickets"],
)
class TicketListApi(ApiView):
    operation_id = "tickets_list"
    FilterSerializer = TicketFilterSerializer
    OutputSerializer = TicketSerializer

    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        wanted = {name: data[name] for name in FILTERS if data.get(name) not in (None, "")}
        tickets, next_url = ticket_page(
            request,
            request.user,
            lambda tickets: tickets.filter(**wanted),
            lambda ids: with_api_columns(tickets_by_ids(ids)),
            after=data.get("after"),
            page_size=data.get("page_size"),
        )
        return Response({"next": next_url, "results": self.OutputSerializer(tickets, many=True).data})


@extend_schema(
    summary=gettext_lazy("Read a ticket"),
    description=gettext_lazy(
        "The ticket with its diffs, what each matched rule requires, its history, and whether you may decide it."
    ),
    parameters=[TICKET_ID],
    responses={200: TicketDetailSerializer, **_errors(401, 404)},
    tags=["tickets"],
)
class TicketDetailApi(ApiView):
    operation_id = "tickets_retrieve"
    OutputSerializer = TicketDetailSerializer

    def get(self, request: Request, ticket_id: int) -> Response:
        ticket = _visible_ticket(request, ticket_id)
        return Response(self.OutputSerializer(ticket, context={"request": request}).data)


class _DecisionApi(ApiView):
    """Shared shape of approve, warn and reject: find the visible ticket, validate, call the service, re-read."""

    InputSerializer: type[DecisionInputSerializer] = DecisionInputSerializer
    OutputSerializer = TicketStateSerializer

    def decide(self, *, ticket_id: int, user: Any, comment: str, ip: str | None) -> None:
        raise NotImplementedError

    def post(self, request: Request, ticket_id: int) -> Response:
        ticket = _visible_ticket(request, ticket_id)
        body = self.InputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        self.decide(
            ticket_id=ticket.pk, user=request.user, comment=body.validated_data["comment"], ip=client_ip(request)
        )
        ticket = with_api_columns(tickets_by_ids([ticket.pk])).get()
        return Response(self.OutputSerializer(ticket, context={"request": request}).data)


_DECIDE_ERRORS = _errors(400, 401, 403, 404, 409, 415)
_COMMENT_EXAMPLE = OpenApiExample("comment", value={"comment": "Partition filter checked."}, request_only=True)


@extend_schema(
    summary=gettext_lazy("Approve"),
    description=gettext_lazy(
        "Record your approval (result OK). The ticket is approved once every matched rule has enough approvals; "
        "until then it stays PENDING."
    ),
    parameters=[TICKET_ID],
    request=DecisionInputSerializer,
    responses={200: TicketStateSerializer, **_DECIDE_ERRORS},
    examples=[_COMMENT_EXAMPLE],
    tags=["decisions"],
)
class TicketApproveApi(_DecisionApi):
    operation_id = "tickets_approve"
    InputSerializer = DecisionInputSerializer

    def decide(self, *, ticket_id: int, user: Any, comment: str, ip: str | None) -> None:
        services.ticket_approve(ticket_id=ticket_id, user=user, comment=comment, warn=False, ip=ip)


@extend_schema(
    summary=gettext_lazy("Approve with a warning"),
    description=gettext_lazy("Record your approval with a warning (result WARN). The comment is required."),
    parameters=[TICKET_ID],
    request=CommentedDecisionInputSerializer,
    responses={200: TicketStateSerializer, **_DECIDE_ERRORS},
    examples=[_COMMENT_EXAMPLE],
    tags=["decisions"],
)
class TicketWarnApi(_DecisionApi):
    operation_id = "tickets_warn"
    InputSerializer = CommentedDecisionInputSerializer

    def decide(self, *, ticket_id: int, user: Any, comment: str, ip: str | None) -> None:
        services.ticket_approve(ticket_id=ticket_id, user=user, comment=comment, warn=True, ip=ip)


@extend_schema(
    summary=gettext_lazy("Reject"),
    description=gettext_lazy(
        "Reject the ticket (result FAIL): one eligible reviewer decides it. The comment is required."
    ),
    parameters=[TICKET_ID],
    request=CommentedDecisionInputSerializer,
    responses={200: TicketStateSerializer, **_DECIDE_ERRORS},
    examples=[_COMMENT_EXAMPLE],
    tags=["decisions"],
)
class TicketRejectApi(_DecisionApi):
    operation_id = "tickets_reject"
    InputSerializer = CommentedDecisionInputSerializer

    def decide(self, *, ticket_id: int, user: Any, comment: str, ip: str | None) -> None:
        services.ticket_reject(ticket_id=ticket_id, user=user, comment=comment, ip=ip)


@extend_schema(
    summary=gettext_lazy("Decide several tickets"),
    description=gettext_lazy(
        "Approve or reject up to 500 tickets with one comment. Each ticket is decided as a single approve or reject "
        "would be, with the same rules and checks; a ticket you may not decide (or may not see) is skipped with the "
        "reason, and the others are still decided. Each decided ticket's history says it was part of this batch."
    ),
    request=BatchDecisionInputSerializer,
    responses={200: BatchResultSerializer, **_errors(400, 401, 403, 415)},
    examples=[
        OpenApiExample(
            "approve",
            value={"ticket_ids": [101, 102], "action": "approve", "comment": "Nightly partitions."},
            request_only=True,
        )
    ],
    tags=["decisions"],
)
class TicketBatchDecideApi(ApiView):
    operation_id = "tickets_batch_decide"
    InputSerializer = BatchDecisionInputSerializer
    OutputSerializer = BatchResultSerializer

    def post(self, request: Request) -> Response:
        body = self.InputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        assert request.user.is_authenticated  # the API's permission classes let only signed-in users through
        result = batch.batch_decide(
            ticket_ids=data["ticket_ids"],
            user=request.user,
            action=data["action"],
            comment=data["comment"],
            ip=client_ip(request),
        )
        answer = {
            "batch": result.batch_id,
            "action": result.action,
            "decided": [{"id": o.ticket_id, "status": o.status} for o in result.decided],
            "skipped": [{"id": o.ticket_id, "code": o.code, "reason": o.reason} for o in result.skipped],
        }
        return Response(self.OutputSerializer(answer).data)


@extend_schema(exclude=True)
class ApiRootApi(ApiView):
    """`GET /api/v1/`: where the API's parts are. Public like the schema and the docs: it holds links, no data."""

    permission_classes = [AllowAny]

    def get(self, request: Request) -> Response:
        def link(name: str) -> str:
            return request.build_absolute_uri(reverse(f"approvals_api:{name}"))

        return Response(
            {
                "name": "Review Gate API",
                "version": "1",
                "tickets": link("ticket-list"),
                "schema": link("schema"),
                "docs": link("docs"),
            }
        )


@csrf_exempt
def not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """Answer any other path under the API with the API's JSON 404 (not Django's HTML page)."""
    return JsonResponse(error_body("not_found", _("No such API endpoint.")), status=404)
