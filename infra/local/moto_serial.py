"""Runs moto's server (same CLI as `moto_server`) handling one request at a time.

Why: moto makes DynamoDB transactions atomic by deep-copying the whole table first and
restoring that copy when a condition fails. With requests served on parallel threads, a
failed transaction restores a copy taken *before* other requests committed, silently
erasing their items and stream records. Real DynamoDB never does that. Serving
requests one by one keeps moto's transactions isolated, as DynamoDB's are; each request
takes milliseconds, so the cost is small. Step Functions executions still run on
moto's background threads.

Two patches are always loaded (see their docstrings): moto_tx replaces moto's
whole-table copy per transaction item by an undo log, and moto_scale makes a Query read
only the queried partition instead of sorting the whole table. Both keep moto's
semantics; without them every request got slower as a test run filled the table.
"""

import moto.server as server
import moto_tx  # noqa: F401  (before moto_scale, which wraps the transaction too)
import moto_scale  # noqa: F401

_run_simple = server.run_simple


def _serial_run_simple(*args, **kwargs):
    kwargs["threaded"] = False
    return _run_simple(*args, **kwargs)


server.run_simple = _serial_run_simple

if __name__ == "__main__":
    server.main()
