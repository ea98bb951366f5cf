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
from urllib.parse import unquote, urlparse

import psycopg2
from django.core.management.base import BaseCommand, CommandError
from psycopg2 import sql

from servicedesk.settings.env import env_str


def _role_and_password(url: str) -> tuple[str, str | None]:
    parsed = urlparse(url)
    if not parsed.username:
        raise CommandError(f"No user in {url!r}")
    return unquote(parsed.username), unquote(parsed.password) if parsed.password else None


class Command(BaseCommand):
    help = "Create the application's PostgreSQL roles and database if they are missing."

    def handle(self, *args: Any, **options: Any) -> None:
        app_url = env_str("DATABASE_URL")
        system_url = env_str("DATABASE_SYSTEM_URL")
        if not app_url.startswith(("postgres://", "postgresql://")):
            raise CommandError("DATABASE_URL is not PostgreSQL; nothing to do.")
        admin_url = env_str("PG_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
        app_role, app_password = _role_and_password(app_url)
        system_role, system_password = _role_and_password(system_url)
        database = urlparse(app_url).path.lstrip("/")

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
