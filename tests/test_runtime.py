"""Tests for helpers.runtime: seeding, device choice and the one-line setup."""

import random
import re

import matplotlib
import numpy as np
import pytest
import torch

from helpers import runtime


@pytest.fixture(autouse=True)
def no_environment_override(monkeypatch):
    """`make test` sets DDL_THREADS for the notebooks, a reader may set DDL_DEVICE; these tests check setup's
    own choices. The cuBLAS variable setup may write is restored after each test."""
    monkeypatch.delenv(runtime.THREADS_ENV, raising=False)
    monkeypatch.delenv(runtime.DEVICE_ENV, raising=False)
    monkeypatch.delenv(runtime.CUBLAS_WORKSPACE[0], raising=False)


@pytest.fixture(autouse=True)
def restore_global_state():
    threads = torch.get_num_threads()
    cudnn = (torch.backends.cudnn.benchmark, torch.backends.cudnn.deterministic)
    deterministic = (
        torch.are_deterministic_algorithms_enabled(),
        torch.is_deterministic_algorithms_warn_only_enabled(),
    )
    py_state, np_state, torch_state = random.getstate(), np.random.get_state(), torch.get_rng_state()  # noqa: NPY002
    with matplotlib.rc_context():  # setup() applies the plot style
        yield
    torch.set_num_threads(threads)
    torch.backends.cudnn.benchmark, torch.backends.cudnn.deterministic = cudnn
    torch.use_deterministic_algorithms(deterministic[0], warn_only=deterministic[1])
    random.setstate(py_state)
    np.random.set_state(np_state)  # noqa: NPY002
    torch.set_rng_state(torch_state)


def _draw(gen=None):
    return (
        random.random(),
        float(np.random.rand()),  # noqa: NPY002 -- the global generator seed_everything seeds
        torch.rand(3).tolist(),
        None if gen is None else torch.rand(2, generator=gen).tolist(),
    )


# ------------------------------------------------------------------------------------------ seed_everything


def test_seed_everything_makes_python_numpy_and_torch_repeatable():
    g1 = runtime.seed_everything(123)
    first = _draw(g1)
    g2 = runtime.seed_everything(123)
    second = _draw(g2)
    assert first == second
    runtime.seed_everything(124)
    assert _draw()[:3] != first[:3]


def test_seed_everything_returns_a_fresh_generator_seeded_the_same():
    g = runtime.seed_everything(7)
    assert isinstance(g, torch.Generator)
    assert g.initial_seed() == 7
    assert torch.equal(torch.rand(4, generator=g), torch.rand(4, generator=torch.Generator().manual_seed(7)))
    # a separate generator: drawing from it does not advance the global torch stream
    runtime.seed_everything(7)
    expected = torch.rand(3)
    g = runtime.seed_everything(7)
    torch.rand(5, generator=g)
    assert torch.equal(torch.rand(3), expected)


@pytest.mark.parametrize("seed", [0, 12345, 2**32 - 1])
def test_seed_everything_accepts_range_bounds(seed):
    assert runtime.seed_everything(seed).initial_seed() == seed


@pytest.mark.parametrize("seed", [1.0, "1", None, True, False])
def test_seed_everything_non_int_raises_type_error(seed):
    with pytest.raises(TypeError, match=r"^seed must be an int in \[0, 4294967295\]"):
        runtime.seed_everything(seed)


@pytest.mark.parametrize("seed", [-1, 2**32, 10**20])
def test_seed_everything_out_of_range_raises_value_error(seed):
    with pytest.raises(ValueError, match=rf"^seed must be an int in \[0, 4294967295\], got {seed}$"):
        runtime.seed_everything(seed)


def test_seed_everything_accepts_numpy_integers():
    first = _draw(runtime.seed_everything(np.int64(11)))
    assert _draw(runtime.seed_everything(11)) == first


# ---------------------------------------------------------------------------------------------- pick_device


def test_pick_device_cpu():
    assert runtime.pick_device("cpu") == torch.device("cpu")


def test_pick_device_auto_returns_an_available_device():
    dev = runtime.pick_device()
    assert isinstance(dev, torch.device)
    assert dev.type in ("cpu", "cuda", "mps")
    if torch.cuda.is_available():
        assert dev.type == "cuda"
    torch.zeros(1, device=dev)  # usable


@pytest.mark.parametrize("name", ["gpu", "CPU", "", "cuda:0", None, "tpu"])
def test_pick_device_unknown_name_raises_value_error(name):
    with pytest.raises(ValueError, match=r"^prefer must be one of 'cpu', 'cuda', 'mps', 'auto', got "):
        runtime.pick_device(name)


