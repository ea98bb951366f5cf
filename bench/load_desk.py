"""The load benchmark's desk, in its own database ``bench_load`` (bench/load.py builds and uses it).

One large tenant (``load-desk``) with ``tickets`` tickets over the year before the build, a
tenth of them open, beside ``small_tenants`` small tenants of ``small_tickets`` tickets each.

The large tenant's set-up goes through the application's own code on the ``default`` alias,
inside the tenant's wall: the tenant, its calendars, product areas, teams, agents, the
default service types and intake questionnaires (``provision_service_types``,
``provision_intake_defaults``), SLA policies, the escalation settings and matrix, then
customer accounts with sites, services, contracts and users (``bulk_create``). Everything
else is loaded with COPY on two administrative connections (the timeline and the comments on
the second, so PostgreSQL parses on both cores while Python composes), with
``session_replication_role = replica`` and the foreign keys checked set-wise afterwards, the
way ``bench/dataset.py`` loads its data set (its helpers are reused): the small tenants'
set-up, and every tenant's tickets with their SLA clocks (and the warnings and breaches the
sweep would have recorded), timeline lines, replies and internal notes, and escalation
timers. The bulk tables' secondary indexes are dropped for the load and built again after it.
The marker row is written last: a build that stopped half-way has none, and the next run drops
the database and builds afresh.

Text is realistic: subjects and descriptions composed from a vocabulary of network and
hosting faults (a few hundred bytes to a few kB), ``description_html`` and comment
``body_html`` rendered by ``tickets.rendering.render_markdown`` (each distinct text once),
``search_document`` = subject, description and the public replies, as the application keeps
it. SLA policies of the large tenant run on its 24x7 calendar (its office calendar serves
the escalation thresholds), so due instants are start + budget + pause, as
``tickets.services.sla`` computes them on that calendar.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import queue
import random
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import dataset  # noqa: F401 - sets up Django on $BENCH_DB (bench/load.py sets it to bench_load)
from dataset import _check_foreign_keys, _ensure_marker_table, _reserve_ids, admin_url, loader_connection
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.core.management import call_command

from escalation.models import (
    EscalationContact,
    EscalationLevel,
    EscalationMatrix,
    EscalationPolicy,
    EscalationSettings,
)
from orders.models import Contract, Service
from orders.services.defaults import provision_service_types
from servicedesk.models import (
    BusinessCalendar,
    CustomerAccount,
    ProductArea,
    Site,
    Team,
    TeamMembership,
    Tenant,
    User,
)
from servicedesk.tenancy import tenant_context
from tickets.models import SlaPolicy
from tickets.rendering import render_markdown
from tickets.services.defaults import provision_intake_defaults
from tickets.services.intake import DEFAULT_PRIORITY_MATRIX

Log = Callable[[str], None]

VERSION = "v1"  # change when the shape of the data changes: the next run rebuilds
LARGE_SLUG = "load-desk"
SMALL_PREFIX = "load-small-"
DOMAIN = "load-desk.example"
PASSWORD = "load-bench-2026"  # noqa: S105 - every user of the large tenant; small tenants' users cannot sign in
AGENT_EMAIL, MANAGER_EMAIL, CUSTOMER_EMAIL = f"agent@{DOMAIN}", f"manager@{DOMAIN}", f"customer@{DOMAIN}"
ACCOUNTS = 400
AGENTS_PER_TEAM = 15
OPEN_SHARE = 0.10
SPAN = dt.timedelta(days=365)
TIME_ZONE = "Europe/Berlin"
CHUNK_BYTES = 32 * 1024 * 1024
SEED = 20261205

OPEN = ("new", "acknowledged", "in_progress", "waiting_for_customer")
PREFIX = {"incident": "INC", "complaint": "CMP", "enquiry": "ENQ"}
CHANNEL_LABEL = {"portal": "Portal", "api": "API", "email": "E-mail", "phone": "Phone"}
# (tier, name, respond, callback, restore P1..P4) in minutes, all on the 24x7 calendar.
POLICIES = (
    ("premium_24x7", "Premium 24×7", 15, 60, (240, 480, 1440, 4320)),
    ("business_hours", "Business", 30, 120, (480, 960, 2880, 7200)),
    ("", "Standard", 60, 240, (720, 1440, 4320, 10080)),
)
WARNING_PERCENT = 80
AREAS = (
    ("premium-bespoke", "Premium & Bespoke"),
    ("data-ip-ict", "Data/IP/ICT"),
    ("transmission", "Transmission"),
    ("voice", "Voice"),
)
# service type code → (product, product area, questionnaire kind)
PRODUCTS = (
    ("mpls", "MPLS IP-VPN", "data-ip-ict"),
    ("internet", "Dedicated Internet Access", "data-ip-ict"),
    ("internet", "Business Internet", "data-ip-ict"),
    ("voice", "SIP Trunk 30 channels", "voice"),
    ("vpn", "Site-to-site VPN", "premium-bespoke"),
    ("satellite", "VSAT backup link", "premium-bespoke"),
    ("access-line", "Ethernet access line", "transmission"),
    ("cpe", "Edge router ER-4400", "data-ip-ict"),
)
CITIES = (
    ("Frankfurt am Main", "60327", "DE", "HE", "Europe/Berlin"),
    ("Berlin", "10115", "DE", "BE", "Europe/Berlin"),
    ("Hamburg", "20095", "DE", "HH", "Europe/Berlin"),
    ("München", "80331", "DE", "BY", "Europe/Berlin"),
    ("Madrid", "28028", "ES", "MD", "Europe/Madrid"),
    ("Barcelona", "08018", "ES", "CT", "Europe/Madrid"),
    ("London", "N1 7GR", "GB", "ENG", "Europe/London"),
    ("Manchester", "M1 1AE", "GB", "ENG", "Europe/London"),
)
COMPANY_WORDS = (
    "Acme", "Globex", "Initech", "Umbrella", "Stark", "Wayne", "Hooli", "Vandelay", "Soylent", "Tyrell",
    "Cyberdyne", "Wonka", "Gringotts", "Oceanic", "Monarch", "Nakatomi", "Pied Piper", "Dunder", "Sirius", "Aperture",
)  # fmt: skip
COMPANY_KINDS = ("Logistics", "Retail", "Bank", "Insurance", "Hospitals", "Media", "Foods", "Motors", "Energy", "Labs")
COMPANY_FORMS = ("GmbH", "AG", "S.A.", "S.L.", "Ltd", "plc", "KG", "SE")
FIRST = ("Anna", "Ben", "Clara", "David", "Elena", "Felix", "Greta", "Hugo", "Ines", "Jonas", "Karin", "Luis",
         "Marta", "Nils", "Olga", "Pablo", "Rosa", "Sven", "Tara", "Uwe")  # fmt: skip
LAST = ("Fischer", "García", "Hughes", "Jansen", "Keller", "López", "Meyer", "Novak", "Ortega", "Price", "Richter",
        "Schmidt", "Taylor", "Vogel", "Walsh", "Weber", "Young", "Zimmer")  # fmt: skip

# --- the vocabulary of faults ---------------------------------------------------------------------

SYMPTOMS = (
    "Packet loss", "No connectivity", "High latency", "Intermittent drops", "Slow throughput", "BGP session flapping",
    "DNS resolution failing", "VPN tunnel down", "One-way audio", "Calls dropping", "Jitter on voice calls",
    "Line down", "CRC errors on the uplink", "Interface flapping", "Website unreachable", "TLS handshake errors",
    "Backup line not taking over", "Router not reachable", "Satellite link degraded", "High error rate",
)  # fmt: skip
OBJECTS = (
    "the MPLS link", "the internet access", "the SIP trunk", "the site-to-site VPN", "the VSAT backup link",
    "the access line", "the edge router", "the data-centre uplink", "the colocation rack", "the firewall cluster",
    "the load balancer", "the core switch", "the WAN circuit", "the DSL backup", "the fibre access",
)  # fmt: skip
WHEN = (
    "since this morning", "since 08:10", "since the maintenance window last night", "every afternoon around 14:00",
    "since Friday", "for about an hour", "after the power cut", "since the weekend", "every few minutes",
)  # fmt: skip
PARAGRAPHS = (
    "We see {symptom_l} on {object} {when}. Users at the {city} office cannot work properly and the warehouse "
    "scanners keep losing their session.",
    "Ping from {ip1} to {ip2} shows between {n1} and {n2} % loss; traceroute stops after the third hop at "
    "{ip3}. The problem is {occurrence}.",
    "The router was restarted at {time} and all cables were checked by our local IT. The status LEDs are green "
    "but the line does not come up.",
    "Power at the site is fine, there was no outage. It has been raining heavily, the street cabinet next to the "
    "building was opened by a contractor yesterday.",
    "Our monitoring (circuit {circuit}) reports the interface going down and up {n1} times in the last hour; "
    "the syslog shows `%LINK-3-UPDOWN` messages each time.",
    "Please check the line from your side and call us back on {phone}. Our reference is {reference}.",
    "Affected: {n1} users, the ERP system and card payments. The backup line is {backup}.",
    "Measured throughput is {n2} Mbit/s instead of the contracted {bandwidth}. Speed tests against your "
    "test server give the same result, so it is not the far end.",
    "BGP to {ip3} goes from Established to Idle roughly every {n1} minutes; hold timer expired. No change on our "
    "side since last month.",
    "Calls from {phone} to external numbers drop after about {n1} seconds; internal calls are fine. SIP traces "
    "show a BYE from the trunk side.",
    "This is the {nth} time this month. Earlier tickets: {earlier}. We expect a root cause, not another restart.",
    "Steps taken so far:\n\n- restarted the CPE\n- swapped the patch cable\n- tested from a laptop directly on "
    "the router\n\nNone of them helped.",
    "Error seen in the browser: `ERR_CONNECTION_TIMED_OUT` for every external site; the intranet works.",
    "The DNS servers {ip1} and {ip2} answer with SERVFAIL for our domain; other domains resolve.",
    "We need the line for the inventory count on {day}. Please treat this with priority.",
)  # fmt: skip
REPLIES = (
    "We see the line down at our side too and have dispatched a field engineer.",
    "Could you run a traceroute to {ip2} during the slow period and attach it?",
    "The carrier has confirmed a fibre cut near {city}; repair is planned for this afternoon.",
    "We have reset the port on our edge and the session is back up. Please confirm that it works on your side.",
    "A technician will be on site tomorrow between 08:00 and 12:00. Please make sure someone can let him in.",
    "Thank you, that helped. The interface counters look clean now; we keep the ticket open for 24 hours.",
    "It is still failing, the loss is back since {time}.",
    "Works again, thanks for the quick help!",
    "Carrier ticket C-{n3} opened with the access provider.",
    "Internal: customer is on the premium contract, keep the duty manager informed.",
    "Internal: similar fault on circuit {circuit} last month, see the linked problem record.",
    "The firmware on the CPE is outdated; we have scheduled an upgrade in the next maintenance window.",
)  # fmt: skip
RESOLUTIONS = (
    "Fibre repaired by the carrier; line stable since.",
    "Faulty SFP replaced in the street cabinet.",
    "Configuration error on our edge corrected.",
    "No fault found; the customer's firewall blocked the traffic.",
    "CPE replaced on site.",
    "Answered: the information was sent to the customer.",
)


@dataclass
class Sizes:
    tickets: int
    small_tenants: int
    small_tickets: int

    @property
    def name(self) -> str:
        return f"load-{self.tickets}-{self.small_tenants}x{self.small_tickets}-{VERSION}"


@dataclass
class Desk:
    """What the benchmark needs to know about the built desk."""

    tenant_id: int
    sizes: Sizes
    reference_now: dt.datetime
    build_seconds: float
    reused: bool
    customer_services: list[tuple[str, str]] = field(default_factory=list)  # (service_id, type code)


@dataclass
class World:
    """One tenant, as the ticket generator needs it (ids only)."""

    tenant_id: int
    calendar_id: int
    # per account: (account id, customers, services: (pk, site id, team id, tier, product, serial, type code,
    # product area id))
    accounts: list[tuple[int, list[int], list[tuple[int, int, int | None, str, str, str, str, int | None]]]]
    agents: list[int]
    team_agents: dict[int, list[int]]
    policies: dict[str, tuple[int, int, int, tuple[int, int, int, int]]]  # tier → (id, respond, callback, restore)
    counters: dict[str, int] = field(default_factory=lambda: {"INC": 0, "CMP": 0, "ENQ": 0})


# --- entry point ----------------------------------------------------------------------------------


def database_exists() -> bool:
    import psycopg2  # noqa: PLC0415

    conn = psycopg2.connect(admin_url("postgres"))
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [dataset.BENCH_DB])
            return cur.fetchone() is not None
    finally:
        conn.close()


def find_desk(sizes: Sizes) -> Desk | None:
    """The desk of these sizes if a complete build is there (its marker row), else None."""
    if not database_exists():
        return None
    conn = loader_connection()
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT to_regclass('bench_dataset_marker') IS NOT NULL")
            if not cur.fetchone()[0]:
                return None
            cur.execute("SELECT reference_now, build_seconds FROM bench_dataset_marker WHERE name = %s", [sizes.name])
            row = cur.fetchone()
            if row is None:
                return None
            cur.execute("SELECT id FROM servicedesk_tenant WHERE slug = %s", [LARGE_SLUG])
            tenant_id = cur.fetchone()[0]
            desk = Desk(tenant_id, sizes, row[0], row[1], reused=True)
            desk.customer_services = _customer_services(cur)
            return desk
    finally:
        conn.close()


def _customer_services(cur: Any) -> list[tuple[str, str]]:
    cur.execute(
        """SELECT s.service_id, t.code FROM orders_service s
             JOIN orders_servicetype t ON t.id = s.service_type_id
             JOIN servicedesk_user u ON u.customer_account_id = s.account_id
            WHERE u.email = %s ORDER BY s.service_id""",
        [CUSTOMER_EMAIL],
    )
    return list(cur.fetchall())


def _print(line: str) -> None:
    print(line, flush=True)


def ensure_desk(sizes: Sizes, log: Log = _print, rebuild: bool = False) -> Desk:
    desk = None if rebuild else find_desk(sizes)
    if desk is not None:
        log(f"Desk {sizes.name} already built in {dataset.BENCH_DB} (in {desk.build_seconds:.0f} s): reused.")
        return desk
    return build(sizes, log)


def build(sizes: Sizes, log: Log) -> Desk:
    import psycopg2  # noqa: PLC0415
    from django.db import connections  # noqa: PLC0415

    started = time.perf_counter()
    connections.close_all()
    conn = psycopg2.connect(admin_url("postgres"))
    conn.autocommit = True
    with conn.cursor() as cur:
        log(f"Dropping and creating {dataset.BENCH_DB} …")
        cur.execute(f'DROP DATABASE IF EXISTS "{dataset.BENCH_DB}" WITH (FORCE)')
    conn.close()
    call_command("ensure_database", verbosity=0, stdout=io.StringIO())
    call_command("migrate", verbosity=0)
    now = dt.datetime.now(dt.UTC).replace(second=0, microsecond=0)
    rng = random.Random(SEED)
    log(f"Building {sizes.name}: set-up of the large tenant through the application …")
    world, desk_ids = _provision_large(now, rng)
    log(f"  done in {time.perf_counter() - started:.1f} s; texts …")
    texts = Texts(rng)
    log(f"  {len(texts.descriptions)} descriptions and {len(texts.replies)} replies rendered "
        f"({time.perf_counter() - started:.1f} s)")  # fmt: skip
    conns = [loader_connection(), loader_connection()]
    conn = conns[0]
    try:
        for c in conns:
            with c.cursor() as cur:
                cur.execute("SET session_replication_role = replica")  # no FK triggers; checked set-wise below
                cur.execute("SET maintenance_work_mem = '1GB'")
            c.commit()
        with conn.cursor() as cur:
            _ensure_marker_table(cur)
            dropped = _drop_secondary_indexes(cur)
        conn.commit()  # a build that stops half-way has no marker: the next run starts afresh
        with conn.cursor() as cur:
            loader = Loader(conns)
            smalls = _small_tenants(cur, loader, sizes, now)
            loader.wait()
            counts = _tickets(cur, loader, world, smalls, sizes, now, texts, rng, log)
            loader.close()
            for table, total in sorted(loader.totals.items()):
                log(f"  {table}: {total:,} rows")
        for c in conns:
            c.commit()
        with conn.cursor() as cur:
            _set_sequences(cur)
        log(f"  loaded in {time.perf_counter() - started:.1f} s; building {len(dropped)} indexes …")
        _in_parallel(conns, dropped)
        for c in conns:
            c.commit()
        with conn.cursor() as cur:
            log(f"  indexes built ({time.perf_counter() - started:.1f} s); checking foreign keys set-wise …")
            _check_foreign_keys(cur, sorted(loader.totals))
            cur.execute("SET session_replication_role = DEFAULT")
            cur.execute(
                "INSERT INTO bench_dataset_marker VALUES (%s, %s, %s, %s, %s, now(), %s)",
                [sizes.name, now, 1 + sizes.small_tenants, counts[0], counts[1], time.perf_counter() - started],
            )
        conn.commit()
        log(f"  committed ({time.perf_counter() - started:.1f} s); VACUUM (ANALYZE) …")
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("VACUUM (ANALYZE)")
            seconds = time.perf_counter() - started
            cur.execute("UPDATE bench_dataset_marker SET build_seconds = %s WHERE name = %s", [seconds, sizes.name])
            desk = Desk(desk_ids, sizes, now, seconds, reused=False)
            desk.customer_services = _customer_services(cur)
    finally:
        for c in conns:
            c.close()
    log(f"  built in {seconds:.1f} s")
    return desk


# --- the large tenant's set-up, through the application -------------------------------------------


def password_hash() -> str:
    """The hash production settings (Argon2 first) verify without rehashing."""
    hasher = Argon2PasswordHasher()
    return hasher.encode(PASSWORD, hasher.salt())


def _provision_large(now: dt.datetime, rng: random.Random) -> tuple[World, int]:
    created = now - SPAN - dt.timedelta(days=30)
    tenant = Tenant.objects.create(
        slug=LARGE_SLUG, name="Load Desk Networks", country="DE", time_zone=TIME_ZONE, default_language="en",
        created_at=created,
    )  # fmt: skip
    hashed = password_hash()
    with tenant_context(tenant):
        always = BusinessCalendar.objects.create(tenant=tenant, name="24×7", time_zone=TIME_ZONE, always_open=True)
        office = BusinessCalendar.objects.create(
            tenant=tenant, name="Office hours", time_zone=TIME_ZONE, always_open=False,
            weekly_hours={str(day): [["08:30", "17:00"]] for day in range(5)}, country="DE", subdivision="HE",
        )  # fmt: skip
        tenant.business_calendar = office
        tenant.save(update_fields=["business_calendar"])
        areas = {slug: ProductArea.objects.create(tenant=tenant, slug=slug, name=name) for slug, name in AREAS}
        teams = {
            slug: Team.objects.create(tenant=tenant, name=f"{a.name} desk", product_area=a) for slug, a in areas.items()
        }
        staff = [
            User(email=MANAGER_EMAIL, full_name="Mara Manager", role=User.Role.MANAGER),
            User(email=f"admin@{DOMAIN}", full_name="Ada Admin", role=User.Role.ADMIN),
        ]
        agent_team: list[str] = []
        for slug in teams:
            for k in range(AGENTS_PER_TEAM):
                email = AGENT_EMAIL if (slug == "data-ip-ict" and k == 0) else f"agent.{slug}.{k + 1}@{DOMAIN}"
                name = f"{FIRST[(len(agent_team) * 7) % len(FIRST)]} {LAST[len(agent_team) % len(LAST)]}"
                staff.append(User(email=email, full_name=name, role=User.Role.AGENT))
                agent_team.append(slug)
        for user in staff:
            user.tenant, user.password, user.language, user.date_joined = tenant, hashed, "en", created
        staff = User.objects.bulk_create(staff)
        agents = staff[2:]
        TeamMembership.objects.bulk_create(
            [
                TeamMembership(tenant=tenant, team=teams[slug], user=u)
                for u, slug in zip(agents, agent_team, strict=True)
            ]
        )
        types = provision_service_types(tenant=tenant)
        provision_intake_defaults(tenant=tenant)
        policies = {}
        for tier, name, respond, callback, restore in POLICIES:
            policies[tier] = SlaPolicy.objects.create(
                tenant=tenant, name=name, contract_tier=tier, ticket_kind="", calendar=always,
                respond_minutes=respond, callback_minutes=callback, restore_minutes_p1=restore[0],
                restore_minutes_p2=restore[1], restore_minutes_p3=restore[2], restore_minutes_p4=restore[3],
                warning_percent=WARNING_PERCENT, defer_outside_hours=False,
            )  # fmt: skip
        _provision_escalation(tenant, areas, office, agents[0])
        accounts = CustomerAccount.objects.bulk_create(
            [
                CustomerAccount(
                    tenant=tenant,
                    reference=f"C-{10001 + i}",
                    name=f"{COMPANY_WORDS[i % 20]} {COMPANY_KINDS[(i // 20) % 10]} {COMPANY_FORMS[i % 8]} ({i + 1})",
                )  # fmt: skip
                for i in range(ACCOUNTS)
            ]
        )
        sites: list[Site] = []
        for i, account in enumerate(accounts):
            for k in range(1 + (i * 7919) % 4 if i else 3):
                city, postcode, country, sub, zone = CITIES[(i + k) % len(CITIES)]
                sites.append(
                    Site(
                        tenant=tenant,
                        account=account,
                        name=f"{city} {k + 1}",
                        street=f"Industriestraße {i + k + 1}",
                        postcode=postcode,
                        city=city,
                        country=country,
                        subdivision=sub,
                        time_zone=zone,
                    )  # fmt: skip
                )
        sites = Site.objects.bulk_create(sites)
        services: list[Service] = []
        for n, site in enumerate(sites):
            for k in range(1 + (n * 104729) % 4):
                code, product, area = PRODUCTS[(n + 3 * k) % len(PRODUCTS)]
                number = len(services) + 1
                services.append(
                    Service(
                        tenant=tenant,
                        service_id=f"LD-{code.upper()[:5]}-{number:05d}",
                        service_type=types[code],
                        product=product,
                        product_area=areas[area],
                        account_id=site.account_id,
                        site=site,
                        circuit_id=f"CIR-{number:06d}",
                        serial_number=f"SN-{number:08d}" if code == "cpe" else "",
                        bandwidth=f"{(1 + n % 10) * 100} Mbit/s",
                        status=Service.Status.IN_SERVICE,
                        created_at=created,
                    )  # fmt: skip
                )
        services = Service.objects.bulk_create(services)
        today = now.date()
        tiers = ("premium_24x7", "business_hours", "business_hours", "basic")
        Contract.objects.bulk_create(
            [
                Contract(
                    tenant=tenant,
                    service=s,
                    kind=Contract.Kind.MAINTENANCE,
                    tier=tiers[n % 4],
                    reference=f"CT-{s.service_id}",
                    valid_from=today - dt.timedelta(days=800),
                    valid_until=today + dt.timedelta(days=730),
                )  # fmt: skip
                for n, s in enumerate(services)
            ]
        )
        customers = []
        for i, account in enumerate(accounts):
            for k in range(1 + i % 3):
                email = CUSTOMER_EMAIL if (i == 0 and k == 0) else f"user{k + 1}@c{i + 1}.{DOMAIN}"
                name = f"{FIRST[(i + k) % len(FIRST)]} {LAST[(i * 3 + k) % len(LAST)]}"
                customers.append(
                    User(
                        email=email,
                        full_name=name,
                        role=User.Role.CUSTOMER,
                        tenant=tenant,
                        customer_account=account,
                        password=hashed,
                        language="en",
                        date_joined=created,
                    )  # fmt: skip
                )
        customers = User.objects.bulk_create(customers)
    team_of_area = {a.pk: teams[slug].pk for slug, a in areas.items()}
    by_account: dict[int, tuple[list[int], list[Any]]] = {a.pk: ([], []) for a in accounts}
    for user in customers:
        by_account[user.customer_account_id][0].append(user.pk)
    tier_of = {s.pk: tiers[n % 4] for n, s in enumerate(services)}
    for s in services:
        tier = tier_of[s.pk] if tier_of[s.pk] in policies else ""
        code = next(c for c, t in types.items() if t.pk == s.service_type_id)
        team = team_of_area[s.product_area_id]
        by_account[s.account_id][1].append(
            (s.pk, s.site_id, team, tier, s.product, s.serial_number, code, s.product_area_id)
        )
    team_agents: dict[int, list[int]] = {}
    for user, slug in zip(agents, agent_team, strict=True):
        team_agents.setdefault(teams[slug].pk, []).append(user.pk)
    world = World(
        tenant_id=tenant.pk,
        calendar_id=always.pk,
        accounts=[(pk, users, svcs) for pk, (users, svcs) in by_account.items()],
        agents=[u.pk for u in agents],
        team_agents=team_agents,
        policies={
            tier: (p.pk, p.respond_minutes or 0, p.callback_minutes or 0, _restore(p)) for tier, p in policies.items()
        },
    )
    return world, tenant.pk


def _restore(policy: SlaPolicy) -> tuple[int, int, int, int]:
    return (
        policy.restore_minutes_p1 or 0,
        policy.restore_minutes_p2 or 0,
        policy.restore_minutes_p3 or 0,
        policy.restore_minutes_p4 or 0,
    )


def _provision_escalation(tenant: Tenant, areas: dict[str, ProductArea], office: BusinessCalendar, agent: User) -> None:
    EscalationSettings.objects.get_or_create(tenant=tenant)
    matrix = EscalationMatrix.objects.create(tenant=tenant, account=None, name="Load Desk escalation matrix")
    for number in (1, 2):
        for slug, area in areas.items():
            level = EscalationLevel.objects.create(
                tenant=tenant, matrix=matrix, number=number, product_area=area, title=f"Level {number} {slug}"
            )
            EscalationContact.objects.create(
                tenant=tenant, matrix=matrix, level=level, position=0, name=f"Supervisor {number} {slug}",
                role="Supervisor", phone="+49 69 5550 2100", email=f"l{number}.{slug}@{DOMAIN}", language="en",
            )  # fmt: skip
    for number, title in ((3, "Manager Customer Care Centre"), (4, "COO"), (5, "VP Service Operations")):
        level = EscalationLevel.objects.create(tenant=tenant, matrix=matrix, number=number, title=title)
        EscalationContact.objects.create(
            tenant=tenant, matrix=matrix, level=level, position=0, name=title, role=title,
            phone="+49 69 5550 2300", email=f"l{number}@{DOMAIN}", language="en",
        )  # fmt: skip
    EscalationContact.objects.create(tenant=tenant, matrix=matrix, level=None, position=0, user=agent, role="Duty")
    thresholds = {
        "P1": ([30, 60, 120, 240, 480], None, 2),
        "P2": ([60, 120, 240, 480, 960], None, 2),
        "P3": ([240, 480, 960, 1920, 3840], office, 1),
        "P4": ([480, 960, 1920, 3840, 7680], office, 1),
    }
    for priority, (minutes, calendar, breach_level) in thresholds.items():
        EscalationPolicy.objects.create(
            tenant=tenant, matrix=matrix, priority=priority, level_minutes=minutes, calendar=calendar,
            breach_level=breach_level,
        )  # fmt: skip


# --- texts -------------------------------------------------------------------------------------------


class Texts:
    """Pools of descriptions and replies, each rendered once as the application renders it."""

    DESCRIPTIONS = 6000
    REPLIES = 3000

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.descriptions = []
        for _ in range(self.DESCRIPTIONS):
            count = rng.choice((1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 16, 20))
            body = "\n\n".join(self._fill(rng.choice(PARAGRAPHS)) for _ in range(count))
            self.descriptions.append((body, render_markdown(body)))
        self.replies = []
        for _ in range(self.REPLIES):
            body = self._fill(rng.choice(REPLIES))
            if rng.random() < 0.3:
                body += "\n\n" + self._fill(rng.choice(PARAGRAPHS))
            self.replies.append((body, render_markdown(body)))

    def _fill(self, template: str) -> str:
        r = self.rng
        return template.format(
            symptom_l=r.choice(SYMPTOMS).lower(), object=r.choice(OBJECTS), when=r.choice(WHEN),
            city=r.choice(CITIES)[0], ip1=_ip(r), ip2=_ip(r), ip3=_ip(r), n1=r.randint(2, 40), n2=r.randint(3, 90),
            n3=r.randint(10000, 99999), occurrence=r.choice(("permanent", "intermittent")),
            time=f"{r.randint(0, 23):02d}:{r.randint(0, 59):02d}", circuit=f"CIR-{r.randint(1, 9999):06d}",
            phone=f"+49 69 555{r.randint(10000, 99999)}", reference=f"REF-{r.randint(1000, 9999)}",
            backup=r.choice(("working", "down as well", "not configured")), bandwidth=r.choice(("100 Mbit/s", "1 Gbit/s")),
            nth=r.choice(("second", "third", "fourth")), earlier=f"INC-{r.randint(1, 99999):06d}",
            day=r.choice(("Monday", "Thursday", "the 15th")),
        )  # fmt: skip

    def subject(self, service_product: str) -> str:
        r = self.rng
        return f"{r.choice(SYMPTOMS)} on {service_product or r.choice(OBJECTS)} {r.choice(WHEN)}"[:200]


def _ip(r: random.Random) -> str:
    return f"10.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}"


# --- COPY, on a second thread so PostgreSQL parses while Python composes ------------------------


class Loader:
    """Rows per table, written as CSV and sent with COPY in chunks, each connection fed by a
    thread of its own (the timeline and the comments go to the second one)."""

    SECOND = frozenset({"tickets_ticketevent", "tickets_comment"})

    def __init__(self, conns: list[Any]) -> None:
        self.conns = conns
        self.columns: dict[str, str] = {}
        self.buffers: dict[str, io.StringIO] = {}
        self.writers: dict[str, Any] = {}
        self.totals: dict[str, int] = {}
        self.pending: dict[str, int] = {}
        self.queues: list[queue.Queue[tuple[str, io.StringIO] | None]] = [queue.Queue(maxsize=3) for _ in conns]
        self.error: BaseException | None = None
        self.threads = [
            threading.Thread(target=self._send, args=(conn, q), daemon=True)
            for conn, q in zip(conns, self.queues, strict=True)
        ]
        for thread in self.threads:
            thread.start()

    def table(self, table: str, columns: str) -> Callable[[tuple[Any, ...]], None]:
        self.columns[table] = columns
        self.totals.setdefault(table, 0)
        self.pending[table] = 0
        self._fresh(table)

        def write(row: tuple[Any, ...]) -> None:
            self.writers[table].writerow(row)
            self.pending[table] += 1
            if self.pending[table] % 2000 == 0 and self.buffers[table].tell() > CHUNK_BYTES:
                self.flush(table)

        return write

    def _fresh(self, table: str) -> None:
        self.buffers[table] = io.StringIO()
        self.writers[table] = csv.writer(self.buffers[table], lineterminator="\n")

    def flush(self, table: str) -> None:
        if self.error:
            raise self.error
        if self.pending[table]:
            buffer = self.buffers[table]
            buffer.seek(0)
            self.queues[1 if table in self.SECOND and len(self.conns) > 1 else 0].put((table, buffer))
            self.totals[table] += self.pending[table]
            self.pending[table] = 0
            self._fresh(table)

    def _send(self, conn: Any, work: queue.Queue[tuple[str, io.StringIO] | None]) -> None:
        with conn.cursor() as cur:
            while (item := work.get()) is not None:
                table, buffer = item
                try:
                    if not self.error:
                        sql = f"COPY {table} ({self.columns[table]}) FROM STDIN WITH (FORMAT csv, NULL '\\N')"
                        cur.copy_expert(sql, buffer)
                except BaseException as error:  # noqa: BLE001 - handed to the composing thread
                    self.error = error
                finally:
                    work.task_done()
            work.task_done()

    def wait(self) -> None:
        """Until every chunk handed over so far is loaded (before a connection is used again)."""
        for work in self.queues:
            work.join()
        if self.error:
            raise self.error

    def close(self) -> None:
        for table in list(self.buffers):
            self.flush(table)
        for work in self.queues:
            work.put(None)
        self.wait()
        for thread in self.threads:
            thread.join()


def _in_parallel(conns: list[Any], statements: list[str]) -> None:
    """Run the statements spread over the connections (each its own thread), longest first."""
    lanes: list[list[str]] = [[] for _ in conns]
    for n, sql in enumerate(sorted(statements, key=lambda x: ("gin" not in x, "tickets_ticket " not in x))):
        lanes[n % len(conns)].append(sql)
    errors: list[BaseException] = []

    def run(conn: Any, lane: list[str]) -> None:
        try:
            with conn.cursor() as cur:
                for sql in lane:
                    cur.execute(sql)
        except BaseException as error:  # noqa: BLE001
            errors.append(error)

    threads = [threading.Thread(target=run, args=pair) for pair in zip(conns, lanes, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]


N = "\\N"


def _ts(value: dt.datetime | None) -> str:
    return N if value is None else value.isoformat()


def _lead(counting: list[tuple[dt.datetime, dt.datetime]]) -> str:
    """A ticket's next_warn_lead (its next due instant less its next warning) as an interval."""
    if not counting:
        return N
    lead = min(due for due, _ in counting) - min(warn for _, warn in counting)
    return f"{lead.total_seconds()} seconds"


