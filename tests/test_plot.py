"""Tests for helpers.plot: every function returns a labelled Figure that pyplot never sees."""

import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from matplotlib.figure import Figure

from helpers import plot


@pytest.fixture(autouse=True)
def no_pyplot_figures():
    plt.close("all")
    with matplotlib.rc_context():  # restores rcParams changed by set_style
        yield
    assert plt.get_fignums() == [], "a helpers.plot function registered a figure with pyplot"
    plt.close("all")


def renders(fig: Figure) -> bool:
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()[:8] == b"\x89PNG\r\n\x1a\n"


def labels(ax):
    return ax.get_title(), ax.get_xlabel(), ax.get_ylabel()


# ---------------------------------------------------------------------------------------------- set_style


def test_set_style_updates_rcparams():
    matplotlib.rcParams["axes.grid"] = False
    matplotlib.rcParams["figure.dpi"] = 123
    plot.set_style()
    assert matplotlib.rcParams["axes.grid"] is True
    assert matplotlib.rcParams["figure.dpi"] == plot.DPI


# ---------------------------------------------------------------------------------------------- subplots


def test_subplots_builds_a_grid_pyplot_never_sees():
    fig, axes = plot.subplots(2, 3, figsize=(4.0, 2.5))
    assert isinstance(fig, Figure) and axes.shape == (2, 3)
    assert all(ax.figure is fig for ax in axes.ravel())
    np.testing.assert_allclose(fig.get_size_inches(), (4.0, 2.5))
    assert fig.dpi == plot.DPI and fig.get_layout_engine() is not None
    assert renders(fig)


def test_subplots_defaults_to_one_axes_at_the_style_size():
    matplotlib.rcParams["figure.figsize"] = (5.5, 3.25)
    fig, ax = plot.subplots()
    assert fig.axes == [ax]
    np.testing.assert_allclose(fig.get_size_inches(), (5.5, 3.25))


@pytest.mark.parametrize(
    "args, error, name",
    [
        ((0, 1), ValueError, "nrows"),
        ((1, -1), ValueError, "ncols"),
        ((1.0, 2), TypeError, "nrows"),
        ((2, True), TypeError, "ncols"),
    ],
)
def test_subplots_bad_grid_raises_naming_the_argument(args, error, name):
    with pytest.raises(error, match=rf"^{name} must be an int >= 1, got "):
        plot.subplots(*args)


# ---------------------------------------------------------------------------------------------- line_plot


def test_line_plot_returns_labelled_figure_with_one_line_per_series():
    x = np.array([1.0, 2.0, 3.0])
    fig = plot.line_plot(
        x, {"a": [1.0, 4.0, 9.0], "b": torch.tensor([0.0, 1.0, 2.0])}, title="T", xlabel="X", ylabel="Y"
    )
    assert isinstance(fig, Figure)
    (ax,) = fig.axes
    assert labels(ax) == ("T", "X", "Y")
    lines = ax.get_lines()
    assert [ln.get_label() for ln in lines] == ["a", "b"]
    np.testing.assert_allclose(lines[0].get_xdata(), x)
    np.testing.assert_allclose(lines[0].get_ydata(), [1.0, 4.0, 9.0])
    np.testing.assert_allclose(lines[1].get_ydata(), [0.0, 1.0, 2.0])
    assert ax.get_legend() is not None
    assert renders(fig)


def test_line_plot_single_series_has_no_legend_and_linear_scales():
    fig = plot.line_plot([0, 1], {"only": [2, 3]}, title="t", xlabel="x", ylabel="y")
    ax = fig.axes[0]
    assert ax.get_legend() is None
    assert ax.get_xscale() == "linear" and ax.get_yscale() == "linear"
    assert ax.get_lines()[0].get_marker() in (None, "None", "")


def test_line_plot_log_scales_markers_and_figsize():
    fig = plot.line_plot(
        [1, 10, 100],
        {"s": [1, 2, 3]},
        title="t",
        xlabel="x",
        ylabel="y",
        logx=True,
        logy=True,
        markers=True,
        figsize=(3.0, 2.0),
    )
    ax = fig.axes[0]
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    assert ax.get_lines()[0].get_marker() == "o"
    np.testing.assert_allclose(fig.get_size_inches(), (3.0, 2.0))


