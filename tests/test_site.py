"""Build the book and check it as a reader would see it: offline, with glued numbers and charts.

The session builds the site once (`shared_build` in conftest.py); this module works on a copy of it.
"""

from __future__ import annotations

import filecmp
import io
import hashlib
import html
import re
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pandas as pd
import pytest

from analysis.params import load_chapters
from analysis.pipeline import BuildError, build

from .conftest import ROOT, copy_build, set_value

CHAPTER_PAGES = [f"notebooks/{c.name}.html" for c in load_chapters() if c.name != "register"]
#: Chapters none of whose claims has an official series in data/ yet (the inspectorate's own
#: case-sample findings): they show tables of the publisher's figures, and no chart.
PAGES_WITHOUT_A_SERIES: set[str] = set()   # every chapter page has a chart
PAGES = ["index.html", "book/index.html", "book/claims-register.html", "book/data-catalogue.html",
         "book/methods.html", "book/editions.html", *CHAPTER_PAGES]



@pytest.fixture(scope="module")
def build_dir(tmp_path_factory, shared_build) -> Path:
    """This module's own copy of the session's clean build (some tests here build in it again)."""
    return copy_build(shared_build, tmp_path_factory.mktemp("site") / "build")


@pytest.fixture(scope="module")
def site(build_dir) -> Path:
    return build_dir / "html"


def test_every_page_is_built(site):
    for page in PAGES:
        assert (site / page).is_file(), page


OFF_MACHINE = [
    re.compile(r"<script[^>]+src=[\"']?(https?:)?//", re.I),
    # (a canonical link names the page's own address; a browser never fetches it)
    re.compile(r"<link(?![^>]*rel=[\"']?canonical)[^>]+href=[\"']?(https?:)?//[^>]*>", re.I),
    re.compile(r"<(img|iframe|source|video|audio|embed)[^>]+src=[\"']?(https?:)?//", re.I),
    re.compile(r"@import\s+(url\()?[\"']?(https?:)?//", re.I),
    re.compile(r"url\(\s*[\"']?(https?:)?//", re.I),
    # CDN, font and analytics hosts anywhere in a page, stylesheet or script (e.g. in inline config)
    re.compile(r"unpkg\.com|cdn\.jsdelivr|cdnjs\.cloudflare|fonts\.(googleapis|gstatic)|googletagmanager|plausible\.io", re.I),
]


def test_no_page_or_stylesheet_loads_anything_off_the_machine(site):
    offenders = []
    for path in site.rglob("*"):
        if path.suffix not in {".html", ".css", ".js"}:
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        for pattern in OFF_MACHINE:
            for match in pattern.finditer(text):
                offenders.append(f"{path.relative_to(site)}: {match.group(0)[:120]}")
    assert offenders == []


def test_the_scan_would_catch_a_cdn_script(tmp_path):
    page = tmp_path / "x.html"
    page.write_text('<script src="https://cdn.jsdelivr.net/npm/vega@5"></script>')
    assert any(p.search(page.read_text()) for p in OFF_MACHINE)
    assert any(p.search('<link rel="stylesheet" href="https://fonts.example.org/a.css">') for p in OFF_MACHINE)
    assert not any(p.search('<link rel="canonical" href="https://example.org/book/x.html" />') for p in OFF_MACHINE)


def test_vega_bundle_is_vendored(site):
    bundle = site / "_static" / "vega-bundle.js"
    assert bundle.stat().st_size > 500_000
    assert "window.vegaEmbed" in bundle.read_text()
    assert "vega-bundle.js" in (site / CHAPTER_PAGES[0]).read_text()
    text_page = (site / "book/methods.html").read_text()
    assert "vega-bundle.js" not in text_page and "searchindex.js" not in text_page and "fontawesome.js" not in text_page


def test_every_table_header_has_a_scope(site):
    bare = [f"{p.relative_to(site)}: {m.group(0)}" for p in site.rglob("*.html")
            for m in re.finditer(r"<th(?![^>]*scope)[\s>]", p.read_text(encoding="utf-8"))]
    assert bare == []


def test_recall_page_shows_glued_figures_and_verdict_box(site):
    html = (site / "notebooks/recall.html").read_text()
    assert 'class="verdict-box"' in html and "verdict-badge" in html
    assert "12,199" in html and "87,726" in html       # official figures glued from data/
    assert "30 June 2024" in html
    assert "Crime and Disorder Act 1998" in html      # the Act is marked on the chart
    assert "injected-parameters" not in html and "base_year =" not in html