@pytest.mark.skipif(torch.cuda.is_available(), reason="CUDA is available here")
def test_pick_device_unavailable_cuda_raises_value_error():
    with pytest.raises(ValueError, match="cuda"):
        runtime.pick_device("cuda")


def test_pick_device_unavailable_mps_raises_value_error():
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        pytest.skip("MPS is available here")
    with pytest.raises(ValueError, match="mps"):
        runtime.pick_device("mps")


def _pretend(monkeypatch, cuda: bool, mps: bool):
    """Make torch report CUDA and MPS (un)available, whatever this machine has."""
    monkeypatch.setattr(torch.cuda, "is_available", lambda: cuda)
    monkeypatch.setattr(torch.cuda, "get_device_name", lambda index=0: "Pretend GPU")
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: mps)


@pytest.mark.parametrize(
    ("cuda", "mps", "expected"),
    [(True, True, "cuda"), (False, True, "mps"), (True, False, "cuda"), (False, False, "cpu")],
)
def test_pick_device_auto_tries_cuda_then_mps_then_cpu(monkeypatch, cuda, mps, expected):
    _pretend(monkeypatch, cuda=cuda, mps=mps)
    assert runtime.pick_device("auto").type == expected


@pytest.mark.parametrize("name", ["cuda", "mps"])
def test_pick_device_names_an_available_accelerator(monkeypatch, name):
    _pretend(monkeypatch, cuda=True, mps=True)
    assert runtime.pick_device(name).type == name


@pytest.mark.parametrize("name", ["cuda", "mps"])
def test_pick_device_unavailable_accelerator_says_how_to_fall_back(monkeypatch, name):
    _pretend(monkeypatch, cuda=False, mps=False)
    with pytest.raises(ValueError, match=rf"^device '{name}' was requested but is not available here") as err:
        runtime.pick_device(name)
    assert "unset the environment variable DDL_DEVICE" in str(err.value)
    assert "device='cpu'" in str(err.value)


# ---------------------------------------------------------------------------------------------------- setup


def test_setup_uses_the_cpu_by_default_even_with_accelerators_present(monkeypatch, capsys):
    _pretend(monkeypatch, cuda=True, mps=True)
    assert runtime.setup(threads=1).type == "cpu"
    assert "device cpu" in capsys.readouterr().out
    assert runtime.CUBLAS_WORKSPACE[0] not in runtime.os.environ
    assert not torch.are_deterministic_algorithms_enabled()


@pytest.mark.parametrize("name", ["cuda", "mps", "auto"])
def test_setup_opt_in_device_argument(monkeypatch, capsys, name):
    _pretend(monkeypatch, cuda=name == "cuda", mps=name != "cuda")
    expected = "mps" if name == "auto" else name
    assert runtime.setup(device=name, threads=1).type == expected
    assert f"device {expected}" in capsys.readouterr().out


def test_setup_on_cuda_sets_the_determinism_flags(monkeypatch, capsys):
    _pretend(monkeypatch, cuda=True, mps=False)
    torch.backends.cudnn.benchmark, torch.backends.cudnn.deterministic = True, False
    assert runtime.setup(device="cuda", threads=1).type == "cuda"
    assert runtime.os.environ[runtime.CUBLAS_WORKSPACE[0]] == ":4096:8"
    assert torch.backends.cudnn.deterministic is True and torch.backends.cudnn.benchmark is False
    assert torch.are_deterministic_algorithms_enabled()
    assert (
        torch.is_deterministic_algorithms_warn_only_enabled()
    )  # ops without a deterministic kernel still run
    assert "device cuda (Pretend GPU)" in capsys.readouterr().out
    # back on the CPU, the process-wide switch is off again: CPU results are the ones the notebooks print
    runtime.setup(device="cpu", threads=1, verbose=False)
    assert not torch.are_deterministic_algorithms_enabled()


def test_setup_on_cuda_keeps_a_cublas_setting_the_reader_chose(monkeypatch, capsys):
    _pretend(monkeypatch, cuda=True, mps=False)
    monkeypatch.setenv(runtime.CUBLAS_WORKSPACE[0], ":16:8")  # the other value PyTorch documents
    runtime.setup(device="cuda", threads=1, verbose=False)
    assert runtime.os.environ[runtime.CUBLAS_WORKSPACE[0]] == ":16:8"


@pytest.mark.parametrize("name", ["cuda", "mps", "auto"])
def test_setup_device_environment_variable_overrides_the_argument(monkeypatch, capsys, name):
    _pretend(monkeypatch, cuda=name == "cuda", mps=name != "cuda")
    monkeypatch.setenv(runtime.DEVICE_ENV, name)
    expected = "mps" if name == "auto" else name
    assert runtime.setup(device="cpu", threads=1).type == expected
    assert f"device {expected}" in capsys.readouterr().out


