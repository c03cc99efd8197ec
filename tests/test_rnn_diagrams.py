"""helpers/rnn_diagrams.py: both drawings render, carry their labels and stay inside their axes."""

import pytest

from helpers import plot, rnn_diagrams


@pytest.mark.parametrize(
    ("draw", "labels"),
    [
        (rnn_diagrams.draw_unrolled_rnn, {"x(t)", "h(t−1)", "h(t)", "h(t+1)", "ŷ(t)", "L(t)", "U", "V", "W"}),
        (
            rnn_diagrams.draw_lstm_cell,
            {"c(t−1)", "c(t)", "h(t−1)", "h(t)", "x(t)", "f = σ(·)", "g = tanh(·)"},
        ),
    ],
)
def test_drawing_has_its_labels_and_no_axis(draw, labels):
    fig, ax = plot.subplots()
    assert draw(ax) is ax
    texts = {t.get_text() for t in ax.texts}
    assert labels <= texts, labels - texts
    assert not ax.axison and ax.get_title()
    fig.canvas.draw()  # renders without error
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    for text in ax.texts:
        x, y = text.get_position()
        assert x0 <= x <= x1 and y0 <= y <= y1, text.get_text()