# --- the small tenants' set-up ------------------------------------------------------------------


def _small_tenants(cur: Any, loader: Loader, sizes: Sizes, now: dt.datetime) -> list[World]:
    n = sizes.small_tenants
    if n == 0:
        return []
    ids = {
        table: _reserve_ids(cur, table, count * n)
        for table, count in (
            ("servicedesk_tenant", 1), ("servicedesk_businesscalendar", 1), ("servicedesk_customeraccount", 1),
            ("servicedesk_site", 1), ("servicedesk_user", 2), ("orders_servicetype", 1), ("orders_service", 1),
            ("orders_contract", 1), ("tickets_slapolicy", 1), ("tickets_priorityrule", 9),
        )
    }  # fmt: skip
    created = _ts(now - SPAN - dt.timedelta(days=30))
    today = now.date()
    rows: dict[str, list[tuple[Any, ...]]] = {}
    tier, name, respond, callback, restore = POLICIES[0]
    worlds = []
    for i in range(n):
        t, c = ids["servicedesk_tenant"] + i, ids["servicedesk_businesscalendar"] + i
        a, s = ids["servicedesk_customeraccount"] + i, ids["servicedesk_site"] + i
        agent, customer = ids["servicedesk_user"] + 2 * i, ids["servicedesk_user"] + 2 * i + 1
        st, svc = ids["orders_servicetype"] + i, ids["orders_service"] + i
        p = ids["tickets_slapolicy"] + i
        slug = f"{SMALL_PREFIX}{i + 1:04d}"
        city, postcode, country, sub, zone = CITIES[i % len(CITIES)]
        rows.setdefault("servicedesk_tenant", []).append(
            (t, slug, f"Small desk {i + 1}", country, zone, "en", "t", created, 7, c, 60, "", "", "")
        )
        rows.setdefault("servicedesk_businesscalendar", []).append((c, t, "24×7", zone, "t", "{}", "", "", "t"))
        rows.setdefault("servicedesk_customeraccount", []).append((a, t, f"Customer of {slug}", "C-0001", "t"))
        rows.setdefault("servicedesk_site", []).append(
            (s, t, a, "Head office", "Hauptstrasse 1", postcode, city, country, sub, zone)
        )
        for uid, email, role, account in (
            (agent, f"agent@{slug}.example", "agent", N),
            (customer, f"user@{slug}.example", "customer", a),
        ):
            rows.setdefault("servicedesk_user", []).append(
                (uid, "!bench-unusable", N, "f", email, f"{role.title()} of {slug}", role, "", "", "", "t", "f",
                 created, account, t, "[]")
            )  # fmt: skip
        rows.setdefault("orders_servicetype", []).append((st, t, "internet", "Internet"))
        rows.setdefault("orders_service", []).append(
            (svc, t, f"SD-{i + 1:04d}-1", st, "Business Internet", N, a, s, f"CIR-S{i + 1:05d}", "", "500 Mbit/s",
             "in_service", created)
        )  # fmt: skip
        rows.setdefault("orders_contract", []).append(
            (ids["orders_contract"] + i, t, svc, "maintenance", tier, f"CT-{slug}", today - dt.timedelta(days=800),
             today + dt.timedelta(days=730))
        )  # fmt: skip
        rows.setdefault("tickets_slapolicy", []).append(
            (p, t, name, "", "", c, respond, callback, *restore, WARNING_PERCENT, "f", "t")
        )
        k = 0
        for impact, row in DEFAULT_PRIORITY_MATRIX.items():
            for urgency, priority in row.items():
                rows.setdefault("tickets_priorityrule", []).append(
                    (ids["tickets_priorityrule"] + 9 * i + k, t, impact, urgency, priority)
                )
                k += 1
        worlds.append(
            World(
                tenant_id=t,
                calendar_id=c,
                accounts=[(a, [customer], [(svc, s, None, "", "Business Internet", "", "internet", None)])],
                agents=[agent],
                team_agents={},
                policies={"": (p, respond, callback, restore)},
            )  # fmt: skip
        )
    columns = {
        "servicedesk_tenant": "id, slug, name, country, time_zone, default_language, is_active, created_at, "
        "reopen_window_days, business_calendar_id, breaching_soon_minutes, desk_address, accent_colour, logo",
        "servicedesk_businesscalendar": "id, tenant_id, name, time_zone, always_open, weekly_hours, country, subdivision, "
        "is_active",
        "servicedesk_customeraccount": "id, tenant_id, name, reference, is_active",
        "servicedesk_site": "id, tenant_id, account_id, name, street, postcode, city, country, subdivision, time_zone",
        "servicedesk_user": "id, password, last_login, is_superuser, email, full_name, role, phone, language, "
        "time_zone, is_active, is_staff, date_joined, customer_account_id, tenant_id, mail_opt_outs",
        "orders_servicetype": "id, tenant_id, code, name",
        "orders_service": "id, tenant_id, service_id, service_type_id, product, product_area_id, account_id, site_id, "
        "circuit_id, serial_number, bandwidth, status, created_at",
        "orders_contract": "id, tenant_id, service_id, kind, tier, reference, valid_from, valid_until",
        "tickets_slapolicy": "id, tenant_id, name, contract_tier, ticket_kind, calendar_id, respond_minutes, "
        "callback_minutes, restore_minutes_p1, restore_minutes_p2, restore_minutes_p3, restore_minutes_p4, "
        "warning_percent, defer_outside_hours, is_active",
        "tickets_priorityrule": "id, tenant_id, impact, urgency, priority",
    }
    for table, table_rows in rows.items():
        write = loader.table(table, columns[table])
        for row in table_rows:
            write(row)
        loader.flush(table)
    return worlds


