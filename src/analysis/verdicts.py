"""The verdict engine: judge a stated figure against the official one by written rules.

A claim states a figure with a rounding word ("c150,000", "over 5,000", "under 1,000",
"nearly 60%", "more than halved", "twelve-fold").  The rounding word decides how close the
official figure must be.  Every rule is a small pure function below, listed in `RULES`,
and the methods page prints the same table, so the book and the code cannot disagree.

Counts are compared by relative difference (as a share of the stated figure); percentages
by percentage points.  A figure's own precision always counts: "12,000" stated as "about"
is accurate when the official figure rounds to 12,000 at the same significant figures.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum


class Verdict(str, Enum):
    """The fixed verdict vocabulary.  No other verdict word appears anywhere in the book."""

    ACCURATE = "accurate"
    APPROXIMATELY_RIGHT = "approximately right"
    OVERSTATED = "overstated"
    UNDERSTATED = "understated"
    WRONG = "wrong"
    MISLEADING = "misleading without context"
    UNVERIFIABLE = "cannot be verified"


#: What each verdict means, in plain words (printed on the methods page).
MEANINGS = {
    Verdict.ACCURATE: "The official figure is within the precision the claim's own wording implies.",
    Verdict.APPROXIMATELY_RIGHT: "Close, but a little outside what the wording implies.",
    Verdict.OVERSTATED: "The claim puts the figure clearly higher (or a fall clearly steeper) than the official data.",
    Verdict.UNDERSTATED: "The claim puts the figure clearly lower (or a rise clearly smaller) than the official data.",
    Verdict.WRONG: "One figure is more than one and a half times the other, or the direction of change is wrong.",
    Verdict.MISLEADING: "The figure is right only on a different definition from the one the claim gives.",
    Verdict.UNVERIFIABLE: "No official figure that could settle the claim is held; the reason says which table would.",
}

#: Rounding words as written in claims, mapped to the rule that judges them.
ROUNDING_ALIASES = {
    "": "exact", "exact": "exact",
    "c": "about", "about": "about", "around": "about", "approximately": "about", "some": "about",
    "over": "over", "more than": "over", "above": "over",
    "at least": "at least", "no less than": "at least",
    "under": "under", "less than": "under", "below": "under", "fewer than": "under",
    "nearly": "nearly", "almost": "nearly", "just under": "nearly",
    "more than halved": "more than halved",
    "fold": "fold", "n-fold": "fold", "times": "fold",
}


@dataclass(frozen=True)
class Judgement:
    """A verdict and its one-line reason."""

    verdict: Verdict
    reason: str


def half_unit(stated: float) -> float:
    """Half a unit in the last significant digit of a stated figure.

    12,199 -> 0.5; 150,000 -> 5,000; 71,000 -> 500; 35.2 -> 0.05; 14 -> 0.5; 1,000 -> 500.
    """
    if stated == 0:
        return 0.5
    dec = Decimal(repr(float(stated))).normalize()
    exponent = dec.as_tuple().exponent
    return 0.5 * 10.0 ** exponent


def fmt(value: float, unit: str = "") -> str:
    """Format a figure for a reason line: thousands separators, % for percentages, x for ratios."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if unit == "percent":
        return f"{value:.0f}%" if float(value).is_integer() else f"{value:.1f}%"
    if unit == "percent_of_capacity":
        return f"{value:.0f}% of capacity"
    if unit == "ratio":
        return f"{value:,.1f}"
    if unit in ("fold",):
        return f"{value:.1f}-fold"
    if unit == "gbp_millions":
        return f"£{value:,.0f}m"
    if unit == "gbp":
        return f"£{value:,.0f}"
    if float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.1f}"


def gap(stated: float, official: float, unit: str) -> float:
    """Distance between the figures: percentage points for percentages, else relative to the stated figure."""
    if unit == "percent":
        return abs(official - stated)
    return abs(official - stated) / abs(stated) if stated else math.inf


