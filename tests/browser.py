"""Headless Chromium for the real-browser tests, driven by Playwright without downloading a browser.

Test code, imported as ``tests.browser``: the repository root must be on ``sys.path``, as ``python -m pytest``
run from it ensures.

Uses the system's Chromium (Debian package ``chromium``), found with ``shutil.which``; never runs
``playwright install``. Flags keep it quiet on a machine with no network and let it run as root.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]


def chromium_path() -> str | None:
    """Path of the system Chromium, or None when it is not installed."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


@contextmanager
def browser_page(width: int = 1280, height: int = 900) -> Iterator[object]:
    """A Playwright page in headless system Chromium; closes everything on exit.

    Raises:
        FileNotFoundError: Chromium is not installed (``apt-get install chromium``).
    """
    from playwright.sync_api import sync_playwright

    exe = chromium_path()
    if exe is None:
        raise FileNotFoundError(
            "Chromium not found: install Debian's package with `apt-get install chromium`"
        )
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=exe,
            args=FLAGS,
            headless=True,
            env={**os.environ, "HOME": os.environ.get("HOME", "/root")},
        )
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            yield page
        finally:
            browser.close()


def stop_process_group(proc, timeout: float = 20) -> None:
    """Stop a server started with ``start_new_session=True``: SIGTERM its group, SIGKILL if it lingers."""
    import signal
    import subprocess

    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=timeout)