# --- tickets and everything hanging off them ----------------------------------------------------

TICKET_COLUMNS = (
    "id, tenant_id, number, kind, status, channel, account_id, site_id, service_id, subject, description, "
    "description_html, impact, urgency, priority, priority_overridden, priority_reason, problem_started_at, "
    "occurrence, customer_reference, contacts, answers, caller_name, caller_company, caller_phone, "
    "product_name, serial_number, is_entitled, escalation_level, team_id, assignee_id, created_by_id, "
    "created_at, updated_at, resolved_at, closed_at, version, search_document, next_due_at, next_warn_at, "
    "product_area_id, next_warn_lead"
)
CLOCK_COLUMNS = (
    "id, tenant_id, ticket_id, target, policy_id, calendar_id, state, started_at, budget_minutes, "
    "warning_percent, paused_seconds, paused_since, due_at, warn_at, met_at, warned_at, breached_at, next_check_at, "
    "business_seconds"
)
EVENT_COLUMNS = "id, tenant_id, ticket_id, kind, actor_id, at, field, from_value, to_value, reason, internal"
COMMENT_COLUMNS = "id, tenant_id, ticket_id, author_id, body, body_html, internal, created_at"
ALERT_COLUMNS = "id, tenant_id, clock_id, kind, at, notified_at"
TIMER_COLUMNS = (
    "id, tenant_id, ticket_id, level, round, baseline_at, baseline_level, breaches_handled_until, ack_attempts, "
    "ack_due_at, last_customer_escalation_at, next_check_at, created_at, closed_at, ack_event_id"
)
SEQUENCE_COLUMNS = "id, tenant_id, prefix, last_value"

