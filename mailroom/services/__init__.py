"""The mail room's use cases: taking mail in (inbound), reading what it asks (classify), answering (answers)."""
