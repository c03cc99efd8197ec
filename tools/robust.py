"""Re-run check: ``python -m tools.robust [--threads N] [--root DIR] [NOTEBOOK ...]``.

Executes each notebook in a fresh kernel started with ``DDL_QUIET=1`` and ``DDL_THREADS=N`` (default 3: a
count that neither ``make test`` (1) nor the committed outputs (1, or the two cores of the machine that made
them) use), running every code cell twice in a row, as a learner pressing Shift-Enter twice would. Any run of
any cell that raises is reported with the notebook, the cell's index in the notebook (0-based, markdown cells
counted, as ``nb.cells[i]``), which run and the exception; the exit status is then 1. A notebook whose torch
ends with another thread count than N fails too. The notebooks are never written to: execution works on an
in-memory copy. NOTEBOOK paths are relative to ROOT (default: here); without any, every notebook in
``ROOT/notebooks/``. ``--keep-going`` reports every failing cell instead of stopping at the first.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from helpers import collection
from helpers.runtime import QUIET_ENV, THREADS_ENV
from helpers.validate import check_bool, check_int

#: Torch threads in the kernel: neither ``make test``'s (1) nor the committed outputs' (1 or two cores).
THREADS = 3
#: How often each code cell runs, back to back.
RUNS = 2
#: Run after the last cell: the thread count torch used, or -1 when the notebook never imported torch.
PROBE = "import sys as _s\nprint(_s.modules['torch'].get_num_threads() if 'torch' in _s.modules else -1)"


@dataclass
class Failure:
    """One run of one cell that raised."""

    index: int  #: position in ``nb.cells`` (0-based, markdown cells counted)
    run: int  #: 1 for the first run, 2 for the run right after it, …
    runs: int
    ename: str
    evalue: str
    first_line: str

    def __str__(self) -> str:
        return (
            f"cell {self.index} (`{self.first_line}`), run {self.run} of {self.runs}: "
            f"{self.ename}: {self.evalue}"
        )


@dataclass
class Report:
    """What :func:`check` found for one notebook."""

    path: Path
    threads: int
    runs: int
    seconds: float = 0.0
    failures: list[Failure] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  #: failures not tied to one cell

    @property
    def ok(self) -> bool:
        return not self.failures and not self.problems

    def __str__(self) -> str:
        head = f"{self.path} (threads={self.threads}, each code cell run {self.runs}x)"
        if self.ok:
            return f"{head}: ok in {self.seconds:.1f} s"
        lines = [f"{head}: FAILED in {self.seconds:.1f} s"]
        lines += [f"  {self.path.name}: {failure}" for failure in self.failures]
        lines += [f"  {self.path.name}: {problem}" for problem in self.problems]
        return "\n".join(lines)


def kernel_env(threads: int) -> dict[str, str]:
    """The kernel's environment: this process's, with progress bars off and ``threads`` torch threads (read by
    ``helpers.setup``, which every notebook calls first)."""
    return {**os.environ, QUIET_ENV: "1", THREADS_ENV: str(threads)}


def check(
    path: str | Path, threads: int = THREADS, runs: int = RUNS, timeout: int = 600, keep_going: bool = False
) -> Report:
    """Execute the notebook at ``path`` in a fresh kernel, each code cell ``runs`` times in a row.

    Args:
        path: an ``.ipynb`` file; it is read, never written.
        threads: torch threads in the kernel (``DDL_THREADS``).
        runs: how often each code cell runs before the next one starts.
        timeout: seconds allowed per run of a cell.
        keep_going: after a failing cell, go on with the next one (later failures may follow from the first)
            instead of stopping.
    Returns:
        A :class:`Report`: wall time, and every failing run (at most one unless ``keep_going``).
    Raises:
        ValueError: ``path`` is not an existing ``.ipynb`` file, or a number is out of range.
        TypeError: an argument has the wrong type.
    """
    path = Path(path)
    if not path.is_file() or path.suffix != ".ipynb":
        raise ValueError(f"path must be an existing .ipynb file, got {path}")
    threads = check_int("threads", threads, low=1)
    runs = check_int("runs", runs, low=1)
    timeout = check_int("timeout", timeout, low=1)
    keep_going = check_bool("keep_going", keep_going)
    nb = nbformat.read(path, as_version=4)  # the in-memory copy that execution fills with outputs
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        record_timing=False,
        force_raise_errors=True,  # a `raises-exception` tag must not hide a failure here
        resources={"metadata": {"path": str(path.parent.resolve())}},
    )
    report = Report(path, threads, runs)
    start = time.perf_counter()
    with client.setup_kernel(env=kernel_env(threads)):
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code" or not cell.source.strip():
                continue
            failure = run_cell(client, cell, index, runs)
            if failure:
                report.failures.append(failure)
                if not keep_going:
                    break
        else:
            report.problems += thread_problems(client, threads)
    report.seconds = time.perf_counter() - start
    return report


def run_cell(client: NotebookClient, cell: nbformat.NotebookNode, index: int, runs: int) -> Failure | None:
    """Run ``cell`` ``runs`` times back to back; the first run that raises, or None."""
    for run in range(1, runs + 1):
        try:
            client.execute_cell(cell, index)
        except CellExecutionError as error:
            first_line = next((line for line in cell.source.splitlines() if line.strip()), "")
            return Failure(index, run, runs, error.ename, error.evalue, first_line.strip()[:60])
    return None


def thread_problems(client: NotebookClient, threads: int) -> list[str]:
    """A problem when torch in the kernel ended with another thread count than ``threads``."""
    probe = nbformat.v4.new_code_cell(PROBE)
    client.nb.cells.append(probe)  # nbclient stores each executed cell back at its index
    try:
        client.execute_cell(probe, len(client.nb.cells) - 1)
    finally:
        client.nb.cells.pop()
    text = "".join(output.get("text", "") for output in probe.outputs).strip()
    if text.lstrip("-").isdigit() and int(text) in (-1, threads):
        return []
    ran = f"{text} thread{'' if text == '1' else 's'}" if text else "an unknown number of threads"
    return [f"torch ran with {ran}, not the {threads} asked for"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, metavar="NOTEBOOK")
    parser.add_argument("--threads", type=int, default=THREADS, help=f"torch threads (default {THREADS})")
    parser.add_argument("--root", type=Path, default=None, help="repository root (default: here)")
    parser.add_argument("--timeout", type=int, default=600, help="seconds per run of a cell")
    parser.add_argument("--keep-going", action="store_true", help="go on after a failing cell")
    args = parser.parse_args(argv)
    args.root = args.root or Path.cwd()
    if args.threads < 1:
        parser.error(f"--threads must be an int >= 1, got {args.threads}")
    if args.timeout < 1:
        parser.error(f"--timeout must be an int >= 1, got {args.timeout}")
    if not args.root.is_dir():
        parser.error(f"--root must be a directory, got {args.root}")
    try:
        paths = [args.root / p for p in args.notebooks] or collection.notebook_files(args.root)
    except ValueError as error:
        parser.error(str(error))
    for path in paths:
        if not path.is_file() or path.suffix != ".ipynb":
            parser.error(f"not a notebook: {path}")
    failed = []
    for path in paths:
        print(f"running {path}, each code cell {RUNS}x, threads={args.threads} …", flush=True)
        report = check(path, args.threads, RUNS, args.timeout, args.keep_going)
        print(f"  {report}", flush=True)
        failed += [] if report.ok else [report]
    if failed:
        print(f"\n{len(failed)} of {len(paths)} notebooks failed:", *failed, sep="\n", file=sys.stderr)
        return 1
    print(f"all {len(paths)} notebooks passed", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