DATA_ANSWERS = {"power_at_site": "yes", "devices_connected": "yes", "equipment_restarted": "yes", "backup_line": "no"}
VOICE_ANSWERS = {"power_at_site": "yes", "voice_problem": "no_calls", "calling_number": "+49 69 5550100",
                 "called_number": "+49 69 5550199"}  # fmt: skip
DATA_TYPES = {"mpls", "internet", "satellite", "vpn"}


def _answers(code: str, rng: random.Random) -> str:
    if code in DATA_TYPES:
        symptom = rng.choice(("no_service", "intermittent", "other", "slowness", "packet_loss"))
        answers: dict[str, Any] = {**DATA_ANSWERS, "symptom": symptom}
        if symptom in ("slowness", "packet_loss"):
            answers["source_ip"], answers["destination_ip"] = _ip(rng), _ip(rng)
        return json.dumps(answers)
    if code == "voice":
        return json.dumps(VOICE_ANSWERS)
    return "{}"


def _open_positions(sizes: Sizes, rng: random.Random) -> set[int]:
    """Which of the large tenant's tickets are open: a tenth, three quarters of them among the
    most recent (half of the latest 150,000 of a million), the rest left over from earlier."""
    total = sizes.tickets
    open_total = int(total * OPEN_SHARE)
    recent = min(total, 2 * int(open_total * 0.75))
    chosen = set(rng.sample(range(total - recent, total), int(open_total * 0.75)))
    older = range(0, total - recent)
    chosen |= set(rng.sample(older, min(len(older), open_total - len(chosen))))
    return chosen


