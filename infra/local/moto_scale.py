"""Always loaded by moto_serial.py: two of moto's costs that grow with data, removed (the
catalog benchmark holds about a million items; a test run some thousands).

1. moto answers every Query by sorting *all* the items of the table before looking for
   the partition, so a query's time grows with the table (about a second per query at
   50 000 items). DynamoDB reads only the partition, in key order. Here moto's own query
   runs on the items of the queried partition, already in the index's order, from a
   per-index map rebuilt after any write; key conditions, filters, the start key, limits
   and the response are still moto's.
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


def _raw(value):
    if value is None:
        return (0, "")
    if value.type == "N":
        return (1, float(value.value))
    return (2, str(value.value))


def _sorted_partition(table, index_name, hash_attr, sort_attrs, value):
    """The items of one index partition in moto's own sort order, cached per write."""
    cache = table.__dict__.setdefault("_loket_sorted", {})
    key = (index_name, _key(value))
    entry = cache.get(key)
    if entry is None or entry[0] != _generation[0]:
        items = list(_partitions(table, index_name, hash_attr).get(_key(value), []))
        items.sort(key=lambda it: tuple(_raw(it.attrs.get(a)) for a in sort_attrs))
        entry = (_generation[0], items)
        cache[key] = entry
    return entry[1]


def _candidates(table, bound):
    """(items, already sorted) of the queried partition, or None to leave it to moto."""
    index_name = bound.get("index_name")
    hash_key = bound.get("hash_key")
    if index_name is None:
        if hash_key is None:
            return None
        part = table.items.get(hash_key)
        if part is None:
            return [], False
        return (list(part.values()) if table.range_key_attr else [part]), False
    index = next((i for i in table.all_indexes() if i.name == index_name), None)
    if index is None:
        return None
    hash_attrs = [k["AttributeName"] for k in index.schema if k["KeyType"] == "HASH"]
    range_attrs = [k["AttributeName"] for k in index.schema if k["KeyType"] == "RANGE"]
    if len(hash_attrs) != 1 or len(range_attrs) != 1:
        return None
    value = hash_key
    for name, v in bound.get("hash_key_conditions") or []:
        if name == hash_attrs[0]:
            value = v
    if value is None:
        return None
    # moto's order for a GSI: index hash, index range, table hash, table range.
    order = [hash_attrs[0], range_attrs[0], table.hash_key_attr, table.range_key_attr]
    order = [a for a in order if a]
    return list(_sorted_partition(table, index_name, hash_attrs[0], order, value)), True


def _query(self, *args, **kwargs):
    bound = _signature.bind(self, *args, **kwargs).arguments
    with _lock:
        found = _candidates(self, bound)
        if found is None:
            return _original_query(self, *args, **kwargs)
        candidates, presorted = found
        self.all_items = lambda: candidates
        if presorted:
            self.sorted_items = lambda hash_attrs, range_attrs, items: items
        try:
            return _original_query(self, *args, **kwargs)
        finally:
            del self.all_items
            if presorted:
                del self.sorted_items


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
