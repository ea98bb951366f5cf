"""The database triggers that keep the daily roll-ups honest (PostgreSQL; migration reports 0002).

A rolled-up day (``reports.models.DailyFigures``) stays right only while nothing it counted
changes. Whatever changes a counted instant or a ticket's dimension — a clock met, breached,
reset by a reopening or deleted; a ticket opened, resolved, reopened, given another priority,
kind, product area or team — goes through one of two tables, and a trigger on each marks the day
(in the tenant's zone) as dirty in ``reports_rollupdirtyday`` when that day is rolled up already.
The reports then count a dirty day directly until the beat task has rolled it up again, so a
roll-up never answers for a day whose rows have changed, whichever code path (the ORM, a bulk
``update``, a sweep, a migration, SQL by hand) changed them.

The frontier: a day outside the rolled-up range ``since``–``through`` may be in the middle of
being rolled up. The roll-up takes a transaction-level advisory lock of its tenant exclusively
while it extends the range; a trigger that meets a day outside the range takes the same lock
shared (held until its transaction ends) and reads the range again. So either the roll-up's
snapshot sees the change (the writer committed first), or the writer sees the new range and marks
the day. Shared advisory locks live in memory only: no row is written for them. A day that
began less than an hour before the transaction (today's clocks and tickets: nearly every change)
skips the lock, since the roll-up never goes past yesterday.
"""

from __future__ import annotations

#: The first key of the advisory lock (the second is the tenant's id); written out in FORWARD too.
LOCK_KEY = 40_417

FORWARD = """
CREATE FUNCTION reports_mark_day(tenant bigint, instant timestamptz) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    state reports_rollupstate%ROWTYPE;
    local_day date;
BEGIN
    IF instant IS NULL THEN
        RETURN;
    END IF;
    SELECT * INTO state FROM reports_rollupstate WHERE tenant_id = tenant;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    local_day := (instant AT TIME ZONE state.zone)::date;
    IF state.since IS NULL OR local_day < state.since OR local_day > state.through THEN
        -- A day that began less than an hour ago (today, mostly) is not being rolled up: the
        -- roll-up goes up to yesterday only. Nothing to mark, and no lock on the hot path.
        IF local_day > ((now() - interval '1 hour') AT TIME ZONE state.zone)::date THEN
            RETURN;
        END IF;
        -- Maybe being rolled up right now: wait for that, then look again.
        PERFORM pg_advisory_xact_lock_shared(40417, tenant::integer);
        SELECT * INTO state FROM reports_rollupstate WHERE tenant_id = tenant;
        IF NOT FOUND OR state.since IS NULL THEN
            RETURN;
        END IF;
        local_day := (instant AT TIME ZONE state.zone)::date;
        IF local_day < state.since OR local_day > state.through THEN
            RETURN;
        END IF;
    END IF;
    INSERT INTO reports_rollupdirtyday (tenant_id, day) VALUES (tenant, local_day)
        ON CONFLICT (tenant_id, day) DO NOTHING;
END
$$;

CREATE FUNCTION reports_mark_clock(clock tickets_slaclock) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF clock.state IN ('met', 'breached') THEN
        PERFORM reports_mark_day(clock.tenant_id, clock.met_at);
    END IF;
    IF clock.state = 'breached' THEN
        PERFORM reports_mark_day(clock.tenant_id, clock.due_at);
    END IF;
END
$$;

CREATE FUNCTION reports_clock_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM reports_mark_clock(OLD);
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        PERFORM reports_mark_clock(NEW);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER reports_clock_changed
    AFTER INSERT OR DELETE ON tickets_slaclock
    FOR EACH ROW EXECUTE FUNCTION reports_clock_changed();

CREATE TRIGGER reports_clock_updated
    AFTER UPDATE ON tickets_slaclock
    FOR EACH ROW
    WHEN (
        OLD.state IS DISTINCT FROM NEW.state OR OLD.met_at IS DISTINCT FROM NEW.met_at
        OR OLD.due_at IS DISTINCT FROM NEW.due_at OR OLD.started_at IS DISTINCT FROM NEW.started_at
        OR OLD.business_seconds IS DISTINCT FROM NEW.business_seconds OR OLD.target IS DISTINCT FROM NEW.target
        OR OLD.ticket_id IS DISTINCT FROM NEW.ticket_id
    )
    EXECUTE FUNCTION reports_clock_changed();

CREATE FUNCTION reports_ticket_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    clock tickets_slaclock%ROWTYPE;
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM reports_mark_day(OLD.tenant_id, OLD.created_at);
        PERFORM reports_mark_day(OLD.tenant_id, OLD.resolved_at);
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        PERFORM reports_mark_day(NEW.tenant_id, NEW.created_at);
        PERFORM reports_mark_day(NEW.tenant_id, NEW.resolved_at);
    END IF;
    IF TG_OP = 'UPDATE' AND (
        OLD.priority IS DISTINCT FROM NEW.priority OR OLD.kind IS DISTINCT FROM NEW.kind
        OR OLD.product_area_id IS DISTINCT FROM NEW.product_area_id OR OLD.team_id IS DISTINCT FROM NEW.team_id
    ) THEN
        FOR clock IN SELECT * FROM tickets_slaclock WHERE ticket_id = NEW.id LOOP
            PERFORM reports_mark_clock(clock);
        END LOOP;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER reports_ticket_changed
    AFTER INSERT OR DELETE ON tickets_ticket
    FOR EACH ROW EXECUTE FUNCTION reports_ticket_changed();

CREATE TRIGGER reports_ticket_updated
    AFTER UPDATE ON tickets_ticket
    FOR EACH ROW
    WHEN (
        OLD.created_at IS DISTINCT FROM NEW.created_at OR OLD.resolved_at IS DISTINCT FROM NEW.resolved_at
        OR OLD.priority IS DISTINCT FROM NEW.priority OR OLD.kind IS DISTINCT FROM NEW.kind
        OR OLD.product_area_id IS DISTINCT FROM NEW.product_area_id OR OLD.team_id IS DISTINCT FROM NEW.team_id
    )
    EXECUTE FUNCTION reports_ticket_changed();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS reports_ticket_updated ON tickets_ticket;
DROP TRIGGER IF EXISTS reports_ticket_changed ON tickets_ticket;
DROP FUNCTION IF EXISTS reports_ticket_changed();
DROP TRIGGER IF EXISTS reports_clock_updated ON tickets_slaclock;
DROP TRIGGER IF EXISTS reports_clock_changed ON tickets_slaclock;
DROP FUNCTION IF EXISTS reports_clock_changed();
DROP FUNCTION IF EXISTS reports_mark_clock(tickets_slaclock);
DROP FUNCTION IF EXISTS reports_mark_day(bigint, timestamptz);
"""
