"""Worker processes on this machine: how many cores may be used, and a forked pool whose workers
inherit large read-only inputs instead of receiving them pickled.

Used by redaction (:func:`pipeline.ingest.redact.redact`), de-duplication
(:func:`pipeline.ingest.stage.dedupe_by_organisation`) and the organisation notebooks.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

__all__ = ["forked_pool", "usable_cores"]


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity where the system says, else the CPU count)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


@contextmanager
def forked_pool(jobs: int, state: dict[str, Any], values: Mapping[str, Any],
                initializer: Callable[[], None] | None = None) -> Iterator[Any]:
    """A ``fork`` pool of ``jobs`` workers that inherit ``values`` through the module-level ``state``.

    ``state`` is filled just before the pool forks, so a task can be a few row numbers and the
    workers read the inputs copy-on-write; it is emptied when the pool closes. The parent's objects
    are frozen out of the garbage collector meanwhile: a worker's collection would otherwise touch,
    and so copy, the parent's whole heap.
    """
    import gc
    import multiprocessing as mp

    state.update(values)
    gc.freeze()
    try:
        with mp.get_context("fork").Pool(jobs, initializer=initializer) as pool:
            yield pool
    finally:
        gc.unfreeze()
        state.clear()
