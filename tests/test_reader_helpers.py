"""Pure helpers behind the reader-facing site: number search terms, ratings, ClaimReview, chart tables."""

from __future__ import annotations

import pytest
import pandas as pd

from analysis.charts import chart_table, csv_data_uri

from .conftest import ROOT
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


def _source_row(publication, table_ref, url, kind="official", publisher="Ministry of Justice", published="2024-10-31"):
    return {"publisher": publisher, "publication": publication, "table_ref": table_ref, "url": url,
            "source_kind": kind, "date_published": published}


def test_the_sources_list_names_each_publication_once_by_its_title_under_its_publisher():
    from analysis.pages import source_table, sources_list

    assert source_table("Table 10, row 6 (Male and female / All), cell D6") == "Table 10"
    assert source_table("data/processed/sentencing/recall_population.csv (row Jun-09)") == "data/processed/sentencing/recall_population.csv"
    assert source_table("outputs/recalls_quarterly.csv, line 12 (index=2025-07-01)") == "outputs/recalls_quarterly.csv"
    assert source_table("bulletin text (Main Points)") == "bulletin text (Main Points)"
    frame = pd.DataFrame([
        _source_row("OMSQ: January to March 2024", f"Table 10, row 6, cell {c}6", "https://gov.uk/omsq") for c in "DEFG"
    ] + [_source_row("OMSQ: January to March 2024", "Table 5.1, row 2", "https://gov.uk/omsq-copy"),
         _source_row("Bromley Briefings, recall_population.csv", "data/recall_population.csv (row Jun-10)",
                     "https://github.com/prt", kind="secondary", publisher="Prison Reform Trust", published="unknown")])
    shown = sources_list([frame])
    # one line per publisher; the publication appears once, linked by its title, with both of its tables
    assert shown.markup.count("<li>") == 2 and shown.markup.count("OMSQ: January to March 2024") == 1
    assert '<a href="https://gov.uk/omsq"><em>OMSQ: January to March 2024</em></a>, <a href="https://gov.uk/omsq-copy">copy 2</a>' in shown.markup
    assert "(Table 10, Table 5.1, published 2024-10-31, 5 figures)" in shown.markup
    # a file the title already names is not named again; secondary sources are marked, after official ones
    assert "Prison Reform Trust <strong>(secondary source)</strong>: " in shown.markup
    assert "(published unknown, 1 figure)" in shown.markup
    assert shown.markup.index("Ministry of Justice") < shown.markup.index("Prison Reform Trust")
    assert ">link<" not in shown.markup


def _judged(**extra):
    row = {"id": "c-1", "quote": "The recall population now stands at 12,199", "claim": "ours", "speaker": "Martin Jones",
           "claimant": "Martin Jones", "document_short": "Statement", "document_date": "2024-10", "document_id": "",
           "document_file": "", "verdict": "accurate", "label": "accurate", "reason": "the figure is 12,199, as stated",
           "section": "", "stated_text": "12,199", "stated_value": 12199, "rounding": "exact", "unit": "people",
           "official_value": 12199.0, "official_detail": "30 June 2024", "kind": "level", "conclusion": "The figure is 12,199."}
    row.update(extra)
    return row


def test_at_a_glance_gives_the_attribution_once_per_document_and_cuts_a_long_reason():
    from analysis.pages import GLANCE_REASON, verdict_box

    long_reason = "correct: " + "Crime (Sentences) Act 1997, s.31A as amended " * 6
    frame = pd.DataFrame([_judged(), _judged(id="c-2", reason=long_reason),
                          _judged(id="c-3", speaker="The Times", document_short="Report", document_date="2025-01")])
    box = verdict_box(frame).markup
    assert box.count('class="claim-source"') == 2 and box.count("Martin Jones; Statement (2024-10)") == 1
    assert box.count('<li id="claim-') == 3
    cut = box.split('id="claim-c-2"')[1].split('class="verdict-reason">')[1].split("</span>")[0]
    assert cut.endswith("\u2026") and len(cut) <= GLANCE_REASON + 1 and long_reason.startswith(cut[:-1])
    assert "the figure is 12,199, as stated</span>" in box  # a short reason is given whole


