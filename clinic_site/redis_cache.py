"""Django's Redis cache, with one redis.Redis object per connection pool.

Django's client makes a new redis.Redis for every cache call, and each one copies the
library's table of response callbacks: a page-cache hit (one call) and a miss (three) paid
that every time. A redis.Redis is safe to share between threads; it takes a connection from
its pool for each command, so reusing it changes nothing else (timeouts, reconnection).
"""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class ReusingRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient
