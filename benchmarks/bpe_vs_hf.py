"""Time the from-scratch byte-level BPE trainer against Hugging Face ``tokenizers`` (Rust) as the text grows.

For each training size (default 1, 4 and 16 MB) both trainers learn the same vocabulary size from the same
text, with the same GPT-2 pre-tokenization and the full 256-byte alphabet, and both encode the same held-out
documents. Reported per size: the number of distinct pre-tokenized chunks (what our merge loop works on), the
training time of each (median of ``--repeats`` runs), their ratio, how each time grew from the previous size,
and the held-out token counts and their relative difference.

The text, offline and in a fixed order: every document of four sources that ship with Python and the pinned
packages, shuffled together with ``--seed`` so that every size holds the same mixture —

- Python's own English documentation (``helpers.data.text.english_documents``, about 1.2 MB);
- the English Wikipedia sample in gensim's test data (about 6 MB of articles in wiki markup, one per page);
- the Lee background corpus in gensim's test data (300 news articles, about 0.36 MB);
- the source files of Python's standard library, tests left out (about 12 MB of code and comments).

The held-out documents come first in the shuffled order; the training text is the documents after them, cut
to each size, so a smaller training text is a prefix of a larger one.

    .venv/bin/python benchmarks/bpe_vs_hf.py                         # 1, 4, 16 MB; V = 4096; 3 repeats
    .venv/bin/python benchmarks/bpe_vs_hf.py --sizes-mb 1 2 --repeats 1 --json

The trainer timed here is ``helpers.components.bpe.ByteLevelBPE``, generated from the cells of
``notebooks/01_tokenizer.ipynb`` that teach it (``make components``).
"""

from __future__ import annotations

import argparse
import bz2
import html
import importlib.util
import json
import os
import platform
import random
import re
import statistics
import sys
import sysconfig
import time
from pathlib import Path

from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

from helpers.components.bpe import ByteLevelBPE
from helpers.data.text import english_documents

MB = 1_000_000  # characters; the texts are almost all ASCII, so also about bytes
WIKI_FILE = "enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2"
LEE_FILE = "lee_background.cor"


def gensim_test_file(name: str) -> Path:
    """A file of gensim's test data (shipped inside the gensim package; gensim itself is not imported)."""
    spec = importlib.util.find_spec("gensim")
    if spec is None or spec.origin is None:
        raise FileNotFoundError("gensim is not installed (it is pinned in requirements.txt)")
    return Path(spec.origin).parent / "test" / "test_data" / name


def wikipedia_articles() -> list[str]:
    """The article texts of gensim's Wikipedia sample (wiki markup kept, XML entities decoded)."""
    xml = bz2.decompress(gensim_test_file(WIKI_FILE).read_bytes()).decode("utf-8")
    texts = re.findall(r"<text[^>]*>(.*?)</text>", xml, flags=re.DOTALL)
    return [html.unescape(t) for t in texts if t.strip()]


def stdlib_sources() -> list[str]:
    """The standard library's .py files in path order, without test packages and site-packages."""
    root = Path(sysconfig.get_paths()["stdlib"])
    skip = ("site-packages", "idle_test", "lib2to3")
    files = sorted(
        f
        for f in root.rglob("*.py")
        if not any(p in skip or p.startswith("test") for p in f.relative_to(root).parts)
    )
    return [f.read_text(encoding="utf-8", errors="replace") for f in files]


def documents(seed: int) -> tuple[list[str], dict[str, int]]:
    """Every document of the four sources, shuffled with ``seed``; and the characters of each source."""
    sources = {
        "Python docs": english_documents(),
        "Wikipedia": wikipedia_articles(),
        "news": gensim_test_file(LEE_FILE).read_text(encoding="utf-8").splitlines(),
        "stdlib code": stdlib_sources(),
    }
    docs = [d for texts in sources.values() for d in texts if d.strip()]
    random.Random(seed).shuffle(docs)
    return docs, {name: sum(map(len, texts)) for name, texts in sources.items()}


def take(docs: list[str], start: int, max_chars: int) -> tuple[str, int]:
    """Join documents from ``docs[start]`` on with blank lines up to ``max_chars`` -> (text, next index)."""
    parts, size, i = [], 0, start
    while i < len(docs) and size < max_chars:
        piece = docs[i][: max_chars - size]
        parts.append(piece)
        size += len(piece) + 2
        i += 1
    return "\n\n".join(parts)[:max_chars], i


def train_hf(text: str, vocab_size: int) -> Tokenizer:
    """Hugging Face byte-level BPE configured like ours: GPT-2 split, no prefix space, all 256 bytes."""
    hf = Tokenizer(models.BPE())
    hf.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    hf.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size, show_progress=False, initial_alphabet=pre_tokenizers.ByteLevel.alphabet()
    )
    hf.train_from_iterator([text], trainer)
    return hf


