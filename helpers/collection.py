"""The collection's map: every notebook, its topic and what it builds on (one source for the start-here
notebook, the workshop kit and the site)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Entry:
    number: str
    name: str
    topic: str
    builds_on: tuple[str, ...]  # numbers of the notebooks it assumes

    @property
    def path(self) -> Path:
        return ROOT / "notebooks" / f"{self.number}_{self.name}.ipynb"

    @property
    def exists(self) -> bool:
        return self.path.exists()


COLLECTION: tuple[Entry, ...] = (
    Entry("01", "tokenizer", "tokens, byte-level BPE, WordPiece, Unigram", ()),
    Entry("02", "word2vec", "embeddings, skip-gram/CBOW, negative sampling", ("01",)),
    Entry("03", "rnn", "recurrent nets, BPTT, vanishing gradients, LSTM", ("02",)),
    Entry("04", "transformer", "attention, multi-head attention, positional encoding", ("03",)),
    Entry("05", "bert_self_supervised", "self-supervised learning, MLM/NSP, fine-tuning", ("02", "04")),
    Entry("06", "softmax_many_classes", "identity classification with thousands of classes", ()),
    Entry("07", "normalized_softmax_margins", "NormFace, SphereFace, CosFace, ArcFace", ("06",)),
    Entry("08", "face_recognition_system", "detection, alignment, recognition, evaluation", ("07",)),
    Entry("09", "clip", "contrastive language–image pre-training", ("04", "07")),
    Entry("10", "siglip", "sigmoid loss, chunked and distributed", ("09",)),
    Entry("11", "blip", "ITC/ITM/LM, CapFilt bootstrapping", ("05", "09")),
    Entry("12", "gradient_checkpointing", "trading compute for activation memory", ("04",)),
)

#: Suggested routes through the collection (notebook numbers in order).
PATHS: dict[str, tuple[str, ...]] = {
    "language models": ("01", "02", "03", "04", "05"),
    "faces": ("06", "07", "08"),
    "vision and language": ("04", "09", "10", "11"),
    "systems": ("04", "12"),
}


def entry(number: str) -> Entry:
    """The entry of notebook ``number`` (e.g. ``'04'``)."""
    for e in COLLECTION:
        if e.number == number:
            return e
    raise ValueError(f"number must be one of {[e.number for e in COLLECTION]}, got {number!r}")


def available() -> list[Entry]:
    """Entries whose notebook file exists."""
    return [e for e in COLLECTION if e.exists]
