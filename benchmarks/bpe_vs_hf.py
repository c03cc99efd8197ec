"""Time the from-scratch byte-level BPE trainer against Hugging Face ``tokenizers`` (Rust) on the same text.

Both train on the same ~1 MB of English (Python's own documentation, ``helpers.data.text.english_split``)
to the same vocabulary size, with the same GPT-2 pre-tokenization and the full 256-byte alphabet, and both
encode the same held-out documents. Reported: training time (median of ``--repeats`` runs), the time ratio,
and the held-out token counts and their relative difference.

    .venv/bin/python benchmarks/bpe_vs_hf.py                       # 1 MB, V = 4096, 3 repeats
    .venv/bin/python benchmarks/bpe_vs_hf.py --vocab-size 8192 --repeats 1

The trainer timed here is ``helpers.components.bpe.ByteLevelBPE``, generated from the cells of
``notebooks/01_tokenizer.ipynb`` that teach it (``make components``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time

from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

from helpers.components.bpe import ByteLevelBPE
from helpers.data.text import english_split


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


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train-chars", type=int, default=1_000_000, help="training text size (characters)")
    parser.add_argument("--heldout-chars", type=int, default=100_000, help="held-out text size (characters)")
    parser.add_argument("--vocab-size", type=int, default=4096, help="vocabulary size, 256 bytes included")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs per trainer (median reported)")
    parser.add_argument("--seed", type=int, default=0, help="which documents are training / held-out text")
    parser.add_argument("--json", action="store_true", help="print the result as one JSON line")
    args = parser.parse_args(argv)
    if args.vocab_size < 257 or args.repeats < 1:
        parser.error("--vocab-size must be > 256 and --repeats >= 1")

    train_text, heldout_text = english_split(args.train_chars, args.heldout_chars, seed=args.seed)
    ours_s, ours = median_seconds(lambda: ByteLevelBPE().train(train_text, args.vocab_size), args.repeats)
    hf_s, hf = median_seconds(lambda: train_hf(train_text, args.vocab_size), args.repeats)
    ours_tokens, hf_tokens = len(ours.encode(heldout_text)), len(hf.encode(heldout_text).ids)
    heldout_bytes = len(heldout_text.encode("utf-8"))
    result = {
        "train_chars": len(train_text),
        "train_bytes": len(train_text.encode("utf-8")),
        "heldout_bytes": heldout_bytes,
        "vocab_size": args.vocab_size,
        "ours_vocab": len(ours.vocab),
        "hf_vocab": hf.get_vocab_size(),
        "ours_train_s": round(ours_s, 3),
        "hf_train_s": round(hf_s, 3),
        "time_ratio": round(ours_s / hf_s, 2),
        "ours_heldout_tokens": ours_tokens,
        "hf_heldout_tokens": hf_tokens,
        "token_difference": round(ours_tokens / hf_tokens - 1, 5),
        "ours_bytes_per_token": round(heldout_bytes / ours_tokens, 3),
        "hf_bytes_per_token": round(heldout_bytes / hf_tokens, 3),
        "cpu_cores": os.cpu_count(),
        "python": platform.python_version(),
    }
    if args.json:
        print(json.dumps(result))
        return result
    print(
        f"byte-level BPE, V = {args.vocab_size}: {result['train_chars']:,} training characters "
        f"({result['train_bytes']:,} bytes), {heldout_bytes:,} held-out bytes, {os.cpu_count()} CPU cores"
    )
    print(f"{'':<26}{'ours (Python)':>16}{'HF tokenizers (Rust)':>24}")
    print(f"{'training time (median)':<26}{ours_s:>14.2f} s{hf_s:>22.2f} s   ratio {ours_s / hf_s:.1f}x")
    difference = ours_tokens / hf_tokens - 1
    print(f"{'held-out tokens':<26}{ours_tokens:>16,}{hf_tokens:>24,}   difference {difference:+.3%}")
    ours_bpt, hf_bpt = heldout_bytes / ours_tokens, heldout_bytes / hf_tokens
    print(f"{'held-out bytes per token':<26}{ours_bpt:>16.3f}{hf_bpt:>24.3f}")
    within_time, within_tokens = ours_s <= 10 * hf_s, abs(ours_tokens / hf_tokens - 1) <= 0.02
    print(
        f"{'✓' if within_time else '✗'} within 10x of the Rust trainer's time; "
        f"{'✓' if within_tokens else '✗'} held-out token count within 2 %"
    )
    return result


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
