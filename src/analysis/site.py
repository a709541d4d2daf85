"""A small Sphinx extension for the book's pages: light, shareable, citable, reusable.

- scripts: nothing blocks the first paint: the theme's Bootstrap and pydata scripts load on the
  reader's first touch, click or key (`theme-loader.js`), and the vega bundle only on pages with
  a chart, when the first chart comes near the screen (`chart-loader.js`); no Font Awesome script
  (its CSS and font draw the few icons); Sphinx's search scripts and index only on the
  search page, where `number-search.js` lets a reader search for a figure;
- head: a page description, Open Graph tags, and on chapter pages schema.org ClaimReview
  JSON-LD for every rated claim;
- foot of every page: the published date, the data-as-of month and a "cite this page" line;
- files: the register as CSV and JSON, the data package as one zip, and the archived
  source documents, written into the built site's `_static` folder.

Nothing here judges a claim: the register notebook publishes the judged register
(`analysis.outputs`), and the build stages it for this stage to read.

The build writes `_site.json` (published date, as-of month) into the staged sources.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
import shutil
import zipfile
from pathlib import Path

from .charts import wrap
from .claims import load_register
from .outputs import REGISTER_CSV, REGISTER_JSON, staged_register
from .pages import VERDICT_RATING, archived_page, quote_of
from .paths import data_dir

SITE_FILE = "_site.json"
VEGA = "vega-bundle.js"
NAV_FIX = "nav-fix.js"
#: Fills in the date accessed in a page's citation and copies it.
CITE = "cite.js"
#: Loads the theme's Bootstrap and pydata-sphinx-theme scripts on the reader's first touch, click or key.
THEME_LOADER = "theme-loader.js"
#: Fetches the Vega bundle and draws each chart when it comes near the screen.
CHART_LOADER = "chart-loader.js"
#: Small scripts the page needs only after it is read: deferred, so none blocks the first paint.
#: (Not sphinx-book-theme.js: it binds the first menu button at DOMContentLoaded, after nav-fix.js has removed
#: the hidden duplicates; deferred, it would run before nav-fix and bind the hidden one.)
DEFERRED = ("doctools.js", "sphinx_highlight.js", "togglebutton.js", "clipboard.min.js", "copybutton.js",
            "design-tabs.js")
#: The script objects are shared by every page, so these are deferred in the written HTML of every page
#: but the search page (where searchtools.js, loaded in order, needs doctools.js first).
DEFERRABLE = re.compile(r'<script src="([^"]*_static/(?:%s)[^"]*)"></script>' % "|".join(re.escape(n) for n in DEFERRED))
THEME_SCRIPT = re.compile(r'\s*<script defer src="([^"]*_static/scripts/(?:bootstrap|pydata-sphinx-theme)\.js[^"]*)">'
                          r"</script>")
THEME_PRELOAD = re.compile(r'\s*<link rel="preload" as="script" href="[^"]*_static/scripts/'
                           r'(?:bootstrap|pydata-sphinx-theme)\.js[^"]*" />')
LOADER_TAG = re.compile(r'<script defer="defer" src="([^"]*_static/theme-loader\.js[^"]*)"></script>')
#: Before the first paint, "auto" is read as the reader's system preference (the theme's script, which
#: would do it, now loads on first interaction).
AUTO_THEME = ('document.documentElement.dataset.theme = localStorage.getItem("theme") || "auto";')
RESOLVED_THEME = ('document.documentElement.dataset.theme = (function (t) { return t !== "auto" ? t : '
                  '(window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light"); '
                  '})(localStorage.getItem("theme") || "auto");')
SEARCH_ONLY = ("searchtools.js", "language_data.js", "searchindex.js", "number-search.js")
DROP = ("register.js",)  # loaded by the register table's own markup
#: Scripts only pages with code cells or toggles use.
CODE_ONLY = ("clipboard.min.js", "copybutton.js")
TOGGLE_ONLY = ("togglebutton.js",)
TABS_ONLY = ("design-tabs.js",)
FONTAWESOME = re.compile(r'\s*<script defer src="[^"]*_static/scripts/fontawesome\.js[^"]*"></script>')
SCROLLING_TABLE = re.compile(r'<table((?![^>]*tabindex)[^>]*class="[^"]*(?:dataframe|verdict-table|chart-table))')
THEAD = re.compile(r"<thead>.*?</thead>", re.S)
TBODY = re.compile(r"<tbody>.*?</tbody>", re.S)
BARE_TH = re.compile(r"<th(?![^>]*scope)([\s>])")
SEARCH_TAG = re.compile(r'\s*<script src="[^"]*(searchtools\.js|language_data\.js|searchindex\.js)[^"]*"></script>')


def site_settings(srcdir: str) -> dict:
    path = Path(srcdir) / SITE_FILE
    return json.loads(path.read_text()) if path.is_file() else {}


def rating(record: dict) -> int | None:
    """The claim's rating on schema.org's 1-5 scale: the record's own, else from the verdict."""
    value = record.get("rating")
    if value is not None and value == value:  # not NaN
        return int(value)
    return VERDICT_RATING.get(record.get("verdict"))


