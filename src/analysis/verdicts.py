"""The verdict engine: judge a claim, not just a number, by written rules.

A claim states a figure in words ("c150,000", "over 5,000", "under 1,000", "nearly 60%",
"more than halved", "twelve-fold", "came down").  The words decide the claim's *kind*
(a level, a bound, a direction, a change, arithmetic, an inference, a pledge, a statement
of law, an opinion) and the rule that judges it.  Every rule is a small pure function
below, listed in `RULES`, and the methods page prints the same table (rule, words, test
and worked example), so the book and the code cannot disagree.

Precision counts on both sides: a claim holds when the interval its words imply overlaps
the interval the official figure's own rounding implies ("45,488" against a published
"45,500" is accurate).  Whole numbers under 100 are exact counts ("10 of 12 regions" is
not "about 10"); from 100 up, trailing zeros mark rounding ("4,000" is 3,500 to 4,500).
Counts are compared relative to the stated figure; percentages in points, with the
points band shrinking in proportion below 10% (1.9% is not close to a stated 1%).

Each judgement carries a rating on the ClaimReview scale beside the verdict word:
5 holds within the claim's own precision; 4 holds approximately, or a true but loose
bound; 3 misleading without context, or mixed; 2 clearly overstated or understated;
1 wrong; None when there is no verdict, with `why_unsettled` saying why.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from decimal import Decimal
from enum import Enum

from .formatting import figure as fmt  # the one formatting module, under a short name inside the rules


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
    Verdict.ACCURATE: "The claim holds within the precision its own words imply (rating 5), "
                      "or is a true but loose bound (rating 4).",
    Verdict.APPROXIMATELY_RIGHT: "Close, but a little outside what the wording implies (rating 4).",
    Verdict.OVERSTATED: "The claim puts the figure clearly higher (or a fall clearly steeper) than the data (rating 2).",
    Verdict.UNDERSTATED: "The claim puts the figure clearly lower (or a rise clearly smaller) than the data (rating 2).",
    Verdict.WRONG: "One figure is more than one and a half times the other, the direction of change is wrong, "
                   "a bound is far from true, or the reasoning does not hold (rating 1).",
    Verdict.MISLEADING: "The figure is right only on a different definition from the one the claim gives, "
                        "or holds only in part (rating 3).",
    Verdict.UNVERIFIABLE: "No verdict (no rating): the reason says why — the book does not hold the table yet, "
                          "only the publisher holds the data, the statement is an opinion or prediction, "
                          "or a pledge is due after the month the edition's figures reach.",
}

#: The ClaimReview rating each verdict carries unless a rule says otherwise.
RATINGS = {
    Verdict.ACCURATE: 5, Verdict.APPROXIMATELY_RIGHT: 4, Verdict.MISLEADING: 3,
    Verdict.OVERSTATED: 2, Verdict.UNDERSTATED: 2, Verdict.WRONG: 1, Verdict.UNVERIFIABLE: None,
}

#: Why a claim has no verdict.
UNSETTLED = ("not_in_book", "unpublished", "not_checkable", "pending", "context", "no_series", "finding")

#: What a claim without a verdict is waiting for, in the reader's words: one label each, with its own
#: badge colour, count on the landing page and filter on the register (`label_of`).
LABELS = {
    "not_in_book": "not yet checked: the book lacks the table",
    "unpublished": "only the publisher holds the data",
    "opinion": "opinion: not rated",
    "pledge_due_later": "pledge: due later",
    "pledge_not_held": "pledge: due, no figure held",
    "context": "context: worked out by the book, not rated",
    "no_series": "no official figure exists for this period",
    "finding": "published finding of the inspectorate",
}


def label_of(verdict: str, why_unsettled: str | None, kind: str) -> str:
    """The label a claim wears: its verdict when it has one; otherwise what stands in the way.

    A pledge whose date is after the edition's month is "pledge: due later", one whose date has
    come but whose figure the book does not hold "pledge: due, no figure held"; an opinion or a
    statement that cannot be checked "opinion: not rated"; a figure only the publisher holds
    "only the publisher holds the data"; a figure the book worked out itself from a document's numbers,
    shown as context, "context: worked out by the book, not rated"; a period for which no official
    series publishes the figure at all "no official figure exists for this period"; a finding an
    inspectorate published from its own inspections, reported as its finding, "published finding of the
    inspectorate"; any other gap "not
    yet checked: the book lacks the table" (the reason names the table).

    Example: ("cannot be verified", "pending", "pledge") -> "pledge: due later".
    """
    if verdict != Verdict.UNVERIFIABLE.value:
        return verdict
    if kind == "pledge":
        return LABELS["pledge_due_later"] if why_unsettled == "pending" else LABELS["pledge_not_held"]
    if kind == "opinion" or why_unsettled == "not_checkable":
        return LABELS["opinion"]
    if why_unsettled in ("unpublished", "context", "no_series", "finding"):
        return LABELS[why_unsettled]
    return LABELS["not_in_book"]


#: The claim kinds.
KINDS = ("level", "bound", "direction", "change", "arithmetic", "inference", "pledge", "law", "opinion", "context")

#: Rounding words as written in claims, mapped to the rule that judges them.
ROUNDING_ALIASES = {
    "": "exact", "exact": "exact",
    "c": "about", "about": "about", "around": "about", "approximately": "about", "some": "about",
    "roughly": "about", "something like": "about",
    "over": "over", "more than": "over", "above": "over",
    "at least": "at least", "no less than": "at least",
    "under": "under", "less than": "under", "below": "under", "fewer than": "under",
    "nearly": "nearly", "almost": "nearly", "just under": "nearly", "close to": "nearly",
    "grew": "rose", "rose": "rose", "increased": "rose", "went up": "rose",
    "fell": "fell", "came down": "fell", "decreased": "fell", "went down": "fell", "dropped": "fell",
    "more than halved": "more than halved",
    "fold": "fold", "n-fold": "fold", "times": "fold", "doubled": "fold", "tripled": "fold", "halved": "fold",
    "percent change": "percent change", "up": "percent change", "down": "percent change",
}

#: The kind of claim each rule judges.
RULE_KIND = {
    "exact": "level", "about": "level", "nearly": "level",
    "over": "bound", "at least": "bound", "under": "bound",
    "rose": "direction", "fell": "direction",
    "more than halved": "change", "fold": "change", "percent change": "change",
}

from .units import PERCENT_UNITS, RATIO_UNITS  # noqa: E402


@dataclass(frozen=True)
class Judgement:
    """A verdict, its one-line reason, its rating and kind, and why it is unsettled (if it is)."""

    verdict: Verdict
    reason: str
    rating: int | None = None
    kind: str = "level"
    why_unsettled: str | None = None

    def __post_init__(self):
        if self.rating is None and self.verdict != Verdict.UNVERIFIABLE:
            object.__setattr__(self, "rating", RATINGS[self.verdict])

    @property
    def conclusion(self) -> str:
        """The reason as a plain sentence."""
        text = self.reason.strip()
        text = text[:1].upper() + text[1:]
        return text if text.endswith(".") else text + "."


def _j(verdict: Verdict, reason: str, kind: str, rating: int | None = None) -> Judgement:
    """Shorthand for a settled judgement."""
    return Judgement(verdict, reason, RATINGS[verdict] if rating is None else rating, kind)


# --- precision -------------------------------------------------------------------------

def half_unit(stated: float) -> float:
    """Half a unit in the last significant digit of a figure (trailing zeros read as rounding).

    12,199 -> 0.5; 150,000 -> 5,000; 71,000 -> 500; 35.2 -> 0.05; 14 -> 0.5; 1,000 -> 500.
    """
    if stated == 0:
        return 0.5
    dec = Decimal(repr(float(stated))).normalize()
    exponent = dec.as_tuple().exponent
    return 0.5 * 10.0 ** exponent


def decimals_half_unit(value: float) -> float:
    """Half a unit in the last decimal place written: 14 -> 0.5; 35.2 -> 0.05; 60 -> 0.5."""
    dec = Decimal(repr(float(value))).normalize()
    exponent = min(dec.as_tuple().exponent, 0)
    return 0.5 * 10.0 ** exponent


def precision(value: float, unit: str = "") -> float:
    """Half-width of the interval a figure's writing implies.

    Percentages, ratios and whole numbers under 100 are read to their last decimal
    place (60% is 59.5% to 60.5%; "10 of 12" means 10); counts from 100 up read
    trailing zeros as rounding (4,000 is 3,500 to 4,500).
    """
    if unit in PERCENT_UNITS or unit in RATIO_UNITS or abs(value) < 100:
        return decimals_half_unit(value)
    return half_unit(value)


def parse_number(text: str) -> tuple[float, float]:
    """A figure as written ("45,500", "12.5%", "£600m") -> (value, half-width of its rounding).

    Whole numbers under 100 are exact counts (half-width 0); from 100 up trailing zeros
    mark rounding; decimals and percentages are read to their last decimal place.

    Example: "45,500" -> (45500, 50); "45,488" -> (45488, 0.5); "11" -> (11, 0); "13.9%" -> (13.9, 0.05).
    """
    match = re.search(r"-?\d[\d,]*(?:\.\d+)?", text)
    if not match:
        raise ValueError(f"no figure in {text!r}")
    raw = match.group(0).replace(",", "")
    value = float(raw)
    if "%" in text or "." in raw:
        return value, decimals_half_unit(value)
    return value, (0.0 if abs(value) < 100 else half_unit(value))


def gap(stated: float, official: float, unit: str, official_precision: float = 0.0) -> float:
    """Distance between the figures beyond the official figure's own rounding.

    Percentage points for percentages, else relative to the stated figure.
    """
    dist = max(0.0, abs(official - stated) - official_precision)
    if unit in PERCENT_UNITS:
        return dist
    return dist / abs(stated) if stated else math.inf


def _tolerance(stated: float, unit: str, rel: float, pp: float) -> float:
    """The allowed gap: `rel` for counts; `pp` points for percentages from 10% up, shrinking in proportion below."""
    if unit in PERCENT_UNITS:
        return pp * min(1.0, abs(stated) / 10.0)
    return rel


def _within(stated, official, unit, rel, pp, op=0.0) -> bool:
    """Whether the gap is within the tolerance."""
    return gap(stated, official, unit, op) <= _tolerance(stated, unit, rel, pp) + 1e-12


def _size_verdict(stated: float, official: float) -> Verdict:
    """Overstated when the claim is above the official figure (a fall: steeper), understated when below."""
    if stated < 0 and official < 0:
        return Verdict.OVERSTATED if stated < official else Verdict.UNDERSTATED
    return Verdict.OVERSTATED if stated > official else Verdict.UNDERSTATED


def _far_off(stated: float, official: float, unit: str = "") -> bool:
    """One figure is more than 1.5 times the other (or they differ in sign): wrong, not merely off.

    For percentages the two must also be more than 1 point apart (1% against 1.9% is off, not wrong).
    """
    if unit in PERCENT_UNITS and abs(stated - official) <= 1.0:
        return False
    if stated * official <= 0:
        return stated != official
    big, small = max(abs(stated), abs(official)), min(abs(stated), abs(official))
    return big / small > 1.5


def _opposite_signs(stated: float, official: float, op: float = 0.0) -> bool:
    """A claimed fall against a rise (or the reverse), beyond the official figure's rounding."""
    return stated * official < 0 and abs(official) > op


