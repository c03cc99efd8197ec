"""Every notebook follows the collection's skeleton (see CONTRIBUTING.md), has its entry in
helpers/collection.py, and is committed executed and clean.

These tests read the committed .ipynb files of the repository under test (pytest's rootdir); they do not run
them (the nbval run does that).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from helpers.collection import START_HERE, mismatches, notebook_files

HEADINGS = [
    "## 1. The idea",
    "## 2. Derivation",
    "## 3. From scratch",
    "## 4. A minimal model",
    "## 5. Explore",
    "## 6. Exercises",
    "## 7. Summary",
]
CHECK_CALL = re.compile(r"\bcheck_(close|less|gradients)\(")
DOWNLOAD = re.compile(
    r"urllib|\brequests\b|\bwget\b|\bcurl\b|from_pretrained|torch\.hub|https?://|load_dataset\(|"
    r"\bfetch_[a-z_]+\(|\bdownload",
    re.IGNORECASE,
)
CJK = re.compile(r"[\u4e00-\u9fff]")
MAX_CELL_LINES = 40  # the guide asks for about 30; this is the hard ceiling
MAX_BYTES = 2 * 1024 * 1024
#: A line a library prints when it warns: Python's warnings ("…/x.py:3: UserWarning: …", "FutureWarning"),
#: C++ TORCH_WARN text ("Warning: … (function …)"), c10 logging ("[W1202 08:38:36.42 socket.cpp:207] …"),
#: c10d's tag ("[c10d] …") and a logger's "WARNING" level. Prose the notebooks print on purpose ("warnings",
#: "no warning") does not match: every pattern needs a capitalised class name, a colon or bracket after it.
WARNING_LINE = re.compile(
    r"\b[A-Z][A-Za-z]*Warning\b"  # UserWarning, DeprecationWarning, FutureWarning, RuntimeWarning, …
    r"|\bWarning[:)]"  # TORCH_WARN's "Warning: …" and "(…Warning)"
    r"|^\s*\[W[\d ]"  # c10 / glog-style "[W1202 08:38:36…]" or "[W socket.cpp:…]"
    r"|\[c10d\]"
    r"|\bWARNING\b"  # logging's level name, e.g. "[IPKernelApp] WARNING | …"
)


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def source(cell: dict) -> str:
    return "".join(cell.get("source", ""))


def sections(nb: dict) -> dict[str, list[dict]]:
    """Cells grouped under the last level-2 heading seen ('' before the first)."""
    out, current = {"": []}, ""
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            for line in source(cell).splitlines():
                if line.startswith("## "):
                    current = line.strip()
                    out.setdefault(current, [])
        out[current].append(cell)
    return out


def code_cells(cells: list[dict]) -> list[dict]:
    return [c for c in cells if c["cell_type"] == "code" and source(c).strip()]


def is_solution(cell: dict) -> bool:
    return "solution" in cell.get("metadata", {}).get("tags", [])


def pytest_generate_tests(metafunc):
    """``notebook``: every notebook file, 00_start_here included; ``topic``: every one but 00_start_here."""
    files = notebook_files(metafunc.config.rootpath)
    for name, paths in (("notebook", files), ("topic", [p for p in files if p.name != START_HERE])):
        if name in metafunc.fixturenames:
            metafunc.parametrize(name, paths, ids=[p.name for p in paths], indirect=True)


@pytest.fixture
def notebook(request) -> tuple[Path, dict]:
    return request.param, load(request.param)


@pytest.fixture
def topic(request) -> tuple[Path, dict]:
    return request.param, load(request.param)


def test_there_are_notebooks(repo_root):
    topics = [p for p in notebook_files(repo_root) if p.name != START_HERE]
    assert topics, f"no topic notebooks found in {repo_root / 'notebooks'}"


def test_every_notebook_has_its_collection_entry_and_every_entry_its_file(repo_root):
    problems = mismatches(repo_root)
    assert not problems, "\n".join(problems)


# --- every notebook, 00_start_here included -------------------------------------------------------------


def test_kernel_and_size(notebook):
    path, nb = notebook
    assert nb["metadata"].get("kernelspec", {}).get("name") == "python3", "kernel must be python3"
    assert path.stat().st_size <= MAX_BYTES, f"{path.name} is {path.stat().st_size / 1e6:.1f} MB (limit 2 MB)"


def test_executed_top_to_bottom_cleanly(notebook):
    path, nb = notebook
    cells = code_cells(nb["cells"])
    counts = [c.get("execution_count") for c in cells]
    assert counts == list(range(1, len(cells) + 1)), (
        f"execution counts {counts} are not 1..n: run `make execute`"
    )
    for i, cell in enumerate(cells):
        assert "execution" not in cell.get("metadata", {}), f"code cell {i} keeps timing metadata"
        for out in cell.get("outputs", []):
            assert out["output_type"] != "error", f"code cell {i} has an error output: {out.get('ename')}"
            text = "".join(out.get("text", "")) + "".join(out.get("data", {}).get("text/plain", ""))
            assert "Traceback" not in text, f"code cell {i} printed a traceback"
            assert "Error displaying widget" not in text
            data = out.get("data", {})
            if "text/plain" in data and "<Figure size" in "".join(data["text/plain"]):
                assert "image/png" in data, f"code cell {i} shows a stray <Figure …> line instead of a figure"


def output_lines(cell: dict):
    """(kind, line) for every line of a code cell's stream and text/plain outputs."""
    for out in cell.get("outputs", []):
        if out["output_type"] == "stream":
            kind, text = f"{out.get('name')} stream", "".join(out.get("text", ""))
        else:
            kind, text = "text/plain", "".join(out.get("data", {}).get("text/plain", ""))
        for line in text.splitlines():
            yield kind, line


