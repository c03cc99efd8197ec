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


def need_chromium() -> None:
    """Skip the calling test when Chromium is missing; fail instead on CI, where .ci/run installs it."""
    import pytest

    if chromium_path() is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is missing on CI: .ci/run installs Debian's chromium")
        pytest.skip("Chromium is not installed (apt-get install chromium)")


@contextmanager
def serve_directory(root) -> Iterator[str]:
    """Serve the files under ``root`` over HTTP on a free loopback port, quietly; yields the base URL."""
    import functools
    import http.server
    import socketserver
    import threading

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = socketserver.TCPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def wait_for_lab(base: str, token: str, proc, log_path, timeout: float = 90) -> None:
    """Wait until the JupyterLab server at ``base`` answers; else stop its process group and fail the test
    with the end of its log."""
    import time
    import urllib.request

    import pytest

    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
            return
        except OSError:
            time.sleep(0.5)
    stop_process_group(proc)
    pytest.fail("JupyterLab did not start:\n" + log_path.read_text()[-2000:])
