"""PostgreSQL backend that carries the current tenant into every transaction.

Row-level security policies compare each row's ``tenant_id`` with the transaction-local
setting ``app.tenant_id``. This backend puts ``set_config('app.tenant_id', …, true)`` in
front of every statement it sends, in the same simple-protocol query, so the setting is
the first thing in each implicit or explicit transaction and ends with it. Nothing is ever
set at session level, so a pooled or persistent connection cannot carry one request's
tenant into the next: with no current tenant the setting is empty and the policies match
no rows.
"""

from typing import Any

from django.db.backends.postgresql import base

from servicedesk.tenancy import current_tenant_id

# Transaction control must reach the server on its own: after an error the transaction is
# aborted and would refuse the SELECT in front, so ROLLBACK TO SAVEPOINT could never run.
_TRANSACTION_CONTROL = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK", "COMMIT", "BEGIN")


def _with_tenant_setting(execute: Any, sql: str, params: Any, many: bool, context: dict[str, Any]) -> Any:
    if sql.lstrip()[:20].upper().startswith(_TRANSACTION_CONTROL):
        return execute(sql, params, many, context)
    tenant_id = current_tenant_id()
    if tenant_id is None and not context["connection"].in_atomic_block:
        # A statement on its own is its own transaction, and no earlier statement left a
        # setting behind: nothing to clear. (This also leaves CREATE DATABASE and VACUUM,
        # which refuse to run in a multi-statement string, as they are.)
        return execute(sql, params, many, context)
    # An int from our own context variable: safe to inline, and inlining keeps the caller's
    # parameter placeholders untouched.
    value = "" if tenant_id is None else str(int(tenant_id))
    return execute(f"SELECT set_config('app.tenant_id', '{value}', true); {sql}", params, many, context)


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.execute_wrappers.append(_with_tenant_setting)
