"""Opt-in (LOKET_MOTO_SCALE=1): two of moto's costs that grow with data, removed for the
catalog benchmark (about a million items). The test stack does not use it.

1. moto answers every Query by sorting *all* the items of the table before looking for
   the partition, so a query's time grows with the table (about a second per query at
   50 000 items). DynamoDB reads only the partition. Here moto's own query runs on the
   items of the queried partition, found in a per-index map rebuilt after any write;
   key conditions, filters, ordering and paging are still moto's.
2. moto re-measures the whole item each time one attribute is set (to enforce the
   400 KB item limit), which is quadratic in the number of attributes. Here the size is
   kept as a running total (recomputed after a removal); the limit is the same.
"""

import inspect
import threading

import moto.dynamodb.models as models
from moto.dynamodb.exceptions import ItemSizeTooLarge
from moto.dynamodb.models.dynamo_type import DynamoType, LimitedSizeDict
from moto.dynamodb.models.table import Table
from moto.dynamodb.models.utilities import bytesize

_generation = [0]
_lock = threading.RLock()


def _bumps(method):
    def wrapper(*args, **kwargs):
        _generation[0] += 1
        try:
            return method(*args, **kwargs)
        finally:
            _generation[0] += 1

    return wrapper


for _name in ("put_item", "update_item", "delete_item", "transact_write_items", "batch_write_item"):
    setattr(models.DynamoDBBackend, _name, _bumps(getattr(models.DynamoDBBackend, _name)))
for _name in ("put_item", "delete_item"):
    setattr(Table, _name, _bumps(getattr(Table, _name)))

_original_query = Table.query
_signature = inspect.signature(_original_query)


def _key(value):
    return (value.type, str(value.value))


def _partitions(table, index_name, hash_attr):
    cache = table.__dict__.setdefault("_loket_partitions", {})
    entry = cache.get(index_name)
    if entry is None or entry[0] != _generation[0]:
        parts = {}
        for hash_set in list(table.items.values()):
            items = hash_set.values() if table.range_key_attr else [hash_set]
            for item in items:
                value = item.attrs.get(hash_attr)
                if value is not None:
                    parts.setdefault(_key(value), []).append(item)
        entry = (_generation[0], parts)
        cache[index_name] = entry
    return entry[1]


def _candidates(table, bound):
    index_name = bound.get("index_name")
    hash_key = bound.get("hash_key")
    if index_name is None:
        if hash_key is None:
            return None
        part = table.items.get(hash_key)
        if part is None:
            return []
        return list(part.values()) if table.range_key_attr else [part]
    index = next((i for i in table.all_indexes() if i.name == index_name), None)
    if index is None:
        return None
    hash_attrs = [k["AttributeName"] for k in index.schema if k["KeyType"] == "HASH"]
    if len(hash_attrs) != 1:
        return None
    value = hash_key
    for name, v in bound.get("hash_key_conditions") or []:
        if name == hash_attrs[0]:
            value = v
    if value is None:
        return None
    return list(_partitions(table, index_name, hash_attrs[0]).get(_key(value), []))


def _query(self, *args, **kwargs):
    bound = _signature.bind(self, *args, **kwargs).arguments
    with _lock:
        candidates = _candidates(self, bound)
        if candidates is None:
            return _original_query(self, *args, **kwargs)
        self.all_items = lambda: candidates
        try:
            return _original_query(self, *args, **kwargs)
        finally:
            del self.all_items


Table.query = _query


def _size_of(key, value):
    return bytesize(key) + (value.size() if type(value) is DynamoType else bytesize(str(value)))


def _setitem(self, key, value):
    total = self.__dict__.get("_loket_size")
    if total is None:
        total = sum(_size_of(k, v) for k, v in dict.items(self))
    if dict.__contains__(self, key):
        total -= _size_of(key, dict.__getitem__(self, key))
    total += _size_of(key, value)
    # moto's limit (between DynamoDB's measured 409 and 410 KB).
    if total > 405000:
        raise ItemSizeTooLarge
    dict.__setitem__(self, key, value)
    self.__dict__["_loket_size"] = total


def _forgets_size(method):
    def wrapper(self, *args, **kwargs):
        self.__dict__.pop("_loket_size", None)
        return method(self, *args, **kwargs)

    return wrapper


LimitedSizeDict.__setitem__ = _setitem
for _name in ("__delitem__", "pop", "popitem", "clear", "update", "setdefault"):
    setattr(LimitedSizeDict, _name, _forgets_size(getattr(dict, _name)))