def test_published_versus_ours_shows_claim_words_not_ids_and_only_claims_judged_against_a_figure():
    from analysis.pages import comparison_table

    frame = pd.DataFrame([_judged(), _judged(id="c-2", official_value=float("nan"), verdict="cannot be verified",
                                             label="not yet checked: the book lacks the table")])
    shown = comparison_table(frame).markup
    assert '<a href="#claim-c-1">The recall population now stands at 12,199</a>' in shown
    assert "c-2" not in shown and ">c-1<" not in shown
    assert "<details" in shown and "for the 1 claim judged against one" in shown
    assert "1 claim on this page has no figure to set beside it" in shown
    none = comparison_table(frame.iloc[1:]).markup
    assert "<table" not in none and "1 claim on this page has no figure" in none


def test_the_evidence_prose_adds_a_reason_only_where_the_glance_list_folds_the_claim_away():
    from analysis.pages import evidence_why

    assert evidence_why(pd.Series(_judged())) == ""
    unchecked = _judged(verdict="cannot be verified", reason="no figure for 30 June 2000 is held")
    assert evidence_why(pd.Series(unchecked)) == ": no figure for 30 June 2000 is held"


def test_short_words_cut_at_a_word_and_leave_a_short_text_whole():
    from analysis.pages import short_words

    assert short_words("under the limit", 90) == "under the limit"
    assert short_words("one two three four", 12) == "one two\u2026"
    assert short_words("one two, three", 9) == "one two\u2026"


def test_an_empty_figure_is_removed_and_the_figures_left_are_numbered_in_order():
    from analysis.site import drop_empty_figures

    def fig(n, body):
        return (f'<figure class="align-default" id="f{n}">{body}<figcaption><p><span class="caption-number">Fig. {n} </span>'
                f"caption {n}</p></figcaption></figure>\n")

    page = fig(1, '<div class="chart-block">a</div>') + fig(2, '<p class="no-series">No official series</p>') + fig(3, "<div>b</div>")
    out = drop_empty_figures(page)
    assert "no-series" not in out and "caption 2" not in out
    assert '<span class="caption-number">Fig. 1 </span>caption 1' in out
    assert '<span class="caption-number">Fig. 2 </span>caption 3' in out
    assert drop_empty_figures(fig(1, "x")) == fig(1, "x")  # a page without an empty figure is left as it is


def test_claim_reviews_point_at_the_page_and_the_original_document_by_absolute_address():
    import pytest

    from analysis.site import appearance, page_url

    assert page_url("https://example.org/book/", "notebooks/recall") == "https://example.org/book/notebooks/recall.html"
    assert page_url("https://example.org/book", "index") == "https://example.org/book/index.html"
    with pytest.raises(ValueError, match="html.baseurl"):
        page_url("", "notebooks/recall")
    with pytest.raises(ValueError, match="html.baseurl"):
        page_url("book/", "notebooks/recall")
    documents = {"05": {"title": "Most probation services are over capacity", "publisher": "BBC News", "date": "2023-01",
                        "url": "https://www.bbc.co.uk/news/uk-64344284", "archive": "documents/05-bbc.txt"},
                 "03": {"title": "Slides", "date": "2023-09-21", "archive": "documents/03-slides.txt"}}
    original = appearance({"document_id": "05", "document_file": "05-bbc.txt"}, documents, "https://example.org/book/")
    assert original["url"] == "https://www.bbc.co.uk/news/uk-64344284"
    assert original["archivedAt"] == "https://example.org/book/_static/documents/05-bbc.html"
    assert original["publisher"]["name"] == "BBC News" and original["datePublished"] == "2023-01"
    archived_only = appearance({"document_id": "03"}, documents, "https://example.org/book/")
    assert archived_only["url"] == "https://example.org/book/_static/documents/03-slides.html" and "archivedAt" not in archived_only
    reviews = claim_reviews([{"id": "a", "verdict": "accurate", "claim": "x", "claimant": "y", "document_id": "05",
                              "document_date": "2023-01"}], page_url("https://example.org/book/", "notebooks/caseload"),
                            "2026-01-01", documents, "https://example.org/book/")
    assert reviews[0]["url"] == "https://example.org/book/notebooks/caseload.html#claim-a"
    assert reviews[0]["author"]["url"] == "https://example.org/book/"
    assert reviews[0]["itemReviewed"]["appearance"]["url"] == "https://www.bbc.co.uk/news/uk-64344284"