def _size_verdict(stated: float, official: float) -> Verdict:
    """Overstated when the claim is above the official figure, understated when below."""
    return Verdict.OVERSTATED if stated > official else Verdict.UNDERSTATED


def _far_off(stated: float, official: float) -> bool:
    """One figure is more than 1.5 times the other (or they differ in sign): wrong, not merely off."""
    if stated * official <= 0:
        return stated != official
    big, small = max(abs(stated), abs(official)), min(abs(stated), abs(official))
    return big / small > 1.5


def _within_tolerance(stated, official, unit, rel, pp) -> bool:
    """Whether the gap is within a tolerance: `rel` for counts, `pp` points for percentages."""
    return gap(stated, official, unit) <= (pp if unit == "percent" else rel)


def judge_exact(stated: float, official: float, unit: str) -> Judgement:
    """A figure given without a rounding word.

    Accurate when the official figure rounds to it at the precision it was stated with;
    approximately right within 2% (1 point for percentages); otherwise over- or
    understated, and wrong when one figure is over 1.5 times the other.
    """
    if abs(official - stated) <= half_unit(stated) + 1e-9:
        return Judgement(Verdict.ACCURATE, f"official figure {fmt(official, unit)} matches the stated {fmt(stated, unit)}")
    if _within_tolerance(stated, official, unit, 0.02, 1.0):
        return Judgement(Verdict.APPROXIMATELY_RIGHT, f"official figure {fmt(official, unit)} is close to the stated {fmt(stated, unit)}")
    if _far_off(stated, official):
        return Judgement(Verdict.WRONG, f"official figure {fmt(official, unit)} is far from the stated {fmt(stated, unit)}")
    return Judgement(_size_verdict(stated, official),
                     f"official figure {fmt(official, unit)} against the stated {fmt(stated, unit)}")


def judge_about(stated: float, official: float, unit: str) -> Judgement:
    """"c", "about", "around": an approximate figure.

    Accurate within 5% (1 point for percentages), or within 10% (2 points) when the official
    figure also rounds to the stated one at its significant figures (c600m covers 631m);
    approximately right within 15% (3 points); otherwise over- or understated, and wrong
    when one figure is over 1.5 times the other.
    """
    rounds_to = abs(official - stated) <= half_unit(stated) and _within_tolerance(stated, official, unit, 0.10, 2.0)
    if rounds_to or _within_tolerance(stated, official, unit, 0.05, 1.0):
        return Judgement(Verdict.ACCURATE, f"official figure {fmt(official, unit)} is about {fmt(stated, unit)}")
    if _within_tolerance(stated, official, unit, 0.15, 3.0):
        return Judgement(Verdict.APPROXIMATELY_RIGHT,
                         f"official figure {fmt(official, unit)} is near, but not about, {fmt(stated, unit)}")
    if _far_off(stated, official):
        return Judgement(Verdict.WRONG, f"official figure {fmt(official, unit)} is far from about {fmt(stated, unit)}")
    return Judgement(_size_verdict(stated, official),
                     f"official figure {fmt(official, unit)} against about {fmt(stated, unit)}")


def judge_over(stated: float, official: float, unit: str) -> Judgement:
    """"over", "more than": the stated figure is a lower bound.

    Accurate when the official figure is above it by less than 25% (5 points); a true bound
    that undersells the figure by more is understated; within 5% below (1 point) is
    approximately right; further below is overstated, and wrong when the bound is over 1.5 times the figure.
    """
    if official > stated:
        if _within_tolerance(stated, official, unit, 0.25, 5.0):
            return Judgement(Verdict.ACCURATE, f"official figure {fmt(official, unit)} is over {fmt(stated, unit)}")
        return Judgement(Verdict.UNDERSTATED,
                         f"official figure {fmt(official, unit)} is well over {fmt(stated, unit)}: the bound undersells it")
    if _within_tolerance(stated, official, unit, 0.05, 1.0):
        return Judgement(Verdict.APPROXIMATELY_RIGHT, f"official figure {fmt(official, unit)} is just short of {fmt(stated, unit)}")
    if _far_off(stated, official):
        return Judgement(Verdict.WRONG, f"official figure {fmt(official, unit)} is nowhere near over {fmt(stated, unit)}")
    return Judgement(Verdict.OVERSTATED, f"official figure {fmt(official, unit)} is not over {fmt(stated, unit)}")