def page_url(base: str, pagename: str) -> str:
    """A page's absolute address from the configured site address: ('https://x.org/book/', 'notebooks/recall')
    -> 'https://x.org/book/notebooks/recall.html'.  Refused (ValueError) when the address is not absolute."""
    if not re.match(r"^https?://[^/]+", base or ""):
        raise ValueError(f"_config.yml: html.baseurl must be the site's absolute address (https://...), not {base!r}")
    return base.rstrip("/") + "/" + pagename + ".html"


def appearance(record: dict, documents: dict, site: str) -> dict:
    """Where the claim appeared, as schema.org wants it: the document's own address where the register
    holds one (`url`), else the book's archived copy of it; its title, publisher and date."""
    doc = documents.get(str(record.get("document_id", "")), {})
    archived = site.rstrip("/") + "/_static/documents/" + archived_page(str(record.get("document_file") or Path(str(doc.get("archive", ""))).name))
    found = {"@type": "CreativeWork", "name": record.get("document") or doc.get("title"),
             "url": doc.get("url") or archived, "datePublished": str(doc.get("date") or record.get("document_date"))}
    if doc.get("publisher"):
        found["publisher"] = {"@type": "Organization", "name": doc["publisher"]}
    if doc.get("url"):
        found["archivedAt"] = archived
    return found


def claim_reviews(records: list[dict], url: str, published: str, documents: dict | None = None,
                  site: str = "") -> list[dict]:
    """schema.org ClaimReview objects for every rated claim (`url`: the chapter page's absolute address;
    `site`: the site's own, for the reviewer and the archived copies)."""
    reviews = []
    for r in records:
        value = rating(r)
        if value is None:
            continue
        speaker = r.get("speaker") or r.get("claimant")
        reviews.append({
            "@context": "https://schema.org",
            "@type": "ClaimReview",
            "url": f"{url}#claim-{r['id']}",
            "datePublished": published,
            "author": {"@type": "Organization", "name": "Probation in Numbers", **({"url": site} if site else {})},
            "claimReviewed": quote_of(r),
            "itemReviewed": {
                "@type": "Claim",
                "author": {"@type": "Person" if speaker and "BBC" not in speaker else "Organization", "name": speaker},
                "datePublished": str(r.get("claimed_at") or r.get("document_date")),
                "appearance": appearance(r, documents or {}, site or url),
            },
            "reviewRating": {"@type": "Rating", "ratingValue": value, "bestRating": 5, "worstRating": 1,
                             "alternateName": r.get("label") or r.get("verdict")},
        })
    return reviews


