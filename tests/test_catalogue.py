"""The data catalogue brackets each unsettled claim with the nearest figures held."""

from analysis.catalogue import nearest_held

HEADER = ("series_id,period,period_type,value,unit,publisher,publication,url,table_ref,date_published,"
          "date_accessed,licence,source_kind,note\n")


def row(period, value):
    return (f"community_sentences,{period},calendar_year,{value},people,Ministry of Justice,CJS statistics (test),"
            f"https://www.gov.uk/x,Table Q5.1,2024-05-16,2026-11-24,OGL-3.0,official,\n")


def folder_with(tmp_path, *rows):
    (tmp_path / "court_sentences.csv").write_text(HEADER + "".join(rows), encoding="utf-8")
    return tmp_path


from analysis.official_data import SERIES_BREAKS  # noqa: E402


def claim(period):
    return {"function": "figures.published",
            "args": {"file": "court_sentences", "series_id": "community_sentences", "period": period}}


def test_both_sides_are_named(tmp_path):
    folder = folder_with(tmp_path, row(2016, 102938), row(2024, 70000), row(2011, 177603))
    assert nearest_held(claim("2023"), folder) == ("community_sentences around 2023: 2016: 102,938; 2024: 70,000 | "
                                                   "series break in 2017: " + SERIES_BREAKS["community_sentences"][1])


def test_only_the_side_that_is_held(tmp_path):
    folder = folder_with(tmp_path, row(2016, 102938), row(2011, 177603))
    assert nearest_held(claim("2023"), folder).startswith("community_sentences around 2023: 2016: 102,938 | series break")
    assert nearest_held(claim("2013"), folder) == "community_sentences around 2013: 2011: 177,603; 2016: 102,938"


def test_nothing_held_nearby_gives_nothing(tmp_path):
    folder = folder_with(tmp_path, row(2016, 102938))
    assert nearest_held(claim("2016"), folder) == ""
    assert nearest_held({"function": "figures.published", "args": {"file": "court_sentences",
                                                                    "series_id": "not_held", "period": "2023"}},
                        folder) == ""


def test_a_gap_across_a_series_break_says_so():
    from analysis.catalogue import nearest_held
    from analysis.claims import load_register

    claims = {c["id"]: c for c in load_register()["claims"]}
    text = nearest_held(claims["cs-more-than-halved"]["official"])
    assert "series break in 2017" in text and "2011: 177,603" in text
    assert "series break" not in nearest_held(claims["recall-2000-under-1000"]["official"])
