"""Build the book and check it as a reader would see it: offline, with glued numbers and charts.

One module builds the site once (into a temporary folder) and every test here reads it.
"""

from __future__ import annotations

import contextlib
import filecmp
import functools
import hashlib
import http.server
import re
import shutil
import subprocess
import sys
import tarfile
import threading
from pathlib import Path

import pytest

from analysis.pipeline import BuildError, build, load_chapters

from .conftest import ROOT, set_value

CHAPTER_PAGES = [f"notebooks/{c.name}.html" for c in load_chapters() if c.name != "register"]
#: Chapters none of whose claims has an official series in data/ yet (the inspectorate's own
#: case-sample findings): they show tables of the publisher's figures, and no chart.
PAGES_WITHOUT_A_SERIES: set[str] = set()   # every chapter page has a chart
PAGES = ["index.html", "book/index.html", "book/claims-register.html", "book/data-catalogue.html",
         "book/methods.html", "book/editions.html", *CHAPTER_PAGES]



@pytest.fixture(scope="module")
def build_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("build")


@pytest.fixture(scope="module")
def site(build_dir) -> Path:
    return build(build_dir=build_dir, force=True, echo=lambda *_: None)


def test_every_page_is_built(site):
    for page in PAGES:
        assert (site / page).is_file(), page


OFF_MACHINE = [
    re.compile(r"<script[^>]+src=[\"']?(https?:)?//", re.I),
    re.compile(r"<link[^>]+href=[\"']?(https?:)?//[^>]*>", re.I),
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
    assert "verdict-counts" in html and "cannot be verified" in html


@contextlib.contextmanager
def serve(folder: Path):
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync", "--disable-quic"]


def test_chapter_pages_render_charts_in_chromium_with_no_off_machine_request(site):
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium")
    assert chromium, "Debian's chromium is required (.ci/run installs it)"
    requests: list[str] = []
    with serve(site) as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.on("request", lambda r: requests.append(r.url))
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        for chapter in CHAPTER_PAGES:
            page.goto(f"{base}/{chapter}")
            if chapter not in PAGES_WITHOUT_A_SERIES:
                page.wait_for_selector(".vega-chart svg", timeout=20_000)
                assert page.locator(".vega-chart svg").count() >= 1, chapter
            assert page.locator(".verdict-badge").count() >= 1, chapter
        page.goto(f"{base}/book/claims-register.html")
        page.select_option("#filter-verdict", "accurate")
        shown = page.locator("#register-claims tbody tr:visible").count()
        total = page.locator("#register-claims tbody tr").count()
        assert 0 < shown < total
        browser.close()
    off = [u for u in requests if not u.startswith(base) and not u.startswith("data:")]
    assert off == [] and errors == []


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
    from analysis.pipeline import execute_notebook, load_chapters

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

TEXT_PAGE_LIMIT = 300_000    # bytes, gzipped: page plus every local resource a first visit loads
CHAPTER_PAGE_LIMIT = 700_000
WIDTHS = (390, 1280)


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


def first_visit_weight(browser, url: str, base: str) -> int:
    """Gzipped bytes of a page and every local resource a fresh visit loads."""
    import gzip

    context = browser.new_context()
    page = context.new_page()
    bodies: list[bytes] = []

    def keep(response):
        if response.url.startswith(base):
            try:
                bodies.append(response.body())
            except Exception:  # a redirect or aborted request has no body
                pass

    page.on("response", keep)
    page.goto(url, wait_until="load")
    page.wait_for_timeout(300)
    context.close()
    return sum(len(gzip.compress(b, 6)) for b in bodies)


def test_every_page_reads_on_a_phone_and_a_desktop(site):
    """At 390 and 1280 px: no sideways scroll, charts drawn with CSV and table, valid JSON-LD,
    no serious or critical axe-core violation, and first-visit weights under the targets."""
    import json

    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import sync_playwright

    axe = Axe()
    problems: list[str] = []
    weights: dict[str, int] = {}
    with serve(site) as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
        for page_path in PAGES:
            weights[page_path] = first_visit_weight(browser, f"{base}/{page_path}", base)
        for width in WIDTHS:
            page = browser.new_page(viewport={"width": width, "height": 900})
            for page_path in PAGES[1:]:  # index.html only redirects to book/index.html
                page.goto(f"{base}/{page_path}")
                where = f"{page_path} at {width} px"
                if page_path in CHAPTER_PAGES and page_path not in PAGES_WITHOUT_A_SERIES:
                    page.wait_for_selector(".vega-chart svg", timeout=20_000)
                    csv_text = page.evaluate("fetch(document.querySelector('.chart-download a').href).then(r => r.text())")
                    if len(csv_text.strip().splitlines()) < 3 or "," not in csv_text:
                        problems.append(f"{where}: chart CSV is empty")
                    png = page.wait_for_selector('.chart-image:not([hidden]) a[href^="data:image/png"]', timeout=20_000)
                    if not (png.get_attribute("download") or "").endswith(".png"):
                        problems.append(f"{where}: no chart image download")
                    if page.locator(".chart-data table caption").count() < 1:
                        problems.append(f"{where}: no data table for a chart")
                if page_path in CHAPTER_PAGES:
                    ld = [json.loads(t) for t in page.locator('script[type="application/ld+json"]').all_text_contents()]
                    reviews = [r for block in ld for r in (block if isinstance(block, list) else [block])]
                    rated = page.locator(".verdict-list .verdict-badge:not(.verdict-unverifiable)").count()
                    if (rated and not reviews) or not all(r["@type"] == "ClaimReview" and r["claimReviewed"]
                                                          and 1 <= r["reviewRating"]["ratingValue"] <= 5 for r in reviews):
                        problems.append(f"{where}: no valid ClaimReview")
                overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                if overflow > 1:
                    problems.append(f"{where}: scrolls sideways by {overflow} px")
                if not page.locator('meta[name="description"]').count() or not page.locator(".page-meta time").count():
                    problems.append(f"{where}: no description or published date")
                if width == WIDTHS[0]:
                    serious = [f"{v['id']} ({len(v['nodes'])})" for v in axe.run(page).response["violations"]
                               if v["impact"] in ("serious", "critical")]
                    if serious:
                        problems.append(f"{where}: axe {serious}")
            page.close()
        browser.close()
    for page_path, weight in weights.items():
        limit = CHAPTER_PAGE_LIMIT if page_path in CHAPTER_PAGES else TEXT_PAGE_LIMIT
        if weight > limit:
            problems.append(f"{page_path}: first visit {weight:,} bytes gzipped, over {limit:,}")
    assert problems == [], "\n".join(problems)


def test_search_and_register_find_a_claim_by_its_figure(site):
    from playwright.sync_api import sync_playwright

    with serve(site) as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
        page = browser.new_page()
        for query in ("12,199", "12199"):
            page.goto(f"{base}/search.html?q={query}")
            page.wait_for_selector("#search-results li", timeout=20_000)
            assert "recall" in page.locator("#search-results").inner_text().lower(), query
        page.goto(f"{base}/book/claims-register.html")
        total = page.locator("#register-claims tbody tr").count()
        page.fill("#filter-text", "12,199")
        shown = page.locator("#register-claims tbody tr:visible").count()
        assert 0 < shown < total, (shown, total)
        assert "q=12%2C199" in page.url, page.url
        assert f"{shown} of {total}" in page.inner_text("#register-count")
        page.goto(page.url)  # the address restores the view
        assert page.locator("#register-claims tbody tr:visible").count() == shown
        browser.close()
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
    from analysis.updates import load_editions

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