def judge_at_least(stated: float, official: float, unit: str) -> Judgement:
    """"at least", "rose faster after": a pure lower bound, however far it is exceeded.

    Accurate when the official figure is at or above it; approximately right within 5%
    below (1 point); further below is overstated, and wrong when the bound is over 1.5 times the figure.
    """
    if official >= stated:
        return Judgement(Verdict.ACCURATE, f"official figure {fmt(official, unit)} is at least {fmt(stated, unit)}")
    if _within_tolerance(stated, official, unit, 0.05, 1.0):
        return Judgement(Verdict.APPROXIMATELY_RIGHT, f"official figure {fmt(official, unit)} is just short of {fmt(stated, unit)}")
    if _far_off(stated, official):
        return Judgement(Verdict.WRONG, f"official figure {fmt(official, unit)} is far below {fmt(stated, unit)}")
    return Judgement(Verdict.OVERSTATED, f"official figure {fmt(official, unit)} is below {fmt(stated, unit)}")


def judge_under(stated: float, official: float, unit: str) -> Judgement:
    """"under", "less than": the stated figure is an upper bound.

    Accurate when the official figure is below it and at least 80% of it (within 5 points);
    a bound far above the figure is overstated; up to 5% over (1 point) is approximately
    right; further over is understated, and wrong when over 1.5 times the bound.
    """
    if official < stated:
        if _within_tolerance(stated, official, unit, 0.20, 5.0):
            return Judgement(Verdict.ACCURATE, f"official figure {fmt(official, unit)} is under {fmt(stated, unit)}")
        return Judgement(Verdict.OVERSTATED,
                         f"official figure {fmt(official, unit)} is well under {fmt(stated, unit)}: the bound oversells it")
    if _within_tolerance(stated, official, unit, 0.05, 1.0):
        return Judgement(Verdict.APPROXIMATELY_RIGHT, f"official figure {fmt(official, unit)} is at or just over {fmt(stated, unit)}")
    if _far_off(stated, official):
        return Judgement(Verdict.WRONG, f"official figure {fmt(official, unit)} is nowhere near under {fmt(stated, unit)}")
    return Judgement(Verdict.UNDERSTATED, f"official figure {fmt(official, unit)} is not under {fmt(stated, unit)}")


def judge_nearly(stated: float, official: float, unit: str) -> Judgement:
    """"nearly", "almost": just below the stated figure.

    Accurate when the official figure is below it by at most 10% (5 points); at or up to 2%
    above it (1 point) is approximately right; further below is overstated, further above
    understated, and wrong when one figure is over 1.5 times the other.
    """
    below = official < stated
    if below and _within_tolerance(stated, official, unit, 0.10, 5.0):
        return Judgement(Verdict.ACCURATE, f"official figure {fmt(official, unit)} is nearly {fmt(stated, unit)}")
    if not below and _within_tolerance(stated, official, unit, 0.02, 1.0):
        return Judgement(Verdict.APPROXIMATELY_RIGHT, f"official figure {fmt(official, unit)} reaches {fmt(stated, unit)}")
    if _far_off(stated, official):
        return Judgement(Verdict.WRONG, f"official figure {fmt(official, unit)} is far from nearly {fmt(stated, unit)}")
    return Judgement(_size_verdict(stated, official),
                     f"official figure {fmt(official, unit)} against nearly {fmt(stated, unit)}")