def _tickets(
    cur: Any, loader: Loader, large: World, smalls: list[World], sizes: Sizes, now: dt.datetime, texts: Texts,
    rng: random.Random, log: Log,
) -> tuple[int, int]:  # fmt: skip
    tickets_w = loader.table("tickets_ticket", TICKET_COLUMNS)
    clocks_w = loader.table("tickets_slaclock", CLOCK_COLUMNS)
    events_w = loader.table("tickets_ticketevent", EVENT_COLUMNS)
    comments_w = loader.table("tickets_comment", COMMENT_COLUMNS)
    alerts_w = loader.table("tickets_slaalert", ALERT_COLUMNS)
    timers_w = loader.table("escalation_ticketescalation", TIMER_COLUMNS)
    ids = {
        table: _next_id(cur, table)
        for table in (
            "tickets_ticket", "tickets_slaclock", "tickets_ticketevent", "tickets_comment", "tickets_slaalert",
            "escalation_ticketescalation", "tickets_ticketsequence",
        )
    }  # fmt: skip
    open_large = _open_positions(sizes, rng)
    small_total = sizes.small_tenants * sizes.small_tickets
    total = sizes.tickets + small_total
    start = now - SPAN
    step = (SPAN - dt.timedelta(minutes=5)) / max(1, total - 1)
    gen = TicketGenerator(now, texts, rng, ids, tickets_w, clocks_w, events_w, comments_w, alerts_w, timers_w)
    big_j = small_j = 0
    started, clocks = time.perf_counter(), 0
    for k in range(total):
        created_at = start + step * k
        # Interleave: the large tenant's tickets and the small tenants' arrive together over the year.
        if small_j < small_total and (big_j >= sizes.tickets or small_j * sizes.tickets <= big_j * small_total):
            world = smalls[small_j % sizes.small_tenants]
            is_open = (small_j // sizes.small_tenants) >= sizes.small_tickets * 0.9
            small_j += 1
        else:
            world = large
            is_open = big_j in open_large
            big_j += 1
        clocks += gen.ticket(world, created_at, is_open)
        if (k + 1) % 200_000 == 0:
            log(f"  {k + 1:,} tickets composed ({time.perf_counter() - started:.0f} s)")
    write = loader.table("tickets_ticketsequence", SEQUENCE_COLUMNS)
    seq = ids["tickets_ticketsequence"]
    for world in [large, *smalls]:
        for prefix, value in world.counters.items():
            if value:
                write((seq, world.tenant_id, prefix, value))
                seq += 1
    return total, clocks


def _next_id(cur: Any, table: str) -> int:
    cur.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
    cur.execute("SELECT nextval(%s)", [cur.fetchone()[0]])
    return int(cur.fetchone()[0])


def _set_sequences(cur: Any) -> None:
    for table in (
        "tickets_ticket", "tickets_slaclock", "tickets_ticketevent", "tickets_comment", "tickets_slaalert",
        "escalation_ticketescalation", "tickets_ticketsequence",
    ):  # fmt: skip
        cur.execute(
            f"SELECT setval(pg_get_serial_sequence(%s, 'id'), coalesce((SELECT max(id) FROM {table}), 1))", [table]
        )


class TicketGenerator:
    """One ticket's rows: the ticket, its clocks and alerts, timeline, comments and timer."""

    def __init__(self, now: dt.datetime, texts: Texts, rng: random.Random, ids: dict[str, int], *writers: Any) -> None:
        self.now, self.texts, self.rng, self.ids = now, texts, rng, ids
        self.w_ticket, self.w_clock, self.w_event, self.w_comment, self.w_alert, self.w_timer = writers

    def _id(self, table: str) -> int:
        value = self.ids[table]
        self.ids[table] = value + 1
        return value

    def ticket(self, world: World, created_at: dt.datetime, is_open: bool) -> int:  # noqa: PLR0912, PLR0915
        r, now, minute = self.rng, self.now, dt.timedelta(minutes=1)
        account_id, customers, services = world.accounts[r.randrange(len(world.accounts))]
        roll = r.random()
        kind = "incident" if roll < 0.85 or not services else ("enquiry" if roll < 0.95 else "complaint")
        service = r.choice(services) if kind == "incident" else None
        if kind == "incident":
            impact = r.choice(("outage", "degradation", "degradation", "none"))
            urgency = r.choice(("high", "medium", "medium", "low"))
        else:
            impact, urgency = "none", r.choice(("medium", "low"))
        priority = DEFAULT_PRIORITY_MATRIX[impact][urgency]
        channel = r.choices(("portal", "api", "phone", "email"), (60, 25, 10, 5))[0]
        staff_channel = channel in ("phone", "email")
        creator = r.choice(world.agents) if staff_channel else r.choice(customers)
        team = service[2] if service else None
        pool = world.team_agents.get(team or 0) or world.agents
        agent = r.choice(pool)
        if is_open:
            status = r.choices(OPEN, (20, 20, 45, 15))[0]
        else:
            status = r.choices(("resolved", "closed", "cancelled"), (12, 81, 7))[0]
        # The lifecycle: (action, to status) steps, spaced within the time since creation.
        path = {
            "new": [], "acknowledged": ["acknowledged"], "in_progress": ["acknowledged", "in_progress"],
            "waiting_for_customer": ["acknowledged", "in_progress", "waiting_for_customer"],
            "resolved": ["acknowledged", "in_progress", "resolved"],
            "closed": ["acknowledged", "in_progress", "resolved", "closed"],
            "cancelled": r.choice((["cancelled"], ["acknowledged", "cancelled"])),
        }[status]  # fmt: skip
        # When each step happened: acknowledged mostly within the response budget, restored
        # mostly within the restore budget, closed days after; squeezed into the time since
        # creation for recent tickets.
        policy_id, respond, callback, restore = world.policies.get(service[3] if service else "", world.policies[""])
        restore_budget = restore[int(priority[1]) - 1]
        offsets, offset = [], 0.0
        for step_to in path:
            if step_to == "acknowledged":
                offset += respond * (0.1 + 0.8 * r.random())
            elif step_to == "in_progress":
                offset += 1 + 60 * r.random()
            elif step_to == "waiting_for_customer":
                offset += 30 + 600 * r.random()
            elif step_to == "resolved":
                offset = max(offset + 5, restore_budget * (0.15 + 0.95 * r.random()))
            elif step_to == "closed":
                offset += 60 * 24 * (1 + 6 * r.random())
            else:  # cancelled
                offset += 5 + 300 * r.random()
            offsets.append(offset)
        available = (now - created_at).total_seconds() / 60 - 1
        scale = min(1.0, available / offsets[-1]) if offsets and offsets[-1] > 0 else 1.0
        instants = [(step_to, created_at + off * scale * minute) for step_to, off in zip(path, offsets, strict=True)]
        last = instants[-1][1] if instants else created_at
        number = self._number(world, PREFIX[kind])
        ticket_id = self._id("tickets_ticket")
        tenant = world.tenant_id
        w_event = self.w_event
        w_event((self._id("tickets_ticketevent"), tenant, ticket_id, "created", creator, _ts(created_at), "", "",
                 "new", CHANNEL_LABEL[channel], "f"))  # fmt: skip
        before, version, updated = "new", 1, created_at
        resolved_at = closed_at = None
        at_of: dict[str, dt.datetime] = {}
        for step_to, at in instants:
            at_of[step_to] = at
            reason = ""
            actor = agent
            if step_to == "resolved":
                reason, resolved_at = r.choice(RESOLUTIONS), at
            elif step_to == "closed":
                closed_at = at
                actor = r.choice(customers) if r.random() < 0.5 else agent
            elif step_to == "cancelled":
                closed_at, reason = at, "No longer needed."
                actor = r.choice(customers) if before == "new" else agent
            w_event((self._id("tickets_ticketevent"), tenant, ticket_id, "transition", actor, _ts(at), "status",
                     before, step_to, reason, "f"))  # fmt: skip
            before, version, updated = step_to, version + 1, at
        # Replies and notes between the opening and the last step (or now, if still open).
        end = now if is_open else last
        replies = []
        for _ in range(r.choice((0, 1, 1, 2, 2, 2, 3, 4))):
            at = created_at + (end - created_at) * r.random()
            internal = r.random() < 0.25
            author = agent if internal or r.random() < 0.6 else r.choice(customers)
            replies.append((at, author, internal, r.randrange(len(self.texts.replies))))
        replies.sort()
        for at, author, internal, index in replies:
            body, html = self.texts.replies[index]
            self.w_comment((self._id("tickets_comment"), tenant, ticket_id, author, body, html,
                            "t" if internal else "f", _ts(at)))  # fmt: skip
            w_event((self._id("tickets_ticketevent"), tenant, ticket_id, "commented", author, _ts(at), "", "",
                     "internal note" if internal else "reply", "", "t" if internal else "f"))  # fmt: skip
            if not internal:
                version += 1
                updated = max(updated, at)
        # SLA clocks (tickets.services.sla: respond; incidents also callback and restore).
        targets = [("respond", respond)]
        if kind == "incident":
            targets += [("callback", callback), ("restore", restore_budget)]
        ack = at_of.get("acknowledged")
        progress = at_of.get("in_progress")
        cancelled = at_of.get("cancelled")
        clocks = 0
        counting: list[tuple[dt.datetime, dt.datetime]] = []  # (due, warn): the ticket's next_due_at, next_warn_at
        for target, budget in targets:
            due = created_at + budget * minute
            warn = created_at + budget * WARNING_PERCENT / 100 * minute
            met_at = paused_since = None
            if target == "respond":
                met_at = ack
            elif target == "callback" and progress is not None:
                # A specialist calls back soon after the work starts (log_callback), mostly in time.
                met_at = max(progress, created_at + callback * (0.2 + 0.75 * r.random()) * minute)
                met_at = min(met_at, last if not is_open else now)
            elif target == "restore":
                met_at = resolved_at
                paused_since = at_of.get("waiting_for_customer") if status == "waiting_for_customer" else None
            stop = cancelled if met_at is None else None
            until = met_at or paused_since or stop or now
            warned = warn if warn <= until and warn < due else None
            breached = due if due <= until else None
            if met_at is not None:
                state = "breached" if met_at > due else "met"
                next_check = None
            elif breached is not None:
                state, next_check = "breached", None
            elif stop is not None:
                state, next_check = "stopped", None
            elif paused_since is not None:
                state, next_check = "paused", None
            else:
                state = "running"
                next_check = warn if warned is None and warn < due else due
            if met_at is None and state in ("running", "breached"):
                counting.append((due, warn))
            clock_id = self._id("tickets_slaclock")
            self.w_clock((clock_id, tenant, ticket_id, target, policy_id, world.calendar_id, state, _ts(created_at),
                          budget, WARNING_PERCENT, 0, _ts(paused_since if state == "paused" else None), _ts(due),
                          _ts(warn), _ts(met_at), _ts(warned), _ts(breached), _ts(next_check),
                          # Never paused, on the 24x7 calendar: business time is the elapsed time.
                          N if met_at is None else max(0, int((met_at - created_at).total_seconds()))))  # fmt: skip
            clocks += 1
            for kind_, instant, event_kind in (("warning", warned, "sla_warning"), ("breach", breached, "sla_breach")):
                if instant is None:
                    continue
                self.w_alert((self._id("tickets_slaalert"), tenant, clock_id, kind_, _ts(instant), _ts(instant)))
                w_event((self._id("tickets_ticketevent"), tenant, ticket_id, event_kind, N, _ts(instant), target,
                         "", _ts(due), "", "t"))  # fmt: skip
        # The escalation timer (escalation.services.timers): open tickets are looked at again
        # within the hour; closed ones are closed with their ticket.
        if is_open:
            timer_next, timer_closed = now + dt.timedelta(minutes=r.randint(1, 60)), None
        else:
            timer_next, timer_closed = None, closed_at or resolved_at
        self.w_timer((self._id("escalation_ticketescalation"), tenant, ticket_id, 0, 1, _ts(created_at), 0, N, 0, N,
                      N, _ts(timer_next), _ts(created_at), _ts(timer_closed), N))  # fmt: skip
        # The ticket itself.
        description, html = self.texts.descriptions[r.randrange(len(self.texts.descriptions))]
        subject = self.texts.subject(service[4] if service else "")
        public = [self.texts.replies[index][0] for _, _, internal, index in replies if not internal]
        search = "\n".join([subject, description, *public])
        assignee = agent if progress is not None or (status == "acknowledged" and r.random() < 0.5) else N
        started_at = created_at - dt.timedelta(minutes=r.randint(5, 240)) if kind == "incident" else None
        self.w_ticket((
            ticket_id, tenant, number, kind, status, channel, account_id, service[1] if service else N,
            service[0] if service else N, subject, description, html, impact, urgency, priority, "f", "",
            _ts(started_at), r.choice(("", "permanent", "intermittent")) if kind == "incident" else "",
            f"PO-{r.randint(1000, 99999)}" if r.random() < 0.2 else "", "{}",
            _answers(service[6], r) if service else "{}",
            f"{r.choice(FIRST)} {r.choice(LAST)}" if staff_channel else "", "", "",
            service[4] if service else "", service[5] if service else "", "t", 0, team if team else N, assignee,
            creator, _ts(created_at), _ts(updated), _ts(resolved_at), _ts(closed_at), version, search,
            _ts(min(due for due, _ in counting) if counting else None),
            _ts(min(warn for _, warn in counting) if counting else None),
            service[7] if service and service[7] is not None else N,
            _lead(counting),
        ))  # fmt: skip
        return clocks

    def _number(self, world: World, prefix: str) -> str:
        world.counters[prefix] += 1
        return f"{prefix}-{world.counters[prefix]:06d}"


# --- indexes and foreign keys --------------------------------------------------------------------

BULK_TABLES = (
    "tickets_ticket", "tickets_slaclock", "tickets_ticketevent", "tickets_comment", "tickets_slaalert",
    "escalation_ticketescalation",
)  # fmt: skip


def _drop_secondary_indexes(cur: Any) -> list[str]:
    """Drop the bulk tables' indexes that back no constraint; their definitions, to build again."""
    cur.execute(
        """SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
             FROM pg_index i
            WHERE i.indrelid = ANY(%s::regclass[])
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)""",
        [list(BULK_TABLES)],
    )
    found = cur.fetchall()
    for name, _definition in found:
        cur.execute(f"DROP INDEX {name}")
    return [definition for _name, definition in found]


def sample_rows(cur: Any, tenant_id: int, limit: int = 400) -> Iterator[tuple[str, str]]:
    """(number, status) of some of the tenant's tickets, spread over its history."""
    cur.execute(
        "SELECT number, status FROM tickets_ticket TABLESAMPLE SYSTEM (1) WHERE tenant_id = %s LIMIT %s",
        [tenant_id, limit],
    )
    yield from cur.fetchall()
