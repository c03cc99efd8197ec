"""Reference answers for the exercises of ``notebooks/09_clip.ipynb``, kept off the page.

Each checker runs the learner's function on several cases and says which case fails without showing the
expected value.

- :func:`check_soft_target_loss`, :func:`soft_target_cases` — exercise 1 (extend): the symmetric loss with
  soft targets spread evenly over every caption that describes an image (and every image a caption describes),
  instead of the one-hot diagonal.
- :func:`check_scale_for_floor`, :data:`FLOOR_CASES` — exercise 2 (design): the smallest fixed logit scale
  whose best-case loss (the simplex of Step 4) is at most a target.
- :func:`check_size_prompts` — exercise 3 (apply, with the trained model): prompt templates that classify the
  size of a shape zero-shot.
"""

from __future__ import annotations

import math

import torch

from helpers.exercises import Verdict, check_answer
from helpers.validate import check_int, check_real


# ------------------------------------------------------------------ exercise 1: soft targets (extend)
def soft_target_reference(logits: torch.Tensor, describes: torch.Tensor) -> torch.Tensor:
    """Mean of the row and column cross-entropies against targets uniform over ``describes``.

    Args:
        logits: (B, B) scaled similarities, row i = image i against every caption.
        describes: (B, B) bool, True where caption j describes image i (the diagonal is True).
    Returns:
        0-d tensor.
    """
    weights = describes.to(logits.dtype)
    row_targets = weights / weights.sum(dim=1, keepdim=True)  # per image: over its captions
    col_targets = weights / weights.sum(dim=0, keepdim=True)  # per caption: over its images
    rows = -(row_targets * torch.log_softmax(logits, dim=1)).sum(dim=1).mean()
    cols = -(col_targets * torch.log_softmax(logits, dim=0)).sum(dim=0).mean()
    return (rows + cols) / 2


def soft_target_cases(seed: int = 0) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """(logits, describes) pairs: only the diagonal, a symmetric block, and a lopsided pattern."""
    gen = torch.Generator().manual_seed(check_int("seed", seed, low=0))
    cases = []
    for size, pattern in ((4, "diagonal"), (6, "blocks"), (8, "lopsided")):
        logits = torch.randn(size, size, dtype=torch.float64, generator=gen) * 3
        describes = torch.eye(size, dtype=torch.bool)
        if pattern == "blocks":
            describes[:3, :3] = True
        elif pattern == "lopsided":  # caption 0 fits images 0-4; image 5 fits captions 5-7
            describes[:5, 0] = True
            describes[5, 5:] = True
        cases.append((logits, describes))
    return cases


def _explain_soft(got, want, case) -> str | None:
    logits, describes = case
    if describes.sum() == len(describes):
        return "wrong already when only the diagonal describes: it should equal the ordinary clip loss"
    rows = (
        soft_target_reference(logits, describes.T.contiguous())
        if not torch.equal(describes, describes.T)
        else None
    )
    if rows is not None and torch.isclose(torch.as_tensor(got, dtype=want.dtype), rows):
        return "the rows and the columns need their own targets (normalise describes along each axis)"
    return "right on the diagonal-only case, wrong once a caption describes several images"


def check_soft_target_loss(candidate) -> Verdict:
    """Exercise 1: ``candidate(logits, describes) -> 0-d tensor``."""
    return check_answer(
        "soft-target clip loss",
        candidate,
        soft_target_reference,
        soft_target_cases(),
        explain=_explain_soft,
        hint="each row's target is a probability distribution; so is each column's",
        rtol=1e-6,
    )


# ---------------------------------------------------------------- exercise 2: design the scale (design)
FLOOR_CASES = [(128, 0.1), (128, 0.01), (32_768, 0.01), (2, 0.5), (1000, 1e-4)]
"""(batch, target loss) pairs the learner's ``scale_for_floor`` is run on."""


def simplex_floor(scale: float, batch: int) -> float:
    """The lowest symmetric loss of ``batch`` unit-length pairs at a fixed scale (the regular simplex)."""
    check_int("batch", batch, low=2)
    return math.log1p((batch - 1) * math.exp(-scale * batch / (batch - 1)))


