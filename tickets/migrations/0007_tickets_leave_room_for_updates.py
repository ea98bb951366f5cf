"""The tickets table leaves 30 % of each page free, so that a change of columns no index
covers (the escalation sweep's level: the sweep leaves ``updated_at``, which the lists' indexes
cover, as it is) can write the new row
version on the same page: a HOT update, which adds nothing to any of the table's indexes,
the full-text GIN among them. Filled to the brim, as COPY and INSERT leave a table at the
default fillfactor of 100, every such update moved the row to another page and wrote an entry
into every index: on a freshly loaded desk 8 % of the escalation sweep's ticket updates were
HOT, and its ticket UPDATE was its most expensive statement (bench/escalation_sweep.py;
README, "Benchmarks"). Pages written from now on keep the room; rows already there keep their
pages until they move or the table is rewritten (VACUUM FULL, pg_repack)."""

from django.db import migrations

from servicedesk.db.rls import RunSQLOnPostgreSQL


class Migration(migrations.Migration):
    dependencies = [("tickets", "0006_list_indexes")]

    operations = [
        RunSQLOnPostgreSQL(
            "ALTER TABLE tickets_ticket SET (fillfactor = 70)",
            reverse_sql="ALTER TABLE tickets_ticket RESET (fillfactor)",
        ),
    ]