def test_outputs_carry_no_library_warnings(notebook):
    _, nb = notebook
    found = [
        f"code cell {i}, {kind}: {line.strip()[:160]}"
        for i, cell in enumerate(code_cells(nb["cells"]))
        for kind, line in output_lines(cell)
        if WARNING_LINE.search(line)
    ]
    assert not found, "committed outputs show library warnings (fix their cause, then make execute):\n" + (
        "\n".join(found)
    )


RICH_RESULTS = ("image/png", "text/html", "application/vnd.jupyter.widget-view+json")


def test_no_stray_reprs(notebook):
    """A cell's last expression is shown only when it is a figure, a table or a widget: a checker's bare
    True/False, a matplotlib artist or a module's repr is noise (return a Verdict, or assign to ``_``)."""
    _, nb = notebook
    stray = [
        f"code cell {i}: {''.join(out['data'].get('text/plain', ''))[:80]!r}"
        for i, cell in enumerate(code_cells(nb["cells"]))
        for out in cell.get("outputs", [])
        if out.get("output_type") == "execute_result"
        and not any(k in out.get("data", {}) for k in RICH_RESULTS)
    ]
    assert not stray, "text-only results shown:\n" + "\n".join(stray)


@pytest.mark.parametrize(
    "line",
    [
        "[W1202 08:38:36.424894943 socket.cpp:207] [c10d] The hostname of the client socket cannot be …",
        "[W socket.cpp:663] [c10d] The client socket has failed to connect.",
        "/x/torch/nn/modules/module.py:1: UserWarning: Implicit dimension choice for softmax …",
        "/x/y.py:5: FutureWarning: `torch.cuda.amp.autocast(args...)` is deprecated.",
        "DeprecationWarning: datetime.datetime.utcnow() is deprecated",
        "[W Context.cpp:82] Warning: efficient_attention does not have a deterministic implementation",
        "RuntimeWarning: overflow encountered in exp",
        "[IPKernelApp] WARNING | Kernel is running over TCP without encryption.",
    ],
)
def test_warning_pattern_catches_library_warnings(line):
    assert WARNING_LINE.search(line)


@pytest.mark.parametrize(
    "line",
    [
        "✓ encode(a + <|endoftext|> + b) = encode(a) + [id] + encode(b): max |diff| = 0",
        "no warnings: the loss stays finite (warning signs appear only at ρ > 1)",
        "[Warmup] 50 steps without the margin",
        "Watch the gradient norm: it warns of explosion long before the loss does.",
        "[WMT'14] BLEU 28.4",
    ],
)
def test_warning_pattern_spares_prose(line):
    assert not WARNING_LINE.search(line)


def test_title_and_setup_cells(notebook):
    path, nb = notebook
    first, second = nb["cells"][0], nb["cells"][1]
    assert first["cell_type"] == "markdown"
    assert source(first).startswith(f"# {path.name[:2]} · "), "title must read '# NN · Topic'"
    assert "Runtime" in source(first), "the title cell states the measured runtime"
    assert second["cell_type"] == "code" and "import helpers" in source(second)
    assert re.search(r"helpers\.setup\(", source(second)), "the setup cell calls helpers.setup(...)"


def readme_runtimes(repo_root: Path) -> dict[str, str]:
    """README's runtime column by notebook stem, e.g. ``{"04_transformer": "53 s"}``."""
    runtimes = {}
    for line in (repo_root / "README.md").read_text(encoding="utf-8").splitlines():
        row = re.match(r"\| \d\d \| \[(\d\d_\w+)\]", line)
        if row:
            runtimes[row.group(1)] = line.rstrip(" |").split(" | ")[-1]
    return runtimes


def test_title_runtime_is_the_readme_measurement(topic, repo_root):
    path, nb = topic
    runtimes = readme_runtimes(repo_root)
    if path.stem not in runtimes:  # a notebook being added gets its row, with the measured time, last
        pytest.skip(f"README has no row for {path.name} yet (CONTRIBUTING: 'Adding a notebook', step 6)")
    line = re.search(r"\*\*Runtime:\*\*[^\n]*", source(nb["cells"][0]))
    assert line, "the title cell has a '**Runtime:**' line"
    assert line.group(0).startswith(f"**Runtime:** {runtimes[path.stem]} under `make test`"), (
        f"the title should give README's measured {runtimes[path.stem]!r} under `make test`: {line.group(0)}"
    )