def _shown(official: float, unit: str, official_text: str | None) -> str:
    """The official figure as the reader should see it, with its published form when given."""
    shown = fmt(official, unit)
    if official_text and parse_number(official_text)[0] != official:
        return f"{shown} (published as {official_text.strip()})"
    return shown


# --- levels ----------------------------------------------------------------------------

def judge_exact(stated: float, official: float, unit: str, official_precision: float = 0.0,
                official_text: str | None = None) -> Judgement:
    """A level given without a rounding word ("45,488", "10", "17%").

    Accurate (5) when the interval the stated figure's writing implies overlaps the
    official figure's own rounding interval; approximately right (4) within 2% (1 point for
    percentages); a claimed fall against a rise is wrong (1); otherwise over- or
    understated (2), and wrong when one figure is over 1.5 times the other.

    Example: "45,488" against a published "45,500" is accurate; "10" against 11 is
    understated; 1% against 1.9% is not close (understated).
    """
    o, kind = _shown(official, unit, official_text), "level"
    if _opposite_signs(stated, official, official_precision):
        return _j(Verdict.WRONG, f"the figure is {o}, the other way from the stated {fmt(stated, unit)}", kind)
    if abs(official - stated) <= precision(stated, unit) + official_precision + 1e-9:
        if official == stated:
            return _j(Verdict.ACCURATE, f"the figure is {o}, as stated", kind)
        rounded = f" (published to the nearest {fmt(2 * official_precision)})" if official_precision >= 0.5 else ""
        return _j(Verdict.ACCURATE, f"the figure is {o}{rounded}, consistent with the stated {fmt(stated, unit)}", kind)
    if _within(stated, official, unit, 0.02, 1.0, official_precision):
        return _j(Verdict.APPROXIMATELY_RIGHT, f"the figure is {o}, close to the stated {fmt(stated, unit)}", kind)
    if _far_off(stated, official, unit):
        return _j(Verdict.WRONG, f"the figure is {o}, far from the stated {fmt(stated, unit)}", kind)
    return _j(_size_verdict(stated, official), f"the figure is {o}, not {fmt(stated, unit)}", kind)