def test_an_archived_document_is_a_page_with_one_anchor_per_paragraph():
    from analysis.site import document_page

    page = document_page("First line\n\nA quote here \u2019\n", {"title": "Slides", "publisher": "HMIP", "date": "2023-09-21"},
                         "03-slides.txt")
    assert '<meta charset="utf-8">' in page and 'name="viewport"' in page
    assert '<p class="line" id="p-1"><a class="n" href="#p-1" aria-label="Paragraph 1">1</a>First line</p>' in page
    assert 'id="p-3"' in page and 'id="p-2"' not in page and "A quote here \u2019" in page
    assert "no address where this document can still be read" in page and '<a href="03-slides.txt">' in page


def test_a_claim_links_to_where_its_document_was_published_with_the_archived_copy_beside_it():
    from analysis.pages import document_link

    row = pd.Series({"document_short": "BBC News leaked workload data", "document_id": "05", "document_file": "",
                     "speaker": "BBC News", "claimant": "BBC News", "document_date": "2023-01"})
    line = document_link(row)
    assert '<a href="https://www.bbc.co.uk/news/uk-64344284">BBC News leaked workload data</a>' in line
    assert '(<a href="../_static/documents/05-bbc-leaked-workload-data-2023.html">archived copy</a>)' in line
    # a quote links to the paragraph (line) of the archived copy it begins in
    lines = (ROOT / "data/documents/05-bbc-leaked-workload-data-2023.txt").read_text(encoding="utf-8").split("\n")
    n, words = next((n, text[3:40]) for n, text in enumerate(lines, start=1) if n > 4 and len(text) > 50)
    quoted = document_link(pd.concat([row, pd.Series({"quote": words})]))
    assert f'05-bbc-leaked-workload-data-2023.html#p-{n}">archived copy</a>' in quoted
    slides = document_link(row.copy().replace({"05": "03", "BBC News leaked workload data": "HMIP annual report slides"}))
    assert slides.count("<a ") == 1 and "archived copy" not in slides  # no known address: the archive is the link


def _data_rows():
    return pd.DataFrame({"series_id": ["recall_population", "prison_population_total"], "period": ["2024-06-30", "2024-06-30"],
                         "value": [13000.0, 87000.0], "unit": ["prisoners", "prisoners"],
                         "publisher": ["Ministry of Justice", "Ministry of Justice"],
                         "publication": ["Offender management statistics quarterly", "Prison population figures"],
                         "url": ["https://www.gov.uk/a", "https://www.gov.uk/b"], "source_kind": ["official", "secondary"]})


def test_every_chart_download_has_the_same_columns_with_provenance():
    from analysis.charts import DOWNLOAD_COLUMNS, computed_rows, download_rows

    rows = download_rows(_data_rows(), names={"recall_population": "People in prison on recall"})
    assert list(rows.columns) == DOWNLOAD_COLUMNS
    assert rows.iloc[0].to_dict() == {"date": "2024-06-30", "value": 13000.0, "unit": "prisoners",
                                      "series": "People in prison on recall",
                                      "source": "Ministry of Justice: Offender management statistics quarterly",
                                      "official_or_secondary": "official", "publication_url": "https://www.gov.uk/a"}
    assert rows.iloc[1]["series"] == "Prison population total" and rows.iloc[1]["official_or_secondary"] == "secondary"
    made = computed_rows(["2024-06-30"], [14.9], "percent", "Recall share", "recalls divided by the total")
    assert list(made.columns) == DOWNLOAD_COLUMNS and made.iloc[0]["official_or_secondary"] == "computed by the book"
    assert made.iloc[0]["publication_url"] == "" and list(download_rows().columns) == DOWNLOAD_COLUMNS


def test_a_titled_chart_carries_its_download_and_the_page_shows_it_with_readable_headers():
    import altair as alt

    from analysis.charts import download_name, download_rows, offline_renderer, titled

    chart = alt.Chart(pd.DataFrame({"x": [1, 2], "y": [3, 4]})).mark_line().encode(x="x:Q", y="y:Q")
    with pytest.raises(ValueError, match="download columns"):
        titled(chart, "T", "F", "S", "A", data=pd.DataFrame({"date": ["2024"]}))
    out = offline_renderer(titled(chart, "Recall, England and Wales", "It rose.", "MoJ", "Line chart",
                                  data=download_rows(_data_rows())).to_dict())["text/html"]
    assert "usermeta" not in out  # the rows travel in the download, not twice in the drawn spec
    assert "date%2Cvalue%2Cunit%2Cseries%2Csource%2Cofficial_or_secondary%2Cpublication_url%0A2024-06-30" in out
    assert '<th scope="col">Official or secondary</th>' in out and '<a href="https://www.gov.uk/a">Ministry' in out
    assert download_name("Recall, England and Wales", "vis-0123456789abcdef") == "recall-england-and-wales-01234567"
    assert 'download="recall-england-and-wales-' in out and 'href="_static/charts/vis-' in out


