import pytest
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


def test_the_pdu_scores_are_one_table_read_from_the_slides_and_charted_in_their_section():
    from analysis.claims import load_register
    from analysis.evidence import section_evidence, table_figures
    from analysis.tables import stated_table

    register = load_register()
    assert not [c for c in register["claims"] if c["id"].startswith("insp-score-")]   # one entry, not 36 claims
    rows = stated_table("insp-pdu-scores")
    assert len(rows) == 36 and list(rows["label"][:2]) == ["Swansea NPT", "Gwent"]
    assert rows["label"].iloc[-1] == "Bristol & South Gloucestershire PDU"
    assert (rows["starred"].sum(), rows["value"].min(), rows["value"].max()) == (9, 0, 15)
    assert rows.loc[rows["label"] == "Lewisham & Bromley", ["value", "maximum"]].values.tolist() == [[4.0, 24.0]]
    assert rows.loc[rows["label"] == "Gateshead & South Tyneside", ["value", "maximum"]].values.tolist() == [[15.0, 27.0]]
    frame, unit, document, download = table_figures("insp-pdu-scores")
    assert unit == "points" and document == "HMIP annual report slides" and len(download) == 36
    assert "Lewisham & Bromley (out of 24)" in set(frame["label"])
    claims = [c for c in register["claims"] if c.get("section") == "insp-pdu-scores"]
    chart, caption, frames = section_evidence(claims, "2024-06", table="insp-pdu-scores")
    assert "No official series holds these figures" in caption and frames == []
    assert chart.to_dict()["title"]["text"] == "The figures as stated: HMIP annual report slides"


def test_a_table_row_that_does_not_read_is_refused_with_the_document_and_line(data_copy):
    from analysis.official_data import DataError
    from analysis.tables import stated_table

    path = data_copy / "documents" / "03-hmip-probation-annual-report-2023-slides.txt"
    text = path.read_text(encoding="utf-8")
    line = text.splitlines().index("Gwent\t\t6\t\t\t\t") + 1
    path.write_text(text.replace("Gwent\t\t6\t", "Gwent\t\tsix\t", 1), encoding="utf-8")
    with pytest.raises(DataError, match=rf"03-hmip-probation-annual-report-2023-slides.txt, row {line}, column 'value'"):
        stated_table("insp-pdu-scores", data_copy)
    path.write_text(text.replace("Gwent\t\t6\t", "Gwent\t\t28\t", 1), encoding="utf-8")
    with pytest.raises(DataError, match="Gwent scores 28, more than its maximum 27"):
        stated_table("insp-pdu-scores", data_copy)
    path.write_text(text.replace("Gwent\t\t6\t", "Gwent\t\t27\t", 1), encoding="utf-8")
    assert stated_table("insp-pdu-scores", data_copy)["value"].iloc[1] == 27


def test_stated_charts_may_name_the_claims_and_label_their_bars():
    from analysis.claims import load_register
    from analysis.evidence import section_evidence, stated_figures

    register = load_register()
    chosen = register["stated_charts"]["wider-justice"]["wj-budget"]
    claims = [c for c in register["claims"] if c.get("section") == "wj-budget"]
    frame, unit, _, _ = stated_figures(claims, chosen)
    assert list(frame["label"]) == list(chosen.values()) and unit == "gbp millions"
    # some lines are checked by an official figure, some not: the section still charts them all as stated,
    # and gives the figures it holds as its sources
    chart, caption, used = section_evidence(claims, "2024-06", chosen)
    assert "each claim below gives the official figure that checks it" in caption and len(used) == 1
    unchecked = [c for c in claims if c["official"]["function"] == "figures.not_in_book"]
    _, caption, used = section_evidence(unchecked, "2024-06", chosen)
    assert "No official series holds these figures" in caption and used == []
    assert chart.to_dict()["encoding"]["y"]["sort"] is None
