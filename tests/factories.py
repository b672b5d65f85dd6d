"""factory_boy factories for users, events, rules and tickets."""

from __future__ import annotations

import uuid

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from approvals.models import ReviewerProfile, Rule, Ticket
from events.models import InboundEvent


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.invalid")
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def dataworks_uid(self, create: bool, extracted: str | None, **kwargs: object) -> None:
        if create and extracted:
            ReviewerProfile.objects.create(user=self, dataworks_uid=extracted)
        if create:
            self.save()


class GroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Group
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"group{n}")


class InboundEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InboundEvent

    source = "acs.dataworks"
    message_id = factory.LazyFunction(lambda: str(uuid.uuid4()))
    type = "dataworks:FileChange:CommitFile"
    event_code = "commit-file"
    module = "DATASTUDIO"
    gated = True
    callback_api = "UpdateIDEEventResult"
    project_id = 98764
    operator = "193745001735"
    raw_body = "{}"
    body_sha256 = "0" * 64


class RuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Rule
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"rule-{n}")

    @factory.post_generation
    def reviewer_users(self, create: bool, extracted: list[object] | None, **kwargs: object) -> None:
        if create and extracted:
            self.reviewers.set(extracted)

    @factory.post_generation
    def reviewer_groups(self, create: bool, extracted: list[Group] | None, **kwargs: object) -> None:
        if create and extracted:
            self.groups.set(extracted)


class TicketFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Ticket
        skip_postgeneration_save = True

    event = factory.SubFactory(InboundEventFactory)
    message_id = factory.LazyAttribute(lambda t: t.event.message_id)
    event_code = factory.LazyAttribute(lambda t: t.event.event_code)
    module = factory.LazyAttribute(lambda t: t.event.module)
    callback_api = factory.LazyAttribute(lambda t: t.event.callback_api)
    project_id = factory.LazyAttribute(lambda t: t.event.project_id)
    operator_uid = factory.LazyAttribute(lambda t: t.event.operator)
    title = "ods_orders_daily"
    path = "etl/orders/ods_orders_daily"
    file_type = 10
    status = Ticket.Status.PENDING
    old_content = "SELECT 1;\n"
    new_content = "SELECT 2;\n"

    @factory.post_generation
    def matched(self, create: bool, extracted: list[Rule] | None, **kwargs: object) -> None:
        if create and extracted:
            self.rules.set(extracted)  # as approvals.tickets.services.ticket_ready stores a match
            self.has_rules = True
            self.save(update_fields=["has_rules"])
