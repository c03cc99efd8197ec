"""The README's "Without make" section: its POSIX commands set up a working .venv in a fresh copy of the
repository, its JupyterLab line names a program that set-up installs, and its test commands are the ones
`make test` runs (both files parsed, so a change to one without the other fails here).

The set-up run installs every pinned package into a new .venv (a few minutes), so it is marked slow and runs
in `make test-robust`; the comparison with the Makefile is quick and runs in `make test`.
"""

from __future__ import annotations

import glob
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

MARKER = "<!-- no-make:posix -->"
#: The inline nbval command of the README's paragraph under the blocks (for machines without Chromium).
NBVAL_COMMAND = re.compile(r"`(\.venv/bin/python -m pytest --nbval[^`]*)`")
SETUP_TIMEOUT_S = 1800  # a cold pip cache on a slow machine; about 3 minutes with the wheels cached


# --- the README ------------------------------------------------------------------------------------------


def readme_block(root: Path) -> list[str]:
    """The lines of the fenced block that follows the no-make marker in README.md."""
    text = (root / "README.md").read_text(encoding="utf-8")
    assert MARKER in text, f"README.md has no {MARKER} marker before the POSIX commands"
    after = text.split(MARKER, 1)[1].lstrip("\n")
    match = re.match(r"```[a-z]*\n(.*?)\n```", after, re.DOTALL)
    assert match, f"no fenced code block right after {MARKER}"
    return [line for line in match.group(1).splitlines() if line.strip()]


def split_block(lines: list[str]) -> tuple[list[str], str, list[str]]:
    """(set-up lines, the JupyterLab line, test lines): set-up before the `jupyter lab` line, tests after."""
    lab = [i for i, line in enumerate(lines) if re.search(r"\bjupyter lab\b", line)]
    assert len(lab) == 1, f"expected one `jupyter lab` line in the no-make block, found {len(lab)}"
    setup, tests = lines[: lab[0]], lines[lab[0] + 1 :]
    assert setup and tests, "the no-make block needs set-up lines before `jupyter lab` and test lines after"
    return setup, lines[lab[0]], tests


def commands(lines: list[str]) -> list[list[str]]:
    """Each shell command of the lines as argument lists (comments dropped, `a && b` split in two)."""
    out = []
    for line in lines:
        words = shlex.split(line, comments=True)
        while "&&" in words:
            cut = words.index("&&")
            out.append(words[:cut])
            words = words[cut + 1 :]
        if words:
            out.append(words)
    return out


# --- the Makefile ----------------------------------------------------------------------------------------


def makefile_variables(text: str) -> dict[str, str]:
    """NAME := value, NAME ?= value and NAME = value lines (one line each, as this Makefile writes them)."""
    found = {}
    for line in text.splitlines():
        match = re.match(r"^([A-Z_]+)\s*(?::=|\?=|=)\s*(.*)$", line)
        if match:
            found[match.group(1)] = match.group(2).strip()
    return found


def expand(text: str, variables: dict[str, str], root: Path) -> str:
    """Replace $(NAME) by its value until none is left; $(sort $(wildcard PATTERN)) is globbed in ``root``."""

    def wildcard(match: re.Match) -> str:
        return " ".join(sorted(Path(p).relative_to(root).as_posix() for p in glob.glob(str(root / match[1]))))

    for _ in range(20):
        before = text
        text = re.sub(r"\$\(sort \$\(wildcard ([^)]*)\)\)", wildcard, text)
        text = re.sub(r"\$\(([A-Z_]+)\)", lambda m: variables.get(m[1], m[0]), text)
        if text == before:
            return text
    raise AssertionError(f"Makefile variables do not resolve: {text}")


