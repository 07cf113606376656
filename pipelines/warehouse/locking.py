"""One writer at a time: an exclusive flock on a sidecar file, released even if the process dies."""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

DEFAULT_WAIT_SECONDS = 900.0


class WriterLockTimeoutError(TimeoutError):
    pass


@contextmanager
def writer_lock(warehouse_path: Path, wait_seconds: float = DEFAULT_WAIT_SECONDS) -> Iterator[None]:
    lock_path = warehouse_path.with_name(warehouse_path.name + ".lock")
    descriptor = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise WriterLockTimeoutError(
                        f"Another run has been publishing to {warehouse_path} for over "
                        f"{wait_seconds:.0f} s (lock file {lock_path}). Wait for it to finish."
                    ) from None
                time.sleep(0.05)
        try:
            yield
        finally:
            fcntl.flock(descriptor, fcntl.LOCK_UN)
    finally:
        os.close(descriptor)