def test_landing_page_glues_verdict_counts(site):
    html = (site / "book/index.html").read_text()
    assert "verdict-counts" in html
    # no single "cannot be verified" badge: each claim without a verdict is counted under what it waits for
    from analysis.claims import assess_claims
    from analysis.editions import read_edition
    from analysis.pages import label_counts
    from analysis.verdicts import LABELS

    assessed = assess_claims(read_edition())
    counts = label_counts(assessed)
    for text in LABELS.values():
        assert re.search(re.escape(f"{text}</span></td>") + r"\s*" + re.escape(f"<td>{counts[text]}</td>"), html), text
    assert sum(counts.values()) == len(assessed) and counts[LABELS["not_in_book"]] > 0


def test_second_build_reexecutes_nothing(site, build_dir):
    lines: list[str] = []
    build(build_dir=build_dir, echo=lines.append)
    assert not any("executing" in line for line in lines), lines
    assert any("site up to date" in line for line in lines), lines


def test_two_clean_builds_give_identical_html(site, build_dir, tmp_path):
    """A second site built in a new folder from the same executed notebooks is byte for byte the same.

    (That re-executing a notebook gives the same outputs is what nbval checks on every notebook.)
    """
    again = tmp_path / "again"
    shutil.copytree(build_dir / "executed", again / "executed")
    shutil.copytree(build_dir / "cache", again / "cache")
    other = build(build_dir=again, echo=lambda *_: None)
    assert not (again / "html" / "index.html").samefile(site / "index.html")
    htmls = sorted(p.relative_to(site) for p in site.rglob("*.html"))
    assert htmls == sorted(p.relative_to(other) for p in other.rglob("*.html"))
    _, mismatch, errors = filecmp.cmpfiles(site, other, [str(p) for p in htmls], shallow=False)
    assert mismatch == [] and errors == []


def test_parameters_change_the_page(tmp_path):
    """Overrides as `build --param` takes them reach the notebook: executed alone, as the build executes it
    (the site build around it is tested by the other tests here)."""
    from analysis.params import load_chapters
    from analysis.pipeline import execute_notebook

    recall = next(c for c in load_chapters(["recall.base_year=2014", "as_of=2025-03"]) if c.name == "recall")
    assert recall.parameters["base_year"] == 2014 and recall.parameters["as_of"] == "2025-03"
    out = tmp_path / "recall.ipynb"
    execute_notebook(str(recall.notebook), str(out), recall.parameters)
    text = out.read_text()
    assert "30 June 2014" in text and "5,260" in text    # base year figure, from data
    assert "31 March 2025" in text                      # the latest figure moves with as_of


def test_invalid_data_leaves_the_last_good_site(site, build_dir, data_copy):
    before = (site / "notebooks/recall.html").read_bytes()
    set_value(data_copy / "recall_population.csv", "recall_population", "2024-06-30", "-1", "official")
    with pytest.raises(BuildError, match=r"recall_population.csv, row \d+, column 'value'"):
        build(build_dir=build_dir, force=True, echo=lambda *_: None)
    assert (site / "notebooks/recall.html").read_bytes() == before


def test_notebook_failure_names_notebook_and_cell_and_keeps_site(site, build_dir):
    before = (site / "notebooks/recall.html").read_bytes()
    with pytest.raises(BuildError, match=r"notebooks/recall.ipynb failed in cell \d+ .*LookupError"):
        build(["recall.as_of=1990-01"], build_dir=build_dir, echo=lambda *_: None)
    assert (site / "notebooks/recall.html").read_bytes() == before


# ---- Readers' checks (issue 12): phone and desktop widths, weight, reuse, sharing, accessibility.

def test_search_index_holds_every_figure_in_its_number_forms(site):
    index = (site / "searchindex.js").read_text()
    for token in ("num12199", "num17", "num87726"):
        assert f'"{token}"' in index, token


def test_register_and_data_downloads_are_in_the_site(site):
    import csv
    import json
    import zipfile

    folder = site / "_static" / "data"
    rows = list(csv.DictReader((folder / "claims-register.csv").open(encoding="utf-8")))
    records = json.loads((folder / "claims-register.json").read_text(encoding="utf-8"))
    assert len(rows) == len(records) > 100
    assert {"id", "claim", "verdict", "reason"} <= set(rows[0])
    assert any(r["id"] == "recall-2024-06-12199" for r in records)
    names = zipfile.ZipFile(folder / "probation-in-numbers-data.zip").namelist()
    assert "data/datapackage.json" in names and "data/recall_population.csv" in names


def test_every_internal_link_and_anchor_holds(site):
    from analysis.linkcheck import broken_links

    assert broken_links(site) == []


