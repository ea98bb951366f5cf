"""The two aliases, ``default`` and ``system``, are two logins to one database: a row read on
one may be the foreign key of a row written on the other (a sweep reads configuration on the
system connection and writes inside a tenant, or settles a batch across tenants)."""

from typing import Any

from servicedesk.db.aliases import SYSTEM_DB

_SAME_DATABASE = {"default", SYSTEM_DB}


class SameDatabaseRouter:
    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        if obj1._state.db in _SAME_DATABASE and obj2._state.db in _SAME_DATABASE:
            return True
        return None
