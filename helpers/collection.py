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
from itertools import permutations
from pathlib import Path

__all__ = [
    "COLLECTION",
    "PATHS",
    "BOX_HEIGHT",
    "BOX_WIDTH",
    "Entry",
    "arrow_paths",
    "entry",
    "lane",
    "layout",
    "learning_paths_text",
    "map_problems",
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


#: Size of a notebook's box on the map, in map units (one column apart is 1, one row apart is 1).
BOX_WIDTH, BOX_HEIGHT = 0.84, 0.5
_CLEARANCE = 0.05  # how close an arrow may pass another box
_BENDS = (0.0, 0.15, -0.15, 0.3, -0.3, 0.45, -0.45)  # tried in this order: straight first, then either side
_MAX_BAND_ORDERS = 5  # with more paths than this, bands keep the order of PATHS (5! orders is the most tried)


def _inside(point, centre, margin: float) -> bool:
    return abs(point[0] - centre[0]) <= BOX_WIDTH / 2 + margin and (
        abs(point[1] - centre[1]) <= BOX_HEIGHT / 2 + margin
    )


def _curve(start, end, bend: float, samples: int = 24) -> list[tuple[float, float]]:
    """A quadratic curve from box centre ``start`` to box centre ``end``, cut at both boxes' edges.

    ``bend`` moves the control point off the straight line by that fraction of its length (0: straight).
    """
    (x1, y1), (x2, y2) = start, end
    cx, cy = (x1 + x2) / 2 - bend * (y2 - y1), (y1 + y2) / 2 + bend * (x2 - x1)
    points = []
    for i in range(samples + 1):
        t = i / samples
        a, b, c = (1 - t) ** 2, 2 * (1 - t) * t, t * t
        points.append((a * x1 + b * cx + c * x2, a * y1 + b * cy + c * y2))
    return [q for q in points if not _inside(q, start, 0) and not _inside(q, end, 0)]


def _segments_cross(p1, p2, p3, p4) -> bool:
    side = lambda a, b, c: (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])
    return side(p3, p4, p1) * side(p3, p4, p2) < 0 and side(p1, p2, p3) * side(p1, p2, p4) < 0


def _curves_cross(p, q) -> bool:
    return any(
        _segments_cross(p[i], p[i + 1], q[j], q[j + 1]) for i in range(len(p) - 1) for j in range(len(q) - 1)
    )


def _edges() -> list[tuple[str, str]]:
    return [(parent, e.number) for e in COLLECTION for parent in e.builds_on]


def _route(position) -> tuple[dict[tuple[str, str], list[tuple[float, float]]], list[str]]:
    """Arrows for every (prerequisite, notebook) pair, and what is wrong with them.

    Short arrows are placed first; each takes the least bent curve that passes no other box and, among those,
    crosses the fewest arrows already placed.
    """
    paths: dict[tuple[str, str], list[tuple[float, float]]] = {}
    problems = []
    for a, b in sorted(_edges(), key=lambda e: (abs(position[e[1]][0] - position[e[0]][0]), e)):
        options = []
        for k, bend in enumerate(_BENDS):
            points = _curve(position[a], position[b], bend)
            hits = [
                n
                for n in position
                if n not in (a, b) and any(_inside(q, position[n], _CLEARANCE) for q in points)
            ]
            crossings = [
                f"{c}→{d}"
                for (c, d), other in paths.items()
                if len({a, b, c, d}) == 4 and _curves_cross(points, other)
            ]
            options.append((bool(hits), len(crossings), k, points, hits, crossings))
        _, _, _, points, hits, crossings = min(options, key=lambda o: o[:3])
        paths[a, b] = points
        problems += [f"{a}→{b} passes through the box of {n}" for n in hits]
        problems += [f"{a}→{b} crosses {other}" for other in crossings]
    return paths, problems


def arrow_paths(position) -> dict[tuple[str, str], list[tuple[float, float]]]:
    """For each (prerequisite, notebook) pair, the points of its arrow on the map, box edge to box edge."""
    return _route(position)[0]


def map_problems(position) -> list[str]:
    """Arrows of the map that pass through another notebook's box or cross another arrow (empty: none)."""
    return _route(position)[1]


def _band_layout(order) -> dict[str, tuple[int, float]]:
    column: dict[str, int] = {}
    for e in COLLECTION:  # prerequisites come earlier in the table, so their columns are known
        column[e.number] = 1 + max((column[d] for d in e.builds_on), default=-1)
    groups: dict[tuple[int, int], list[str]] = defaultdict(list)
    height = lambda e: sum(map(lane, e.builds_on)) / max(len(e.builds_on), 1)  # mean band of prerequisites
    for e in sorted(COLLECTION, key=height):  # a stable sort: table order among equals
        groups[lane(e.number), column[e.number]].append(e.number)
    position, top = {}, 0
    for band in order:
        members = {c: numbers for (b, c), numbers in groups.items() if b == band}
        for c, numbers in members.items():
            for j, number in enumerate(numbers):
                position[number] = (c, float(top - j))
        top -= max(len(numbers) for numbers in members.values())
    return position


def layout() -> dict[str, tuple[int, float]]:
    """Position ``(column, row)`` of every entry on the map, read from the table alone.

    The column is the length of the longest chain of prerequisites (starting points are in column 0). Rows
    form one band per learning path (the first path that lists the notebook); notebooks that share a band and
    a column are stacked in it, those whose prerequisites lie higher up first. The bands are stacked in the
    order whose arrows (:func:`arrow_paths`) pass through the fewest boxes, then cross least, then stray least
    from the order of :data:`PATHS`. Rows are 0, -1, -2, … (top first).
    """
    bands = sorted({lane(e.number) for e in COLLECTION})
    orders = permutations(bands) if len(bands) <= _MAX_BAND_ORDERS else [tuple(bands)]
    best = None
    for order in orders:
        position = _band_layout(order)
        problems = map_problems(position)
        through = sum("passes through" in p for p in problems)
        score = (through, len(problems) - through, sum(abs(i - b) for i, b in enumerate(order)))
        if best is None or score < best[0]:
            best = (score, position)
    return best[1]


def learning_paths_text() -> str:
    """The learning paths as the README shows them: one line per path, notebooks joined by arrows."""
    width = max(len(name) for name in PATHS) + 2
    return "\n".join(
        f"{name:<{width}}" + " → ".join(entry(n).label for n in members) for name, members in PATHS.items()
    )
