"""Plots shared by several notebooks. Each returns a ``matplotlib.figure.Figure``.

Figures are built with ``Figure()`` rather than ``pyplot``, so they are never shown twice and never leave a
stray ``<Figure …>`` line: a notebook displays one by ending a cell with it (or ``display(fig)``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib
import numpy as np
import torch
from matplotlib.figure import Figure

from helpers.validate import check_int

DPI = 80  # small PNGs keep committed notebooks well under their size budget


def set_style() -> None:
    """Apply the collection's matplotlib style (small, readable, gridded figures).

    Inside IPython it also registers the PNG display of ``Figure`` objects, which are built here without
    pyplot (see the module docstring) and so would otherwise show only as text.
    """
    matplotlib.rcParams.update(
        {
            "figure.dpi": DPI,
            "savefig.dpi": DPI,
            "figure.figsize": (6.0, 3.6),
            "axes.grid": True,
            "grid.alpha": 0.3,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "font.size": 10,
            "axes.titlesize": 11,
            "legend.frameon": False,
            "image.cmap": "viridis",
        }
    )
    try:
        from IPython import get_ipython
        from IPython.core.pylabtools import select_figure_formats
    except ImportError:
        return
    shell = get_ipython()
    if shell is not None and hasattr(shell, "display_formatter"):
        select_figure_formats(shell, {"png"}, bbox_inches="tight")


def _to_numpy(x, name: str) -> np.ndarray:
    if isinstance(x, torch.Tensor):
        return x.detach().to("cpu", torch.float32).numpy()
    try:
        return np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be a tensor or array of numbers") from exc


def subplots(nrows: int = 1, ncols: int = 1, *, figsize=None):
    """A new (figure, axes) pair like ``pyplot.subplots``, but not registered with pyplot (shown once)."""
    nrows, ncols = check_int("nrows", nrows, low=1), check_int("ncols", ncols, low=1)
    fig = Figure(figsize=figsize or matplotlib.rcParams["figure.figsize"], dpi=DPI, layout="constrained")
    return fig, fig.subplots(nrows, ncols)


def line_plot(
    x,
    series: Mapping[str, Sequence[float]],
    *,
    title: str,
    xlabel: str,
    ylabel: str,
    logx: bool = False,
    logy: bool = False,
    markers: bool = False,
    figsize=None,
) -> Figure:
    """Several named curves over a shared x axis.

    Args:
        x: (N,) x values.
        series: name -> (N,) y values.
    """
    if not isinstance(series, Mapping) or not series:
        raise TypeError("series must be a non-empty mapping name -> values")
    xs = _to_numpy(x, "x")
    fig, ax = subplots(figsize=figsize)
    for label, values in series.items():
        ys = _to_numpy(values, f"series[{label!r}]")
        if ys.shape != xs.shape:
            raise ValueError(f"series[{label!r}] has shape {ys.shape}, x has {xs.shape}")
        ax.plot(xs, ys, marker="o" if markers else None, ms=3, label=label)
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    if logx:
        ax.set_xscale("log")
    if logy:
        ax.set_yscale("log")
    if len(series) > 1:
        ax.legend()
    return fig


def training_curves(
    history: Mapping[str, Sequence[float]],
    *,
    title: str = "Training",
    xlabel: str = "step",
    ylabel: str = "loss",
    logy: bool = True,
    smooth: int = 1,
) -> Figure:
    """Curves of per-step values (e.g. ``{'train loss': [...]}``), optionally smoothed by a moving average.

    Args:
        history: name -> (T,) values, one per step (curves may have different lengths).
        smooth: moving-average window in steps (1 = raw).
    """
    if not isinstance(history, Mapping) or not history:
        raise TypeError("history must be a non-empty mapping name -> values")
    smooth = check_int("smooth", smooth, low=1)
    fig, ax = subplots()
    for label, values in history.items():
        ys = _to_numpy(values, f"history[{label!r}]").ravel()
        if ys.size == 0:
            raise ValueError(f"history[{label!r}] is empty")
        if smooth > 1 and ys.size >= smooth:
            ys = np.convolve(ys, np.ones(smooth) / smooth, mode="valid")
        ax.plot(np.arange(ys.size) + (smooth - 1 if smooth > 1 else 0), ys, label=label)
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    if logy:
        ax.set_yscale("log")
    if len(history) > 1:
        ax.legend()
    return fig


def heatmap(
    matrix,
    *,
    title: str,
    xlabel: str,
    ylabel: str,
    xticklabels: Sequence[str] | None = None,
    yticklabels: Sequence[str] | None = None,
    annotate: bool = False,
    vmin: float | None = None,
    vmax: float | None = None,
    cmap: str = "viridis",
    colorbar_label: str = "",
    ax=None,
) -> Figure:
    """A labelled heatmap of a 2-D matrix, e.g. attention weights (rows: queries, columns: keys).

    Args:
        matrix: (R, C) values.
        xticklabels / yticklabels: C / R labels (e.g. tokens).
        annotate: write each value in its cell (for small matrices).
        ax: draw into this Axes instead of a new figure; its figure is returned.
    """
    m = _to_numpy(matrix, "matrix")
    if m.ndim != 2:
        raise ValueError(f"matrix must be 2-D, got shape {m.shape}")
    if xticklabels is not None and len(xticklabels) != m.shape[1]:
        raise ValueError(f"xticklabels has {len(xticklabels)} labels for {m.shape[1]} columns")
    if yticklabels is not None and len(yticklabels) != m.shape[0]:
        raise ValueError(f"yticklabels has {len(yticklabels)} labels for {m.shape[0]} rows")
    if ax is None:
        side = min(6.0, 1.6 + 0.35 * max(m.shape))
        fig, ax = subplots(figsize=(side + 1.0, side))
    else:
        fig = ax.figure
    im = ax.imshow(m, cmap=cmap, vmin=vmin, vmax=vmax, aspect="auto", interpolation="nearest")
    ax.grid(False)
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    if xticklabels is not None:
        ax.set_xticks(range(m.shape[1]), labels=list(xticklabels), rotation=90 if m.shape[1] > 12 else 0)
    if yticklabels is not None:
        ax.set_yticks(range(m.shape[0]), labels=list(yticklabels))
    if annotate:
        lo, hi = np.nanmin(m), np.nanmax(m)
        for (i, j), v in np.ndenumerate(m):
            dark = (v - lo) / (hi - lo + 1e-12) < 0.6
            ax.text(j, i, f"{v:.2f}", ha="center", va="center", fontsize=7, color="w" if dark else "k")
    fig.colorbar(im, ax=ax, shrink=0.8, label=colorbar_label)
    return fig


def embedding_scatter(
    points,
    labels: Sequence | None = None,
    *,
    title: str,
    xlabel: str = "dim 1",
    ylabel: str = "dim 2",
    annotate: Sequence[str] | None = None,
) -> Figure:
    """A 2-D scatter of embeddings, coloured by ``labels`` and optionally annotated with text.

    Args:
        points: (N, 2) coordinates (project higher dimensions first, e.g. with PCA).
        labels: N class labels for colour (any hashable values).
        annotate: N strings written next to the points.
    """
    p = _to_numpy(points, "points")
    if p.ndim != 2 or p.shape[1] != 2:
        raise ValueError(f"points must have shape (N, 2), got {p.shape}")
    for arg, val in (("labels", labels), ("annotate", annotate)):
        if val is not None and len(val) != len(p):
            raise ValueError(f"{arg} has {len(val)} entries for {len(p)} points")
    fig, ax = subplots(figsize=(5.0, 4.2))
    if labels is None:
        ax.scatter(p[:, 0], p[:, 1], s=14)
    else:
        labels = list(labels)
        for k in list(dict.fromkeys(labels)):
            idx = [i for i, lab in enumerate(labels) if lab == k]
            ax.scatter(p[idx, 0], p[idx, 1], s=14, label=str(k))
        if len(set(labels)) <= 12:
            ax.legend(fontsize=8, markerscale=1.5)
    if annotate is not None:
        for (x, y), text in zip(p, annotate):
            ax.annotate(str(text), (x, y), fontsize=8, xytext=(3, 3), textcoords="offset points")
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    return fig


def image_grid(
    images, *, title: str, titles: Sequence[str] | None = None, ncols: int = 8, cmap: str = "gray"
) -> Figure:
    """Show images in a grid.

    Args:
        images: (N, H, W) greyscale, (N, H, W, 3) or (N, 3, H, W) colour, values in [0, 1] or [0, 255].
        titles: N short captions.
        ncols: images per row.
    """
    imgs = _to_numpy(images, "images")
    if imgs.ndim == 4 and imgs.shape[1] in (1, 3) and imgs.shape[-1] not in (1, 3):
        imgs = imgs.transpose(0, 2, 3, 1)
    if imgs.ndim == 4 and imgs.shape[-1] == 1:
        imgs = imgs[..., 0]
    if imgs.ndim not in (3, 4) or (imgs.ndim == 4 and imgs.shape[-1] != 3) or len(imgs) == 0:
        raise ValueError(f"images must have shape (N, H, W), (N, H, W, 3) or (N, 3, H, W), got {imgs.shape}")
    ncols = check_int("ncols", ncols, low=1)
    if titles is not None and len(titles) != len(imgs):
        raise ValueError(f"titles has {len(titles)} entries for {len(imgs)} images")
    if imgs.max() > 1.0:
        imgs = imgs / 255.0
    n = len(imgs)
    cols = min(ncols, n)
    rows = -(-n // cols)
    fig = Figure(figsize=(1.3 * cols, 1.4 * rows + 0.4), dpi=DPI, layout="constrained")
    axes = np.atleast_1d(fig.subplots(rows, cols)).ravel()
    for i, ax in enumerate(axes):
        ax.axis("off")
        if i < n:
            ax.imshow(np.clip(imgs[i], 0, 1), cmap=cmap if imgs.ndim == 3 else None, vmin=0, vmax=1)
            if titles is not None:
                ax.set_title(str(titles[i]), fontsize=8)
    fig.suptitle(title)
    return fig