def median_seconds(fn, repeats: int) -> tuple[float, object]:
    """Run ``fn`` ``repeats`` times; return the median wall time and the last result."""
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def run_size(train_text: str, heldout_text: str, vocab_size: int, repeats: int) -> dict:
    """Train both trainers on ``train_text``; time them and count their tokens on ``heldout_text``."""
    ours_s, ours = median_seconds(lambda: ByteLevelBPE().train(train_text, vocab_size), repeats)
    hf_s, hf = median_seconds(lambda: train_hf(train_text, vocab_size), repeats)
    ours_tokens, hf_tokens = len(ours.encode(heldout_text)), len(hf.encode(heldout_text).ids)
    return {
        "train_chars": len(train_text),
        "train_bytes": len(train_text.encode("utf-8")),
        "distinct_chunks": len(ours.stats.words),  # the pre-tokenized chunks the merge loop works on
        "ours_vocab": len(ours.vocab),
        "hf_vocab": hf.get_vocab_size(),
        "ours_train_s": round(ours_s, 3),
        "hf_train_s": round(hf_s, 3),
        "time_ratio": round(ours_s / hf_s, 2),
        "ours_heldout_tokens": ours_tokens,
        "hf_heldout_tokens": hf_tokens,
        "token_difference": round(ours_tokens / hf_tokens - 1, 5),
    }


def print_table(runs: list[dict], heldout_bytes: int, vocab_size: int, sources: dict[str, int]) -> None:
    """One line per training size: distinct chunks, times, the growth of each trainer's time since the
    previous size, and the held-out token counts."""
    mix = ", ".join(f"{name} {chars / MB:.1f} MB" for name, chars in sources.items())
    print(f"byte-level BPE, V = {vocab_size}; {os.cpu_count()} CPU cores; Python {platform.python_version()}")
    print(f"text: documents of {mix}, shuffled together; held-out: {heldout_bytes:,} bytes")
    print(
        f"{'train MB':>9} {'chunks':>8} {'ours s':>8} {'HF s':>8} {'ratio':>6} {'ours ×':>7} {'HF ×':>6}"
        f" {'held-out tokens (ours / HF)':>29} {'diff':>8}"
    )
    previous = None
    for run in runs:
        grow = (
            (run["ours_train_s"] / previous["ours_train_s"], run["hf_train_s"] / previous["hf_train_s"])
            if previous
            else None
        )
        grown = f"{grow[0]:>7.1f} {grow[1]:>6.1f}" if grow else f"{'':>7} {'':>6}"
        tokens = f"{run['ours_heldout_tokens']:,} / {run['hf_heldout_tokens']:,}"
        print(
            f"{run['train_bytes'] / MB:>9.2f} {run['distinct_chunks']:>8,} {run['ours_train_s']:>8.2f}"
            f" {run['hf_train_s']:>8.2f}"
            f" {run['time_ratio']:>5.1f}x {grown} {tokens:>29} {run['token_difference']:>+8.3%}"
        )
        previous = run


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes-mb", type=float, nargs="+", default=[1, 4, 16], help="training sizes in MB")
    parser.add_argument("--heldout-chars", type=int, default=100_000, help="held-out text size (characters)")
    parser.add_argument("--vocab-size", type=int, default=4096, help="vocabulary size, 256 bytes included")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs per trainer and size (median)")
    parser.add_argument("--seed", type=int, default=0, help="the order of the documents")
    parser.add_argument("--json", action="store_true", help="print the result as one JSON line")
    args = parser.parse_args(argv)
    if args.vocab_size < 257 or args.repeats < 1 or min(args.sizes_mb) <= 0 or args.heldout_chars < 1:
        parser.error("--vocab-size must be > 256, --repeats >= 1, --sizes-mb and --heldout-chars > 0")

    docs, sources = documents(args.seed)
    heldout_text, first_train_doc = take(docs, 0, args.heldout_chars)
    largest = int(max(args.sizes_mb) * MB)
    pool, _ = take(docs, first_train_doc, largest)
    if len(pool) < largest:
        parser.error(f"--sizes-mb: at most {len(pool) / MB:.1f} MB of training text is available")
    runs = [
        run_size(pool[: int(size * MB)], heldout_text, args.vocab_size, args.repeats)
        for size in sorted(args.sizes_mb)
    ]
    result = {
        "vocab_size": args.vocab_size,
        "heldout_bytes": len(heldout_text.encode("utf-8")),
        "sources_chars": sources,
        "runs": runs,
        "cpu_cores": os.cpu_count(),
        "python": platform.python_version(),
    }
    if args.json:
        print(json.dumps(result))
    else:
        print_table(runs, result["heldout_bytes"], args.vocab_size, sources)
        within = all(abs(r["token_difference"]) <= 0.02 for r in runs)
        print(f"{'✓' if within else '✗'} held-out token counts within 2 % of Hugging Face's at every size")
    return result


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
