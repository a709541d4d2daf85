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