def test_imports_only_in_setup_cell(notebook):
    _, nb = notebook
    for i, cell in enumerate(code_cells(nb["cells"])[1:], start=2):
        for line in source(cell).splitlines():
            assert not re.match(r"\s*(import |from \S+ import )", line), (
                f"code cell {i} imports ({line.strip()!r}); all imports belong in the setup cell"
            )


def test_no_downloads(notebook):
    _, nb = notebook
    for i, cell in enumerate(code_cells(nb["cells"])):
        match = DOWNLOAD.search(source(cell))
        assert match is None, f"code cell {i} looks like it downloads something: {match.group(0)!r}"


def test_cells_are_short(notebook):
    _, nb = notebook
    for i, cell in enumerate(code_cells(nb["cells"])):
        lines = len(source(cell).splitlines())
        assert lines <= MAX_CELL_LINES, f"code cell {i} has {lines} lines (aim for about 30)"


# --- topic notebooks: the skeleton -------------------------------------------------------------------


def test_headings_in_order(topic):
    _, nb = topic
    found = [h for h in sections(nb) if h]
    assert [h for h in found if h in HEADINGS] == HEADINGS, (
        f"headings {found} must include, in order, {HEADINGS}"
    )


def test_derivation_has_three_checks(topic):
    _, nb = topic
    cells = code_cells(sections(nb)["## 2. Derivation"])
    calls = sum(len(CHECK_CALL.findall(source(c))) for c in cells)
    assert calls >= 3, f"the derivation has {calls} check calls; at least 3 are required"
    assert "$$" in "".join(source(c) for c in sections(nb)["## 2. Derivation"]), "the derivation shows LaTeX"


def test_from_scratch_compares_with_a_library(topic):
    _, nb = topic
    cells = code_cells(sections(nb)["## 3. From scratch"])
    assert sum(len(CHECK_CALL.findall(source(c))) for c in cells) >= 1


def test_minimal_model_asserts_its_headline(topic):
    _, nb = topic
    text = "\n".join(source(c) for c in code_cells(sections(nb)["## 4. A minimal model"]))
    assert re.search(r"^\s*assert ", text, re.MULTILINE), "the headline result must be an assert"
    assert "train_loop(" in text or "progress(" in text, "training shows a progress bar (helpers.train)"


def test_has_an_explorer(topic):
    _, nb = topic
    text = "\n".join(source(c) for c in code_cells(sections(nb)["## 5. Explore"]))
    assert "Explorer(" in text, "section 5 builds at least one helpers.widgets.Explorer"
    widget_outputs = [
        o
        for c in code_cells(sections(nb)["## 5. Explore"])
        for o in c.get("outputs", [])
        if "application/vnd.jupyter.widget-view+json" in o.get("data", {})
    ]
    assert widget_outputs, "the committed notebook shows the explorer widget"


#: An exercise cell checks the learner's answer with check_answer or with a topic's checker in
#: helpers/exercises/<topic>.py (which calls check_answer and adds feedback of its own).
CHECKER_CALL = re.compile(r"\bcheck_answer\(|\bexercises\.check_\w+\(")


def test_exercises_have_checks_and_hidden_solutions(topic):
    _, nb = topic
    cells = code_cells(sections(nb)["## 6. Exercises"])
    solutions = [c for c in cells if is_solution(c)]
    tasks = [c for c in cells if not is_solution(c) and CHECKER_CALL.search(source(c))]
    assert len(solutions) >= 3, f"{len(solutions)} solution-tagged cells; at least 3 exercises are required"
    assert len(tasks) >= 3, f"{len(tasks)} exercise cells call check_answer; at least 3 are required"
    for cell in solutions:
        assert cell["metadata"].get("jupyter", {}).get("source_hidden") is True, (
            "solution cells are collapsed"
        )
        assert re.search(r"assert (exercises\.check_\w+|check_answer)\(", source(cell)), (
            "a solution proves itself with assert check_answer(...) or assert exercises.check_<name>(...)"
        )
    for cell in tasks:
        assert "NotImplementedError" in source(cell), "an exercise cell leaves a stub for the learner"


def test_summary_has_glossary_and_references(topic):
    _, nb = topic
    text = "\n".join(source(c) for c in sections(nb)["## 7. Summary"] if c["cell_type"] == "markdown")
    rows = [line for line in text.splitlines() if line.startswith("|") and CJK.search(line)]
    assert len(rows) >= 5, f"the glossary has {len(rows)} rows with Chinese terms; at least 5 expected"
    assert re.search(r"arXiv:\d{4}\.\d{4,5}", text), "further reading cites papers with arXiv ids"
    assert "leaves out" in text or "left out" in text, "the summary says what the toy version leaves out"
