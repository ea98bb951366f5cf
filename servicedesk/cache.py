"""Django's Redis cache backend, keeping its Redis client.

Django's ``RedisCacheClient`` builds a new ``redis.Redis`` for every cache call (on the same
connection pool); redis-py's constructor fills a table of ~170 response callbacks each time,
about 60 µs of CPU, so a request that asks the cache twice spent more building clients than
talking to Redis. Here each pool gets one client, built on first use and kept (a client is
only its pool and those callbacks; the pool hands out connections per call and starts afresh
in a forked process)."""

from __future__ import annotations

from typing import Any

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class _ReusingClient(RedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        # (Django's private helpers, which the type stubs do not declare.)
        index = self._get_connection_pool_index(write)  # type: ignore[attr-defined]
        client = self._clients.get(index)
        if client is None:
            pool = self._get_connection_pool(write)  # type: ignore[attr-defined]
            client = self._clients[index] = self._client(connection_pool=pool)  # type: ignore[attr-defined]
        return client


class DeskRedisCache(RedisCache):
    """``django.core.cache.backends.redis.RedisCache`` with one Redis client per pool."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = _ReusingClient