def test_setup_device_environment_variable_cpu_wins_over_an_unavailable_argument(monkeypatch, capsys):
    _pretend(monkeypatch, cuda=False, mps=False)
    monkeypatch.setenv(runtime.DEVICE_ENV, "cpu")
    assert runtime.setup(device="cuda", threads=1, verbose=False).type == "cpu"
    monkeypatch.setenv(runtime.DEVICE_ENV, "")  # set but empty counts as unset
    assert runtime.setup(threads=1, verbose=False).type == "cpu"


@pytest.mark.parametrize("name", ["cuda", "mps"])
@pytest.mark.parametrize("via_environment", [False, True])
def test_setup_unavailable_opted_in_device_raises_a_clear_error(monkeypatch, name, via_environment):
    _pretend(monkeypatch, cuda=False, mps=False)
    if via_environment:
        monkeypatch.setenv(runtime.DEVICE_ENV, name)
    other = 2 if torch.get_num_threads() == 1 else 1
    torch.set_num_threads(other)
    with pytest.raises(ValueError, match=rf"^device '{name}' was requested but is not available here") as err:
        runtime.setup(device="cpu" if via_environment else name, threads=3)
    assert "unset the environment variable DDL_DEVICE and pass device='cpu'" in str(err.value)
    assert torch.get_num_threads() == other  # nothing was changed on the way to the error


@pytest.mark.parametrize("value", ["gpu", "CUDA", "cuda:0", " cpu", "1"])
def test_setup_rejects_a_bad_device_environment_variable(monkeypatch, value):
    monkeypatch.setenv(runtime.DEVICE_ENV, value)
    expected = (
        f"the environment variable DDL_DEVICE must be one of 'cpu', 'cuda', 'mps', 'auto', got {value!r}"
    )
    with pytest.raises(ValueError, match=f"^{re.escape(expected)}$"):
        runtime.setup(threads=1, verbose=False)


def test_setup_checks_the_device_argument_even_when_the_environment_overrides_it(monkeypatch):
    monkeypatch.setenv(runtime.DEVICE_ENV, "cpu")
    with pytest.raises(ValueError, match=r"^device must be one of 'cpu', 'cuda', 'mps', 'auto', got 'gpu'$"):
        runtime.setup(device="gpu", threads=1, verbose=False)


def test_setup_returns_device_and_prints_one_line(capsys):
    dev = runtime.setup(seed=3, device="cpu", threads=1)
    assert isinstance(dev, torch.device) and dev.type == "cpu"
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("✓ setup")
    assert "seed 3" in lines[0] and "device cpu" in lines[0]


def test_setup_verbose_false_prints_nothing(capsys):
    runtime.setup(device="cpu", threads=1, verbose=False)
    assert capsys.readouterr().out == ""


def test_setup_sets_threads_and_seeds(capsys):
    runtime.setup(seed=5, device="cpu", threads=1)
    assert torch.get_num_threads() == 1
    first = _draw()
    runtime.setup(seed=5, device="cpu", threads=1)
    assert _draw() == first


def test_setup_default_threads_uses_available_cores(capsys):
    runtime.setup(device="cpu")
    assert torch.get_num_threads() == runtime.available_cores()


def test_setup_threads_environment_variable_overrides_the_argument(capsys, monkeypatch):
    monkeypatch.setenv(runtime.THREADS_ENV, "1")
    runtime.setup(device="cpu", threads=2)
    assert torch.get_num_threads() == 1
    assert "1 thread ·" in capsys.readouterr().out


@pytest.mark.parametrize("value", ["0", "two", "-1", "1.5"])
def test_setup_rejects_a_bad_threads_environment_variable(monkeypatch, value):
    monkeypatch.setenv(runtime.THREADS_ENV, value)
    with pytest.raises(ValueError, match=f"DDL_THREADS must be an int >= 1, got '{value}'"):
        runtime.setup(device="cpu", verbose=False)


def test_setup_applies_the_plot_style(capsys):
    matplotlib.rcParams["axes.grid"] = False
    runtime.setup(device="cpu", threads=1)
    assert matplotlib.rcParams["axes.grid"] is True


def test_setup_clears_the_explorer_registry(capsys):
    from helpers.widgets import Checkbox, Explorer, clear_registry, registered

    clear_registry()
    try:
        explorer = Explorer(lambda on: "on" if on else "off", title="old", on=Checkbox())
        assert registered() == [explorer]
        runtime.setup(device="cpu", threads=1)
        assert registered() == []
    finally:
        clear_registry()


