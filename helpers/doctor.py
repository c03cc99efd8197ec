"""Environment report: ``python -m helpers.doctor`` (or ``make doctor``) prints OK/FAIL lines to paste into
bug reports and exits non-zero if anything required is missing."""

from __future__ import annotations

import platform
import re
import sys
from importlib import metadata
from pathlib import Path

#: Distribution names imported by the notebooks and tests, used when requirements.txt is not beside the
#: package.
FALLBACK_REQUIREMENTS = [
    "torch",
    "numpy",
    "matplotlib",
    "tqdm",
    "ipywidgets",
    "ipykernel",
    "jupyterlab",
    "nbformat",
    "nbclient",
    "nbconvert",
    "nbval",
    "pytest",
]


#: The pinned list that ships beside the package in an editable install (``make setup`` installs it so).
PACKAGED_REQUIREMENTS = Path(__file__).resolve().parent.parent / "requirements.txt"


def read_requirements(path: Path | None = None) -> list[tuple[str, str | None]]:
    """(name, pinned version or None) for each requirement line of ``path``.

    Without ``path``, the ``requirements.txt`` beside the installed package; where there is none (a wheel
    install), the packages the notebooks cannot run without, unpinned.
    """
    path = PACKAGED_REQUIREMENTS if path is None else Path(path)
    if not path.exists():
        return [(name, None) for name in FALLBACK_REQUIREMENTS]
    out = []
    for raw in path.read_text().splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        m = re.match(r"^([A-Za-z0-9_.\-]+)(?:\[.*\])?\s*(?:==\s*([^\s;]+))?", line)
        if m:
            out.append((m.group(1), m.group(2)))
    return out


def report(requirements: list[tuple[str, str | None]] | None = None) -> tuple[list[str], bool]:
    """The report lines and whether every line is OK."""
    lines, ok = [], True

    def add(good: bool, label: str, detail: str) -> None:
        nonlocal ok
        ok &= good
        lines.append(f"{'OK  ' if good else 'FAIL'} {label:<18} {detail}")

    add(sys.version_info >= (3, 10), "python", f"{platform.python_version()} ({sys.executable})")
    add(True, "platform", f"{platform.platform()} · {platform.machine()}")
    for name, pinned in requirements if requirements is not None else read_requirements():
        try:
            have = metadata.version(name)
        except metadata.PackageNotFoundError:
            add(False, name, f"not installed (want {pinned or 'any'})")
            continue
        good = pinned is None or have.split("+")[0] == pinned
        add(good, name, have + ("" if good else f" (requirements.txt pins {pinned})"))
    try:
        import torch

        from helpers.runtime import DEVICE_ENV, available_cores, pick_device, requested_device

        add(True, "torch threads", f"{torch.get_num_threads()} intra-op, {available_cores()} cores available")
        found = pick_device("auto")
        extra = f" ({torch.cuda.get_device_name(0)})" if found.type == "cuda" else ""
        add(True, "accelerator", found.type + extra if found.type != "cpu" else "none (CPU only)")
        asked = requested_device("cpu")  # what setup() uses: the CPU unless DDL_DEVICE asks
        dev = pick_device(asked)
        how = f"{DEVICE_ENV}={asked}" if asked != "cpu" else f"the default; set {DEVICE_ENV} to opt in"
        add(True, "device", f"{dev.type} ({how})")
        x = torch.randn(64, 64, device=dev)
        add(
            bool(torch.allclose((x @ torch.eye(64, device=dev)).cpu(), x.cpu())),
            "tensor math",
            "matmul on device",
        )
    except Exception as exc:  # report, do not crash: this is a diagnostic tool
        add(False, "torch", f"{type(exc).__name__}: {exc}")
    try:
        from jupyter_client.kernelspec import KernelSpecManager

        specs = KernelSpecManager().find_kernel_specs()
        add("python3" in specs, "jupyter kernel", "python3 → " + specs.get("python3", "missing"))
    except Exception as exc:
        add(False, "jupyter kernel", f"{type(exc).__name__}: {exc}")
    try:
        import helpers

        add(True, "helpers", f"{helpers.__version__} ({Path(helpers.__file__).parent})")
    except Exception as exc:
        add(False, "helpers", f"{type(exc).__name__}: {exc}")
    return lines, ok


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description="OK/FAIL report of the environment, for bug reports.")
    parser.add_argument("--requirements", type=Path, help="the pinned list to check against")
    args = parser.parse_args(argv)
    lines, ok = report(read_requirements(args.requirements))
    print("Deriving Deep Learning — environment report")
    print("\n".join(lines))
    print(
        "ALL OK"
        if ok
        else "SOMETHING IS MISSING: see the FAIL lines (run `make lab` or `make test` to set up)"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
