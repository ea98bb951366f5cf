"""The names of the two database connections (see ``config.settings.database``)."""

# The cross-tenant connection: a role that bypasses row-level security, used only where
# code names it.
SYSTEM_DB = "system"