def test_the_link_check_fails_on_a_planted_broken_link(site, tmp_path):
    from analysis.linkcheck import broken_links

    copy = tmp_path / "site"
    shutil.copytree(site, copy)
    page = copy / "book" / "editions.html"
    page.write_text(page.read_text().replace("</body>", '<a href="claims-register.html#register-no-such-claim">x</a></body>'))
    problems = broken_links(copy)
    assert len(problems) == 1 and "no id 'register-no-such-claim' in book/claims-register.html" in problems[0]


def test_every_page_states_the_code_and_data_licences(site):
    pages = [p for p in site.rglob("*.html") if p.relative_to(site).parts[0] not in {"_static", "_sources"}]
    assert len(pages) >= len(PAGES)
    for page in pages:
        text = page.read_text()
        if 'http-equiv="Refresh"' in text:   # the root redirect page has no body
            continue
        assert "Code: MIT Licence" in text and "Open Government Licence v3.0" in text, page
        assert "Open Parliament Licence" in text, page


def test_landing_and_editions_pages_name_the_current_edition(site):
    from analysis.editions import load_editions

    current = load_editions(ROOT / "data")[-1]["as_of"]
    month = f"{__import__('pandas').Period(current, freq='M').strftime('%B %Y')}"
    landing = (site / "book" / "index.html").read_text()
    assert f"This is edition {current}, which reports official data up to {month}" in landing
    editions = (site / "book" / "editions.html").read_text()
    assert f'id="edition-{current}"' in editions and f"Edition {current}" in editions
    assert 'href="editions.html"' in landing