def description(body: str, limit: int = 200) -> str:
    """The first paragraph of the page as plain text, cut at a word before `limit` characters."""
    match = re.search(r"<p>(.*?)</p>", body, re.S)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", match.group(1) if match else "")).strip()
    text = html.unescape(text)
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + "…"


def page_context(app, pagename, templatename, context, doctree):
    body = context.get("body", "") or ""
    scripts = context.get("script_files")
    if scripts is not None:
        kept = []
        for script in scripts:
            name = str(getattr(script, "filename", script))
            if name.endswith(DROP) or (name.endswith(SEARCH_ONLY) and pagename != "search"):
                continue
            if ((name.endswith(CODE_ONLY) and "highlight" not in body) or (name.endswith(TOGGLE_ONLY) and "toggle" not in body)
                    or (name.endswith(TABS_ONLY) and "sd-tab" not in body)):
                continue
            if name.endswith(NAV_FIX) or name.endswith(THEME_LOADER) or name.endswith(CITE):
                script.attributes["defer"] = "defer"  # after the page is parsed; nav-fix before the theme binds
            if name.endswith(VEGA):
                continue  # fetched by chart-loader.js when the first chart comes near the screen
            if name.endswith(CHART_LOADER):
                if 'class="vega-chart"' not in body:
                    continue
                script.attributes["defer"] = "defer"
                script.attributes["data-vega"] = context["pathto"]("_static/" + VEGA, 1)
            kept.append(script)
        context["script_files"][:] = kept
    settings = site_settings(app.srcdir)
    title = re.sub(r"<[^>]+>", "", context.get("title", "") or "")
    site = app.config.project or "Probation in Numbers"
    text = description(body) or site
    address = page_url(app.config.html_baseurl, pagename)
    tags = [f'<meta name="description" content="{html.escape(text)}">',
            f'<meta property="og:url" content="{html.escape(address)}">',
            f'<meta property="og:title" content="{html.escape(title)}">',
            f'<meta property="og:description" content="{html.escape(text)}">',
            '<meta property="og:type" content="article">',
            f'<meta property="og:site_name" content="{html.escape(site)}">',
            '<meta name="twitter:card" content="summary">']
    first_chart = CHART_BLOCK.search(body)
    if first_chart:  # the chapter's first chart, drawn at the end of the build (chart_images)
        image = app.config.html_baseurl.rstrip("/") + f"/{CHART_IMAGES}/{first_chart.group(1)}.png"
        tags[-1] = '<meta name="twitter:card" content="summary_large_image">'
        tags.append(f'<meta property="og:image" content="{html.escape(image)}">')
    published = settings.get("published", "")
    if pagename.startswith("notebooks/") and pagename != "notebooks/register":
        chapter = pagename.split("/", 1)[1]
        records = [r for r in register_records(app) if r["chapter"] == chapter]
        reviews = claim_reviews(records, address, published, load_register()["documents"], app.config.html_baseurl)
        if reviews:
            payload = json.dumps(reviews, ensure_ascii=False, sort_keys=True).replace("</", "<\\/")
            tags.append(f'<script type="application/ld+json">{payload}</script>')
    context["metatags"] = context.get("metatags", "") + "\n".join(tags)
    if body and pagename != "search":
        context["body"] = body + citation(app.config.author or site, title, site, settings.get("as_of", ""),
                                          published, address, pagename)


