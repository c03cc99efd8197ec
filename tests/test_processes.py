"""helpers.processes: a free local port, and N worker processes run with a timeout and always ended.

The worker functions are defined at module level so that spawned workers can import them by name.
"""

import multiprocessing
import os
import socket
import time
from pathlib import Path

import pytest
import torch

from helpers import processes
from helpers.processes import default_start_method, free_port, run_workers


def report(rank, world_size, port, value):
    return {"rank": rank, "world_size": world_size, "port": port, "value": value, "pid": os.getpid()}


def threads(rank, world_size, port):
    return torch.get_num_threads()


def sleep_forever(rank, world_size, port):
    time.sleep(600)


def second_fails(rank, world_size, port):
    if rank == 1:
        raise ValueError("worker one cannot go on")
    time.sleep(600)  # the others would wait for it forever


def dies_silently(rank, world_size, port):
    os._exit(3)


def port_taken_once(rank, world_size, port, marker):
    if not Path(marker).exists():
        Path(marker).touch()
        raise RuntimeError("Address already in use")
    return port


def test_free_port_is_bindable():
    port = free_port()
    with socket.socket() as s:
        s.bind(("127.0.0.1", port))


def test_default_start_method(monkeypatch):
    monkeypatch.setattr(processes.sys, "platform", "linux")
    assert default_start_method() == "fork"
    for platform in ("darwin", "win32"):
        monkeypatch.setattr(processes.sys, "platform", platform)
        assert default_start_method() == "spawn"


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_each_worker_gets_its_own_arguments_and_results_come_back_in_rank_order(method):
    if method not in multiprocessing.get_all_start_methods():
        pytest.skip(f"{method} is not available on this platform")
    values = [torch.arange(3) * rank for rank in range(3)]
    results = run_workers(report, [(v,) for v in values], timeout=120, start_method=method)
    assert [r["rank"] for r in results] == [0, 1, 2]
    assert {r["world_size"] for r in results} == {3}
    assert len({r["port"] for r in results}) == 1  # one meeting point for all
    assert len({r["pid"] for r in results} | {os.getpid()}) == 4  # three new processes
    for r, v in zip(results, values):
        assert torch.equal(r["value"], v)
    assert multiprocessing.active_children() == []


def test_workers_use_one_thread():
    assert run_workers(threads, [(), ()], timeout=120) == [1, 1]


def test_timeout_ends_every_worker():
    start = time.monotonic()
    with pytest.raises(TimeoutError, match="timeout=0.5"):
        run_workers(sleep_forever, [(), ()], timeout=0.5)
    assert time.monotonic() - start < 30
    assert multiprocessing.active_children() == []


def test_a_failing_worker_is_reported_with_its_traceback_and_the_others_are_ended():
    start = time.monotonic()
    with pytest.raises(
        RuntimeError,
        match=r"worker ([02], )*1(, [02])* of 3 failed(.|\n)*--- worker 1 ---\nTraceback(.|\n)*"
        r"worker one cannot go on",
    ):
        run_workers(second_fails, [(), (), ()], timeout=120)
    assert time.monotonic() - start < 30  # not the 600 s the others would sleep
    assert multiprocessing.active_children() == []


def test_a_worker_that_dies_without_a_traceback_is_reported():
    with pytest.raises(RuntimeError, match=r"worker 0 of 1 failed(.|\n)*no traceback written"):
        run_workers(dies_silently, [()], timeout=120)


def test_a_port_clash_is_retried_once_on_a_new_port(tmp_path):
    marker = tmp_path / "clashed"
    assert run_workers(port_taken_once, [(str(marker),)], timeout=120)[0] > 0
    assert marker.exists()


def test_spawn_refuses_a_function_it_cannot_import():
    def local(rank, world_size, port):
        return rank

    local.__module__ = "__main__"
    with pytest.raises(ValueError, match="target must be importable"):
        run_workers(local, [()], timeout=10, start_method="spawn")


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(target=1), TypeError, "target must be a function"),
        (dict(worker_args=[]), ValueError, r"len\(worker_args\) must be an int in \[1, 64\]"),
        (dict(worker_args="ab"), TypeError, "worker_args must be a sequence"),
        (dict(worker_args=[1]), TypeError, r"worker_args\[0\] must be a sequence"),
        (dict(timeout=0), ValueError, "timeout must be a finite number > 0"),
        (dict(timeout="1"), TypeError, "timeout must be a finite number"),
        (dict(start_method="forkserver"), ValueError, "start_method must be one of 'fork', 'spawn'"),
    ],
)
def test_bad_arguments_name_the_parameter(kwargs, error, match):
    call = dict(target=threads, worker_args=[()], timeout=10) | kwargs
    with pytest.raises(error, match=match):
        run_workers(call.pop("target"), call.pop("worker_args"), **call)