def test_line_plot_accepts_grad_tensors():
    y = torch.ones(3, requires_grad=True) * 2
    fig = plot.line_plot(torch.arange(3), {"y": y}, title="t", xlabel="x", ylabel="y")
    np.testing.assert_allclose(fig.axes[0].get_lines()[0].get_ydata(), [2, 2, 2])


def test_line_plot_shape_mismatch_raises_value_error_naming_series():
    with pytest.raises(ValueError, match="bad"):
        plot.line_plot([1, 2, 3], {"good": [1, 2, 3], "bad": [1, 2]}, title="t", xlabel="x", ylabel="y")


@pytest.mark.parametrize("series", [{}, [1, 2, 3], None])
def test_line_plot_bad_series_raises_type_error(series):
    with pytest.raises(TypeError, match="series"):
        plot.line_plot([1, 2, 3], series, title="t", xlabel="x", ylabel="y")


def test_line_plot_non_numeric_values_raise_type_error():
    with pytest.raises(TypeError, match="x"):
        plot.line_plot(["a", "b"], {"s": [1, 2]}, title="t", xlabel="x", ylabel="y")
    with pytest.raises(TypeError, match="series"):
        plot.line_plot([1, 2], {"s": ["a", "b"]}, title="t", xlabel="x", ylabel="y")


def test_line_plot_requires_keyword_labels():
    with pytest.raises(TypeError):
        plot.line_plot([1, 2], {"s": [1, 2]})


# -------------------------------------------------------------------------------------- training_curves


def test_training_curves_defaults_and_raw_values():
    fig = plot.training_curves({"train loss": [3.0, 2.0, 1.0]})
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert labels(ax) == ("Training", "step", "loss")
    assert ax.get_yscale() == "log"
    (line,) = ax.get_lines()
    np.testing.assert_allclose(line.get_xdata(), [0, 1, 2])
    np.testing.assert_allclose(line.get_ydata(), [3.0, 2.0, 1.0])
    assert ax.get_legend() is None
    assert renders(fig)


def test_training_curves_custom_labels_linear_and_several_curves_of_different_lengths():
    fig = plot.training_curves(
        {"a": [1.0, 2.0, 3.0, 4.0], "b": torch.tensor([5.0, 6.0])},
        title="Acc",
        xlabel="epoch",
        ylabel="accuracy",
        logy=False,
    )
    ax = fig.axes[0]
    assert labels(ax) == ("Acc", "epoch", "accuracy")
    assert ax.get_yscale() == "linear"
    assert [len(ln.get_ydata()) for ln in ax.get_lines()] == [4, 2]
    assert ax.get_legend() is not None


def test_training_curves_smoothing_is_a_moving_average_aligned_to_window_end():
    values = [1.0, 3.0, 5.0, 7.0, 9.0]
    fig = plot.training_curves({"loss": values}, smooth=3, logy=False)
    (line,) = fig.axes[0].get_lines()
    np.testing.assert_allclose(line.get_ydata(), [3.0, 5.0, 7.0])
    np.testing.assert_allclose(line.get_xdata(), [2, 3, 4])


def test_training_curves_smoothing_longer_than_curve_keeps_raw_values():
    fig = plot.training_curves({"loss": [1.0, 2.0]}, smooth=5, logy=False)
    np.testing.assert_allclose(fig.axes[0].get_lines()[0].get_ydata(), [1.0, 2.0])


@pytest.mark.parametrize("smooth", [0, -1])
def test_training_curves_smooth_below_one_raises_value_error(smooth):
    with pytest.raises(ValueError, match=rf"^smooth must be an int >= 1, got {smooth}$"):
        plot.training_curves({"loss": [1.0, 2.0]}, smooth=smooth)


@pytest.mark.parametrize("smooth", [1.5, "3", True, None])
def test_training_curves_non_int_smooth_raises_type_error(smooth):
    with pytest.raises(TypeError, match=r"^smooth must be an int >= 1, got "):
        plot.training_curves({"loss": [1.0, 2.0]}, smooth=smooth)