def citation(author: str, title: str, site: str, as_of: str, published: str, address: str, pagename: str) -> str:
    """The page's foot: published date and data month, and a citation in the style of Our World in Data
    (author, title, site, edition, address, date accessed) with a copy button and the same as BibTeX.
    The reader's browser fills in the date accessed (`cite.js`); without script it reads "date accessed"."""
    e = html.escape
    accessed = '<span class="cite-accessed">(date accessed)</span>'
    cite = (f"{e(author)}, “{e(title)}”, <em>{e(site)}</em>, edition {e(as_of)} (published {e(published)}), "
            f'<a href="{e(address)}">{e(address)}</a>, accessed {accessed}.')
    key = re.sub(r"[^a-z0-9]+", "-", f"{site} {pagename.rsplit('/', 1)[-1]} {as_of}".lower()).strip("-")
    bibtex = (f"@misc{{{key},\n  author = {{{{{author}}}}},\n  title = {{{title}}},\n  howpublished = {{{site}}},\n"
              f"  edition = {{{as_of}}},\n  year = {{{published[:4]}}},\n  url = {{{address}}},\n"
              f"  note = {{Published {published}; data as of {as_of}}},\n  urldate = {{}}\n}}")
    return (f'<div class="page-meta"><p>Published <time datetime="{e(published)}">{e(published)}</time>; '
            f"data as of {e(as_of)} (the latest month of official data reported).</p>"
            f'<p class="cite-this">Cite this page: <span class="cite-text">{cite}</span> '
            '<button type="button" class="cite-copy" hidden>Copy the citation</button></p>'
            f'<details class="cite-bibtex"><summary>Cite as BibTeX</summary><pre>{e(bibtex)}</pre></details></div>')


def deterministic_zip(target: Path, files: list[tuple[Path, str]]) -> None:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        for path, name in sorted(files, key=lambda f: f[1]):
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, path.read_bytes())


def register_records(app) -> list[dict]:
    """The judged register as the register notebook published it (read once per build)."""
    if not hasattr(app, "_book_register"):
        folder = staged_register(Path(app.srcdir))
        app._book_register = json.loads((folder / REGISTER_JSON).read_text(encoding="utf-8"))
    return app._book_register


def write_downloads(srcdir: Path, outdir: Path) -> None:
    """The register as CSV and JSON (as the register notebook published them), the data package
    as a zip, and the archived documents."""
    folder = outdir / "_static" / "data"
    folder.mkdir(parents=True, exist_ok=True)
    register = staged_register(srcdir)
    for name in (REGISTER_CSV, REGISTER_JSON):
        shutil.copyfile(register / name, folder / name)
    data = data_dir()
    files = [(p, "data/" + p.relative_to(data).as_posix()) for p in data.rglob("*") if p.is_file()]
    deterministic_zip(folder / "probation-in-numbers-data.zip", files)
    docs = outdir / "_static" / "documents"
    docs.mkdir(parents=True, exist_ok=True)
    for path in (data / "documents").glob("*"):
        if path.is_file():
            (docs / path.name).write_bytes(path.read_bytes())
    for doc in load_register()["documents"].values():
        file = Path(str(doc.get("archive", ""))).name
        if file and (data / "documents" / file).is_file():
            page = document_page((data / "documents" / file).read_text(encoding="utf-8"), doc, file)
            (docs / archived_page(file)).write_text(page, encoding="utf-8")


DOCUMENT_STYLE = ("body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;max-width:42em;margin:0 auto;"
                  "padding:1em;line-height:1.55;font-size:1.05rem;color:#222;background:#fff}"
                  "header{border-bottom:1px solid #ccc;margin-bottom:1em}h1{font-size:1.3rem;line-height:1.3}"
                  "p.line{margin:0.5em 0;white-space:pre-wrap;overflow-wrap:anywhere}"
                  "a.n{color:#666;font-size:0.8em;margin-right:0.5em;text-decoration:none}"
                  "p.line:target{background:#fff3b0;outline:2px solid #c90}"
                  "@media (prefers-color-scheme:dark){body{background:#111;color:#ddd}a{color:#8cf}a.n{color:#999}"
                  "p.line:target{background:#443}}")


