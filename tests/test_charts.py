"""The shared chart helper draws one series with official and secondary points, gaps and events."""

import pandas as pd

from analysis.charts import series_chart, with_gaps


def frame():
    return pd.DataFrame({"date": pd.to_datetime(["1995-06-30", "2009-06-30", "2010-06-30"]),
                         "value": [150.0, 4000.0, 5300.0], "source_kind": ["secondary", "official", "official"]})


def test_series_chart_marks_sources_and_events():
    spec = series_chart(frame(), "People", "#123456", events=[("1998-09-30", "Act in force")]).to_dict()
    marks = [layer.get("mark", {}).get("type") if isinstance(layer.get("mark"), dict) else layer.get("mark")
             for layer in spec["layer"]]
    assert marks[:2] == ["line", "point"]
    assert len(spec["layer"]) == 3
    assert spec["layer"][1]["encoding"]["shape"]["scale"]["domain"] == ["official publication", "secondary compilation"]
    assert spec["width"] == 640


def test_gap_rows_break_the_line_without_inventing_values():
    out = with_gaps(frame()[["date", "value"]])
    assert len(out) == 4 and out["value"].isna().sum() == 1
    assert out["value"].dropna().tolist() == [150.0, 4000.0, 5300.0]


def test_a_section_named_under_stated_charts_draws_the_documents_own_figures():
    from analysis.claims import load_register
    from analysis.evidence import section_evidence, stated_figures

    register = load_register()
    assert register["stated_charts"]["inspections"] == {"insp-pdu-scores": "insp-score-"}
    claims = [c for c in register["claims"] if c.get("section") == "insp-pdu-scores"]
    frame, unit, document, _ = stated_figures(claims, "insp-score-")
    assert len(frame) == 36 and unit == "points" and document == "HMIP annual report slides"
    assert "Swansea NPT" in set(frame["label"]) and frame["value"].between(0, 27).all()
    chart, caption, frames = section_evidence(claims, "2024-06", "insp-score-")
    assert "No official series holds these figures" in caption and frames == []
    assert chart.to_dict()["title"]["text"] == "The figures as stated: HMIP annual report slides"


def test_stated_charts_may_name_the_claims_and_label_their_bars():
    from analysis.claims import load_register
    from analysis.evidence import section_evidence, stated_figures

    register = load_register()
    chosen = register["stated_charts"]["wider-justice"]["wj-budget"]
    claims = [c for c in register["claims"] if c.get("section") == "wj-budget"]
    frame, unit, _, _ = stated_figures(claims, chosen)
    assert list(frame["label"]) == list(chosen.values()) and unit == "gbp millions"
    chart, _, _ = section_evidence(claims, "2024-06", chosen)
    assert chart.to_dict()["encoding"]["y"]["sort"] is None
