"""One rehearsal of the notebooks: ``python -m tools.rehearse [notebooks…]`` times every code cell.

Each notebook is executed in a temporary copy (the committed file is never touched) in a fresh kernel, with
nbclient's per-cell timing switched on. The seconds each cell took are written to ``tools/rehearsal.json``,
keyed by notebook file name and cell id, with the total and the machine it ran on; the lesson plans
(``tools/lessons.py``) read them and add reading time. Run it under the CPU lock on a quiet machine, after a
notebook changed; cells missing from the file are counted as not measured.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from helpers import collection

RECORD = Path("tools") / "rehearsal.json"


def cell_seconds(cell) -> float | None:
    """Seconds from the kernel starting the cell to its reply, from nbclient's timing metadata."""
    timing = cell.metadata.get("execution", {})
    start, end = timing.get("iopub.execute_input"), timing.get("shell.execute_reply")
    if not (start and end):
        return None
    parse = lambda stamp: datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    return round((parse(end) - parse(start)).total_seconds(), 2)


def rehearse(path: Path, timeout: int = 600) -> dict:
    """Execute a copy of ``path``; return ``{"total_s", "cells": {cell id: seconds}}``."""
    nb = nbformat.read(path, as_version=4)
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copy2(path, Path(tmp) / path.name)
        resources = {"metadata": {"path": tmp}}
        client = NotebookClient(
            nb, timeout=timeout, kernel_name="python3", record_timing=True, resources=resources
        )
        start = time.perf_counter()
        client.execute()
        total = time.perf_counter() - start
    cells = {c.id: cell_seconds(c) for c in nb.cells if c.cell_type == "code" and c.source.strip()}
    return {"total_s": round(total, 1), "cells": {k: v for k, v in cells.items() if v is not None}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: every topic notebook")
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="repository root (default: here)")
    parser.add_argument("--timeout", type=int, default=300, help="seconds per cell before giving up")
    args = parser.parse_args(argv)
    os.environ.setdefault("DDL_QUIET", "1")
    paths = args.notebooks or [args.root / e.relpath for e in collection.COLLECTION]
    record_path = args.root / RECORD
    record = json.loads(record_path.read_text(encoding="utf-8")) if record_path.exists() else {}
    record.setdefault("notebooks", {})
    record["machine"] = f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs"
    for path in paths:
        print(f"rehearsing {path.name} …", flush=True)
        try:
            result = rehearse(path, args.timeout)
        except Exception as error:  # one broken notebook must not lose the others' times
            print(f"  failed: {type(error).__name__}: …{str(error)[-600:]}", flush=True)
            continue
        record["notebooks"][path.name] = result
        print(f"  {result['total_s']} s", flush=True)
        record_path.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
