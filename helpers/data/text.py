"""Real text for the tokenizer notebook, offline: English from Python's own documentation, a short Chinese
passage written for this collection, and a loader for the reader's own text files.

- :func:`english_documents` gathers the documentation that ships with every Python installation — the
  reference-manual topics of ``pydoc_data.topics`` (the text behind ``help("assignment")``) and the docstrings
  of a fixed list of standard-library modules — in a fixed order. Same Python version, same text.
- :func:`english_split` cuts that collection into training and held-out text of given sizes in characters,
  from disjoint documents chosen by a seed.
- :data:`CHINESE_PASSAGE` is original prose (about 600 characters) on writing, reading and counting.
- :func:`load_text_file` reads a UTF-8 file and says clearly what is wrong when it cannot.
"""

from __future__ import annotations

import importlib
import inspect
import random
import warnings
from functools import lru_cache
from pathlib import Path

from helpers.validate import check_int

# Modules whose docstrings are gathered, in this order (a module missing from an installation is skipped).
# Modules that debuggers, test runners or notebook kernels patch at run time (pdb, bdb, code, builtins,
# warnings, signal) are left out, so the text is the same in a script, under pytest and in a Jupyter kernel.
STDLIB_MODULES: tuple[str, ...] = (
    "argparse",
    "asyncio",
    "base64",
    "bisect",
    "calendar",
    "collections",
    "contextlib",
    "copy",
    "csv",
    "dataclasses",
    "datetime",
    "decimal",
    "difflib",
    "email",
    "enum",
    "fractions",
    "functools",
    "heapq",
    "hashlib",
    "http.client",
    "inspect",
    "io",
    "ipaddress",
    "itertools",
    "json",
    "logging",
    "mailbox",
    "math",
    "operator",
    "optparse",
    "os",
    "pathlib",
    "pickle",
    "pprint",
    "queue",
    "random",
    "re",
    "shutil",
    "socket",
    "statistics",
    "string",
    "subprocess",
    "tarfile",
    "tempfile",
    "textwrap",
    "threading",
    "typing",
    "unittest",
    "urllib.parse",
    "uuid",
    "zipfile",
    "configparser",
    "codecs",
    "locale",
    "gettext",
    "smtplib",
    "ftplib",
    "imaplib",
    "poplib",
    "xml.dom.minidom",
    "xml.etree.ElementTree",
    "sqlite3",
    "shelve",
    "selectors",
    "ssl",
    "tokenize",
    "ast",
    "dis",
    "doctest",
    "trace",
    "timeit",
    "cmd",
    "shlex",
    "glob",
    "fnmatch",
    "filecmp",
    "gzip",
    "bz2",
    "lzma",
    "zlib",
    "struct",
    "array",
    "weakref",
    "types",
    "abc",
    "numbers",
    "cmath",
    "secrets",
    "hmac",
    "sched",
    "concurrent.futures",
    "multiprocessing",
    "mmap",
    "platform",
    "sysconfig",
    "traceback",
    "pydoc",
    "wave",
    "colorsys",
    "html.parser",
    "xmlrpc.client",
    "plistlib",
    "netrc",
    "graphlib",
    "zoneinfo",
    "tomllib",
    "contextvars",
    "reprlib",
    "email.message",
    "email.utils",
    "http.server",
    "http.cookiejar",
    "urllib.request",
    "xml.sax",
    "logging.handlers",
    "unittest.mock",
    "importlib.metadata",
    "importlib.resources",
    "collections.abc",
    "email.headerregistry",
    "email.policy",
    "http.cookies",
    "urllib.robotparser",
    "wsgiref.handlers",
    "xml.dom.pulldom",
    "getopt",
    "compileall",
    "pkgutil",
    "modulefinder",
    "runpy",
    "symtable",
    "keyword",
    "pyclbr",
    "unicodedata",
    "quopri",
    "binascii",
    "mimetypes",
    "html",
)
MIN_DOC_CHARS = 80  # shorter docstrings ("Return self.") are mostly boilerplate

CHINESE_PASSAGE = (
    "文字是人类最耐用的工具之一。一块泥板、一卷竹简、一页纸，都能把今天的想法送到很多年以后的读者手里。"
    "计算机却不认识字，它只认识数字。所以每一段文字在进入程序之前，都要先变成一串整数。最简单的办法，"
    "是给每个字一个编号；可是汉字有好几万个，新词和生僻字又不断出现，编号表永远写不完。另一种办法是退回到"
    "字节：任何文字都可以写成一串字节，而字节只有二百五十六种，表格一下子就写完了。代价是序列变长了，"
    "一个汉字通常要占三个字节。\n\n"
    "于是人们想出一个折中的办法：先从字节出发，再把经常一起出现的相邻片段合并成新的符号。"
    "合并的次数越多，词表越大，句子就越短；合并的次数越少，词表越小，句子就越长。"
    "常见的词会被压缩成一个符号，罕见的词则被拆成几块，但无论多么奇怪的输入，都不会出现无法表示的情况。"
    "如果训练用的文本里只有英文，模型学到的合并几乎都属于英文，中文就只能按字节一个一个地写出来；"
    "如果训练文本里也有中文，常用汉字的字节就会被合并在一起，同样一句话需要的符号就少得多。\n\n"
    "读者不妨自己试一试：写一句话，看看它被切成了哪些片段，每个片段又对应哪个编号。"
    "你会发现，空格常常和后面的词粘在一起，大写和小写是不同的符号，数字有时被切得很碎。"
    "这些细节看起来琐碎，却决定了模型看到的世界是什么样子，也决定了同样的预算能读多少文字。"
)
"""Original Chinese prose written for this collection (about 600 characters, three paragraphs)."""