def test_a_chart_image_carries_its_title_source_and_the_site_address():
    from analysis.site import chart_image_spec

    spec = chart_image_spec({"mark": "line", "width": "container"}, "Recall", "It rose.", "Source: MoJ", "https://x.org/book/")
    assert spec["width"] == 640 and spec["title"]["text"] == "Recall"
    assert spec["title"]["subtitle"] == ["It rose.", "Source: MoJ", "https://x.org/book/"]
    assert chart_image_spec({"mark": "bar", "width": 300}, "T", "", "", "https://x.org/")["title"]["subtitle"] == ["https://x.org/"]


def test_a_reason_names_a_series_as_a_reader_would():
    from analysis.figures import series_words

    assert series_words("recall_population") == "people in prison on recall"
    assert series_words("share_staff_over_40_cases_crc").startswith("share of private-company (CRC) staff")
    assert series_words("sds40_not_yet_added") == "sds40 not yet added"  # a series still to be added: its id in words


def test_a_quote_shows_the_documents_words_without_its_bold_marks():
    from analysis.pages import quote_of

    row = pd.Series({"quote": "Just **43 per cent** of the cases", "claim": "x"})
    assert quote_of(row) == "Just 43 per cent of the cases"
    assert quote_of(pd.Series({"quote": "", "claim": "2 * 3 = 6"})) == "2 * 3 = 6"


def test_the_first_use_of_a_glossary_term_is_spelt_out_and_linked_and_no_other():
    from analysis.site import glossary_terms, mark_abbreviations

    terms = glossary_terms("# G\n\n```{glossary}\nPDU\n  Probation Delivery Unit: the local team.\n\n"
                           "HMPPS\n  His Majesty's Prison and Probation Service: the agency.\n\nNapo\n  Napo: the union.\n```\n")
    assert terms == {"PDU": "Probation Delivery Unit", "HMPPS": "His Majesty's Prison and Probation Service", "Napo": "Napo"}
    page = ('<head><title>PDU</title></head><main><h2>PDU scores</h2><p><a href="x">PDU</a> <span hidden>PDU</span> '
            "Two PDUs and HMPPS; another PDU; Napo</p><pre>HMPPS</pre></main><footer>PDU</footer>")
    out = mark_abbreviations(page, terms, "../book/glossary.html")
    assert out.count('class="glossary-term"') == 3
    assert ('Two <a class="glossary-term" href="../book/glossary.html#term-PDU"><abbr title="Probation Delivery Unit">PDU</abbr></a>s'
            in out)
    assert "<h2>PDU scores</h2>" in out and '<a href="x">PDU</a>' in out and "<span hidden>PDU</span>" in out
    assert "another PDU;" in out and "<footer>PDU</footer>" in out and "<abbr>Napo</abbr>" in out
    assert mark_abbreviations("<p>PDU</p>", terms, "g.html") == "<p>PDU</p>"  # no main: nothing marked


def test_a_page_citation_names_author_title_site_edition_address_and_has_bibtex():
    from analysis.site import citation

    out = citation("Probation in Numbers contributors", "Recall", "Probation in Numbers", "2025-06", "2026-12-04",
                   "https://x.org/book/notebooks/recall.html", "notebooks/recall")
    assert ('<span class="cite-text">Probation in Numbers contributors, “Recall”, <em>Probation in Numbers</em>, '
            'edition 2025-06 (published 2026-12-04), <a href="https://x.org/book/notebooks/recall.html">') in out
    assert 'accessed <span class="cite-accessed">(date accessed)</span>' in out and 'class="cite-copy" hidden' in out
    assert "@misc{probation-in-numbers-recall-2025-06,\n  author = {{Probation in Numbers contributors}}," in out
    assert "  url = {https://x.org/book/notebooks/recall.html},\n" in out and "urldate = {}" in out


def test_the_glance_groups_claims_of_one_document_whatever_paragraph_they_link():
    from analysis.pages import _by_source

    a = 'Jones; <a href="../_static/documents/01.html#p-3">Statement</a>'
    b = 'Jones; <a href="../_static/documents/01.html#p-40">Statement</a>'
    out = _by_source([(a, "<li>one</li>"), (b, "<li>two</li>")])
    assert out.count('class="claim-source"') == 1 and '01.html">Statement' in out and "<li>one</li><li>two</li>" in out


