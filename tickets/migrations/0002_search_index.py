from django.db import migrations

from servicedesk.db.rls import RunSQLOnPostgreSQL


class Migration(migrations.Migration):
    dependencies = [("tickets", "0001_initial")]

    operations = [
        # btree_gin lets the GIN index lead with tenant_id like every other index (a trusted
        # extension: the database's owner may create it).
        RunSQLOnPostgreSQL("CREATE EXTENSION IF NOT EXISTS btree_gin", reverse_sql=migrations.RunSQL.noop),
        # Serves tickets.selectors.search_tickets; the expression must match the query's.
        RunSQLOnPostgreSQL(
            "CREATE INDEX ticket_search_idx ON tickets_ticket "
            "USING gin (tenant_id, to_tsvector('simple'::regconfig, search_document))",
            reverse_sql="DROP INDEX ticket_search_idx",
        ),
    ]