@pytest.mark.parametrize("threads", [0, -2])
def test_setup_threads_below_one_raises_value_error(threads):
    with pytest.raises(ValueError, match=rf"^threads must be an int >= 1, got {threads}$"):
        runtime.setup(device="cpu", threads=threads)


@pytest.mark.parametrize("threads", [1.0, "2", True])
def test_setup_non_int_threads_raise_type_error(threads):
    with pytest.raises(TypeError, match=r"^threads must be an int >= 1, got "):
        runtime.setup(device="cpu", threads=threads)


@pytest.mark.parametrize("verbose", [0, 1, "yes", None])
def test_setup_non_bool_verbose_raises_type_error(verbose):
    with pytest.raises(TypeError, match="^verbose must be True or False"):
        runtime.setup(device="cpu", threads=1, verbose=verbose)


@pytest.mark.parametrize(
    "kwargs", [dict(threads=0), dict(seed=-1), dict(verbose=None), dict(device="gpu")], ids=str
)
def test_setup_bad_argument_leaves_threads_and_random_streams_alone(kwargs):
    other = 2 if torch.get_num_threads() == 1 else 1
    torch.set_num_threads(other)
    runtime.seed_everything(21)
    expected = _draw()
    runtime.seed_everything(21)
    with pytest.raises((TypeError, ValueError)):
        runtime.setup(**{"device": "cpu", "threads": 3, "seed": 4, **kwargs})
    assert torch.get_num_threads() == other
    assert _draw() == expected


def test_setup_unknown_device_raises_value_error():
    with pytest.raises(ValueError):
        runtime.setup(device="gpu", threads=1)


def test_setup_seed_errors_propagate():
    with pytest.raises(ValueError, match="seed"):
        runtime.setup(seed=-1, device="cpu", threads=1, verbose=False)


# ------------------------------------------------------------------------------------------- small helpers


def test_available_cores_counts_the_affinity_mask(monkeypatch):
    calls = []
    monkeypatch.setattr(
        runtime.os, "sched_getaffinity", lambda pid: calls.append(pid) or {0, 3, 5}, raising=False
    )
    monkeypatch.setattr(runtime.os, "cpu_count", lambda: 64)  # more cores than this process may use
    assert runtime.available_cores() == 3
    assert calls == [0]  # this process


def test_available_cores_without_affinity_falls_back_to_cpu_count(monkeypatch):
    monkeypatch.delattr(runtime.os, "sched_getaffinity", raising=False)  # as on macOS and Windows
    monkeypatch.setattr(runtime.os, "cpu_count", lambda: 6)
    assert runtime.available_cores() == 6
    monkeypatch.setattr(runtime.os, "cpu_count", lambda: None)  # "undeterminable"
    assert runtime.available_cores() == 1


def test_quiet_follows_environment(monkeypatch):
    monkeypatch.setenv(runtime.QUIET_ENV, "1")
    assert runtime.quiet() is True
    monkeypatch.setenv(runtime.QUIET_ENV, "")
    assert runtime.quiet() is False
    monkeypatch.delenv(runtime.QUIET_ENV)
    assert runtime.quiet() is False


def test_elapsed_restarts_at_setup(capsys):
    runtime.setup(device="cpu", threads=1, verbose=False)
    t = runtime.elapsed()
    assert 0.0 <= t < 5.0
    assert runtime.elapsed() >= t


def test_summary_is_one_line():
    text = runtime.summary(seed=9)
    assert text.startswith("✓ setup") and "\n" not in text and "seed 9" in text
    assert "seed" not in runtime.summary()


@pytest.mark.parametrize(
    "count, text", [(0, "0 threads"), (1, "1 thread"), (2, "2 threads"), (16, "16 threads")]
)
def test_threads_text_agrees_in_number(count, text):
    assert runtime.threads_text(count) == text


@pytest.mark.parametrize("count", [-1, 1.5, "2"])
def test_threads_text_rejects_a_bad_count(count):
    with pytest.raises((TypeError, ValueError), match="count"):
        runtime.threads_text(count)


def test_ran_in_names_the_seconds_device_and_threads(capsys, monkeypatch):
    monkeypatch.setenv(runtime.THREADS_ENV, "1")
    runtime.setup(device="cpu", verbose=False)
    line = runtime.ran_in()
    assert line.startswith("This notebook ran in ") and line.endswith(" with 1 thread.")
    assert " s on CPU" in line and (runtime.cpu_name() in line)
    assert float(line.split()[4]) >= 0
