"""Two schematic drawings for ``notebooks/03_rnn.ipynb``: a recurrent network unrolled in time, and the LSTM
cell with its gates. Pure matplotlib (boxes, arrows, labels); no data. Each function draws into a given
``Axes`` and returns it, so a notebook can put both side by side in one figure.

Deliberately left out: peephole connections, biases, and the GRU (its equations are in the notebook).
"""

from __future__ import annotations

from matplotlib.axes import Axes
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch

FORWARD, BACKWARD, CELL_PATH = "0.2", "C3", "C1"  # colours: forward flow, gradient, LSTM cell-state path


def _box(ax: Axes, x: float, y: float, text: str, *, width=0.9, height=0.5, color="C0", fontsize=9):
    """A rounded box centred at (x, y) with a label."""
    ax.add_patch(
        FancyBboxPatch(
            (x - width / 2, y - height / 2),
            width,
            height,
            boxstyle="round,pad=0.02,rounding_size=0.08",
            facecolor="white",
            edgecolor=color,
            linewidth=1.5,
        )
    )
    ax.text(x, y, text, ha="center", va="center", fontsize=fontsize)


def _node(ax: Axes, x: float, y: float, symbol: str, *, color=FORWARD, radius=0.17):
    """A small circle holding an operator such as × or +."""
    ax.add_patch(Circle((x, y), radius, facecolor="white", edgecolor=color, linewidth=1.3))
    ax.text(x, y, symbol, ha="center", va="center", fontsize=10)


def _arrow(
    ax: Axes,
    start,
    end,
    *,
    color=FORWARD,
    style="-",
    label="",
    label_at=0.5,
    offset=(0.0, 0.0),
    linewidth=1.3,
    **kw,
):
    """An arrow from ``start`` to ``end`` (data coordinates), optionally labelled near ``label_at``."""
    ax.add_patch(
        FancyArrowPatch(
            start,
            end,
            arrowstyle="-|>",
            mutation_scale=10,
            color=color,
            linestyle=style,
            linewidth=linewidth,
            shrinkA=0,
            shrinkB=0,
            **kw,
        )
    )
    if label:
        x = start[0] + label_at * (end[0] - start[0]) + offset[0]
        y = start[1] + label_at * (end[1] - start[1]) + offset[1]
        ax.text(x, y, label, ha="center", va="center", fontsize=9, color=color)


def _finish(ax: Axes, xlim, ylim, title: str) -> Axes:
    ax.set(xlim=xlim, ylim=ylim, title=title, aspect="equal")
    ax.axis("off")
    return ax


def draw_unrolled_rnn(ax: Axes) -> Axes:
    """The RNN of the notebook, folded (one box with a loop) and unrolled over three steps, with the
    gradient δ(t) of back-propagation through time flowing backwards along the recurrent arrows."""
    # folded: x -> h -> o, with the recurrent loop W on h
    _box(ax, 0.0, 0.0, "x(t)", color="C2")
    _box(ax, 0.0, 1.4, "h(t)")
    _box(ax, 0.0, 2.8, "ŷ(t)", color="C4")
    _arrow(ax, (0.0, 0.25), (0.0, 1.15), label="U", offset=(0.2, 0))
    _arrow(ax, (0.0, 1.65), (0.0, 2.55), label="V", offset=(0.2, 0))
    ax.plot([-0.45, -0.8, -0.8], [1.55, 1.55, 1.25], color=FORWARD, linewidth=1.3)  # the loop W
    _arrow(ax, (-0.8, 1.25), (-0.45, 1.25))
    ax.text(-1.0, 1.4, "W", ha="center", va="center", fontsize=9)
    ax.text(0.85, 1.4, "=", ha="center", va="center", fontsize=16)
    # unrolled over t-1, t, t+1
    steps = {"t−1": 2.4, "t": 4.4, "t+1": 6.4}
    for name, x in steps.items():
        _box(ax, x, 0.0, f"x({name})", color="C2")
        _box(ax, x, 1.4, f"h({name})")
        _box(ax, x, 2.8, f"ŷ({name})", color="C4")
        ax.text(x, 3.55, f"L({name})", ha="center", va="center", fontsize=9, color="C4")
        _arrow(ax, (x, 0.25), (x, 1.15), label="U", offset=(0.2, 0))
        _arrow(ax, (x, 1.65), (x, 2.55), label="V", offset=(0.2, 0))
        _arrow(ax, (x, 3.05), (x, 3.35))
    for left, right in ((1.5, 2.4), (2.4, 4.4), (4.4, 6.4), (6.4, 7.3)):
        start, end = (
            (left + (0.45 if left > 1.5 else 0.0), 1.47),
            (right - (0.45 if right < 7.3 else 0.0), 1.47),
        )
        _arrow(ax, start, end, label="W" if left > 1.5 and right < 7.3 else "", offset=(0, 0.2))
        _arrow(ax, (end[0], 1.3), (start[0], 1.3), color=BACKWARD, style="--")
    ax.text(1.45, 1.47, "⋯", ha="right", va="center", fontsize=12)
    ax.text(7.35, 1.47, "⋯", ha="left", va="center", fontsize=12)
    ax.text(
        4.4,
        -0.75,
        "forward: the same U, W, V at every step   ·   dashed: δ(t) flows back through Wᵀ diag(1 − h²)",
        ha="center",
        va="center",
        fontsize=8,
        color=BACKWARD,
    )
    return _finish(ax, (-1.5, 7.9), (-1.0, 3.8), "A recurrent network, folded and unrolled in time")