def recipe(text: str, target: str) -> list[str]:
    """The recipe lines of ``target`` (tab-indented lines after `target:`), continuation lines joined."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if re.match(rf"^{re.escape(target)}\s*:", line))
    body = []
    for line in lines[start + 1 :]:
        if not line.startswith("\t"):
            break
        body.append(line[1:])
    return re.sub(r"\\\n", " ", "\n".join(body)).splitlines()


def make_pytest_commands(root: Path) -> list[list[str]]:
    """The pytest commands of `make test`, expanded: [the main run, the nbval run used without Chromium]."""
    text = (root / "Makefile").read_text(encoding="utf-8")
    variables = makefile_variables(text)
    found = []
    for segment in re.split(r";|\|\||&&", " ".join(recipe(text, "test"))):
        if "-m pytest" in segment:
            found.append(shlex.split(expand(segment.replace("$$", "$"), variables, root)))
    assert len(found) == 2, f"expected two pytest commands in make test's recipe, found {found}"
    return found


def make_commands(root: Path, target: str, *, empty: tuple[str, ...] = ()) -> list[list[str]]:
    """The recipe of ``target`` expanded into argument lists; the variables named in ``empty`` count as ''."""
    text = (root / "Makefile").read_text(encoding="utf-8")
    variables = {**makefile_variables(text), **dict.fromkeys(empty, "")}
    return [shlex.split(expand(line, variables, root)) for line in recipe(text, target)]


def notebook_folder_files(root: Path) -> list[str]:
    """The notebooks pytest collects when given the folder notebooks/ (hidden folders such as checkpoints
    are not searched)."""
    return sorted(
        p.relative_to(root).as_posix()
        for p in (root / "notebooks").rglob("*.ipynb")
        if not any(part.startswith(".") for part in p.relative_to(root).parts)
    )


# --- quick: the README agrees with the Makefile ------------------------------------------------------------


def test_readme_test_commands_are_what_make_test_runs(repo_root):
    _, _, test_lines = split_block(readme_block(repo_root))
    main_run, nbval_run = make_pytest_commands(repo_root)
    lint = make_commands(repo_root, "lint")
    assert commands(test_lines) == [*lint, main_run], (
        "the README's no-make test commands differ from `make lint` + `make test`:\n"
        f"README:   {commands(test_lines)}\nMakefile: {[*lint, main_run]}"
    )
    # the nbval run `make test` adds without Chromium: same arguments, the folder instead of the file list
    text = (repo_root / "README.md").read_text(encoding="utf-8")
    inline = NBVAL_COMMAND.search(text)
    assert inline, "the README gives no by-hand nbval command for machines without Chromium"
    readme_nbval = shlex.split(inline.group(1))
    python_at = nbval_run.index(".venv/bin/python")
    make_args, make_files = nbval_run[python_at:], [a for a in nbval_run if a.endswith(".ipynb")]
    assert (
        readme_nbval[-1] == "notebooks" and readme_nbval[:-1] == make_args[: len(make_args) - len(make_files)]
    )
    assert notebook_folder_files(repo_root) == make_files, "notebooks/ holds notebooks that make test skips"


def test_readme_setup_installs_what_make_installs(repo_root):
    setup_lines, _, _ = split_block(readme_block(repo_root))
    make_setup = make_commands(repo_root, "$(STAMP)")
    make_pip = [[a for a in c if a != "--quiet"] for c in make_setup if c[1:4] == ["-m", "pip", "install"]]
    assert make_pip, "no pip install lines found in the Makefile's set-up recipe"
    assert commands(setup_lines) == [["python3", "-m", "venv", ".venv"], *make_pip]


def test_readme_lab_line_is_make_lab(repo_root):
    _, lab_line, _ = split_block(readme_block(repo_root))
    # make adds --allow-root when run as root (ROOT_FLAG) and the reader's LAB_ARGS; the README says when to
    # add the former
    assert commands([lab_line]) == make_commands(repo_root, "lab", empty=("ROOT_FLAG", "LAB_ARGS"))
    assert "--allow-root" in lab_line, "the README's lab line says when --allow-root is needed"


# --- slow: the set-up commands, run for real in a copy of the repository ------------------------------------


def repository_copy(root: Path, dest: Path) -> Path:
    """The files git tracks (as they are in the working tree) copied to ``dest``: what a fresh clone holds."""
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=root, capture_output=True, check=False, timeout=60
    ).stdout.decode()
    if not listed:
        pytest.skip("not a git checkout: no list of tracked files to copy")
    for name in filter(None, listed.split("\0")):
        source = root / name
        if source.is_file():  # tracked but deleted in the working tree: absent from the copy too
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)
    return dest


def setup_environment(tmp: Path) -> dict[str, str]:
    """The caller's environment (pip's configuration included) with `python3` = the Python running these
    tests, outside any virtual environment, and pip's cache where the caller's pip keeps it."""
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME")}
    bin_dir = tmp / "bin"
    bin_dir.mkdir()
    (bin_dir / "python3").symlink_to(Path(getattr(sys, "_base_executable", sys.executable)).resolve())
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    if "PIP_CACHE_DIR" not in env:
        cache = subprocess.run(
            [sys.executable, "-m", "pip", "cache", "dir"],
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )
        if cache.returncode == 0 and cache.stdout.strip():
            env["PIP_CACHE_DIR"] = cache.stdout.strip()
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="the POSIX commands need bash")
def test_posix_setup_without_make_gives_a_working_environment(repo_root, tmp_path):
    if shutil.which("bash") is None:
        pytest.skip("bash not found")
    setup_lines, lab_line, _ = split_block(readme_block(repo_root))
    copy = repository_copy(repo_root, tmp_path / "repo")
    env = setup_environment(tmp_path)
    start = time.perf_counter()
    done = subprocess.run(
        ["bash", "-e", "-o", "pipefail", "-c", "\n".join(setup_lines)],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        timeout=SETUP_TIMEOUT_S,
        check=False,
    )
    seconds = time.perf_counter() - start
    assert done.returncode == 0, (
        f"the README's set-up failed after {seconds:.0f} s:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    )
    print(f"no-make set-up: {seconds:.0f} s")

    python = copy / ".venv" / "bin" / "python"
    probe = subprocess.run(
        [python, "-c", "import helpers, jupyterlab; print(helpers.__file__)"],
        cwd=tmp_path,  # not the copy: helpers must come from the installed package, not the working folder
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert probe.returncode == 0, probe.stderr[-2000:]
    assert Path(probe.stdout.strip()).resolve().is_relative_to(copy.resolve()), (
        f"helpers is imported from {probe.stdout.strip()}, not from the copy's editable install"
    )
    doctor = subprocess.run(
        [python, "-m", "helpers.doctor", "--requirements", "requirements.txt"],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert doctor.returncode == 0, f"helpers.doctor reports a problem:\n{doctor.stdout[-3000:]}"
    (lab_program, *_), *_ = commands([lab_line])
    program = copy / lab_program
    assert program.is_file() and os.access(program, os.X_OK), f"{lab_program} was not installed by the set-up"