def document_page(text: str, doc: dict, file: str) -> str:
    """An archived document as a page a phone reads: its title, publisher, date and original address, then
    each line of the archived text as a paragraph with its own anchor (`#p-N`, N the line number), so a
    claim links to the paragraph its quote begins in."""
    e = html.escape
    title = str(doc.get("title", file))
    original = doc.get("url")
    lines = [f'<p class="line" id="p-{n}"><a class="n" href="#p-{n}" aria-label="Paragraph {n}">{n}</a>{e(line)}</p>'
             for n, line in enumerate(text.split("\n"), start=1) if line.strip()]
    source = (f'<p>First published at <a href="{e(original)}">{e(original)}</a>.</p>' if original else
              "<p>The book holds no address where this document can still be read: this copy is the record.</p>")
    return ("<!DOCTYPE html>\n"
            f'<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{e(title)} (archived copy)</title><style>{DOCUMENT_STYLE}</style></head><body>"
            f"<header><p>Probation in Numbers: archived copy of a source document</p><h1>{e(title)}</h1>"
            f"<p>{e(str(doc.get('publisher', '')))}, {e(str(doc.get('date', '')))}.</p>{source}"
            f'<p>The text as captured for the book, quoted for criticism and review; the plain text is '
            f'<a href="{e(file)}">{e(file)}</a>. Each paragraph is numbered and can be linked to.</p></header>'
            f"<main>{''.join(lines)}</main></body></html>\n")


CHART_BLOCK = re.compile(r'<div class="chart-block" data-chart="(vis-[0-9a-f]+)">.*?</script>', re.S)


def unique_chart_ids(text: str) -> str:
    """A chart shown twice on a page (the same evidence under two claims) gets its own element id the
    second time ("vis-...-2"), so both are drawn and the page's ids stay unique."""
    seen: dict[str, int] = {}

    def renumber(match):
        chart = match.group(1)
        seen[chart] = seen.get(chart, 0) + 1
        return match.group(0) if seen[chart] == 1 else match.group(0).replace(chart, f"{chart}-{seen[chart]}")

    return CHART_BLOCK.sub(renumber, text)


EMPTY_FIGURE = re.compile(r'<figure[^>]*>(?:(?!</figure>).)*?class="no-series".*?</figure>\s*', re.S)
FIGURE_NUMBER = re.compile(r'<span class="caption-number">Fig\. \d+ </span>')


def drop_empty_figures(text: str) -> str:
    """A section with no series to draw shows no figure: the numbered "Fig. N" that would only say
    "no official series holds these figures" is removed (each claim card already says what would settle
    it), and the figures left are numbered 1, 2, 3 in page order."""
    if 'class="no-series"' not in text:
        return text
    text = EMPTY_FIGURE.sub("", text)
    count = iter(range(1, 1000))
    return FIGURE_NUMBER.sub(lambda m: f'<span class="caption-number">Fig. {next(count)} </span>', text)


def lazy_theme_scripts(text: str) -> str:
    """Hand the theme's two scripts to theme-loader.js (loaded on first interaction) instead of loading
    them with the page, and read the "auto" colour mode before the first paint."""
    sources = THEME_SCRIPT.findall(text)
    if not sources or not LOADER_TAG.search(text):
        return text
    text = THEME_PRELOAD.sub("", THEME_SCRIPT.sub("", text))
    loader = LOADER_TAG.sub(lambda m: f'<script defer="defer" src="{m.group(1)}" data-load="{" ".join(sources)}"></script>',
                            text, count=1)
    return loader.replace(AUTO_THEME, RESOLVED_THEME)


CHART_PARTS = re.compile(r'<div class="chart-block" data-chart="(?P<id>vis-[0-9a-f]+(?:-\d+)?)">'
                         r'<p class="chart-title">(?P<title>.*?)</p>(?:<p class="chart-finding">(?P<finding>.*?)</p>)?'
                         r'(?:(?!</script>).)*?(?:<p class="chart-source">(?P<source>.*?)</p>)?<p class="chart-download">'
                         r'(?:(?!</script>).)*?var spec = (?P<spec>\{.*?\});\n', re.S)
#: Where each chart's image is written (`_static/charts/<element id>.png`); the page links it beside the CSV.
CHART_IMAGES = "_static/charts"