def test_a_chapter_table_has_one_header_row_of_words_and_row_headers():
    from analysis.pages import reader_table

    frame = pd.DataFrame({"step": ["officers only", "cases left, per PSO"], "implied cases": [180883.2, 10.4],
                          "against caseload": [-22.04, float("nan")]}).set_index("step")
    out = reader_table(frame, "The reader's arithmetic").markup.replace("\n", "")
    assert out.count("<thead><tr>") == 1 and '<th scope="col">Implied cases</th>' in out and '<th scope="col">Step</th>' in out
    assert '<th scope="row">Officers only</th><td>180,883</td><td>-22.0</td>' in out and "<td>&ndash;</td>" in out
    assert "<th></th>" not in out


def test_a_correction_is_told_once_and_a_wording_change_briefly():
    from analysis.editions import verdict_changed
    from analysis.pages import _correction_note

    records = [{"as_of": a, "corrections": [
        {"date": "2026-12-04", "why": "judged on the year", "claims": [
            {"id": "c", "before": {"verdict": "overstated"}, "after": {"verdict": "accurate"}}]},
        {"date": "2026-12-04", "why": "wording only", "claims": [
            {"id": "c", "before": {"verdict": "accurate"}, "after": {"verdict": "accurate"}}]}]} for a in ("2024-06", "2025-06")]
    changed = verdict_changed(records)
    assert changed == {("c", "judged on the year")}
    found = [(r["as_of"], k["date"], k["why"]) for r in records for k in r["corrections"]]
    note = _correction_note(found, "e.html", {w for cid, w in changed if cid == "c"})
    assert note.count("verdict-history") == 2 and "(editions 2024-06, 2025-06): judged on the year" in note
    assert '<a href="e.html#corrections-2024-06">Reworded</a> on' in note and "wording only" not in note
    assert "wording only" in _correction_note(found, "e.html")  # without the changed set: every correction in full


def test_a_chart_image_is_drawn_once_and_then_copied_from_the_cache(tmp_path, monkeypatch):
    import vl_convert

    from analysis.site import chart_images

    spec = '{"mark": "point", "data": {"values": [{"x": 1}]}, "encoding": {"x": {"field": "x", "type": "quantitative"}}}'
    page = tmp_path / "out" / "notebooks" / "p.html"
    page.parent.mkdir(parents=True)
    text = ('<div class="chart-block" data-chart="vis-0123456789abcdef"><p class="chart-title">T</p>'
            '<p class="chart-download"><a class="chart-image" href="_static/charts/vis-0123456789abcdef.png">PNG</a></p>'
            f"</div>\n<script>\n  var spec = {spec};\n</script>")
    calls = []
    monkeypatch.setattr(vl_convert, "vegalite_to_png", lambda s, scale: calls.append(s) or b"\x89PNG-fake")
    pages = {page: text}
    assert chart_images(pages, tmp_path / "out", "https://x.org/", tmp_path / "cache") == 1
    assert (tmp_path / "out" / "_static/charts/vis-0123456789abcdef.png").read_bytes() == b"\x89PNG-fake"
    assert 'href="../_static/charts/vis-0123456789abcdef.png"' in pages[page]
    assert chart_images({page: text}, tmp_path / "out", "https://x.org/", tmp_path / "cache") == 0 and len(calls) == 1
    assert chart_images({page: text}, tmp_path / "out", "https://y.org/", tmp_path / "cache") == 1  # another address


def test_a_claim_card_links_to_its_quote_in_the_archived_document():
    from analysis.evidence import in_context

    lines = (ROOT / "data/documents/05-bbc-leaked-workload-data-2023.txt").read_text(encoding="utf-8").split("\n")
    n, words = next((n, text[3:40]) for n, text in enumerate(lines, start=1) if n > 4 and len(text) > 50)
    row = pd.Series({"document_file": "05-bbc-leaked-workload-data-2023.txt", "quote": words})
    assert in_context(row) == (f' <a class="in-context" href="../_static/documents/05-bbc-leaked-workload-data-2023.html#p-{n}">'
                               "In context.</a>")
    assert in_context(pd.Series({"document_file": "05-bbc-leaked-workload-data-2023.txt", "quote": "words not there"})) == ""
