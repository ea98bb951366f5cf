"""The demo data of API.md: fictional tenants, people, inventory, orders, tickets and
escalation matrices, put in place by ``manage.py seed_demo`` and shown by ``make run``.

The top of the layers: it composes every app through the apps' own services, and nothing
imports it (the tests build their world from ``tests/factories/``). What every new tenant
needs (service types, the priority matrix, the intake questionnaires) is a provisioning
service of its app, called from here; only the fictional names live here.
"""