def judge_about(stated: float, official: float, unit: str, official_precision: float = 0.0,
                official_text: str | None = None) -> Judgement:
    """"c", "about", "around": an approximate level.

    Accurate (5) within 5% (1 point for percentages), or within 10% (2 points) when the
    official figure also rounds to the stated one at its significant figures (c600m covers
    631m); approximately right (4) within 15% (3 points); a claimed fall against a rise is
    wrong; otherwise over- or understated, and wrong when one figure is over 1.5 times the other.

    Example: "c150,000" against 151,183 is accurate; "c600m" against 665m is
    approximately right; "about 150" against 60 is wrong.
    """
    o, kind = _shown(official, unit, official_text), "level"
    if _opposite_signs(stated, official, official_precision):
        return _j(Verdict.WRONG, f"the figure is {o}, the other way from about {fmt(stated, unit)}", kind)
    rounds_to = (abs(official - stated) <= half_unit(stated) + official_precision
                 and _within(stated, official, unit, 0.10, 2.0, official_precision))
    if rounds_to or _within(stated, official, unit, 0.05, 1.0, official_precision):
        return _j(Verdict.ACCURATE, f"the figure is {o}, about {fmt(stated, unit)} as stated", kind)
    if _within(stated, official, unit, 0.15, 3.0, official_precision):
        return _j(Verdict.APPROXIMATELY_RIGHT, f"the figure is {o}: near, but not about, {fmt(stated, unit)}", kind)
    if _far_off(stated, official, unit):
        return _j(Verdict.WRONG, f"the figure is {o}, far from about {fmt(stated, unit)}", kind)
    return _j(_size_verdict(stated, official), f"the figure is {o}, not about {fmt(stated, unit)}", kind)


def judge_nearly(stated: float, official: float, unit: str, official_precision: float = 0.0,
                 official_text: str | None = None) -> Judgement:
    """"nearly", "almost", "close to": just below the stated level.

    Accurate (5) when the official figure is below it by at most 5% (3 points for a share: "nearly"
    is a few points short, not five); up to 10% (5 points) below, or at or up to 2% above it
    (1 point), is approximately right (4); further below is overstated, further above
    understated (2), and wrong when one figure is over 1.5 times the other.

    Example: "nearly 60%" against 57% is accurate; against 55% approximately right; against 54%
    overstated; against 62% understated.
    """
    o, kind = _shown(official, unit, official_text), "level"
    below = official - official_precision < stated
    if below and _within(stated, official, unit, 0.05, 3.0, official_precision):
        return _j(Verdict.ACCURATE, f"the figure is {o}, nearly {fmt(stated, unit)} as stated", kind)
    if below and _within(stated, official, unit, 0.10, 5.0, official_precision):
        return _j(Verdict.APPROXIMATELY_RIGHT, f"the figure is {o}: further short of {fmt(stated, unit)} than "
                                               "\"nearly\" says", kind)
    if not below and _within(stated, official, unit, 0.02, 1.0, official_precision):
        return _j(Verdict.APPROXIMATELY_RIGHT, f"the figure is {o}: it reaches {fmt(stated, unit)}", kind)
    if _far_off(stated, official, unit):
        return _j(Verdict.WRONG, f"the figure is {o}, far from nearly {fmt(stated, unit)}", kind)
    return _j(_size_verdict(stated, official), f"the figure is {o}, not nearly {fmt(stated, unit)}", kind)


# --- bounds ----------------------------------------------------------------------------

#: A true bound is loose when the figure is more than this many times the bound (or the bound this many times the figure).
LOOSE = 1.5


def _bound(stated, official, unit, op, official_text, *, true: bool, word: str, short_verdict: Verdict,
           loose: bool) -> Judgement:
    """Shared shape of the bound rules: true first, then tight or loose; false: close, off or wrong."""
    o, kind = _shown(official, unit, official_text), "bound"
    if true:
        if loose:
            return _j(Verdict.ACCURATE, f"the figure is {o}: {word} {fmt(stated, unit)} is true, "
                                        f"though a loose bound", kind, rating=4)
        return _j(Verdict.ACCURATE, f"the figure is {o}, {word} {fmt(stated, unit)} as stated", kind)
    if _within(stated, official, unit, 0.05, 1.0, op):
        return _j(Verdict.APPROXIMATELY_RIGHT, f"the figure is {o}, just short of {word} {fmt(stated, unit)}", kind)
    if _far_off(stated, official, unit):
        return _j(Verdict.WRONG, f"the figure is {o}, nowhere near {word} {fmt(stated, unit)}", kind)
    return _j(short_verdict, f"the figure is {o}, not {word} {fmt(stated, unit)}", kind)


