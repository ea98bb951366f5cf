"""kombu's Redis transport, keeping one Redis client per channel.

kombu builds a ``redis.Redis`` for every command it sends on a channel's synchronous
connection (``Channel.conn_or_acquire``): sending one task built two (the exchange's bindings,
then the message), each filling redis-py's table of ~170 response callbacks, about 60 µs of
CPU apiece. Here the channel builds its client once and keeps it; the client only borrows a
connection from the channel's pool for each command, as before. The asynchronous client a
worker consumes with is kombu's own. ``CELERY_BROKER_TRANSPORT`` names this class when the
broker is a ``redis://`` URL (config/settings/base.py)."""

from __future__ import annotations

from typing import Any

from kombu.transport import redis


class Channel(redis.Channel):
    _kept_client: Any = None

    def _create_client(self, asynchronous: bool = False) -> Any:
        if asynchronous:
            return super()._create_client(asynchronous=True)  # type: ignore[misc]  # (not in the stubs)
        if self._kept_client is None:
            self._kept_client = super()._create_client()  # type: ignore[misc]
        return self._kept_client


class Transport(redis.Transport):
    Channel = Channel