def check_scale_for_floor(candidate, cases=FLOOR_CASES) -> Verdict:
    """Exercise 2: ``candidate(batch, target) -> s``; right when the floor at s is ≤ target and s is within
    0.1 % of the smallest such scale (any s in that band is accepted)."""
    for i, (batch, target) in enumerate(cases):
        try:
            scale = candidate(batch, target)
        except NotImplementedError:
            print(
                "✗ scale for a floor: not attempted yet — replace `raise NotImplementedError` with your code"
            )
            return Verdict(False)
        except Exception as exc:
            print(f"✗ scale for a floor: case {i + 1} raised {type(exc).__name__}: {exc}")
            return Verdict(False)
        if isinstance(scale, torch.Tensor) and scale.numel() == 1:
            scale = scale.item()
        if not isinstance(scale, (int, float)) or isinstance(scale, bool) or not math.isfinite(scale):
            print(f"✗ scale for a floor: case {i + 1} returned {scale!r}, expected a finite number")
            return Verdict(False)
        where = f"case {i + 1} (batch {batch}, target {target:g})"
        if simplex_floor(scale * (1 + 1e-5), batch) > target:  # float32 answers are accepted too
            print(f"✗ scale for a floor: {where}: at your s the lowest reachable loss is above the target")
            return Verdict(False)
        if simplex_floor(scale * 0.999, batch) <= target:
            print(f"✗ scale for a floor: {where}: a smaller s also reaches the target — find the smallest")
            return Verdict(False)
    print(f"✓ scale for a floor: correct on all {len(cases)} cases")
    return Verdict(True)


# -------------------------------------------------------- exercise 3: prompts for size (trained model)
SIZE_BAR = 0.7
"""Zero-shot accuracy the size prompts must reach on the test images (two classes: chance 0.5)."""


@torch.inference_mode()
def size_accuracy(
    templates, model, tokenizer, images: torch.Tensor, sizes: torch.Tensor, size_names
) -> float:
    """Zero-shot accuracy of "small" vs "large" with class embeddings averaged over ``templates``.

    Args:
        templates: format strings with one ``{}`` for the size word.
        images: (N, 3, 32, 32); sizes: (N,) indices into ``size_names``.
    """
    from helpers.components.clip import zero_shot_classifier

    device = model.log_scale.device
    weights = zero_shot_classifier(model, tokenizer, [(name,) for name in size_names], list(templates))
    features = model.encode_image(images.to(device))
    return ((features @ weights.T).argmax(1).cpu() == sizes).float().mean().item()


def check_size_prompts(
    templates, model, tokenizer, images, sizes, size_names, bar: float = SIZE_BAR
) -> Verdict:
    """Exercise 3: ``templates`` (list of str, one ``{}`` each) must classify size with accuracy ≥ bar."""
    bar = check_real("bar", bar, 0, 1)
    if callable(templates):
        try:
            templates = templates()
        except NotImplementedError:
            print(
                "✗ size prompts: not attempted yet — replace the `raise NotImplementedError` with your code"
            )
            return Verdict(False)
    if isinstance(templates, str) or not templates or not all(isinstance(t, str) for t in templates):
        print("✗ size prompts: expected a non-empty list of str")
        return Verdict(False)
    bad = [t for t in templates if t.count("{}") != 1 or "{" in t.replace("{}", "")]
    if bad:
        print(
            f"✗ size prompts: each template needs exactly one '{{}}' for the size word, e.g. not {bad[0]!r}"
        )
        return Verdict(False)
    unknown = sorted({w for t in templates for w in tokenizer.unknown_words(t.format("small"))})
    if unknown:
        print(f"✗ size prompts: words the model never read: {', '.join(unknown)} (they encode as <unk>)")
        return Verdict(False)
    accuracy = size_accuracy(templates, model, tokenizer, images, sizes, size_names)
    if accuracy < bar:
        print(
            f"✗ size prompts: accuracy {accuracy:.3f} < {bar} (chance 0.5). Hint: how are training captions "
            "that mention a size written, and what else do they always name?"
        )
        return Verdict(False)
    print(f"✓ size prompts: accuracy {accuracy:.3f} ≥ {bar} with {len(templates)} template(s)")
    return Verdict(True)