def judge_over(stated: float, official: float, unit: str, official_precision: float = 0.0,
               official_text: str | None = None) -> Judgement:
    """"over", "more than", "above", "more than half": a lower bound, first true or false.

    True when the official figure (within its own rounding) is above the bound: accurate
    (5), or accurate but loose (4) when the figure is more than 1.5 times the bound.  False:
    within 5% short (1 point) is approximately right (4); further short is overstated (2);
    wrong (1) when the bound is over 1.5 times the figure.

    Example: "over 5,000" against 5,350 is accurate (5); "over 2,000 a month" against
    3,260 is accurate but loose (4); "over 5,000" against 4,700 is overstated.
    """
    true = official + official_precision > stated
    return _bound(stated, official, unit, official_precision, official_text, true=true, word="over",
                  short_verdict=Verdict.OVERSTATED, loose=true and official > LOOSE * stated)


def judge_at_least(stated: float, official: float, unit: str, official_precision: float = 0.0,
                   official_text: str | None = None) -> Judgement:
    """"at least", "no less than": a lower bound that includes the bound itself.

    True when the official figure is at or above the bound: accurate (5), or accurate but
    loose (4) beyond 1.5 times the bound.  False: within 5% below (1 point) is approximately
    right; further below is overstated, and wrong when the bound is over 1.5 times the figure.

    Example: "at least 1" against 1.0 is accurate; against 0.9 overstated; against 0.4 wrong.
    """
    true = official + official_precision >= stated
    return _bound(stated, official, unit, official_precision, official_text, true=true, word="at least",
                  short_verdict=Verdict.OVERSTATED, loose=true and official > LOOSE * stated)


def judge_under(stated: float, official: float, unit: str, official_precision: float = 0.0,
                official_text: str | None = None) -> Judgement:
    """"under", "less than", "fewer than", "below": an upper bound, first true or false.

    True when the official figure (within its own rounding) is below the bound: accurate
    (5), or accurate but loose (4) when the bound is more than 1.5 times the figure.  False:
    up to 5% over (1 point) is approximately right (4); further over is understated (2);
    wrong (1) when the figure is over 1.5 times the bound.

    Example: "under 1,000" against 900 is accurate (5); against 500 accurate but loose
    (4); against 1,100 understated; against 1,600 wrong.
    """
    true = official - official_precision < stated
    return _bound(stated, official, unit, official_precision, official_text, true=true, word="under",
                  short_verdict=Verdict.UNDERSTATED, loose=true and stated > LOOSE * official)


# --- directions and changes (the official figure is the ratio later / earlier) ---------

#: A ratio within this distance of 1 is no clear change (unless the chapter passes its own noise band).
NOISE = 0.01


def _direction(ratio: float, up: bool, noise: float, official_text: str | None) -> Judgement:
    """Shared shape of the direction rules."""
    kind, word = "direction", "a rise" if up else "a fall"
    pct = 100 * (ratio - 1)
    moved = f"{'up' if pct >= 0 else 'down'} {abs(pct):.0f}% (ratio {ratio:.2f})"
    if abs(ratio - 1) <= noise + 1e-9:
        right_way = (ratio > 1) if up else (ratio < 1)
        verdict = Verdict.APPROXIMATELY_RIGHT if right_way else Verdict.OVERSTATED
        return _j(verdict, f"no clear change: the figure moved {abs(pct):.1f}% "
                           f"{'up' if pct >= 0 else 'down'}, within the {100 * noise:.0f}% noise band, "
                           f"not clearly {word}", kind)
    if (ratio > 1) == up:
        return _j(Verdict.ACCURATE, f"the figure went {moved}: {word}, as stated", kind)
    return _j(Verdict.WRONG, f"the figure went {moved}: not {word}", kind)


def judge_rose(stated: float, official: float, unit: str = "ratio", noise: float = NOISE,
               official_text: str | None = None) -> Judgement:
    """"grew", "rose", "increased": a direction only; the official figure is the ratio later / earlier.

    Accurate (5) when the ratio is above 1 beyond the noise band (1% unless the chapter
    gives its own); within the band is "no clear change" (approximately right, 4, when it
    edged the stated way; overstated, 2, when not); a fall beyond the band is wrong (1).

    Example: "grew" at ratio 1.2 is accurate; at 1.005 no clear change; at 0.96 wrong.
    """
    return _direction(official, True, noise, official_text)


def judge_fell(stated: float, official: float, unit: str = "ratio", noise: float = NOISE,
               official_text: str | None = None) -> Judgement:
    """"fell", "came down", "decreased": a direction only; the official figure is the ratio later / earlier.

    Accurate (5) however large the fall, once beyond the noise band (1%); within the band
    is "no clear change" (approximately right, 4, or overstated, 2); a rise beyond it is wrong (1).

    Example: "came down" at ratio 0.5 is accurate; at 0.995 no clear change; at 1.1 wrong.
    """
    return _direction(official, False, noise, official_text)


def judge_more_than_halved(stated: float, official: float, unit: str = "ratio", official_precision: float = 0.0,
                           official_text: str | None = None) -> Judgement:
    """"more than halved": the official figure is the ratio later / earlier; the stated value is 0.5.

    Accurate (5) when the ratio is below 0.5; approximately right (4) from 0.5 to 0.55
    (about halved); overstated (2) when the fall was smaller but at least two-thirds of a
    halving (ratio up to 2/3); wrong (1) when the fall was under a third (the claimed fall
    is over 1.5 times the real one) or there was no fall.

    Example: ratio 0.47 is accurate; 0.6 overstated; 0.9 (a 10% fall) wrong.
    """
    kind = "change"
    pct = f"fell by {100 * (1 - official):.0f}% (ratio {official:.2f})"
    if official < stated:
        return _j(Verdict.ACCURATE, f"the figure {pct}: more than halved, as stated", kind)
    if official <= stated * 1.1:
        return _j(Verdict.APPROXIMATELY_RIGHT, f"the figure {pct}: about halved, not more", kind)
    if official >= 1:
        return _j(Verdict.WRONG, f"the figure did not fall (ratio {official:.2f})", kind)
    if (1 - stated) > LOOSE * (1 - official):
        return _j(Verdict.WRONG, f"the figure {pct}: nowhere near halved", kind)
    return _j(Verdict.OVERSTATED, f"the figure {pct}: short of halving", kind)