def _gather(module_name: str) -> list[str]:
    """Docstrings of one module: the module, then its public classes and functions (sorted by name), and
    each class's public methods. Objects re-exported from other modules are skipped."""
    with warnings.catch_warnings():  # deprecated modules warn on import and on attribute access
        warnings.simplefilter("ignore")
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            return []
        docs = [module.__doc__]
        for name, obj in sorted(vars(module).items()):
            home = str(getattr(obj, "__module__", ""))
            if name.startswith("_") or not (
                home == module.__name__ or home.startswith(module.__name__ + ".")
            ):
                continue
            if inspect.isclass(obj) or inspect.isfunction(obj):
                docs.append(obj.__doc__)
            if inspect.isclass(obj):
                docs += [
                    member.__doc__
                    for key, member in sorted(vars(obj).items())
                    if inspect.isfunction(member) and (key == "__init__" or not key.startswith("_"))
                ]
    return [d for d in docs if isinstance(d, str)]


@lru_cache(maxsize=1)
def _documents() -> tuple[str, ...]:
    import pydoc_data.topics

    seen: set[str] = set()
    out: list[str] = []
    raw = [pydoc_data.topics.topics[key] for key in sorted(pydoc_data.topics.topics)]
    for module_name in STDLIB_MODULES:
        raw += _gather(module_name)
    for text in raw:
        doc = inspect.cleandoc(text).strip()
        if len(doc) >= MIN_DOC_CHARS and doc not in seen:
            seen.add(doc)
            out.append(doc)
    return tuple(out)


def english_documents() -> list[str]:
    """All gathered English documents (about 1.2 MB in all on Python 3.11), in a fixed order.

    Returns:
        A list of strings: reference-manual topics first, then module docstrings in :data:`STDLIB_MODULES`
        order. Each has at least :data:`MIN_DOC_CHARS` characters; duplicates are dropped.
    """
    return list(_documents())


def _fill(docs: list[str], max_chars: int) -> str:
    """Join documents with blank lines until ``max_chars``; the last one is cut to fit exactly."""
    parts, size = [], 0
    for doc in docs:
        if size >= max_chars:
            break
        piece = doc if not parts else "\n\n" + doc
        parts.append(piece[: max_chars - size])
        size += len(parts[-1])
    return "".join(parts)


def english_split(train_chars: int, heldout_chars: int, *, seed: int = 0) -> tuple[str, str]:
    """Training and held-out English text drawn from disjoint documents.

    The documents are shuffled with ``seed``; held-out text is filled first from the front of the shuffled
    list, training text from the documents after it, so no document contributes to both.

    Args:
        train_chars, heldout_chars: size limits in characters (>= 1 each).
        seed: which documents go where (an int).
    Returns:
        ``(train, heldout)`` strings.
    Raises:
        ValueError: the collection cannot fill both (it holds about 1.2 M characters).
    """
    train_chars = check_int("train_chars", train_chars, low=1)
    heldout_chars = check_int("heldout_chars", heldout_chars, low=1)
    seed = check_int("seed", seed)
    docs = english_documents()
    random.Random(seed).shuffle(docs)
    heldout = _fill(docs, heldout_chars)
    used, size = 0, 0
    while size < len(heldout):  # count the documents the held-out text consumed
        size += len(docs[used]) + (2 if used else 0)
        used += 1
    train = _fill(docs[used:], train_chars)
    if len(train) < train_chars or len(heldout) < heldout_chars:
        total = sum(len(d) for d in docs)
        raise ValueError(
            f"train_chars + heldout_chars = {train_chars + heldout_chars} exceeds the "
            f"{total} characters available"
        )
    return train, heldout


def load_text_file(path: str | Path, *, max_chars: int | None = None) -> str:
    """Read a UTF-8 text file, e.g. to train a tokenizer on your own text.

    Args:
        path: a ``str`` or ``pathlib.Path`` naming an existing file.
        max_chars: keep only the first ``max_chars`` characters (``None``: all).
    Returns:
        The decoded text (a leading UTF-8 byte-order mark is dropped).
    Raises:
        TypeError: ``path`` is not a str or Path, or ``max_chars`` is not an int.
        FileNotFoundError: no file at ``path`` (the message names the absolute path).
        IsADirectoryError: ``path`` is a folder.
        ValueError: the file is not valid UTF-8 (the message gives the byte offset), or ``max_chars`` < 1.
    """
    if not isinstance(path, (str, Path)):
        raise TypeError(f"path must be a str or pathlib.Path, got {type(path).__name__}")
    if max_chars is not None:
        max_chars = check_int("max_chars", max_chars, low=1)
    file = Path(path).expanduser()
    if not file.exists():
        raise FileNotFoundError(
            f"no such text file: {file.resolve()} (check the path and the working directory {Path.cwd()})"
        )
    if file.is_dir():
        raise IsADirectoryError(f"{file.resolve()} is a folder; path must name a text file")
    data = file.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(
            f"{file} is not valid UTF-8: byte {exc.start} is {data[exc.start : exc.start + 1]!r} "
            f"({exc.reason}); save the file as UTF-8 or convert it, e.g. with "
            f"`iconv -f <its encoding> -t utf-8`"
        ) from None
    return text if max_chars is None else text[:max_chars]
