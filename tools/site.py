"""Build the static HTML site of the collection, fully offline: ``python -m tools.site`` (``make site``).

The site is made with Jupyter Book 1.x (Sphinx) from the notebooks' *committed* outputs — nothing is executed.
MathJax comes from an installed package (``django-static-mathjax``) and is served from the site itself,
and the widget/require.js scripts that would be fetched from a CDN are switched off, so pages load with no
network. Run from the repository root, or name it with ``--root``. Sources are assembled under
``build/site-src``; the HTML lands in ``build/site/_build/html``.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat

from helpers.collection import notebook_files

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


def folded(markdown: str) -> str:
    """An instructor cell as a closed MyST dropdown, its ``### …`` heading line as the title."""
    first, _, rest = markdown.partition("\n")
    title = first.lstrip("#").strip() if first.startswith("#") else "Instructor notes"
    body = rest if first.startswith("#") else markdown
    return f"````{{admonition}} {title}\n:class: dropdown\n{body.strip()}\n````"


def index_markdown(readme: str) -> str:
    """README text adapted for the site: links to ``notebooks/NN_x.ipynb`` become site pages."""
    readme = re.sub(r"\]\(notebooks/([^)]+)\.ipynb\)", r"](notebooks/\1)", readme)
    return readme.replace("](CONTRIBUTING.md)", "](contributing)")


def assemble(root: Path, src: Path) -> list[Path]:
    """Write the Jupyter Book sources of the repository at ``root`` into ``src``; return its notebooks.

    Raises:
        ValueError: ``root`` holds no ``notebooks/``.
        FileNotFoundError: ``notebooks/`` holds no notebook.
    """
    import mathjax  # from django-static-mathjax: the MathJax 3 distribution as files

    notebooks = notebook_files(root)
    if not notebooks:
        raise FileNotFoundError(f"no notebooks found in {root / 'notebooks'}")
    if src.exists():
        shutil.rmtree(src)
    (src / "notebooks").mkdir(parents=True)
    for path in notebooks:
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:  # solutions and instructor notes stay folded on the site, as in JupyterLab
            tags = cell.metadata.get("tags", [])
            if "solution" in tags and "hide-input" not in tags:
                cell.metadata["tags"] = [*tags, "hide-input"]
            if "instructor" in tags and cell.cell_type == "markdown":
                cell.source = folded(cell.source)
        nbformat.write(nb, src / "notebooks" / path.name)
    (src / "index.md").write_text(
        index_markdown((root / "README.md").read_text(encoding="utf-8")), encoding="utf-8"
    )
    shutil.copy2(root / "CONTRIBUTING.md", src / "contributing.md")
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


def build(root: Path, src: Path, out: Path) -> Path:
    """Assemble the sources of the repository at ``root`` in ``src``, build in ``out``; return index.html."""
    assemble(root, src)
    jb = Path(sys.executable).parent / "jupyter-book"
    subprocess.run([str(jb), "build", str(src), "--path-output", str(out)], check=True)
    index = out / "_build" / "html" / "index.html"
    if not index.exists():
        raise FileNotFoundError(f"the build finished but {index} is missing")
    return index


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the offline HTML site of the notebooks.")
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="repository root (default: here)")
    parser.add_argument("--src", type=Path, help="sources folder (default: ROOT/build/site-src)")
    parser.add_argument("--out", type=Path, help="output folder (default: ROOT/build/site)")
    args = parser.parse_args(argv)
    try:
        notebook_files(args.root)
    except ValueError as error:
        parser.error(str(error))
    src, out = args.src or args.root / "build" / "site-src", args.out or args.root / "build" / "site"
    index = build(args.root, src, out)
    print(f"site built: {index}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