def judge_fold(stated: float, official: float, unit: str = "fold", official_precision: float = 0.0,
               official_text: str | None = None) -> Judgement:
    """"N-fold", "doubled", "tripled", "halved": the official figure is the ratio later / earlier.

    Accurate (5) when the ratio is within 5% of N (or rounds to N, for N of 10 or more);
    approximately right (4) within 10%; a move the other way is wrong (1); otherwise over-
    or understated (2), and wrong when one is over 1.5 times the other.

    Example: "twelve-fold" at 12.6 is accurate; "doubled" at 1.9 accurate, at 1.8
    approximately right, at 1.55 overstated, at 1.3 wrong.
    """
    kind = "change"
    word = {2: "doubled", 3: "tripled", 0.5: "halved"}.get(stated, f"{stated:g}-fold")
    if (stated > 1) != (official > 1):
        return _j(Verdict.WRONG, f"the figure moved the other way (ratio {official:.2f}), not {word}", kind)
    rel = abs(official - stated) / stated - 1e-9
    if rel <= 0.05 or (stated >= 10 and abs(official - stated) <= 0.5):
        return _j(Verdict.ACCURATE, f"the ratio is {official:.2f}: {word}, as stated", kind)
    if rel <= 0.10:
        return _j(Verdict.APPROXIMATELY_RIGHT, f"the ratio is {official:.2f}: near, but not quite, {word}", kind)
    if _far_off(stated, official, unit):
        return _j(Verdict.WRONG, f"the ratio is {official:.2f}, far from {word}", kind)
    return _j(_size_verdict(stated, official), f"the ratio is {official:.2f}, not {word}", kind)


def judge_percent_change(stated: float, official: float, unit: str = "ratio", official_precision: float = 0.0,
                         official_text: str | None = None) -> Judgement:
    """"up 42%", "fell 10%": a percentage change (signed); the official figure is the ratio later / earlier.

    A change the other way is wrong (1).  Accurate (5) when the real change rounds to the
    stated one at its precision; approximately right (4) within 10% of the stated change;
    otherwise over- or understated (2), and wrong when one change is over 1.5 times the other.

    Example: "up 42%" at ratio 1.42 is accurate; at 1.45 approximately right; at 1.20 wrong;
    "0.8% fewer" at ratio 1.001 wrong.
    """
    kind = "change"
    real = 100 * (official - 1)
    shown = f"{'up' if real >= 0 else 'down'} {abs(real):.1f}%"
    said = f"{'up' if stated >= 0 else 'down'} {fmt(abs(stated), 'percent')}"
    if stated * real < 0:
        return _j(Verdict.WRONG, f"the figure went {shown}, the other way from {said}", kind)
    if abs(real - stated) <= decimals_half_unit(stated) + 1e-9:
        return _j(Verdict.ACCURATE, f"the figure went {shown}, {said} as stated", kind)
    if abs(real - stated) <= 0.10 * abs(stated):
        return _j(Verdict.APPROXIMATELY_RIGHT, f"the figure went {shown}, close to {said}", kind)
    if _far_off(stated, real, "percent"):
        return _j(Verdict.WRONG, f"the figure went {shown}, far from {said}", kind)
    return _j(Verdict.OVERSTATED if abs(stated) > abs(real) else Verdict.UNDERSTATED,
              f"the figure went {shown}, not {said}", kind)


# --- claims judged on something other than one figure ----------------------------------

def judge_arithmetic(stated: float, recomputed: float, unit: str = "", shown_working: str = "") -> Judgement:
    """The document's own figures recomputed: does its sum, share or ratio follow from its inputs?

    Accurate (5) when the recomputed figure rounds to the stated one; approximately right
    (4) within 2% (1 point); otherwise over- or understated (2), wrong (1) beyond 1.5 times.
    The reason gives the working.

    Example: "nearly 2,500 a month" from 29,484 a year recomputes to 2,457 (accurate as a level);
    "31 = 1 + 15 + 15" recomputes to 31, accurate.
    """
    base = judge_exact(stated, recomputed, unit)
    working = f" ({shown_working})" if shown_working else ""
    return replace(base, kind="arithmetic",
                   reason=base.reason.replace("the figure is", f"the document's own figures give{working}", 1))


def judge_inference(holds: bool | None, explanation: str) -> Judgement:
    """A conclusion drawn from figures, judged on whether the reasoning holds (the chapter code decides).

    Accurate (5) when the reasoning holds; misleading without context (3) when it holds
    only in part; wrong (1) when it does not.  The explanation says why.

    Example: a probation-officer-only average multiplied by officers and probation
    services officers together does not hold: wrong.
    """
    verdict = {True: Verdict.ACCURATE, None: Verdict.MISLEADING, False: Verdict.WRONG}[holds]
    lead = {True: "the reasoning holds", None: "the reasoning holds only in part", False: "the reasoning does not hold"}[holds]
    return _j(verdict, f"{lead}: {explanation}", "inference")


def judge_pledge(target: float, achieved: float | None, due: str, as_of: str, unit: str = "") -> Judgement:
    """A pledge or target ("1,000 new officers by March 2025"): met, not met, or due later.

    Met (achieved at or above the target) is accurate (5) whenever it happens; a due date after
    the edition's as-of day is "due later" (pending, no verdict: the edition cannot see it, even
    when the date has passed in the calendar); after it, within 5% short is
    approximately right (4), further short wrong (1).  Dates are ISO strings.

    Example: 1,000 by 2025-03-31, 1,040 achieved: accurate; 700 on 2024-06-30: pending;
    700 on 2025-04-01: wrong.
    """
    kind = "pledge"
    if achieved is not None and achieved >= target:
        return _j(Verdict.ACCURATE, f"met: {fmt(achieved, unit)} against the target of {fmt(target, unit)}", kind)
    if as_of < due:
        so_far = "" if achieved is None else f", {fmt(achieved, unit)} so far"
        return Judgement(Verdict.UNVERIFIABLE, f"due later: the target date, {due}, is after {as_of}, the last day "
                         f"this edition's figures reach{so_far}; no verdict until a figure for it is published",
                         None, kind, "pending")
    if achieved is None:
        return Judgement(Verdict.UNVERIFIABLE, f"due {due}, but no figure for it is held", None, kind, "not_in_book")
    if achieved >= 0.95 * target:
        return _j(Verdict.APPROXIMATELY_RIGHT, f"nearly met: {fmt(achieved, unit)} against {fmt(target, unit)} by {due}", kind)
    return _j(Verdict.WRONG, f"not met: {fmt(achieved, unit)} against {fmt(target, unit)} by {due}", kind)