def draw_lstm_cell(ax: Axes) -> Axes:
    """One LSTM step: the gates f, i, o and the candidate g read [h(t−1), x(t)]; the cell state runs along
    the top, where it is only multiplied by f and added to (the additive path of Step 6)."""
    top, gates, bus = 3.2, 1.3, 0.1
    ax.add_patch(
        FancyBboxPatch(
            (0.9, -0.35),
            6.4,
            4.0,
            boxstyle="round,pad=0.02,rounding_size=0.2",
            facecolor="0.97",
            edgecolor="0.6",
        )
    )
    # the cell-state path along the top
    ax.text(0.1, top, "c(t−1)", ha="center", va="center", fontsize=9, color=CELL_PATH)
    _node(ax, 2.0, top, "×", color=CELL_PATH)
    _node(ax, 4.0, top, "+", color=CELL_PATH)
    _arrow(ax, (0.55, top), (1.83, top), color=CELL_PATH, linewidth=2.5)
    _arrow(ax, (2.17, top), (3.83, top), color=CELL_PATH, linewidth=2.5)
    _arrow(ax, (4.17, top), (7.7, top), color=CELL_PATH, linewidth=2.5)
    ax.text(8.05, top, "c(t)", ha="center", va="center", fontsize=9, color=CELL_PATH)
    ax.text(3.0, top + 0.42, "additive path: ∂c(t)/∂c(t−1) = diag f(t) along it", ha="center", fontsize=8)
    # the gates, each reading [h(t−1), x(t)] from the bus below
    gate_x = {"f": 2.0, "i": 3.1, "g": 4.3, "o": 5.5}
    labels = {"f": "f = σ(·)", "i": "i = σ(·)", "g": "g = tanh(·)", "o": "o = σ(·)"}
    for name, x in gate_x.items():
        _box(ax, x, gates, labels[name], width=1.15 if name == "g" else 0.95, height=0.45, fontsize=8)
        _arrow(ax, (x, bus), (x, gates - 0.23))
    ax.text(0.1, bus, "h(t−1)", ha="center", va="center", fontsize=9)
    _arrow(ax, (0.55, bus), (1.2, bus))
    ax.plot([1.2, 5.5], [bus, bus], color=FORWARD, linewidth=1.3)
    ax.text(1.2, -0.75, "x(t)", ha="center", va="center", fontsize=9, color="C2")
    _arrow(ax, (1.2, -0.6), (1.2, bus), color="C2")
    # forget: f multiplies c(t-1); input: i × g is added
    _arrow(ax, (2.0, gates + 0.23), (2.0, top - 0.17))
    _node(ax, 3.65, 2.3, "×")
    _arrow(ax, (3.1, gates + 0.23), (3.52, 2.19))
    _arrow(ax, (4.3, gates + 0.23), (3.78, 2.19))
    _arrow(ax, (3.74, 2.45), (3.93, top - 0.16))
    # output: h(t) = o × tanh(c(t))
    _box(ax, 6.4, 2.3, "tanh", width=0.7, height=0.4, fontsize=8)
    _arrow(ax, (6.4, top), (6.4, 2.5))
    _node(ax, 6.4, gates, "×")
    _arrow(ax, (6.4, 2.1), (6.4, gates + 0.17))
    _arrow(ax, (5.98, gates), (6.23, gates))
    _arrow(ax, (6.57, gates), (7.7, gates))
    ax.text(8.05, gates, "h(t)", ha="center", va="center", fontsize=9)
    return _finish(ax, (-0.4, 8.5), (-1.0, 4.0), "One LSTM step: three gates, a candidate, an additive cell")