def judge_more_than_halved(stated: float, official: float, unit: str = "ratio") -> Judgement:
    """"more than halved": the official figure is the ratio end / start.

    Accurate when the ratio is below 0.5; approximately right from 0.5 to 0.55 (about
    halved); overstated when the fall was smaller; wrong when there was no fall at all.
    The stated value is the threshold ratio, 0.5.
    """
    pct = f"fell by {100 * (1 - official):.0f}%"
    if official < stated:
        return Judgement(Verdict.ACCURATE, f"the figure {pct} (ratio {official:.2f}), more than half")
    if official <= stated * 1.1:
        return Judgement(Verdict.APPROXIMATELY_RIGHT, f"the figure {pct} (ratio {official:.2f}): about halved, not more")
    if official >= 1:
        return Judgement(Verdict.WRONG, f"the figure did not fall (ratio {official:.2f})")
    return Judgement(Verdict.OVERSTATED, f"the figure {pct} (ratio {official:.2f}), well short of halving")


def judge_fold(stated: float, official: float, unit: str = "fold") -> Judgement:
    """"N-fold" rise: the official figure is the ratio end / start.

    Accurate when the ratio rounds to N or is within 5% of it; approximately right within
    20%; otherwise over- or understated, and wrong when one is over 1.5 times the other.
    """
    if abs(official - stated) <= 0.5 or abs(official - stated) / stated <= 0.05:
        return Judgement(Verdict.ACCURATE, f"the official rise is {official:.1f}-fold, about {stated:g}-fold")
    if abs(official - stated) / stated <= 0.20:
        return Judgement(Verdict.APPROXIMATELY_RIGHT, f"the official rise is {official:.1f}-fold, near {stated:g}-fold")
    if _far_off(stated, official):
        return Judgement(Verdict.WRONG, f"the official rise is {official:.1f}-fold, far from {stated:g}-fold")
    return Judgement(_size_verdict(stated, official), f"the official rise is {official:.1f}-fold, not {stated:g}-fold")


RULES = {
    "exact": judge_exact,
    "about": judge_about,
    "over": judge_over,
    "at least": judge_at_least,
    "under": judge_under,
    "nearly": judge_nearly,
    "more than halved": judge_more_than_halved,
    "fold": judge_fold,
}

GOOD = {Verdict.ACCURATE, Verdict.APPROXIMATELY_RIGHT}


def rule_for(rounding: str):
    """Return the rule function for a rounding word (see `ROUNDING_ALIASES`)."""
    key = ROUNDING_ALIASES.get((rounding or "").strip().lower())
    if key is None:
        raise ValueError(f"no verdict rule for the rounding word {rounding!r}; "
                         f"known words: {', '.join(sorted(k for k in ROUNDING_ALIASES if k))}")
    return RULES[key]


def judge(stated: float, official: float | None, rounding: str = "", unit: str = "",
          alternatives: dict[str, float] | None = None, missing_reason: str = "") -> Judgement:
    """Judge a stated figure against the official one.

    `alternatives` maps another basis (for example "share of the sentenced population") to
    the official figure on that basis.  When the stated figure fails on the claim's own basis
    but passes on another, the verdict is "misleading without context" and the reason names
    both bases.  With no official figure the verdict is "cannot be verified".
    """
    rule = rule_for(rounding)
    if official is None or (isinstance(official, float) and math.isnan(official)):
        return Judgement(Verdict.UNVERIFIABLE, missing_reason or "no official figure is held to check it")
    primary = rule(stated, official, unit)
    if primary.verdict in GOOD or not alternatives:
        return primary
    for basis, value in alternatives.items():
        if value is None:
            continue
        other = rule(stated, value, unit)
        if other.verdict in GOOD:
            return Judgement(Verdict.MISLEADING,
                             f"{fmt(stated, unit)} fits the {basis} ({fmt(value, unit)}), "
                             f"not the basis stated ({fmt(official, unit)})")
    return primary


def rules_table() -> list[dict[str, str]]:
    """The written rules, one row per rounding word, for the methods page."""
    rows = []
    for key, func in RULES.items():
        words = sorted(w for w, k in ROUNDING_ALIASES.items() if k == key and w)
        rows.append({"rule": key, "words": ", ".join(f'"{w}"' for w in words),
                     "test": " ".join(func.__doc__.split("\n\n", 1)[1].split())})
    return rows
