"""Django's database cache, made safe to call inside a transaction.

On PostgreSQL a failed statement aborts the whole transaction it is in: a cache error in a
signal (the page-cache version bump on save) would make the editor's or patient's own write
fail with it. Inside a transaction each cache call therefore runs in a savepoint, so a cache
error is rolled back alone and reaches the caller as an exception it already handles.
"""

from functools import wraps

from django.core.cache.backends import db
from django.db import router, transaction


def in_savepoint(method):
    @wraps(method)
    def guarded(self, *args, **kwargs):
        alias = router.db_for_write(self.cache_model_class)
        if not transaction.get_connection(alias).in_atomic_block:
            return method(self, *args, **kwargs)  # autocommit: nothing to protect, no BEGIN
        with transaction.atomic(using=alias):
            return method(self, *args, **kwargs)

    return guarded


class DatabaseCache(db.DatabaseCache):
    # get(), get_or_set() and incr() go through these.
    get_many = in_savepoint(db.DatabaseCache.get_many)
    set = in_savepoint(db.DatabaseCache.set)
    add = in_savepoint(db.DatabaseCache.add)
    touch = in_savepoint(db.DatabaseCache.touch)
    delete = in_savepoint(db.DatabaseCache.delete)
    delete_many = in_savepoint(db.DatabaseCache.delete_many)
    has_key = in_savepoint(db.DatabaseCache.has_key)
    clear = in_savepoint(db.DatabaseCache.clear)
