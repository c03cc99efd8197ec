"""Tests for helpers/doctor.py: requirement parsing, the OK/FAIL report and the exit code."""

from importlib import metadata

import pytest

from helpers import doctor

MISSING = "ddl-nopkg-xyz"  # short enough for the 18-character label column


def test_read_requirements_parses_pins_and_comments(tmp_path):
    path = tmp_path / "requirements.txt"
    path.write_text(
        "# a comment line\n"
        "\n"
        "torch==2.13.0  # trailing comment\n"
        "numpy == 2.4.6\n"
        "tqdm\n"
        "tqdm==4.70.1#no space before this comment\n"
        "   \n"
        "nbval>=0.10\n"
        "ipykernel[extra]==7.4.0\n"
        "scipy==1.17.1; python_version >= '3.10'\n"
        "    # indented comment\n"
        "typing_extensions\n"
    )
    assert doctor.read_requirements(path) == [
        ("torch", "2.13.0"),
        ("numpy", "2.4.6"),
        ("tqdm", None),
        ("tqdm", "4.70.1"),
        ("nbval", None),
        ("ipykernel", "7.4.0"),
        ("scipy", "1.17.1"),
        ("typing_extensions", None),
    ]


def test_read_requirements_falls_back_when_file_is_absent(tmp_path):
    reqs = doctor.read_requirements(tmp_path / "nope.txt")
    assert reqs == [(name, None) for name in doctor.FALLBACK_REQUIREMENTS]
    assert ("torch", None) in reqs and ("nbval", None) in reqs


def test_read_requirements_default_is_the_repository_file(repo_root):
    repository_file = repo_root / "requirements.txt"
    reqs = doctor.read_requirements()
    assert reqs == doctor.read_requirements(repository_file)
    assert reqs != [(name, None) for name in doctor.FALLBACK_REQUIREMENTS]  # the file was found and read
    assert set(doctor.FALLBACK_REQUIREMENTS) <= set(dict(reqs))  # the fallback lists required packages only


def line_for(lines, label):
    found = [ln for ln in lines if ln[5:23].strip() == label]
    assert len(found) == 1, f"one line for {label!r} expected in {lines}"
    return found[0]


@pytest.fixture(scope="module")
def good_report():
    version = metadata.version("numpy")
    return doctor.report(requirements=[("numpy", version), ("pytest", None)])


def test_report_ok_for_installed_packages(good_report):
    lines, ok = good_report
    assert ok is True
    assert line_for(lines, "numpy").startswith("OK ") and metadata.version("numpy") in line_for(
        lines, "numpy"
    )
    assert line_for(lines, "pytest").startswith("OK ")
    for label in (
        "python",
        "platform",
        "torch threads",
        "accelerator",
        "device",
        "tensor math",
        "jupyter kernel",
        "helpers",
    ):
        assert line_for(lines, label).startswith("OK ")
    assert not any(ln.startswith("FAIL") for ln in lines)
    assert all(ln[:5] in ("OK   ", "FAIL ") for ln in lines)


def test_report_names_the_device_setup_uses(monkeypatch):
    monkeypatch.delenv("DDL_DEVICE", raising=False)
    lines, _ = doctor.report(requirements=[])
    assert line_for(lines, "device").startswith("OK   device             cpu (the default")
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setenv("DDL_DEVICE", "cuda")
    lines, ok = doctor.report(requirements=[])
    assert ok is False and "'cuda' was requested but is not available" in line_for(lines, "torch")


def test_report_fails_for_a_missing_package():
    lines, ok = doctor.report(requirements=[("numpy", None), (MISSING, "1.0")])
    assert ok is False
    line = line_for(lines, MISSING)
    assert line.startswith("FAIL") and "not installed" in line and "1.0" in line
    assert line_for(lines, "numpy").startswith("OK ")
    assert sum(ln.startswith("FAIL") for ln in lines) == 1


def test_report_fails_for_a_wrong_pin():
    have = metadata.version("numpy")
    lines, ok = doctor.report(requirements=[("numpy", "0.0.1")])
    assert ok is False
    line = line_for(lines, "numpy")
    assert line.startswith("FAIL") and have in line and "pins 0.0.1" in line


def test_report_ignores_local_version_suffix():
    have = metadata.version("torch")  # e.g. 2.13.0+cpu
    lines, ok = doctor.report(requirements=[("torch", have.split("+")[0])])
    assert ok is True and line_for(lines, "torch").startswith("OK ")


def test_main_returns_zero_and_prints_all_ok(capsys):
    assert doctor.main([]) == 0
    out = capsys.readouterr().out
    assert "environment report" in out and out.rstrip().endswith("ALL OK")
    assert "FAIL" not in out


def test_main_returns_one_when_something_is_missing(capsys, monkeypatch):
    real = doctor.report
    monkeypatch.setattr(doctor, "report", lambda requirements=None: real(requirements=[(MISSING, None)]))
    assert doctor.main([]) == 1
    out = capsys.readouterr().out
    assert "SOMETHING IS MISSING" in out and "ALL OK" not in out


def test_main_reads_the_requirements_it_is_told(tmp_path, capsys):
    pinned = tmp_path / "requirements.txt"
    pinned.write_text("numpy==0.0.1  # a version nobody has\n")
    assert doctor.main(["--requirements", str(pinned)]) == 1
    assert "numpy" in capsys.readouterr().out