def test_make_dist_archives_the_built_site(site, build_dir):
    out = subprocess.run([sys.executable, "-m", "analysis", "dist", "--build-dir", str(build_dir), "--edition", "test"],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    archive = build_dir / "dist" / "probation-in-numbers-test.tar.gz"
    digest = hashlib.sha256(archive.read_bytes()).hexdigest()
    assert (build_dir / "dist" / "probation-in-numbers-test.tar.gz.sha256").read_text().split()[0] == digest
    with tarfile.open(archive) as tar:
        assert "probation-in-numbers-test/book/editions.html" in tar.getnames()


def test_community_page_answers_its_question_first(site):
    """The answer (verdict and the figures either side) comes before the verdict box, and is the page's description."""
    import re

    from analysis.claims import load_register

    page = (site / "notebooks" / "community-sentences.html").read_text()
    body = page[page.index("<main"):]
    start = body.index("The answer.")
    answer = re.sub(r"<[^>]+>", "", body[start:body.index("Verdicts at a glance", start)])
    args = next(c for c in load_register()["claims"] if c["id"] == "cs-more-than-halved")["official"]["args"]
    assert "Verdict on the claim: accurate" in answer and "not confirmed" in answer
    assert "year to June 2022" in answer and "year to June 2024" in answer and f"half of {args['start']}" in answer
    assert len(re.findall(r"\d{2},\d{3}", answer)) >= 3   # the three figures, glued from data/
    description = re.search(r'<meta name="description" content="([^"]*)"', page).group(1)
    assert description.startswith("The answer. Yes, on the figures either side")


def test_no_chapter_page_shows_a_figure_from_beyond_the_editions_month(site):
    """data/ already holds quarters after as_of (a secondary parse ahead of the official tables): no chapter
    page may show them.  Each value held only beyond the month, in the form a page prints it, is looked for."""
    import csv

    import pandas as pd

    from analysis.editions import in_reach, read_edition

    as_of = read_edition().as_of
    rows = []
    for path in sorted((ROOT / "data").glob("*.csv")):
        with open(path, encoding="utf-8", newline="") as fh:
            rows += [r for r in csv.DictReader(fh) if r.get("period") and r.get("value", "").replace(".", "").isdigit()]
    from analysis.meaning import PROJECTION_WORDS

    # a plan or forecast for a later year, published by the edition's month, is what was known then, not a later quarter
    known = [r for r in rows if PROJECTION_WORDS.search(r.get("note", "")) and r.get("date_published", "")[:7] <= as_of]
    reach = {id(r) for r in in_reach(rows, as_of)} | {id(r) for r in known}
    inside = {r["value"] for r in rows if id(r) in reach}
    beyond = {f"{float(r['value']):,.0f}" for r in rows
              if id(r) not in reach and r["value"] not in inside and float(r["value"]) >= 10000}
    assert "13,193" in beyond and "258,332" in beyond               # the later quarters this test is about
    text = {page: re.sub(r"<[^>]+>", " ", (site / page).read_text()) for page in CHAPTER_PAGES}
    # a claim may state or quote one of these numbers itself; only the book's own figures count
    from analysis.claims import load_register

    words = " ".join(f"{c.get('quote', '')} {c['claim']} {c['stated'].get('text', '')}"
                     for c in load_register()["claims"])
    stated = {v for v in beyond if v in words}
    shown = {(page, v) for page, t in text.items() for v in beyond - stated if v in t}
    assert shown == set(), f"figures after {pd.Period(as_of, freq='M')} on chapter pages: {sorted(shown)}"


def test_every_chapter_answers_its_question_first_and_the_landing_page_answers_three(site):
    """The first paragraph under each chapter's title is its answer (also the page's description), naming
    a figure and a verdict; the landing page answers the three headline questions with their figures."""
    from analysis.verdicts import Verdict

    words = [v.value for v in Verdict]
    for page in CHAPTER_PAGES:
        text = (site / page).read_text()
        body = text[text.index("</h1>"):]
        first = re.sub(r"<[^>]+>", "", re.search(r"<p>(.*?)</p>", body, re.S).group(1))
        assert first.startswith("The answer."), (page, first[:80])
        assert re.search(r"\d", first) and any(w in first for w in words), (page, first[:200])
        description = re.search(r'<meta name="description" content="([^"]*)"', text).group(1)
        assert description.startswith("The answer."), (page, description[:80])
    landing = (site / "book" / "index.html").read_text()
    block = landing[landing.index('class="headline-answers"'):landing.index("</ul>", landing.index("headline-answers"))]
    items = re.findall(r"<li>(.*?)</li>", block, re.S)
    assert len(items) == 3
    for item, page in zip(items, ["recall", "community-sentences", "caseload"]):
        plain = re.sub(r"<[^>]+>", "", item)
        assert f'href="../notebooks/{page}.html"' in item and re.search(r"\d{2}", plain), plain[:120]
        assert any(f": {w}." in plain for w in words), plain[:200]


def test_no_page_shows_a_placeholder_or_a_day_without_its_preposition(site):
    """The cite line and Open Graph name the book, not the theme's "Project name not set"; a count on a day
    reads "on 31 December 1996", not "in 31 December 1996"; no word is doubled ("50 cases cases"); no missing value
    reads "nan"."""
    wrong = re.compile(r"Project name not set|\bin (?:30|31) (?:March|June|September|December) \d{4}|\b([a-z]+) \1\b"
                       r"|\b(?:nan|NaN)\b")
    block = re.compile(r"</?(?:p|li|td|th|tr|div|h\d|dt|dd|br|caption|table|ul|ol)\b[^>]*>")

    def text(page):  # a block ends a run of words; an inline tag (a glued figure's span) does not
        return re.sub(r"<[^>]+>", "", block.sub("\n", page.read_text()))

    # (the archived source documents are the documents' own words, kept as captured)
    found = {str(p.relative_to(site)): wrong.findall(text(p)) for p in site.rglob("*.html") if "_static/documents" not in p.as_posix()}
    assert {p: hits for p, hits in found.items() if hits} == {}


def test_every_chart_on_a_page_has_its_own_element_id(site):
    """The same evidence chart under two claims used to share one id, and the second stayed blank."""
    import collections

    for page in CHAPTER_PAGES:
        ids = re.findall(r'class="vega-chart" id="([^"]+)"', (site / page).read_text())
        assert [i for i, n in collections.Counter(ids).items() if n > 1] == [], page
        drawn = re.findall(r'window\.bookCharts = window\.bookCharts \|\| \{\}\)\["([^"]+)"\]', (site / page).read_text())
        assert sorted(drawn) == sorted(ids), page


def test_every_chart_download_has_the_same_columns_a_unique_name_and_an_image(site):
    """Each chart's CSV has the book's download columns and a row per figure with its source and its kind;
    no two charts share a file name; each chart's PNG is in the site and the page links it."""
    from urllib.parse import unquote

    from analysis.charts import DOWNLOAD_COLUMNS

    names, kinds = {}, set()
    for page in site.rglob("*.html"):
        text = page.read_text()
        for uri, name in re.findall(r'<a href="data:text/csv;charset=utf-8,([^"]*)" download="([^"]+)">', text):
            lines = unquote(uri).splitlines()
            assert lines[0] == ",".join(DOWNLOAD_COLUMNS), (page.name, name, lines[0])
            body = pd.read_csv(io.StringIO(unquote(uri)), dtype=str, keep_default_na=False)
            assert len(body) and (body["source"] != "").all() and (body["value"] != "").all(), (page.name, name)
            kinds |= set(body["official_or_secondary"])
            names.setdefault(name, set()).add(uri)
        for href in re.findall(r'<a class="chart-image" href="([^"]+)"', text):
            assert (page.parent / href).resolve().read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", (page.name, href)
    assert len(names) >= 15 and {n: len(u) for n, u in names.items() if len(u) > 1} == {}
    assert {"official", "secondary", "computed by the book"} <= kinds


#: What a broken page shows a reader: markdown or a role the build left as text, a heading with nothing
#: under it, a numbered figure with nothing in it, a table pandas cut short.
LEFT_AS_TEXT = re.compile(r"\*\*|(?<![\w/])__\w|\]\(|\{glue[:}]|\{(?:ref|numref|doc)\}`|```")
EMPTY_SECTION = re.compile(r"<section[^>]*>\s*<h(\d)[^>]*>(.*?)</h\1>\s*</section>", re.S)
FIGURE = re.compile(r"<figure\b.*?</figure>", re.S)
CUT_TABLE = re.compile(r"<td>\s*(?:\.\.\.|…)\s*</td>|\d+ rows × \d+ columns")


def page_breakages(text: str) -> list[str]:
    """The broken pieces on one built page, each named (an empty list for a sound page)."""
    body = text[text.find("<main"):text.rfind("</main>")] if "<main" in text else text
    words = re.sub(r"<script\b.*?</script>|<style\b.*?</style>|<pre\b.*?</pre>|<code\b.*?</code>", "", body, flags=re.S)
    words = html.unescape(re.sub(r"<[^>]+>", " ", words))
    found = [f"left as text: {m.group(0)!r} in ...{words[max(0, m.start() - 40):m.end() + 20]!r}"
             for m in LEFT_AS_TEXT.finditer(words)]
    found += [f"empty section: {re.sub(r'<[^>]+>', '', m.group(2)).strip()!r}" for m in EMPTY_SECTION.finditer(body)]
    found += [f"empty figure: {re.sub(r'<[^>]+>', ' ', f)[:80]!r}" for f in FIGURE.findall(body)
              if not re.search(r'class="vega-chart"|<img\b|<table\b|<svg\b', f)]
    found += [f"table cut short: {m.group(0)!r}" for m in CUT_TABLE.finditer(body)]
    ids = re.findall(r'\bid="([^"]+)"', text)
    found += [f"duplicate id: {i!r}" for i in sorted({i for i in ids if ids.count(i) > 1})]
    return found


def test_the_build_check_finds_each_broken_piece_on_a_planted_page():
    planted = ('<main><p>A **bold** claim</p><section id="s"><h2>Sources</h2></section>'
               '<figure><p class="no-series">none</p></figure><table><tr><td>...</td></tr></table>'
               '<div id="x"></div><div id="x"></div></main>')
    kinds = [p.split(":")[0] for p in page_breakages(planted)]
    assert sorted(set(kinds), key=kinds.index) == ["left as text", "empty section", "empty figure", "table cut short", "duplicate id"]
    sound = ('<main><p>5 × 3 = 15; a_b__c</p><section id="s"><h2>Sources</h2><p>x</p></section>'
             '<figure><div class="vega-chart" id="v"></div></figure><pre>**kept**</pre></main>')
    assert page_breakages(sound) == []


def test_no_built_page_shows_a_broken_piece(site):
    found = {str(p.relative_to(site)): page_breakages(p.read_text()) for p in site.rglob("*.html")
             if "_static/documents" not in p.as_posix()}  # the archived documents are kept as captured
    assert {p: hits for p, hits in found.items() if hits} == {}


def test_every_chapter_with_a_chart_shares_its_first_chart_as_its_image(site):
    """og:image is the chapter's first chart, drawn at build time, at the site's address; the image is in the site."""
    import yaml

    base = yaml.safe_load((ROOT / "_config.yml").read_text())["html"]["baseurl"].rstrip("/") + "/"
    for page in CHAPTER_PAGES:
        text = (site / page).read_text()
        first = re.search(r'class="vega-chart" id="(vis-[0-9a-f]+)"', text)
        image = re.search(r'<meta property="og:image" content="([^"]+)"', text)
        if first is None:
            assert image is None, page
            continue
        assert image and image.group(1) == f"{base}_static/charts/{first.group(1)}.png", page
        assert (site / image.group(1).removeprefix(base)).read_bytes()[:4] == b"\x89PNG", page
        assert 'name="twitter:card" content="summary_large_image"' in text, page