def to_root(page: Path, outdir: Path) -> str:
    """The relative address from a built page back to the site's root: '.' for a top-level page, '..' one down."""
    return Path(*[".."] * (len(page.relative_to(outdir).parts) - 1)).as_posix()


def chart_image_spec(spec: dict, title: str, finding: str, source: str, site: str) -> dict:
    """A chart's spec for its image: a fixed width, its title, finding and source line above it, and the
    site's address under them, so the picture carries where it came from when it is shared alone."""
    spec = dict(spec)
    if spec.get("width") == "container":
        spec["width"], spec["autosize"] = 640, {"type": "fit-x", "contains": "padding"}
    lines = [line for line in [finding, *wrap(source, 100), site] if line]
    spec["title"] = {"text": title, "subtitle": lines, "anchor": "start", "fontSize": 16, "subtitleFontSize": 12}
    spec.setdefault("background", "white")
    spec["padding"] = 12
    return spec


def chart_images(pages: dict[Path, str], outdir: Path, site: str, cache: Path | None = None) -> int:
    """Draw every chart on the built pages as a PNG in `_static/charts` (vl-convert, on this machine) and point
    each page's image link at it.  An image already drawn for the same spec, words and address is copied from
    `cache` instead (a key of what it shows), so a rebuild draws only what changed.  Returns the number drawn."""
    import vl_convert  # heavy: the PNG renderer, loaded only at the end of a build

    folder = outdir / CHART_IMAGES
    folder.mkdir(parents=True, exist_ok=True)
    if cache:
        cache.mkdir(parents=True, exist_ok=True)
    done, drawn = set(), 0
    for page, text in pages.items():
        for match in CHART_PARTS.finditer(text):
            chart = match.group("id")
            if chart in done:
                continue
            words = {k: html.unescape(re.sub(r"<[^>]+>", "", match.group(k) or "")) for k in ("title", "finding", "source")}
            spec = chart_image_spec(json.loads(match.group("spec")), words["title"], words["finding"], words["source"], site)
            key = hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()[:24]
            kept = cache / f"{key}.png" if cache else None
            if kept and kept.is_file():
                image = kept.read_bytes()
            else:
                image = vl_convert.vegalite_to_png(spec, scale=1.5)
                drawn += 1
                if kept:  # written whole, then moved in: two builds may share the folder
                    part = kept.with_name(f"{kept.name}.{os.getpid()}.part")
                    part.write_bytes(image)
                    os.replace(part, kept)
            (folder / f"{chart}.png").write_bytes(image)
            done.add(chart)
        pages[page] = text.replace(f'href="{CHART_IMAGES}/', f'href="{to_root(page, outdir)}/{CHART_IMAGES}/')
    return drawn


GLOSSARY_PAGE = "book/glossary"
GLOSSARY_BLOCK = re.compile(r"```\{glossary\}\n(.*?)\n```", re.S)
GLOSSARY_ENTRY = re.compile(r"^(\S[^\n]*)\n[ \t]+([^\n]+)", re.M)


def glossary_terms(markdown: str) -> dict[str, str]:
    """{term: what it stands for} from the glossary page's `{glossary}` block: each term on its own line, its
    meaning indented under it, the words before the first colon being what the term stands for."""
    block = GLOSSARY_BLOCK.search(markdown)
    if not block:
        raise ValueError(f"{GLOSSARY_PAGE}.md: no {{glossary}} block")
    return {term.strip(): meaning.split(":", 1)[0].strip() for term, meaning in GLOSSARY_ENTRY.findall(block.group(1))}


#: Elements whose text is not marked: links, code, scripts, the head, hidden search tokens, and headings
#: (a heading's term is marked in the text under it).
UNMARKED = {"a", "abbr", "code", "pre", "script", "style", "title", "head", "dt", "h1", "h2", "h3", "h4", "h5", "h6",
            "textarea", "button", "svg", "q", "summary", "label", "select", "option", "legend"}
