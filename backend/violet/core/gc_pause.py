"""Pausing Python's cycle collector while a request builds a very large object graph.

The collector runs whenever allocations outnumber deallocations by a threshold, and every so
often walks every tracked object of the process. A library import of thousands of tests
allocates millions of objects (YAML nodes, drafts, ORM rows) and keeps them until it ends, so
the collector walked them again and again for nothing: about 45% of the import's time
(docs/performance.md, "Library import"). Those objects are freed by reference counting when
the request ends; the few cycles left are collected once the collector is back.

The collector is one per process and shared by the worker's threads: it comes back when the
last request that paused it ends.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_pausing = 0  # requests inside `cycle_collection_paused()` now
_lock = threading.Lock()


@contextmanager
def cycle_collection_paused() -> Iterator[None]:
    """No automatic cycle collection inside the block (nor in other threads meanwhile)."""
    global _pausing
    with _lock:
        _pausing += 1
        gc.disable()
    try:
        yield
    finally:
        with _lock:
            _pausing -= 1
            if not _pausing:
                gc.enable()