def judge_law(correct: bool, provision: str) -> Judgement:
    """A statement of law or policy: correct (accurate, 5) or not (wrong, 1), naming the provision.

    Example: "recall can follow any breach of licence conditions" is correct under the
    Criminal Justice Act 2003, s.254.
    """
    if correct:
        return _j(Verdict.ACCURATE, f"correct: {provision}", "law")
    return _j(Verdict.WRONG, f"not correct: {provision}", "law")


def judge_opinion(note: str = "") -> Judgement:
    """An opinion or a prediction: no verdict (no rating), and the reason says so.

    Example: "someone's lying" as a view is not checked; the figures beneath it are judged separately.
    """
    extra = f": {note}" if note else ""
    return Judgement(Verdict.UNVERIFIABLE, f"no verdict: an opinion or prediction, not a checkable statement of fact{extra}",
                     None, "opinion", "not_checkable")


#: The rules keyed by rule name (the rounding word's canonical form).  Printed on the methods page.
RULES = {
    "exact": judge_exact,
    "about": judge_about,
    "nearly": judge_nearly,
    "over": judge_over,
    "at least": judge_at_least,
    "under": judge_under,
    "rose": judge_rose,
    "fell": judge_fell,
    "more than halved": judge_more_than_halved,
    "fold": judge_fold,
    "percent change": judge_percent_change,
}

#: Rules for claims not judged by one stated figure against one official figure.
def still_holds(at_the_time: Judgement, now: Judgement) -> str:
    """At the time and now: whether a claim judged on the figure of its own period would still hold on
    the latest figure of the same series, as a short clause for the "now" line.

    The verdict itself is never changed by a later figure (moving the edition's month moves only
    this line).  The same words said of the latest period "would still be accurate" when the
    verdict on the latest figure is the same as at the time; otherwise they "would be <verdict>"
    (for example "would be understated"); no clause when either is unsettled.

    Example: 7,415 recalls claimed and held for 2024 Q1, 11,041 held for 2025 Q2: "the same words
    said of 2025 Q2 would be understated".
    """
    if at_the_time.rating is None or now.rating is None:
        return ""
    if now.verdict == at_the_time.verdict:
        return f"would still be {now.verdict.value}"
    return f"would be {now.verdict.value}"


OTHER_RULES = {
    "arithmetic": judge_arithmetic,
    "inference": judge_inference,
    "pledge": judge_pledge,
    "law": judge_law,
    "opinion": judge_opinion,
    "now": still_holds,
}

GOOD = {Verdict.ACCURATE, Verdict.APPROXIMATELY_RIGHT}


def rule_for(rounding: str):
    """Return the rule function for a rounding word (see `ROUNDING_ALIASES`)."""
    key = ROUNDING_ALIASES.get((rounding or "").strip().lower())
    if key is None:
        raise ValueError(f"no verdict rule for the rounding word {rounding!r}; "
                         f"known words: {', '.join(sorted(k for k in ROUNDING_ALIASES if k))}")
    return RULES[key]


def kind_for(rounding: str) -> str:
    """The claim kind a rounding word implies ("under" -> bound, "came down" -> direction)."""
    rule_for(rounding)
    return RULE_KIND[ROUNDING_ALIASES[(rounding or "").strip().lower()]]


def judge(stated: float, official: float | None, rounding: str = "", unit: str = "",
          alternatives: dict[str, float] | None = None, missing_reason: str = "",
          official_precision: float = 0.0, official_text: str | None = None,
          why_unsettled: str = "not_in_book") -> Judgement:
    """Judge a stated figure against the official one.

    `official_text` is the official figure as published ("45,500"), whose rounding widens
    its interval; `official_precision` gives that half-width directly.  `alternatives` maps
    another basis (for example "share of the sentenced population") to the official figure
    on that basis: when the stated figure fails on the claim's own basis but passes on
    another, the verdict is "misleading without context" (3) and the reason names both.
    With no official figure the verdict is "cannot be verified", unsettled for
    `why_unsettled` (default `not_in_book`).
    """
    rule = rule_for(rounding)
    kind = kind_for(rounding)
    if official is None or (isinstance(official, float) and math.isnan(official)):
        if why_unsettled not in UNSETTLED:
            raise ValueError(f"why_unsettled must be one of {UNSETTLED}, not {why_unsettled!r}")
        return Judgement(Verdict.UNVERIFIABLE, missing_reason or "no official figure is held to check it",
                         None, kind, why_unsettled)
    if official_text and not official_precision:
        official_precision = parse_number(official_text)[1]
    if rule in (judge_rose, judge_fell):
        primary = rule(stated, official, unit, official_text=official_text)
    else:
        primary = rule(stated, official, unit, official_precision=official_precision, official_text=official_text)
    if primary.verdict in GOOD or not alternatives:
        return primary
    for basis, value in alternatives.items():
        if value is None:
            continue
        other = rule(stated, value, unit)
        if other.verdict in GOOD:
            return _j(Verdict.MISLEADING, f"{fmt(stated, unit)} fits the {basis} ({fmt(value, unit)}), "
                                          f"not the basis stated ({fmt(official, unit)})", kind)
    return primary


# --- reading a claim's wording (for `python -m analysis judge`) -------------------------

NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "hundred": 100, "a hundred": 100,
}
FIXED_WORDINGS = {
    "more than halved": ("more than halved", 0.5), "doubled": ("doubled", 2.0), "tripled": ("tripled", 3.0),
    "halved": ("halved", 0.5), "more than half": ("more than", 50.0),
}


@dataclass(frozen=True)
class Wording:
    """A claim's wording of a figure, read: rounding word, value, unit."""

    rounding: str
    value: float
    unit: str


