"""Pure helpers behind the reader-facing site: number search terms, ratings, ClaimReview, chart tables."""

from __future__ import annotations

import pandas as pd

from analysis.charts import chart_table, csv_data_uri
from analysis.pages import search_terms
from analysis.site import claim_reviews, description, rating


def test_search_terms_give_each_figure_with_and_without_separators_and_percent():
    terms = search_terms("12,579 people, 17% of them, 14.5 per cent, in 2024").split()
    assert {"12579", "12,579", "num12579", "17", "17%", "num17", "14.5", "14.5%", "num14p5"} <= set(terms)
    assert "2,024" not in terms and "num2024" in terms  # a year gets no thousands separator


def test_rating_uses_the_record_first_then_the_verdict():
    assert rating({"verdict": "accurate"}) == 5
    assert rating({"verdict": "approximately right"}) == 4
    assert rating({"verdict": "misleading without context"}) == 3
    assert rating({"verdict": "overstated"}) == rating({"verdict": "understated"}) == 2
    assert rating({"verdict": "wrong"}) == 1
    assert rating({"verdict": "cannot be verified"}) is None
    assert rating({"verdict": "accurate", "rating": 3}) == 3
    assert rating({"verdict": "wrong", "rating": float("nan")}) == 1


def test_claim_reviews_skip_unrated_claims_and_fall_back_to_claim_and_claimant():
    records = [
        {"id": "a", "verdict": "wrong", "claim": "In our words", "claimant": "A minister",
         "document": "Doc", "document_date": "2024-10"},
        {"id": "b", "verdict": "cannot be verified", "claim": "x", "claimant": "y", "document": "D", "document_date": "2024"},
        {"id": "c", "verdict": "accurate", "claim": "ours", "quote": "their words", "speaker": "Someone",
         "claimant": "other", "claimed_at": "2024-10-03", "document": "D", "document_date": "2024-10"},
    ]
    reviews = claim_reviews(records, "notebooks/x.html", "2026-01-01")
    assert [r["url"] for r in reviews] == ["notebooks/x.html#claim-a", "notebooks/x.html#claim-c"]
    first, second = reviews
    assert first["claimReviewed"] == "In our words" and first["itemReviewed"]["author"]["name"] == "A minister"
    assert first["reviewRating"] == {"@type": "Rating", "ratingValue": 1, "bestRating": 5, "worstRating": 1,
                                     "alternateName": "wrong"}
    assert second["claimReviewed"] == "their words" and second["itemReviewed"]["datePublished"] == "2024-10-03"


def test_description_is_the_first_paragraph_cut_at_a_word():
    assert description("<h1>T</h1><p>One <em>two</em> three.</p><p>Next</p>") == "One two three."
    long = description("<p>" + "word " * 100 + "</p>", limit=22)
    assert long == "word word word word…"


def test_chart_table_takes_the_largest_dataset_and_formats_dates():
    spec = {"datasets": {
        "marker": [{"date": "1998-09-30T00:00:00", "label": "Act"}],
        "series": [{"date": "2010-06-30T00:00:00", "value": 5350.0}, {"date": "2011-06-30T00:00:00", "value": 5600.0}],
    }}
    frame = chart_table(spec)
    assert list(frame.columns) == ["date", "value"] and frame["date"].tolist() == ["2010-06-30", "2011-06-30"]
    assert csv_data_uri(pd.DataFrame({"a": [1]})).startswith("data:text/csv;charset=utf-8,a%0A1")


def test_claims_judged_without_a_figure_say_what_they_are_judged_on():
    import pandas as pd

    from analysis.pages import official_text

    row = {"official_value": None, "kind": "law", "rounding": "exact", "unit": "", "official_detail": ""}
    assert official_text(pd.Series(row)) == "none needed: judged on the provision named"
    assert official_text(pd.Series({**row, "kind": "level"})) == "not held"


def test_a_change_is_shown_as_a_rise_or_a_ratio_never_as_a_bare_percent():
    from analysis.pages import change_text

    assert change_text(9782 / 6814, "percent change", "percent") == "up 43.6%"     # not "1.4%"
    assert change_text(0.8, "percent change", "percent") == "down 20.0%"
    assert change_text(1.0, "percent change", "percent") == "up 0.0%"
    assert change_text(238646 / 170852, "rose", "ratio") == "1.40 times"
    assert change_text(0.45, "more than halved", "ratio") == "0.45 times"
    assert change_text(12199, "exact", "prisoners") == ""                          # a level keeps its figure
