"""Build the static HTML site of the collection, fully offline: ``python -m helpers.site`` (``make site``).

The site is made with Jupyter Book 1.x (Sphinx) from the notebooks' *committed* outputs — nothing is executed.
MathJax comes from an installed package (``django-static-mathjax``) and is served from the site itself, and the
widget/require.js scripts that would be fetched from a CDN are switched off, so pages load with no network.
Sources are assembled under ``build/site-src``; the HTML lands in ``build/site/_build/html``.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]

CONFIG = """\
title: Deriving Deep Learning
author: Deriving Deep Learning
only_build_toc_files: true
execute:
  execute_notebooks: "off"
html:
  use_repository_button: false
  use_issues_button: false
  use_edit_page_button: false
  extra_footer: "Built offline from the committed notebooks."
sphinx:
  config:
    mathjax_path: mathjax/tex-svg.js
    html_static_path: ["_static"]
    nb_ipywidgets_js: {}
    html_theme_options:
      search_bar_text: "Search the notebooks…"
"""


def notebook_title(path: Path) -> str:
    """The text of the notebook's first '# ' heading (falls back to the file stem)."""
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return path.stem


def index_markdown(readme: str) -> str:
    """README text adapted for the site: links to ``notebooks/NN_x.ipynb`` become site pages."""
    readme = re.sub(r"\]\(notebooks/([^)]+)\.ipynb\)", r"](notebooks/\1)", readme)
    return readme.replace("](CONTRIBUTING.md)", "](contributing)")


def assemble(src: Path) -> list[Path]:
    """Write the Jupyter Book sources into ``src``; return the notebooks included."""
    import mathjax  # from django-static-mathjax: the MathJax 3 distribution as files

    if src.exists():
        shutil.rmtree(src)
    (src / "notebooks").mkdir(parents=True)
    notebooks = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    if not notebooks:
        raise FileNotFoundError(f"no notebooks found in {ROOT / 'notebooks'}")
    for path in notebooks:
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:  # solutions stay folded on the site, as in JupyterLab
            tags = cell.metadata.get("tags", [])
            if "solution" in tags and "hide-input" not in tags:
                cell.metadata["tags"] = [*tags, "hide-input"]
        nbformat.write(nb, src / "notebooks" / path.name)
    (src / "index.md").write_text(
        index_markdown((ROOT / "README.md").read_text(encoding="utf-8")), encoding="utf-8"
    )
    shutil.copy2(ROOT / "CONTRIBUTING.md", src / "contributing.md")
    static = src / "_static" / "mathjax"
    static.mkdir(parents=True)
    shutil.copy2(
        Path(mathjax.__file__).parent / "static" / "mathjax" / "es5" / "tex-svg.js", static / "tex-svg.js"
    )
    (src / "_config.yml").write_text(CONFIG, encoding="utf-8")
    toc = ["format: jb-book", "root: index", "parts:", "  - caption: Notebooks", "    chapters:"]
    toc += [f'      - file: notebooks/{nb.stem}\n        title: "{notebook_title(nb)}"' for nb in notebooks]
    toc += ["  - caption: Project", "    chapters:", "      - file: contributing"]
    (src / "_toc.yml").write_text("\n".join(toc) + "\n", encoding="utf-8")
    return notebooks


def build(src: Path, out: Path) -> Path:
    """Assemble and build; return the path of the site's index.html."""
    assemble(src)
    jb = Path(sys.executable).parent / "jupyter-book"
    subprocess.run([str(jb), "build", str(src), "--path-output", str(out)], check=True)
    index = out / "_build" / "html" / "index.html"
    if not index.exists():
        raise FileNotFoundError(f"the build finished but {index} is missing")
    return index


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the offline HTML site of the notebooks.")
    parser.add_argument("--src", type=Path, default=ROOT / "build" / "site-src")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "site")
    args = parser.parse_args(argv)
    index = build(args.src, args.out)
    print(f"site built: {index}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
