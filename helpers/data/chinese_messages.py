"""A second Chinese text, offline: the simplified-Chinese message catalogue of Sphinx, the documentation tool
that ships with ``jupyter-book`` (``sphinx/locale/zh_CN/LC_MESSAGES/sphinx.po``: about 700 translated error
and status messages, some 7,000 Chinese characters). The tokenizer notebook trains on it and measures on
:data:`helpers.data.text.CHINESE_PASSAGE`, a text of another kind by another writer.

- :func:`sphinx_catalogue_path` finds the file without importing Sphinx;
- :func:`chinese_messages` returns the translations (``msgstr``) that hold Chinese characters, one per line,
  in file order. Formatting placeholders such as ``%s`` or ``{name}`` are kept: they are part of the text.
"""

from __future__ import annotations

import ast
import importlib.util
from functools import lru_cache
from pathlib import Path

import regex

CATALOGUE = Path("locale") / "zh_CN" / "LC_MESSAGES" / "sphinx.po"
HAN = regex.compile(r"\p{Han}")
#: A PO entry's translation: ``msgstr "…"`` followed by any continuation lines ``"…"``.
MSGSTR = regex.compile(r'^msgstr ("(?:[^"\\]|\\.)*")\n((?:"(?:[^"\\]|\\.)*"\n)*)', regex.MULTILINE)


def sphinx_catalogue_path() -> Path:
    """The path of Sphinx's simplified-Chinese ``sphinx.po`` inside the installed package.

    Raises:
        FileNotFoundError: Sphinx is not installed (``jupyter-book`` in requirements.txt brings it), or its
            wheel came without the catalogue.
    """
    spec = importlib.util.find_spec("sphinx")
    if spec is None or spec.origin is None:
        raise FileNotFoundError("Sphinx is not installed; jupyter-book in requirements.txt brings it")
    path = Path(spec.origin).parent / CATALOGUE
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing: this Sphinx installation has no Chinese catalogue")
    return path


@lru_cache(maxsize=1)
def _messages() -> tuple[str, ...]:
    text = sphinx_catalogue_path().read_text(encoding="utf-8")
    out = []
    for first, rest in MSGSTR.findall(text):
        parts = [first, *regex.findall(r'"(?:[^"\\]|\\.)*"', rest)]
        message = "".join(ast.literal_eval(part) for part in parts)  # PO strings use C escapes like \n, \"
        if HAN.search(message):
            out.append(message.replace("\n", " ").strip())
    return tuple(out)


def chinese_messages() -> str:
    """Sphinx's Chinese messages that hold at least one Chinese character, one per line, in file order.

    Returns:
        A str of about 700 lines (some 7,000 Chinese characters; the exact text depends on the installed
        Sphinx version).
    """
    return "\n".join(_messages())
