"""The built site in Chromium, as a reader sees it: charts drawn, no request off the machine, phone and
desktop widths, accessibility, page weight, search.

These tests only read the session's clean build (`shared_build` in conftest.py); they sit in their
own module so that the test runner can run them beside the build tests.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import re
import shutil
import threading
from pathlib import Path
from urllib.parse import quote

import pytest

from .test_site import CHAPTER_PAGES, PAGES, PAGES_WITHOUT_A_SERIES


@pytest.fixture(scope="module")
def site(shared_build) -> Path:
    return shared_build / "html"


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


#: Pages the accessibility scan reads: one per page template (a hand-written chapter, a chapter made
#: from the template) and every page that differs from them (landing, register, catalogue, methods,
#: editions, and inspections, whose stated-figure charts and score tables are its own).
AXE_PAGES = ["book/index.html", "book/claims-register.html", "book/data-catalogue.html", "book/methods.html",
             "book/editions.html", "notebooks/recall.html", "notebooks/workforce.html",
             "notebooks/inspections.html"]
ROWS_SCANNED = 40

TEXT_PAGE_LIMIT = 300_000    # bytes, gzipped: page plus every local resource a first visit loads
CHAPTER_PAGE_LIMIT = 700_000
WIDTHS = (390, 1280)
#: Page heights (px, as laid out on load, before charts further down are drawn) a page must stay under:
#: the recall page was 26,466 px on a desktop and 46,275 px on a phone when each claim was said three times,
#: 11,778 and 18,912 once each was said once, and 12,303 and 19,842 once its law and IPP claims had verdicts too.
HEIGHT_LIMITS = {"notebooks/recall.html": {390: 20_500, 1280: 12_600}}


def first_visit(browser, url: str, base: str, width: int, watch=None):
    """Open a page as a first visit (a new context: nothing cached) and weigh it: gzipped bytes of
    the page and every local resource it loads (by the load event, and 150 ms after for late ones).
    Returns the context, the page and the weight."""
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    if watch:
        watch(page)
    bodies: list[bytes] = []

    def keep(response):
        if response.url.startswith(base):
            try:
                bodies.append(response.body())
            except Exception:  # a redirect or aborted request has no body
                pass

    page.on("response", keep)
    page.goto(url, wait_until="load")
    page.wait_for_timeout(150)
    page.remove_listener("response", keep)
    return context, page, sum(gzipped_size(b) for b in bodies)


@functools.lru_cache(maxsize=None)
def gzipped_size(body: bytes) -> int:
    """Bytes of a response body gzipped at level 6 (each shared script and stylesheet compressed once)."""
    import gzip

    return len(gzip.compress(body, 6))


def page_problems(page, page_path: str, width: int) -> list[str]:
    """What is wrong with one open page at one width (see the test below)."""
    import json

    problems = []
    where = f"{page_path} at {width} px"
    height = page.evaluate("document.documentElement.scrollHeight")
    if height > HEIGHT_LIMITS.get(page_path, {}).get(width, height):
        problems.append(f"{where}: {height:,} px tall, over {HEIGHT_LIMITS[page_path][width]:,}")
    # nothing the reader has not asked for runs on load: the theme's scripts wait for a first interaction
    if page.evaluate("typeof window.bootstrap !== 'undefined' || !!document.querySelector("
                     "'script[src*=\"pydata-sphinx-theme.js\"]')"):
        problems.append(f"{where}: the theme's scripts loaded before any interaction")
    if page_path in CHAPTER_PAGES and width == WIDTHS[0]:
        # the answer is on the first screen of a phone
        answer = page.locator("p:has(> strong:text-is('The answer.'))").first
        box = answer.bounding_box() if answer.count() else None
        if box is None or box["y"] + box["height"] > page.viewport_size["height"]:
            problems.append(f"{where}: the answer is not on the first screen ({box})")
    if page_path in CHAPTER_PAGES and page_path not in PAGES_WITHOUT_A_SERIES and width == WIDTHS[0]:
        # (charts, their CSV and image are checked on the phone pass; the desktop pass checks layout)
        # charts are drawn as they come near the screen (chart-loader.js): none before, the first once there
        drawn_on_load = page.locator(".vega-chart svg").count()
        first_chart = page.locator(".vega-chart").first
        if first_chart.bounding_box()["y"] > 3 * page.viewport_size["height"] and drawn_on_load:
            problems.append(f"{where}: a chart three screens down was drawn on load")
        first_chart.scroll_into_view_if_needed()
        page.wait_for_selector(".vega-chart svg", timeout=20_000)
        csv_text = page.evaluate("fetch(document.querySelector('.chart-download a').href).then(r => r.text())")
        if len(csv_text.strip().splitlines()) < 3 or "," not in csv_text:
            problems.append(f"{where}: chart CSV is empty")
        if csv_text.splitlines()[0] != "date,value,unit,series,source,official_or_secondary,publication_url":
            problems.append(f"{where}: chart CSV columns {csv_text.splitlines()[0]!r}")
        # the image is drawn at build time and served beside the page: a PNG that opens
        png = page.locator("a.chart-image").first
        kind = page.evaluate("fetch(document.querySelector('a.chart-image').href).then(r => r.ok ? r.headers.get('content-type') : r.status)")
        if not (png.get_attribute("download") or "").endswith(".png") or kind != "image/png":
            problems.append(f"{where}: no chart image download ({kind})")
        if page.locator(".chart-data table caption").count() < 1:
            problems.append(f"{where}: no data table for a chart")
    if page_path in CHAPTER_PAGES:
        ld = [json.loads(t) for t in page.locator('script[type="application/ld+json"]').all_text_contents()]
        reviews = [r for block in ld for r in (block if isinstance(block, list) else [block])]
        rated = page.locator(".verdict-list .verdict-badge:not(.verdict-unverifiable)").count()
        if (rated and not reviews) or not all(valid_claim_review(r, page_path) for r in reviews):
            problems.append(f"{where}: no valid ClaimReview")
        canonical = page.locator('link[rel="canonical"]').get_attribute("href") or ""
        if not canonical.startswith("https://") or not canonical.endswith(page_path):
            problems.append(f"{where}: canonical link {canonical!r}")
    if page_path in CHAPTER_PAGES and width == WIDTHS[0]:
        # the citation: the reader's date accessed filled in, a copy button shown, BibTeX with the same address
        accessed = page.locator(".cite-accessed").first.text_content()
        bibtex = page.locator(".cite-bibtex pre").first.text_content()
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", accessed or "") or f"urldate = {{{accessed}}}" not in bibtex:
            problems.append(f"{where}: citation accessed date {accessed!r}")
        if not page.locator(".cite-copy").first.is_visible() or page_path not in bibtex:
            problems.append(f"{where}: no copy button or BibTeX address")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    if overflow > 1:
        problems.append(f"{where}: scrolls sideways by {overflow} px")
    if not page.locator('meta[name="description"]').count() or not page.locator(".page-meta time").count():
        problems.append(f"{where}: no description or published date")
    return problems


def valid_claim_review(review: dict, page_path: str) -> bool:
    """The fields Google's fact-check markup requires, with absolute addresses: the review's url on this
    page, the claim reviewed, a rating on its 1-5 scale with its words, the reviewer, the date, and where
    the claim appeared."""
    appeared = review["itemReviewed"]["appearance"]
    rating = review["reviewRating"]
    return (review["@type"] == "ClaimReview" and review["url"].startswith("https://")
            and review["url"].split("#")[0].endswith(page_path) and "#claim-" in review["url"]
            and bool(review["claimReviewed"]) and bool(review["author"]["name"]) and bool(review["datePublished"])
            and rating["worstRating"] <= rating["ratingValue"] <= rating["bestRating"] and bool(rating["alternateName"])
            and appeared["url"].startswith(("https://", "http://")) and bool(appeared["name"]))


def axe_problems(page, page_path: str, width: int, axe) -> list[str]:
    """Serious or critical accessibility findings on an open page (it trims the page's tables)."""
    # the rows of one table are the same markup: scan each table's first rows, not all of them
    # (the register's 390 rows alone took 18 s)
    page.evaluate("document.querySelectorAll('tbody').forEach(body => Array.from(body.rows)"
                  ".forEach((row, i) => { if (i >= %d) row.remove(); }))" % ROWS_SCANNED)
    serious = [f"{v['id']} ({len(v['nodes'])})" for v in axe.run(page).response["violations"]
               if v["impact"] in ("serious", "critical")]
    return [f"{page_path} at {width} px: axe {serious}"] if serious else []


def open_chapter_list(browser, base: str, width: int) -> dict:
    """Press the visible menu button of a chapter page at one width and follow a chapter link from the
    list it shows: what was visible before and after, and where the link led."""
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(f"{base}/notebooks/recall.html")
    link = 'a.reference[href$="community-sentences.html"]'
    before = page.locator(link).first.is_visible()
    buttons = page.locator("button.primary-toggle:visible")
    seen = {"buttons": buttons.count(), "before": before}
    buttons.first.click()  # the theme's scripts load on this first click (theme-loader.js), then take it
    page.wait_for_timeout(300)
    page.wait_for_function("() => window.bootstrap !== undefined", timeout=10_000)
    page.wait_for_timeout(200)
    seen["after"] = page.locator(link).first.is_visible() or page.locator(f"dialog[open] {link}").count() > 0
    seen["dialog_open"] = page.evaluate("!!document.querySelector('#pst-primary-sidebar-modal[open]')")
    if seen["dialog_open"]:
        page.locator(f"dialog[open] {link}").first.click()
        page.wait_for_load_state()
        seen["followed"] = page.url.endswith("notebooks/community-sentences.html")
    page.close()
    return seen


@pytest.fixture(scope="module")
def browsed(site) -> dict:
    """Every page opened once at 390 px as a first visit (weighed, scanned) and once at 1280 px, with
    every request and script error logged; the tests below assert on what was seen."""
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium")
    assert chromium, "Debian's chromium is required (.ci/run installs it)"
    axe = Axe()
    seen = {"problems": [], "weights": {}, "requests": [], "errors": [], "charts": {}, "badges": {}, "console": [],
            "failed": []}

    scanning = []  # non-empty while axe-core runs: what it loads and logs is the tool's, not the page's

    def watch(page):
        page.on("request", lambda r: seen["requests"].append(r.url))
        page.on("pageerror", lambda e: seen["errors"].append(f"{page.url}: {e}"))
        page.on("console", lambda m: m.type in ("error", "warning") and not scanning
                and seen["console"].append(f"{page.url}: {m.text}"))
        page.on("response", lambda r: r.status >= 400 and not scanning and seen["failed"].append(f"{r.url}: {r.status}"))

    with serve(site) as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        phone, desktop = WIDTHS
        for page_path in PAGES:
            context, page, seen["weights"][page_path] = first_visit(browser, f"{base}/{page_path}", base, phone, watch)
            if page_path != "index.html":  # it only redirects to book/index.html
                seen["problems"] += page_problems(page, page_path, phone)
                if page_path in AXE_PAGES:
                    scanning.append(page_path)
                    seen["problems"] += axe_problems(page, page_path, phone, axe)
                    scanning.clear()
            if page_path in CHAPTER_PAGES:
                seen["charts"][page_path] = page.locator(".vega-chart svg").count()
                seen["badges"][page_path] = page.locator(".verdict-badge").count()
            context.close()
        page = browser.new_page(viewport={"width": desktop, "height": 900})
        watch(page)
        for page_path in PAGES[1:]:
            page.goto(f"{base}/{page_path}")
            seen["problems"] += page_problems(page, page_path, desktop)
        page.goto(f"{base}/book/claims-register.html")
        page.select_option("#filter-verdict", "accurate")
        seen["register_filtered"] = (page.locator("#register-claims tbody tr:visible").count(),
                                     page.locator("#register-claims tbody tr").count())
        seen["menu"] = {width: open_chapter_list(browser, base, width) for width in WIDTHS}
        browser.close()
    seen["base"] = base
    return seen


def test_chapter_pages_render_charts_in_chromium_with_no_off_machine_request(browsed):
    for chapter in CHAPTER_PAGES:
        if chapter not in PAGES_WITHOUT_A_SERIES:
            assert browsed["charts"][chapter] >= 1, chapter
        assert browsed["badges"][chapter] >= 1, chapter
    shown, total = browsed["register_filtered"]
    assert 0 < shown < total
    base = browsed["base"]
    assert any(u.endswith("vega-bundle.js") or "vega-bundle.js?" in u for u in browsed["requests"])
    off = [u for u in browsed["requests"] if not u.startswith(base) and not u.startswith("data:")]
    assert off == [] and browsed["errors"] == []


def test_the_chapter_list_opens_from_the_menu_button_on_a_phone_and_a_desktop(browsed):
    phone, desktop = (browsed["menu"][w] for w in WIDTHS)
    # on a phone the list is hidden until the one visible menu button opens it, and its links work
    assert phone["buttons"] == 1 and not phone["before"]
    assert phone["dialog_open"] and phone["after"] and phone["followed"]
    # on a desktop the list is shown beside the page, and the button folds it away
    assert desktop["buttons"] == 1 and desktop["before"] and not desktop["after"]


def test_no_page_logs_an_error_or_misses_a_file(browsed):
    """Every page at both widths: no console error or warning (the theme's "invalid theme mode" was one
    on every page) and no request answered 404 (a missing favicon was one)."""
    assert browsed["console"] == [], "\n".join(browsed["console"])
    assert browsed["failed"] == [], "\n".join(browsed["failed"])


def test_every_page_reads_on_a_phone_and_a_desktop(browsed):
    """At 390 and 1280 px: no sideways scroll, charts drawn with CSV and table, valid JSON-LD,
    no serious or critical axe-core violation (on AXE_PAGES), and first-visit weights under the targets.

    The phone pass is each page's first visit (weighed); the desktop pass reuses one tab."""
    problems = list(browsed["problems"])
    assert set(AXE_PAGES) <= set(PAGES)
    for page_path, weight in browsed["weights"].items():
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
        # a figure in the forms speakers write it finds the claim on its chapter page, links to the claim
        # itself, and shows its words (never the hidden search forms) as the snippet
        for query, chapter, claim, words in (("71,000", "community-sentences", "cs-2023-about-71000", "c71,000"),
                                             ("c71,000", "community-sentences", "cs-2023-about-71000", "c71,000"),
                                             ("238,264", "caseload-mix", "mix-2023-06-238264", "238,264"),
                                             ("£600m", "recall", "recall-cost-600m", "c£600m"),
                                             ("17 per cent", "recall", "recall-2024-09-share-17", "17 per cent")):
            page.goto(f"{base}/search.html?q={quote(query)}")
            link = page.wait_for_selector(f'#search-results a[href$="notebooks/{chapter}.html#claim-{claim}"]', timeout=20_000)
            snippet = link.evaluate("a => a.parentNode.querySelector('p.context').textContent")
            assert not re.search(r"\bnum\d", snippet), (query, snippet)
            assert words in snippet, (query, snippet)
        page.goto(f"{base}/book/claims-register.html")
        total = page.locator("#register-claims tbody tr").count()
        page.fill("#filter-text", "12,199")
        shown = page.locator("#register-claims tbody tr:visible").count()
        assert 0 < shown < total, (shown, total)
        assert "q=12%2C199" in page.url, page.url
        assert f"Showing {shown} of {shown} matching claims ({total} in the register)" in \
            page.inner_text("#register-count")
        page.goto(page.url)  # the address restores the view
        assert page.locator("#register-claims tbody tr:visible").count() == shown
        # the register lays out its first page of claims; "Show more" adds the next; a link to a later claim shows it
        from analysis.pages import REGISTER_PAGE

        page.goto(f"{base}/book/claims-register.html")
        visible = lambda: page.locator("#register-claims tbody tr:visible").count()  # noqa: E731
        assert visible() == REGISTER_PAGE < total
        assert f"Showing {REGISTER_PAGE} of {total} claims." in page.inner_text("#register-count")
        page.click("#register-more")
        assert visible() == 2 * REGISTER_PAGE
        last = page.locator("#register-claims tbody tr").last.get_attribute("id")
        page.goto(f"{base}/book/claims-register.html#{last}")           # a link followed within the page
        assert page.locator(f"#{last}").is_visible() and visible() == 2 * REGISTER_PAGE + 1
        page.goto("about:blank")
        page.goto(f"{base}/book/claims-register.html#{last}")           # and arriving from elsewhere
        assert page.locator(f"#{last}").is_visible() and visible() == REGISTER_PAGE + 1
        # a reader without script gets every row
        bare = browser.new_context(java_script_enabled=False).new_page()
        bare.goto(f"{base}/book/claims-register.html")
        assert bare.locator("#register-claims tbody tr:visible").count() == total
        browser.close()
