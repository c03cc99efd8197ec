"""`make lab` really serves JupyterLab: start it as a user would, load the lab page and the notebook list on
localhost, stop it."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import time
import urllib.request

import pytest

from helpers.collection import notebook_files
from helpers.processes import free_port
from tests.browser import stop_process_group


def get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=5) as response:  # loopback only
        return response.status, response.read().decode("utf-8", "replace")


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_lab_serves_the_lab_page_and_the_notebooks(tmp_path, repo_root):
    port, token = free_port(), secrets.token_hex(16)
    args = f"--no-browser --ip=127.0.0.1 --port={port} --ServerApp.token={token} --ServerApp.port_retries=0"
    log = (tmp_path / "lab.log").open("w")
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime")}
    proc = subprocess.Popen(
        ["make", "--no-print-directory", "lab", f"LAB_ARGS={args}"],
        cwd=repo_root,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline, status, page = time.time() + 90, None, ""
        while time.time() < deadline and proc.poll() is None:
            try:
                status, page = get(f"http://127.0.0.1:{port}/lab?token={token}")
                break
            except OSError:
                time.sleep(0.5)
        assert status == 200, (
            f"JupyterLab did not answer on port {port}:\n{(tmp_path / 'lab.log').read_text()[-2000:]}"
        )
        assert "JupyterLab" in page
        _, listing = get(f"http://127.0.0.1:{port}/api/contents?token={token}")
        names = {item["name"] for item in json.loads(listing)["content"]}
        expected = {p.name for p in notebook_files(repo_root)}
        assert expected and expected <= names, f"the lab serves notebooks/: expected {expected}, got {names}"
        _, kernels = get(f"http://127.0.0.1:{port}/api/kernelspecs?token={token}")
        assert "python3" in json.loads(kernels)["kernelspecs"]
    finally:
        stop_process_group(proc)
        log.close()
