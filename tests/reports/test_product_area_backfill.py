"""What migrations tickets/0012 and 0013 fill for existing rows: the product area carried on the
ticket (set at intake from the ticket's service; filled in ranges of ids) and the business seconds
of met clocks (by one UPDATE on always-open calendars, by the calendar walk on others)."""

from __future__ import annotations

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection

from servicedesk.tenancy import tenant_context
from tests.reports.conftest import ALICE, INCIDENT, Desk
from tickets.models import SlaClock, Ticket

pytestmark = pytest.mark.django_db

migration = importlib.import_module("tickets.migrations.0012_ticket_product_area")


def test_intake_carries_the_services_area_and_the_migration_fills_it_in_batches(demo, time_machine, monkeypatch):
    desk = Desk(demo, time_machine)
    desk.at("2026-10-27T10:00:00Z")
    numbers = [desk.open(INCIDENT, who=ALICE) for _ in range(3)]
    with tenant_context(demo.northwind):
        tickets = Ticket.objects.filter(number__in=numbers).select_related("service")
        expected = {t.number: t.service.product_area_id for t in tickets}
        assert all(expected.values())
        assert {t.number: t.product_area_id for t in tickets} == expected
        Ticket.objects.filter(number__in=numbers).update(product_area=None)
    monkeypatch.setattr(migration, "BATCH", 1)  # a range of one id each: every range is walked
    migration.fill_product_areas(apps, SimpleNamespace(connection=connection))
    with tenant_context(demo.northwind):
        filled = dict(Ticket.objects.filter(number__in=numbers).values_list("number", "product_area_id"))
    assert filled == expected


def test_the_migration_fills_the_business_seconds_of_clocks_met_before_it(demo, history):
    business = importlib.import_module("tickets.migrations.0013_slaclock_business_seconds")
    with tenant_context(demo.northwind):
        recorded = dict(SlaClock.objects.filter(met_at__isnull=False).values_list("pk", "business_seconds"))
        calendars = set(SlaClock.objects.filter(pk__in=recorded).values_list("calendar__always_open", flat=True))
        SlaClock.objects.update(business_seconds=None)
    assert len(recorded) >= 10
    assert all(value is not None for value in recorded.values())
    assert calendars == {True, False}  # both ways of filling: one UPDATE and the calendar walk
    business.fill_business_seconds(apps, SimpleNamespace(connection=connection))
    with tenant_context(demo.northwind):
        filled = dict(SlaClock.objects.filter(met_at__isnull=False).values_list("pk", "business_seconds"))
    assert filled == recorded