def parse_wording(text: str, unit: str = "") -> Wording:
    """Read a claim's wording of a figure: "under 1,000", "c150,000", "nearly 60%", "twelve-fold", "came down".

    Example: "c150,000" -> about 150,000; "nearly 60%" -> nearly 60 percent; "twelve-fold" -> fold 12;
    "more than half" -> over 50 percent; "up 42%" -> percent change 42; "10" -> exact 10.
    """
    t = " ".join(text.strip().lower().replace("–", "-").split())
    if t in FIXED_WORDINGS:
        word, value = FIXED_WORDINGS[t]
        return Wording(word, value, "percent" if t == "more than half" else "ratio")
    for word in sorted((w for w, k in ROUNDING_ALIASES.items() if RULE_KIND.get(k) == "direction"), key=len, reverse=True):
        if t == word:
            return Wording(word, 1.0, "ratio")
    m = re.fullmatch(r"([a-z]+|\d+(?:\.\d+)?)[- ](?:fold|times)(?: .*)?", t)
    if m:
        n = NUMBER_WORDS.get(m.group(1)) or float(m.group(1))
        return Wording("fold", float(n), "fold")
    m = re.fullmatch(r"(up|down|rose|fell|increased|decreased|grew)(?: by)? (\d+(?:\.\d+)?)%.*", t) \
        or re.fullmatch(r"(\d+(?:\.\d+)?)% (higher|lower|more|fewer)(?: .*)?", t)
    if m:
        if m.group(1)[0].isdigit():
            value, sign = float(m.group(1)), -1 if m.group(2) in ("lower", "fewer") else 1
        else:
            value, sign = float(m.group(2)), -1 if m.group(1) in ("down", "fell", "decreased") else 1
        return Wording("percent change", sign * value, "ratio")
    rounding = ""
    for word in sorted((w for w in ROUNDING_ALIASES if w and RULE_KIND.get(ROUNDING_ALIASES[w]) in ("level", "bound")),
                       key=len, reverse=True):
        if word == "c" and re.match(r"c\s?[£\d]", t):
            rounding, t = "c", t[1:].strip()
            break
        if word != "c" and t.startswith(word + " "):
            rounding, t = word, t[len(word) + 1:]
            break
    first = t.split()[0] if t else ""
    if first in NUMBER_WORDS:
        value = float(NUMBER_WORDS[first])
    else:
        m = re.search(r"\d[\d,]*(?:\.\d+)?", t)
        if not m:
            raise ValueError(f"no figure in the wording {text!r}")
        value = float(m.group(0).replace(",", ""))
    if "%" in t or "per cent" in t:
        unit = "percent"
    elif re.search(r"£[\d.,]+m\b", t):
        unit = "gbp_millions"
    elif "£" in t:
        unit = unit or "gbp"
    return Wording(rounding, value, unit)


def judge_wording(text: str, official: str, unit: str = "", kind: str | None = None) -> dict:
    """Judge a claim's wording against an official figure as written; the `judge` command's output."""
    words = parse_wording(text, unit)
    unit = unit or words.unit
    value, prec = parse_number(official)
    if unit in PERCENT_UNITS:
        prec = decimals_half_unit(value)
    is_ratio = RULE_KIND[ROUNDING_ALIASES[words.rounding]] in ("direction", "change")
    if kind == "arithmetic":
        result = judge_arithmetic(words.value, value, unit)
    else:
        result = judge(words.value, value, words.rounding, unit,
                       official_text=None if is_ratio else official, official_precision=0.0 if is_ratio else prec)
        if kind and kind != result.kind:
            raise ValueError(f"the wording {text!r} is a {result.kind} claim, not {kind!r}")
    return {"text": text, "kind": result.kind, "rule": ROUNDING_ALIASES[words.rounding], "stated": words.value,
            "unit": unit, "official": value, "official_precision": 0.0 if is_ratio else prec,
            "verdict": result.verdict.value, "rating": result.rating, "why_unsettled": result.why_unsettled,
            "reason": result.reason, "conclusion": result.conclusion}


def _paragraphs(func) -> list[str]:
    """A docstring's paragraphs, each on one line."""
    return [" ".join(p.split()) for p in (func.__doc__ or "").strip().split("\n\n")]


def rules_table() -> list[dict[str, str]]:
    """The written rules, one row per rule, with kind, words, test and worked example, for the methods page."""
    rows = []
    for key, func in RULES.items():
        words = sorted(w for w, k in ROUNDING_ALIASES.items() if k == key and w) or ["(no rounding word)"]
        paras = _paragraphs(func)
        rows.append({"rule": key, "kind": RULE_KIND[key], "words": ", ".join(f'"{w}"' for w in words),
                     "test": paras[1], "example": next((p for p in paras if p.startswith("Example")), "")})
    for key, func in OTHER_RULES.items():
        paras = _paragraphs(func)
        rows.append({"rule": key, "kind": key, "words": "(the claim's kind)",
                     "test": " ".join(p for p in paras[:2] if not p.startswith("Example")),
                     "example": next((p for p in paras if p.startswith("Example")), "")})
    return rows


def judge_bracket(stated: float, sides: list[tuple[str, float]], rounding: str = "", unit: str = "",
                  note: str = "") -> Judgement:
    """A claim whose own period is not held, judged on the figures of the same series held either side of it.

    Each side is judged by the claim's own rule; when both give the same verdict, that verdict stands
    and the reason says it rests on the bracket (consistent with both figures either side, not
    confirmed by the figure for the period itself); when they differ, there is no verdict and the
    reason names both.  `note` names a series break or a change of source the bracket crosses.

    Example: "more than halved by 2023" from 151,183 in 2012, with 2023 not held but 68,207 in the
    year to June 2022 (0.45 times) and 73,425 in the year to June 2024 (0.49 times) both under half:
    accurate, on the bracket.
    """
    if len(sides) != 2:
        raise ValueError("a bracket has two sides: the figure held before the period and the one after")
    judged = [judge(stated, value, rounding, unit) for _, value in sides]
    def measure(value: float) -> str:
        if ROUNDING_ALIASES.get(rounding) == "percent change":   # a ratio, shown as the rise it is, never "1.0%"
            real = 100 * (value - 1)
            return f"{'up' if real >= 0 else 'down'} {abs(real):.1f}%"
        return f"{value:.2f} times" if unit in RATIO_UNITS else fmt(value, unit)

    shown = " and ".join(f"{label}: {measure(value)}" for label, value in sides)
    extra = f"; {note}" if note else ""
    first, second = judged
    if first.verdict == second.verdict and first.verdict != Verdict.UNVERIFIABLE:
        return _j(first.verdict, f"judged on the two figures held either side of the period (the period itself is "
                  f"not held), {shown}; both give this verdict, so the claim is consistent with them, not "
                  f"confirmed{extra}",
                  first.kind)
    return Judgement(Verdict.UNVERIFIABLE, f"no verdict: the two figures held either side of the period disagree ({shown}: "
                     f"{first.verdict.value} on one, {second.verdict.value} on the other){extra}", None,
                     kind_for(rounding), "not_in_book")


