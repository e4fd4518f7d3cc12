"""One writer per warehouse: whoever builds it (CLI, Dagster run) holds `<warehouse>.lock`.

The lock is an OS file lock (flock), so it is released when its holder exits, even by kill -9:
no stale lock survives a crash. The file names the holder (pid, start time, command), so a
second build can say whom it waits for.
"""
from __future__ import annotations

import fcntl
import json
import os
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable


class WarehouseBusy(RuntimeError):
    """Another build holds the warehouse and the caller chose not to wait."""


def lock_path_for(warehouse: Path) -> Path:
    warehouse = Path(warehouse)
    return warehouse.with_name(warehouse.name + ".lock")


def describe_holder(path: Path) -> str:
    try:
        holder = json.loads(Path(path).read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        holder = {}
    if not holder:
        return "another build"
    return f"the build of pid {holder.get('pid')} started at {holder.get('started_at')} ({holder.get('command', '')})"


class WriterLock:
    def __init__(self, warehouse: Path):
        self.path = lock_path_for(warehouse)
        self._handle = None

    def acquire(self, wait: bool = True, report: Callable[[str], None] = print, poll_seconds: float = 0.5) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+", encoding="utf-8")
        told = False
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                holder = describe_holder(self.path)
                if not wait:
                    handle.close()
                    raise WarehouseBusy(f"{self.path.name.removesuffix('.lock')} is being built by {holder}")
                if not told:
                    report(f"waiting: {self.path.name.removesuffix('.lock')} is being built by {holder}")
                    told = True
                time.sleep(poll_seconds)
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps({
            "pid": os.getpid(),
            "started_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "command": " ".join(os.path.basename(a) if i == 0 else a for i, a in enumerate(sys.argv))[:200],
        }))
        handle.flush()
        self._handle = handle

    def release(self) -> None:
        if self._handle is not None:
            self._handle.seek(0)
            self._handle.truncate()
            self._handle.flush()
            fcntl.flock(self._handle, fcntl.LOCK_UN)
            self._handle.close()
            self._handle = None

    def __enter__(self) -> "WriterLock":
        self.acquire()
        return self

    def __exit__(self, *_exc) -> None:
        self.release()