@pytest.mark.parametrize("history", [{}, [1.0, 2.0], None])
def test_training_curves_bad_history_raises_type_error(history):
    with pytest.raises(TypeError, match="history"):
        plot.training_curves(history)


def test_training_curves_empty_curve_raises_value_error_naming_it():
    with pytest.raises(ValueError, match="val loss"):
        plot.training_curves({"train loss": [1.0], "val loss": []})


# ---------------------------------------------------------------------------------------------- heatmap


def test_heatmap_returns_labelled_figure_showing_the_matrix():
    m = np.arange(6.0).reshape(2, 3)
    fig = plot.heatmap(m, title="Attention", xlabel="key", ylabel="query", colorbar_label="weight")
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert labels(ax) == ("Attention", "key", "query")
    (im,) = ax.get_images()
    np.testing.assert_allclose(im.get_array(), m)
    assert len(fig.axes) == 2  # the heatmap and its colorbar
    assert fig.axes[1].get_ylabel() == "weight"
    assert renders(fig)


def test_heatmap_tick_labels_annotations_and_colour_limits():
    m = torch.tensor([[0.1, 0.9], [0.5, 0.5], [0.0, 1.0]])
    fig = plot.heatmap(
        m,
        title="t",
        xlabel="x",
        ylabel="y",
        xticklabels=["k1", "k2"],
        yticklabels=["q1", "q2", "q3"],
        annotate=True,
        vmin=0.0,
        vmax=2.0,
        cmap="magma",
    )
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["k1", "k2"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["q1", "q2", "q3"]
    texts = sorted(t.get_text() for t in ax.texts)
    assert texts == sorted(["0.10", "0.90", "0.50", "0.50", "0.00", "1.00"])
    im = ax.get_images()[0]
    assert im.get_clim() == (0.0, 2.0)
    assert im.get_cmap().name == "magma"


def test_heatmap_draws_into_given_axes_and_returns_its_figure():
    host = Figure()
    ax1, ax2 = host.subplots(1, 2)
    fig = plot.heatmap(np.eye(2), title="right", xlabel="x", ylabel="y", ax=ax2)
    assert fig is host
    assert labels(ax2) == ("right", "x", "y")
    assert len(ax2.get_images()) == 1 and len(ax1.get_images()) == 0


@pytest.mark.parametrize("shape", [(3,), (2, 2, 2), ()])
def test_heatmap_non_2d_raises_value_error(shape):
    with pytest.raises(ValueError, match="2-D"):
        plot.heatmap(np.zeros(shape), title="t", xlabel="x", ylabel="y")


def test_heatmap_wrong_tick_label_counts_raise_value_error():
    with pytest.raises(ValueError, match="xticklabels"):
        plot.heatmap(np.zeros((2, 3)), title="t", xlabel="x", ylabel="y", xticklabels=["a", "b"])
    with pytest.raises(ValueError, match="yticklabels"):
        plot.heatmap(np.zeros((2, 3)), title="t", xlabel="x", ylabel="y", yticklabels=["a", "b", "c"])


def test_heatmap_non_numeric_raises_type_error():
    with pytest.raises(TypeError, match="matrix"):
        plot.heatmap([["a", "b"]], title="t", xlabel="x", ylabel="y")


# ------------------------------------------------------------------------------------- embedding_scatter


def test_embedding_scatter_plain():
    pts = np.array([[0.0, 1.0], [2.0, 3.0], [4.0, 5.0]])
    fig = plot.embedding_scatter(pts, title="Emb")
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert labels(ax) == ("Emb", "dim 1", "dim 2")
    (coll,) = ax.collections
    np.testing.assert_allclose(coll.get_offsets(), pts)
    assert ax.get_legend() is None
    assert renders(fig)


def test_embedding_scatter_labels_make_one_group_each_and_annotations_are_written():
    pts = torch.tensor([[0.0, 0.0], [1.0, 1.0], [2.0, 2.0], [3.0, 3.0]])
    fig = plot.embedding_scatter(
        pts, ["cat", "dog", "cat", 7], title="t", xlabel="pc1", ylabel="pc2", annotate=["w", "x", "y", "z"]
    )
    ax = fig.axes[0]
    assert labels(ax) == ("t", "pc1", "pc2")
    groups = {c.get_label(): np.asarray(c.get_offsets()) for c in ax.collections}
    assert set(groups) == {"cat", "dog", "7"}
    np.testing.assert_allclose(groups["cat"], [[0, 0], [2, 2]])
    np.testing.assert_allclose(groups["dog"], [[1, 1]])
    assert ax.get_legend() is not None
    assert sorted(t.get_text() for t in ax.texts) == ["w", "x", "y", "z"]


@pytest.mark.parametrize("shape", [(4,), (4, 3), (2, 2, 2)])
def test_embedding_scatter_bad_shape_raises_value_error(shape):
    with pytest.raises(ValueError, match=r"\(N, 2\)"):
        plot.embedding_scatter(np.zeros(shape), title="t")


@pytest.mark.parametrize("arg", ["labels", "annotate"])
def test_embedding_scatter_length_mismatch_raises_value_error_naming_argument(arg):
    with pytest.raises(ValueError, match=arg):
        plot.embedding_scatter(np.zeros((3, 2)), title="t", **{arg: ["a", "b"]})


# ---------------------------------------------------------------------------------------------- image_grid


def _shown(fig):
    return [ax.get_images()[0].get_array() for ax in fig.axes if ax.get_images()]


def test_image_grid_greyscale_layout_titles_and_suptitle():
    imgs = np.random.default_rng(0).random((5, 4, 4))
    fig = plot.image_grid(imgs, title="Digits", titles=list("abcde"), ncols=3)
    assert isinstance(fig, Figure)
    assert fig.get_suptitle() == "Digits"
    assert len(fig.axes) == 6  # 2 rows x 3 columns
    shown = _shown(fig)
    assert len(shown) == 5
    np.testing.assert_allclose(shown[0], imgs[0])
    assert [ax.get_title() for ax in fig.axes if ax.get_images()] == list("abcde")
    assert all(not ax.axison for ax in fig.axes)
    assert renders(fig)


def test_image_grid_fewer_images_than_ncols_uses_one_row():
    fig = plot.image_grid(np.zeros((2, 3, 3)), title="t", ncols=8)
    assert len(fig.axes) == 2


def test_image_grid_rescales_0_255_images():
    imgs = np.full((1, 2, 2), 255.0)
    imgs[0, 0, 0] = 51.0
    fig = plot.image_grid(imgs, title="t")
    np.testing.assert_allclose(_shown(fig)[0], [[0.2, 1.0], [1.0, 1.0]])


def test_image_grid_channels_first_colour_and_single_channel():
    chw = torch.rand(2, 3, 5, 4)
    fig = plot.image_grid(chw, title="colour")
    shown = _shown(fig)
    assert shown[0].shape == (5, 4, 3)
    np.testing.assert_allclose(shown[1], chw[1].permute(1, 2, 0).numpy(), rtol=1e-6)
    fig = plot.image_grid(torch.rand(3, 1, 6, 6), title="grey")
    assert [s.shape for s in _shown(fig)] == [(6, 6)] * 3
    fig = plot.image_grid(np.random.default_rng(0).random((2, 4, 5, 3)), title="hwc")
    assert _shown(fig)[0].shape == (4, 5, 3)


@pytest.mark.parametrize("shape", [(0, 4, 4), (4, 4), (2, 4, 4, 2), (2, 2, 4, 4, 3), (2,)])
def test_image_grid_bad_shapes_raise_value_error(shape):
    with pytest.raises(ValueError, match="images"):
        plot.image_grid(np.zeros(shape), title="t")


@pytest.mark.parametrize(
    "ncols, error", [(0, ValueError), (-2, ValueError), (2.5, TypeError), (True, TypeError)]
)
def test_image_grid_bad_ncols_raises_naming_it(ncols, error):
    with pytest.raises(error, match=r"^ncols must be an int >= 1, got "):
        plot.image_grid(np.zeros((2, 3, 3)), title="t", ncols=ncols)


def test_image_grid_titles_count_mismatch_raises_value_error():
    with pytest.raises(ValueError, match="titles"):
        plot.image_grid(np.zeros((2, 3, 3)), title="t", titles=["only one"])
