"""Re-execute notebooks in place in a fresh kernel: ``python -m tools.execute notebooks/04_x.ipynb``.

Used by ``make execute`` so that committed notebooks carry current, clean outputs: execution counts 1…n, no
timing metadata, kernel ``python3``, progress bars silenced (``DDL_QUIET=1``). Stops at the first error.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

KERNEL = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}


def clean(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Drop per-cell timing and collapse-state noise; set the kernel to ``python3``."""
    nb.metadata["kernelspec"] = dict(KERNEL)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        cell.metadata.pop("ExecuteTime", None)
    return nb


def execute(path: Path, timeout: int = 600) -> float:
    """Execute one notebook in place; return the wall time in seconds."""
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        record_timing=False,
        resources={"metadata": {"path": str(path.parent)}},
    )
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    nbformat.validate(nb)
    nbformat.write(clean(nb), path)
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--timeout", type=int, default=600, help="seconds per cell")
    args = parser.parse_args(argv)
    os.environ.setdefault("DDL_QUIET", "1")
    for path in args.notebooks:
        if not path.exists() or path.suffix != ".ipynb":
            parser.error(f"not a notebook: {path}")
    for path in args.notebooks:
        print(f"executing {path} …", flush=True)
        print(f"  done in {execute(path, args.timeout):.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
