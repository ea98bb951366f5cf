"""Create the PostgreSQL roles and database the desk runs as (idempotent).

Connects as an administrative role (PG_ADMIN_URL, default the local ``postgres`` superuser)
and makes sure that:
- the application's role (the user in DATABASE_URL) exists with LOGIN and CREATEDB but
  neither SUPERUSER nor BYPASSRLS, so row-level security holds it;
- the cross-tenant role (the user in DATABASE_SYSTEM_URL) exists with BYPASSRLS, and is a
  member of the application's role so it may read the tables that role owns;
- the database exists and belongs to the application's role.
"""

from typing import Any

import psycopg2
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from psycopg2 import sql

from servicedesk import cross_tenant


def _role_and_password(database: dict[str, Any]) -> tuple[str, str | None]:
    if not database.get("USER"):
        raise CommandError(f"No user in the URL of database {database['NAME']!r}")
    return database["USER"], database.get("PASSWORD") or None


class Command(BaseCommand):
    help = "Create the application's PostgreSQL roles and database if they are missing."

    def handle(self, *args: Any, **options: Any) -> None:
        app, system = settings.DATABASES["default"], cross_tenant.connection_settings()
        if app["ENGINE"] == "django.db.backends.sqlite3":
            raise CommandError("DATABASE_URL is not PostgreSQL; nothing to do.")
        app_role, app_password = _role_and_password(app)
        system_role, system_password = _role_and_password(system)
        database = app["NAME"]
        admin_url = settings.PG_ADMIN_URL

        conn = psycopg2.connect(admin_url)
        conn.autocommit = True
        try:
            with conn.cursor() as cur:
                self._ensure_role(cur, app_role, app_password, "LOGIN CREATEDB NOSUPERUSER NOBYPASSRLS NOCREATEROLE")
                self._ensure_role(
                    cur, system_role, system_password, "LOGIN NOSUPERUSER BYPASSRLS NOCREATEDB NOCREATEROLE"
                )
                cur.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(app_role), sql.Identifier(system_role)))
                cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database])
                if cur.fetchone() is None:
                    cur.execute(
                        sql.SQL("CREATE DATABASE {} OWNER {}").format(
                            sql.Identifier(database), sql.Identifier(app_role)
                        )
                    )
                    self.stdout.write(f"Created database {database}.")
        finally:
            conn.close()
        self.stdout.write(f"Roles {app_role} (row-level security applies) and {system_role} (cross-tenant) are ready.")

    def _ensure_role(self, cur: Any, role: str, password: str | None, attributes: str) -> None:
        cur.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        verb = "ALTER" if cur.fetchone() else "CREATE"
        statement = sql.SQL("{} ROLE {} " + attributes).format(sql.SQL(verb), sql.Identifier(role))
        if password:
            statement = sql.SQL("{} PASSWORD {}").format(statement, sql.Literal(password))
        cur.execute(statement)