#: An element acting as a control: a link inside it would be a control inside a control.
CONTROL = re.compile(r"""\srole=["']?(?:button|tab|link|checkbox|option|switch|menuitem)|\shidden(?:\s|=|$)""")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)([^>]*)>|<!--.*?-->", re.S)


def mark_abbreviations(text: str, terms: dict[str, str], glossary: str) -> str:
    """The first use of each glossary term in the page's main text (a plural 's' allowed) becomes a link to its
    glossary entry holding an `<abbr>` that spells it out; later uses, and text in links, code, headings,
    quotes, controls (a summary, a button) and hidden elements, are left as they are."""
    start, end = text.find("<main"), text.rfind("</main>")
    if start < 0 or not terms:
        return text
    pattern = re.compile(r"\b(%s)(s?)\b" % "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)))
    seen: set[str] = set()
    stack: list[bool] = []

    def mark(segment: str) -> str:
        def one(m):
            term = m.group(1)
            if term in seen:
                return m.group(0)
            seen.add(term)
            title = f' title="{html.escape(terms[term], quote=True)}"' if terms[term] != term else ""
            return (f'<a class="glossary-term" href="{glossary}#term-{term}"><abbr{title}>{term}</abbr></a>'
                    f"{m.group(2)}")
        return pattern.sub(one, segment)

    out, pos = [], start
    for tag in TAG.finditer(text, start, end):
        segment = text[pos:tag.start()]
        out.append(segment if any(stack) else mark(segment))
        out.append(tag.group(0))
        pos = tag.end()
        closing, name = tag.group(1), (tag.group(2) or "").lower()
        if not name or name in VOID or tag.group(3).rstrip().endswith("/"):
            continue
        if closing:
            if stack:
                stack.pop()
        else:
            stack.append(name in UNMARKED or bool(CONTROL.search(tag.group(3))))
    out.append(text[pos:end] if any(stack) else mark(text[pos:end]))
    return text[:start] + "".join(out) + text[end:]


def build_finished(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    written = {page: page.read_text(encoding="utf-8") for page in outdir.rglob("*.html")}
    pages = {page: drop_empty_figures(unique_chart_ids(lazy_theme_scripts(FONTAWESOME.sub("", text))))
             for page, text in written.items()}
    cache = site_settings(app.srcdir).get("chart_images")
    chart_images(pages, outdir, app.config.html_baseurl, Path(cache) if cache else None)
    terms = glossary_terms((Path(app.srcdir) / f"{GLOSSARY_PAGE}.md").read_text(encoding="utf-8"))
    for page in pages:
        name = page.relative_to(outdir).with_suffix("").as_posix()
        if name not in (GLOSSARY_PAGE, "search", "genindex") and 'class="glossary-term"' not in pages[page]:
            pages[page] = mark_abbreviations(pages[page], terms, f"{to_root(page, outdir)}/{GLOSSARY_PAGE}.html")
    for page, text in written.items():
        new = pages[page]
        # regions that scroll sideways on a phone must be reachable by keyboard
        new = new.replace('<div class="verdict-box', '<div tabindex="0" class="verdict-box')
        new = SCROLLING_TABLE.sub(r'<table tabindex="0"\1', new)
        new = THEAD.sub(lambda m: BARE_TH.sub(r'<th scope="col"\1', m.group(0)), new)
        new = TBODY.sub(lambda m: BARE_TH.sub(r'<th scope="row"\1', m.group(0)), new)
        if page.name != "search.html" or page.parent != outdir:
            new = SEARCH_TAG.sub("", new)
            new = DEFERRABLE.sub(r'<script defer="defer" src="\1"></script>', new)
        if new != text:
            page.write_text(new, encoding="utf-8")
    write_downloads(Path(app.srcdir), outdir)


def setup(app):
    app.connect("html-page-context", page_context, priority=900)
    app.connect("build-finished", build_finished)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
