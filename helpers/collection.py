"""The collection's map: every notebook, its topic and what it builds on.

This table is the one source that ``00_start_here``'s map, the README's learning paths, the workshop guide
(``tools/workshop.py``) and the tests read. Adding a notebook ``notebooks/NN_name.ipynb`` means adding its
:class:`Entry` to :data:`COLLECTION` (and, optionally, its number to a learning path in :data:`PATHS`); a unit
test fails while a notebook file has no entry or an entry has no file.

Entries hold paths relative to the repository; functions that read files take the repository ``root``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "COLLECTION",
    "PATHS",
    "Entry",
    "entry",
    "lane",
    "layout",
    "learning_paths_text",
    "mismatches",
    "notebook_files",
]

NOTEBOOK_DIR = "notebooks"
NOTEBOOK_GLOB = "[0-9][0-9]_*.ipynb"
START_HERE = "00_start_here.ipynb"  # the map itself, not an entry


@dataclass(frozen=True)
class Entry:
    number: str  # two digits, e.g. "04"
    name: str  # the file name's rest, e.g. "transformer" for notebooks/04_transformer.ipynb
    topic: str
    builds_on: tuple[str, ...]  # numbers of the notebooks it assumes

    @property
    def filename(self) -> str:
        return f"{self.number}_{self.name}.ipynb"

    @property
    def relpath(self) -> Path:
        """The notebook's path relative to the repository root."""
        return Path(NOTEBOOK_DIR) / self.filename

    @property
    def label(self) -> str:
        """Number and name for people, e.g. ``'04 transformer'``."""
        return f"{self.number} {self.name.replace('_', ' ')}"


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


def notebook_files(root: str | Path) -> list[Path]:
    """The notebook files ``root/notebooks/NN_*.ipynb``, sorted (``00_start_here`` included).

    Raises:
        ValueError: ``root`` is not a directory holding ``notebooks/`` (the repository root is expected).
    """
    folder = Path(root) / NOTEBOOK_DIR
    if not folder.is_dir():
        raise ValueError(f"root must be the repository root (holding {NOTEBOOK_DIR}/), got {root}")
    return sorted(folder.glob(NOTEBOOK_GLOB))


def mismatches(root: str | Path) -> list[str]:
    """What disagrees between :data:`COLLECTION` and the files in ``root/notebooks/``, one line each.

    Empty when every notebook file but ``00_start_here`` has an entry and every entry has its file.
    """
    files = {p.name for p in notebook_files(root)} - {START_HERE}
    listed = {e.filename for e in COLLECTION}
    problems = [
        f"{NOTEBOOK_DIR}/{name} has no entry in helpers/collection.py: add "
        f'Entry("{name[:2]}", "{name[3:-6]}", "<topic>", (<numbers it builds on>)) to COLLECTION'
        for name in sorted(files - listed)
    ]
    problems += [
        f"helpers/collection.py lists {e.relpath.as_posix()}, which does not exist"
        for e in COLLECTION
        if e.filename not in files
    ]
    return problems


def lane(number: str) -> int:
    """Index in :data:`PATHS` of the first path listing notebook ``number``; ``len(PATHS)`` if none does."""
    entry(number)  # unknown numbers raise
    return next((i for i, members in enumerate(PATHS.values()) if number in members), len(PATHS))


def layout() -> dict[str, tuple[int, float]]:
    """Position ``(column, row)`` of every entry on the map, read from the table alone.

    The column is the length of the longest chain of prerequisites (starting points are in column 0). Rows
    form one band per learning path (the first path that lists the notebook), top to bottom; notebooks that
    share a band and a column are stacked in it, those whose prerequisites lie higher up first (so arrows
    cross fewer boxes). Rows are 0, -1, -2, … (top first).
    """
    column: dict[str, int] = {}
    for e in COLLECTION:  # prerequisites come earlier in the table, so their columns are known
        column[e.number] = 1 + max((column[d] for d in e.builds_on), default=-1)
    groups: dict[tuple[int, int], list[str]] = defaultdict(list)
    height = lambda e: sum(map(lane, e.builds_on)) / max(len(e.builds_on), 1)  # mean band of prerequisites
    for e in sorted(COLLECTION, key=height):  # a stable sort: table order among equals
        groups[lane(e.number), column[e.number]].append(e.number)
    position, top = {}, 0
    for band in sorted({b for b, _ in groups}):
        members = {c: numbers for (b, c), numbers in groups.items() if b == band}
        for c, numbers in members.items():
            for j, number in enumerate(numbers):
                position[number] = (c, float(top - j))
        top -= max(len(numbers) for numbers in members.values())
    return position


def learning_paths_text() -> str:
    """The learning paths as the README shows them: one line per path, notebooks joined by arrows."""
    width = max(len(name) for name in PATHS) + 2
    return "\n".join(
        f"{name:<{width}}" + " → ".join(entry(n).label for n in members) for name, members in PATHS.items()
    )
