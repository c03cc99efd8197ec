"""Slides of every notebook, offline: ``python -m tools.slides`` (``make slides``) writes ``build/slides/``.

- ``NN_name.slides.html`` — a reveal.js deck of each notebook, exported by nbconvert's slides exporter
  from the committed outputs (nothing is executed) through ``tools/slides_template/``. reveal.js comes
  from the files that the ``sphinx-revealjs`` package ships and MathJax 3 from ``django-static-mathjax``
  (as for the site); both are copied into ``_static/``, so a deck opens from the disk or any local web
  server with no network. ``index.html`` lists the decks.
- ``notebooks/`` — the presenter's copies for live slides: each notebook with the same slide metadata and
  its outputs, to open in JupyterLab and present with RISE (``make present``; the RISE button, or Alt-R).

Slide types are derived, not hand-written: a cell that already has ``slideshow`` metadata keeps it;
otherwise a ``#`` or ``##`` heading starts a slide, any other Markdown cell a sub-slide (down the section),
a code cell after Markdown appears as a fragment on the next click and a code cell after code starts a
sub-slide. Cells tagged ``hint`` are fragments, ``solution`` cells are left out, and ``instructor`` cells
become speaker notes (press S). Explorers need a kernel: the offline deck says so where one stood.
"""

from __future__ import annotations

import argparse
import html
import importlib.util
import shutil
import sys
from pathlib import Path

import nbformat

from helpers.collection import notebook_files

TEMPLATE_DIR = Path(__file__).parent / "slides_template"
STATIC = "_static"
REVEAL_PREFIX = f"{STATIC}/reveal.js"
MATHJAX_URL = f"{STATIC}/mathjax/tex-svg.js"
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
LIVE_NOTE = (
    '<p class="ddl-live">▶ An explorer: it runs in the live slides (<code>make present</code>) or in '
    "JupyterLab.</p>"
)
#: RISE settings of the presenter's copies (notebook metadata ``rise``): long slides scroll
RISE_SETTINGS = {"scroll": True, "center": False, "width": 1100, "height": 760, "theme": "white"}


def _first_line(cell) -> str:
    return next((line for line in cell.source.splitlines() if line.strip()), "")


def derived_slide_type(cell, previous) -> str:
    """The slide type of ``cell`` (``previous``: the cell before it, or None) by the rules of this module."""
    tags = cell.metadata.get("tags", [])
    if "solution" in tags:
        return "skip"
    if "instructor" in tags:
        return "notes"
    if "hint" in tags:
        return "fragment"
    if cell.cell_type == "markdown":
        first = _first_line(cell)
        return "slide" if first.startswith(("# ", "## ")) or previous is None else "subslide"
    if cell.cell_type == "code":
        after_code = previous is not None and previous.cell_type == "code"
        return "subslide" if after_code else "fragment"
    return "-"


def with_slide_metadata(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of ``nb`` in which every cell has ``metadata.slideshow.slide_type`` (existing ones are kept)."""
    nb = nbformat.from_dict(nb)
    previous = None
    for cell in nb.cells:
        slideshow = cell.metadata.setdefault("slideshow", {})
        slideshow.setdefault("slide_type", derived_slide_type(cell, previous))
        if slideshow["slide_type"] not in ("skip", "notes"):
            previous = cell
    return nb


def deck_notebook(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The notebook as the offline deck shows it: slide metadata, no widget state, explorers as a note."""
    nb = with_slide_metadata(nb)
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if WIDGET_MIME in output.get("data", {}):
                output["data"] = {"text/html": LIVE_NOTE}
    return nb


def presenter_notebook(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The presenter's copy for RISE: slide metadata, outputs kept, stale widget state dropped."""
    nb = with_slide_metadata(nb)
    nb.metadata.pop("widgets", None)
    nb.metadata["rise"] = dict(RISE_SETTINGS)
    return nb


def export_deck(nb: nbformat.NotebookNode, title: str) -> str:
    """The HTML of the offline deck of ``nb``; its scripts are loaded from ``_static/`` beside it."""
    from nbconvert import SlidesExporter

    exporter = SlidesExporter(
        template_file="ddl_slides.html.j2",
        extra_template_paths=[str(TEMPLATE_DIR)],
        reveal_url_prefix=REVEAL_PREFIX,
        reveal_theme="white",
        reveal_transition="none",
        mathjax_url=MATHJAX_URL,
    )
    body, _ = exporter.from_notebook_node(deck_notebook(nb), resources={"metadata": {"name": title}})
    return body


def _package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(f"{name} is not installed: run `make setup` (it is in requirements.txt)")
    return Path(next(iter(spec.submodule_search_locations)))


def copy_static(out: Path) -> None:
    """reveal.js (from sphinx-revealjs) and MathJax 3 (from django-static-mathjax) into ``out/_static``."""
    reveal = _package_dir("sphinx_revealjs") / "_static" / "revealjs"
    target = out / REVEAL_PREFIX
    no_maps = shutil.ignore_patterns("*.map")
    shutil.copytree(reveal / "dist", target / "dist", ignore=no_maps)
    shutil.copytree(reveal / "plugin" / "notes", target / "plugin" / "notes", ignore=no_maps)
    shutil.copy2(reveal / "LICENSE", target / "LICENSE")
    mathjax = _package_dir("mathjax") / "static" / "mathjax" / "es5" / "tex-svg.js"
    (out / MATHJAX_URL).parent.mkdir(parents=True)
    shutil.copy2(mathjax, out / MATHJAX_URL)


def title_of(nb: nbformat.NotebookNode, fallback: str) -> str:
    """The text of the notebook's first '# ' heading."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return fallback


def build(root: Path, out: Path) -> list[Path]:
    """Write the decks and presenter copies of the repository at ``root`` into ``out``; return the decks.

    Raises:
        ValueError: ``root`` holds no ``notebooks/``.
    """
    notebooks = notebook_files(root)
    if out.exists():
        shutil.rmtree(out)
    (out / "notebooks").mkdir(parents=True)
    copy_static(out)
    decks, links = [], []
    for path in notebooks:
        nb = nbformat.read(path, as_version=4)
        title = title_of(nb, path.stem)
        deck = out / f"{path.stem}.slides.html"
        deck.write_text(export_deck(nb, title), encoding="utf-8")
        nbformat.write(presenter_notebook(nb), out / "notebooks" / path.name)
        decks.append(deck)
        links.append(f'<li><a href="{deck.name}">{html.escape(title)}</a></li>')
    index = (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Deriving Deep Learning — slides'
        "</title></head>\n<body><h1>Deriving Deep Learning — slides</h1>\n<p>Arrow keys move between slides "
        "(down: the rest of a section), S opens the speaker notes, Esc the overview.</p>\n<ul>\n"
        + "\n".join(links)
        + "\n</ul></body></html>\n"
    )
    (out / "index.html").write_text(index, encoding="utf-8")
    return decks


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write offline decks and RISE copies of the notebooks.")
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="repository root (default: here)")
    parser.add_argument("--out", type=Path, help="output folder (default: ROOT/build/slides)")
    args = parser.parse_args(argv)
    try:
        notebook_files(args.root)
    except ValueError as error:
        parser.error(str(error))
    out = args.out or args.root / "build" / "slides"
    decks = build(args.root, out)
    print(f"slides: {len(decks)} decks in {out} (open index.html); presenter copies in {out / 'notebooks'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