OTHER_RULES["bracket"] = judge_bracket


def judge_cohort(judged: Judgement, mismatch: str) -> Judgement:
    """A ratio of two counts that are not the same people (recalls in a quarter set against releases in that
    quarter, a flow against a stock), as the claim gives it.

    When the figures match the claim, the verdict is misleading without context (3): the sum is right but
    the two counts are different cohorts, and the reason says how (`mismatch`).  A claim the figures do not
    support keeps its verdict: the mismatch neither rescues nor worsens it.

    Example: "for every 100 being freed from prison, 73 people were sent back": 9,782 recalls against
    13,338 releases in 2024 Q2 is 73%, but most of those recalled were released in earlier quarters.
    """
    if judged.verdict not in GOOD:
        return judged
    return _j(Verdict.MISLEADING, f"{judged.reason}, but {mismatch}", judged.kind)


OTHER_RULES["cohort"] = judge_cohort


def judge_context(note: str = "") -> Judgement:
    """A figure the book worked out itself from a document's numbers (a ratio of two figures a reader quoted,
    a share the article does not give): shown as context beside the claims it explains, never rated, since
    no one in the document claims it.

    Example: the reader's 242,700 people under supervision and 12,806 frontline staff in 2007 give about
    19 per worker; the document says neither "19" nor anything like it.
    """
    extra = f": {note}" if note else ""
    return Judgement(Verdict.UNVERIFIABLE, f"no verdict: the book's own arithmetic, shown as context{extra}",
                     None, "context", "context")


OTHER_RULES["context"] = judge_context


def judge_reconciliation(summary: dict[str, float], rows: int, derived: dict[str, float] | None = None,
                         finding: str = "", settled_by: str = "", not_held: tuple[str, ...] = (), rest: str = "",
                         in_order: bool = True) -> Judgement:
    """A summary of a table (its rows counted by category: "one Good; 15 Inadequate; 15 Requires improvement")
    checked against the table itself, as a whole, not row by row as separate claims.

    `derived` counts, by the category the publisher itself gave each row, the rows the summary covers (the
    table's first rows, as many as the summary counts, when the table lists them in the order they were
    published: `in_order` says the dates held agree); `not_held` names those rows with no category held.  Accurate
    (5) when every category's count equals the summary's; when some rows are not held, accurate only if they
    can make up exactly what the summary has beyond the held ones, and the reason says it is consistent with
    them, not confirmed; wrong (1) when the held rows alone already exceed the summary in any category or
    cannot reach it.  `rest` names the rows the summary leaves out.  Without the publisher's categories there
    is no verdict: the summary stays the publisher's finding (`finding` says where it was published), and the
    reason sets the summary's total against the table's rows and names what would settle it (`settled_by`).

    Example: 1 Good, 15 Requires improvement and 15 Inadequate (31) against a table of 36 scored units, with
    no categories held: no verdict; the table has 5 rows more than the summary rates.  With the ratings the
    inspectorate published for the first 31 rows, 1 Good, 15 Inadequate, 14 Requires improvement and one not
    held: consistent, not confirmed.
    """
    total = sum(summary.values())
    stated = ", ".join(f"{value:g} {name}" for name, value in summary.items())
    lead = f"{finding}; " if finding else ""
    settle = f"; {settled_by} would settle it" if settled_by else ""
    left = f"; {rest}" if rest else ""
    if derived is not None and not in_order:
        return Judgement(Verdict.UNVERIFIABLE, f"{lead}no verdict: the dates held do not follow the table's order, so "
                         f"which of its {rows} rows the summary counts cannot be told{settle}", None, "arithmetic", "finding")
    if derived is not None:
        found = ", ".join(f"{derived.get(name, 0):g} {name}" for name in summary)
        others = sum(v for k, v in derived.items() if k not in summary)
        short = {name: value - derived.get(name, 0) for name, value in summary.items()}
        missing = f" ({', '.join(not_held)})" if not_held else ""
        gap = f" and {len(not_held):g} not held{missing}" if not_held else ""
        said = f"the categories the publisher gave the table's first {total:g} rows give {found}{gap}"
        if others or any(v < 0 for v in short.values()) or sum(short.values()) != len(not_held):
            return _j(Verdict.WRONG, f"{said}, not {stated}{left}", "arithmetic")
        if not_held:
            need = (next(k for k, v in short.items() if v) if len(not_held) == 1
                    else " and ".join(f"{v:g} {k}" for k, v in short.items() if v))
            return _j(Verdict.ACCURATE, f"{said}; the summary holds if {'that row is' if len(not_held) == 1 else 'those rows are'} "
                      f"{need}: consistent with the table, not confirmed{left}", "arithmetic")
        return _j(Verdict.ACCURATE, f"{said}, as stated{left}", "arithmetic")
    gap = rows - total
    if gap == 0:
        against = f"the table lists {rows} rows, as many as the summary counts ({stated})"
    else:
        against = (f"the table lists {rows} rows, {abs(gap):g} {'more' if gap > 0 else 'fewer'} than the {total:g} the "
                   f"summary counts ({stated}), and does not say which rows it {'leaves out' if gap > 0 else 'adds'}")
    return Judgement(Verdict.UNVERIFIABLE, f"{lead}checked against its table as a whole: {against}; without the "
                     f"publisher's rule turning a row into its category the counts cannot be derived from the table"
                     f"{settle}", None, "arithmetic", "finding")


OTHER_RULES["reconciliation"] = judge_reconciliation
