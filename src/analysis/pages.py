"""Pieces of a chapter page: verdict badges, the verdict box, and the published-vs-ours table.

These return HTML (for notebook outputs the book renders as they are) and plain strings
for glue.  Verdict badges always show the verdict word, never colour alone.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from urllib.parse import urlparse

import pandas as pd

from .claims import assess_claims, load_register, verdict_counts
from .editions import changes_between, corrections_by_claim, verdict_changed, verdict_history
from .official_data import series_names
from .paths import data_dir
from .formatting import NOT_HELD, figure, missing, month_text
from .verdicts import LABELS, MEANINGS, Verdict, rules_table

#: CSS class per verdict (colours in book/_static/verdicts.css).
BADGE_CLASS = {
    Verdict.ACCURATE.value: "verdict-accurate",
    Verdict.APPROXIMATELY_RIGHT.value: "verdict-approx",
    Verdict.OVERSTATED.value: "verdict-over",
    Verdict.UNDERSTATED.value: "verdict-under",
    Verdict.WRONG.value: "verdict-wrong",
    Verdict.MISLEADING.value: "verdict-misleading",
    Verdict.UNVERIFIABLE.value: "verdict-unverifiable",
}


#: The end of a block element followed directly by another tag.  Sphinx's search index strips tags
#: without leaving a space, so "as stated</span></p><span hidden>12199" would index "stated12199";
#: a line break after each block keeps every word (and every figure) a word of its own.
BLOCK_END = re.compile(r"(</(?:p|li|ul|ol|div|td|th|tr|thead|tbody|table|caption|summary|details|blockquote|h[1-6])>)(?=<)")


def spaced(markup: str) -> str:
    """The markup with a line break after every block element that another tag follows (see BLOCK_END)."""
    return BLOCK_END.sub("\\1\n", markup)


class HTML:
    """Minimal rich-display wrapper: renders as HTML in the book, text elsewhere.  The markup is `spaced`, so
    the site search indexes each word and figure on its own."""

    def __init__(self, markup: str, text: str):
        self.markup, self.text = spaced(markup), text

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"text/html": self.markup, "text/plain": self.text}


def reader_table(frame: pd.DataFrame, caption: str, row_headers: int = 1) -> HTML:
    """A table as a reader reads it: one header row of words (a header's first letter capitalised, no index
    rows), the first `row_headers` columns as row headers (capitalised too), numbers with thousands separators, a figure not
    given shown as a dash.  For the tables a chapter shows beside its prose (pandas' own table has an index
    header row and raw column names)."""
    flat = frame.reset_index() if any(name is not None for name in frame.index.names) else frame
    heads = [str(c)[:1].upper() + str(c)[1:] for c in flat.columns]

    def cell(value) -> str:
        if value is None or (isinstance(value, float) and value != value):
            return "&ndash;"
        if isinstance(value, float):
            return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.1f}"
        return html.escape(str(value))

    def row_head(value) -> str:
        text = cell(value)
        return text[:1].upper() + text[1:]

    body = "".join("<tr>" + "".join((f'<th scope="row">{row_head(v)}</th>' if i < row_headers else f"<td>{cell(v)}</td>")
                                    for i, v in enumerate(row)) + "</tr>" for row in flat.itertuples(index=False))
    head = "".join(f'<th scope="col">{html.escape(h)}</th>' for h in heads)
    text = "\n".join(" | ".join(str(v) for v in row) for row in flat.itertuples(index=False))
    return HTML(f'<table class="verdict-table reader-table"><caption>{html.escape(caption)}</caption>'
                f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>", f"{caption}\n{text}")


#: A symbol per verdict, so verdicts differ without colour (the word is always shown too).
BADGE_SYMBOL = {
    Verdict.ACCURATE.value: "\u2713",            # check mark
    Verdict.APPROXIMATELY_RIGHT.value: "\u2248", # almost equal
    Verdict.OVERSTATED.value: "\u2191",          # up arrow
    Verdict.UNDERSTATED.value: "\u2193",         # down arrow
    Verdict.WRONG.value: "\u2717",               # ballot x
    Verdict.MISLEADING.value: "!",
    Verdict.UNVERIFIABLE.value: "?",
}

#: Rating on schema.org's 1-5 scale per verdict (None: not rated).
VERDICT_RATING = {
    Verdict.ACCURATE.value: 5,
    Verdict.APPROXIMATELY_RIGHT.value: 4,
    Verdict.MISLEADING.value: 3,
    Verdict.OVERSTATED.value: 2,
    Verdict.UNDERSTATED.value: 2,
    Verdict.WRONG.value: 1,
    Verdict.UNVERIFIABLE.value: None,
}


#: Each label of a claim without a verdict has a badge class of its own (colours in verdicts.css).
LABEL_CLASS = {text: "label-" + key.replace("_", "-") for key, text in LABELS.items()}


def badge(verdict: str, label: str = "") -> str:
    """A verdict badge: a symbol and the word itself, styled by class.  A claim without a verdict wears
    its label instead ("not yet checked: the book lacks the table", "pledge: due later", ...)."""
    if label in LABEL_CLASS:
        return (f'<span class="verdict-badge {BADGE_CLASS[verdict]} {LABEL_CLASS[label]}"><span aria-hidden="true">'
                f"{BADGE_SYMBOL[verdict]} </span>{html.escape(label)}</span>")
    return (f'<span class="verdict-badge {BADGE_CLASS[verdict]}"><span aria-hidden="true">{BADGE_SYMBOL[verdict]} </span>'
            f"{html.escape(verdict)}</span>")


def label(row) -> str:
    """The label a judged claim wears (its verdict, or what stands in the way)."""
    return str(row.get("label") or row["verdict"])


def chapter_name(chapter: str) -> str:
    """A readable chapter name from its register key: 'community-sentences' -> 'Community sentences'."""
    return chapter.replace("-", " ").capitalize()


def document_files() -> dict[str, str]:
    """The archived file of each source document, by document id."""
    return {key: Path(str(doc.get("archive", ""))).name for key, doc in load_register()["documents"].items()}


def archived_page(file: str) -> str:
    """The archived copy a reader opens: the plain-text file as an HTML page ('05-bbc.txt' -> '05-bbc.html'),
    written by the build (`site.document_page`) with one anchor per paragraph."""
    return Path(file).with_suffix(".html").name if file else ""


_ARCHIVES: dict[tuple[str, float], str] = {}


def quote_paragraph(file: str, quote: str) -> int | None:
    """The paragraph (line) of the archived document where the quote begins, counting from 1, or None when
    the file or the quote is not there."""
    path = data_dir() / "documents" / file
    if not file or not quote or not path.is_file():
        return None
    key = (str(path), path.stat().st_mtime)
    if key not in _ARCHIVES:
        _ARCHIVES[key] = path.read_text(encoding="utf-8")
    at = _ARCHIVES[key].find(quote)
    return None if at < 0 else _ARCHIVES[key].count("\n", 0, at) + 1


def archived_link(file: str, quote: str = "", prefix: str = "../") -> str:
    """The address of a document's archived page, at the line its quote begins on when the quote is found
    there ('../_static/documents/05-bbc.html#p-12'); empty when there is no archived file."""
    if not file:
        return ""
    paragraph = quote_paragraph(file, quote)
    return f"{prefix}_static/documents/{html.escape(archived_page(file))}" + (f"#p-{paragraph}" if paragraph else "")


def document_link(row: pd.Series, prefix: str = "../") -> str:
    """The claim's source line: who, and a link to the document where the claim was made: to where it was
    published when the register holds that address, with the book's archived copy beside it as the fallback."""
    name = html.escape(row["document_short"])
    document_id = str(row.get("document_id", ""))
    file = row.get("document_file") or document_files().get(document_id, "")
    original = row.get("document_url")
    if original is None:  # a row made without the register's document fields
        original = load_register()["documents"].get(document_id, {}).get("url", "")
    archived = archived_link(file, str(row.get("quote") or ""), prefix)
    if original:
        name = f'<a href="{html.escape(original)}">{name}</a>' + (f' (<a href="{archived}">archived copy</a>)' if archived else "")
    elif archived:
        name = f'<a href="{archived}">{name}</a>'
    return f"{html.escape(str(row.get('speaker') or row['claimant']))}; {name} ({html.escape(str(row['document_date']))})"


def quote_of(row: pd.Series) -> str:
    """The claim as quoted where a quote is held, else the claim in the book's words.  The document's bold
    marks (`**67 per cent**`, kept in the register so the quote matches the archived text) are typography,
    not words: a reader sees the words without them."""
    return BOLD_MARK.sub(r"\1", str(row.get("quote") or row["claim"]))


BOLD_MARK = re.compile(r"\*\*(.+?)\*\*")


def stated_text(row: pd.Series) -> str:
    """The stated figure as the claim gave it, e.g. 'under 1,000' or '12,199'."""
    if row.get("stated_text"):
        return str(row["stated_text"])
    word = "" if row["rounding"] == "exact" else f"{row['rounding']} "
    return f"{word}{figure(row['stated_value'], row['unit'])}"


#: What a claim judged without an official figure is judged on (shown where the figure would be).
NO_FIGURE = {"law": "none needed: judged on the provision named", "inference": "none needed: judged on the reasoning",
             "opinion": "none: an opinion or prediction is not checked"}


def official_text(row: pd.Series) -> str:
    """The official figure with its detail; for claims judged without one, what they are judged on instead."""
    value = row["official_value"]
    if missing(value):
        return NO_FIGURE.get(str(row.get("kind", "")), NOT_HELD)
    unit = "fold" if row["rounding"] == "fold" else row["unit"]
    shown = change_text(float(value), str(row["rounding"]), str(unit)) or figure(value, unit)
    return f"{shown} ({row['official_detail']})" if row["official_detail"] else shown


def change_text(value: float, rounding: str, unit: str) -> str:
    """A change claim's official figure as a reader reads one: a percent change judged on the ratio
    later / earlier is shown as the rise or fall ("up 43.6%", never "1.4%"), and a direction or a
    halving judged on a ratio as a ratio ("1.40 times"); '' for any other claim."""
    if rounding == "percent change":
        change = 100 * (value - 1)
        return f"{'up' if change >= 0 else 'down'} {abs(change):.1f}%"
    if unit == "ratio" and rounding in ("rose", "fell", "more than halved", "halved", "doubled"):
        return f"{value:.2f} times"
    return ""


def verdict_box(assessed: pd.DataFrame, history: dict[str, list[tuple[str, str]]] | None = None,
                editions_page: str = "../book/editions.html",
                corrections: dict[str, list[tuple[str, str, str]]] | None = None,
                changed: set[tuple[str, str]] | None = None) -> HTML:
    """The at-a-glance list at the top of a chapter: each claim, its verdict and the one-line reason.

    A list, not a table, so that claim, verdict and reason stack on a phone.  Claims are grouped
    by who said them and where, so the attribution is given once per document.  Each claim
    links to its evidence on the page (the register's `section`) and has a permalink.  A claim
    whose verdict changed across editions (`history`, from `updates.verdict_history`) also shows
    its verdict edition by edition, linked to the editions page; a claim corrected in a released
    edition (`corrections`, from `editions.corrections_by_claim`) says when and why; one that changed only a
    figure's rounding or a reason's wording (not in `changed`, from `editions.verdict_changed`) says "Reworded".
    """
    history = history or {}
    corrections = corrections or {}
    items, unchecked, waiting, lines = [], [], [], []
    for _, row in assessed.iterrows():
        target = items if row["verdict"] != Verdict.UNVERIFIABLE.value else unchecked
        if target is unchecked:
            waiting.append(label(row))
        target.append((document_link(row), _glance_item(row, history, corrections, editions_page, changed)))
        lines.append(f"{row['id']}: {row['verdict']} ({row['reason']})")
        for as_of, on, why in corrections.get(row["id"], []):
            lines.append(f"  corrected on {on} (edition {as_of}): {why}")
        if history.get(row["id"]):
            lines.append("  verdict by edition: " + " -> ".join(f"{v} ({a})" for a, v in history[row["id"]]))
    markup = f'<div class="verdict-box">{_by_source(items)}'
    if unchecked:
        why = "; ".join(f"{text.removeprefix('not yet checked: ')} ({n})" for text, n in pd.Series(waiting).value_counts().items())
        markup += (f'<details class="unchecked"><summary>{len(unchecked)} claim{"s" if len(unchecked) != 1 else ""} '
                   f'not yet checked: {html.escape(why)}</summary>{_by_source(unchecked)}</details>')
    return HTML(markup + "</div>", "\n".join(lines))


#: At a glance, a reason longer than this is cut at a word ("..."); the claim links to its evidence, which gives it whole.
GLANCE_REASON = 90


def _glance_item(row: pd.Series, history: dict, corrections: dict, editions_page: str,
                 changed: set[tuple[str, str]] | None = None) -> str:
    """One claim of the at-a-glance list: its words (linked to the evidence), a permalink, the verdict and reason."""
    claim = html.escape(quote_of(row))
    if row.get("section"):
        claim = f'<a href="#{row["section"]}">{claim}</a>'
    return (f'<li id="claim-{row["id"]}"><p class="vl-claim">{claim} '
            f'<a class="permalink" href="#claim-{row["id"]}" aria-label="Link to this claim">#</a></p>'
            f'<p class="vl-verdict">{badge(row["verdict"], label(row))} <span class="verdict-reason">'
            f'{html.escape(short_words(row["reason"], GLANCE_REASON))}</span>'
            + _history_note(history.get(row["id"]), editions_page)
            + _correction_note(corrections.get(row["id"]), editions_page,
                               None if changed is None else {w for cid, w in changed if cid == row["id"]}) + '</p>'
            f'<span hidden> {html.escape(search_terms(quote_of(row), stated_text(row), official_text(row)))} </span></li>')


PARAGRAPH_ANCHOR = re.compile(r'#p-\d+"')


def _by_source(entries: list[tuple[str, str]]) -> str:
    """The items under one line naming who said them and where, in the order each source first appears (the
    line links the document as a whole: each claim's own paragraph is linked from the register)."""
    groups: dict[str, list[str]] = {}
    for source, item in entries:
        groups.setdefault(PARAGRAPH_ANCHOR.sub('"', source), []).append(item)
    return "".join(f'<div class="vl-group"><p class="claim-source">{source}</p><ul class="verdict-list">{"".join(found)}</ul></div>'
                   for source, found in groups.items())


def label_counts(assessed: pd.DataFrame) -> dict[str, int]:
    """How many claims wear each verdict (in the vocabulary's order) and each label of the claims without one."""
    counts = {v: n for v, n in verdict_counts(assessed).items() if v != Verdict.UNVERIFIABLE.value}
    labels = pd.Series([label(r) for _, r in assessed.iterrows()]).value_counts()
    counts.update({text: int(labels.get(text, 0)) for text in LABELS.values()})
    return counts


def verdict_counts_html(assessed: pd.DataFrame) -> HTML:
    """How many claims have each verdict and each label, as a small table of badges and counts."""
    counts = label_counts(assessed)
    unverifiable = Verdict.UNVERIFIABLE.value
    cells = "".join(f"<tr><td>{badge(unverifiable if v in LABEL_CLASS else v, v)}</td><td>{n}</td></tr>"
                    for v, n in counts.items())
    text = ", ".join(f"{v}: {n}" for v, n in counts.items())
    return HTML(f'<table class="verdict-table verdict-counts"><caption>Claims by verdict</caption><thead><tr><th scope="col">Verdict</th><th scope="col">Claims</th></tr></thead>'
                f"<tbody>{cells}</tbody></table>", text)


NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")


def search_terms(*texts: str) -> str:
    """Every figure in the texts in the forms a reader may type, for the search index.

    '12,199' gives '12199 12,199 num12199'; '17%' gives '17 17% num17'.  The `num` form is
    what the site search matches (book/_static/number-search.js rewrites a typed figure to
    it), because Sphinx's search drops query words made only of digits.
    """
    terms: list[str] = []
    for text in texts:
        for match in NUMBER.finditer(str(text)):
            raw = match.group(0).rstrip(",")
            plain = raw.replace(",", "")
            if not plain or not plain[0].isdigit():
                continue
            number = float(plain)
            is_year = "." not in plain and 1900 <= number <= 2100
            grouped = plain if is_year else f"{number:,.{len(plain.partition('.')[2])}f}"
            token = "num" + plain.replace(".", "p")
            percent = [f"{plain}%"] if text[match.end():match.end() + 1] == "%" or "per cent" in text[match.end():match.end() + 9] else []
            for term in (plain, grouped, *percent, token):
                if term not in terms:
                    terms.append(term)
    return " ".join(terms)


#: Claims the register shows before "Show more": its first screens on a phone.  The rest are in the page
#: (for readers without script, search engines and the browser's find) but not laid out until asked for.
REGISTER_PAGE = 40


def register_row(row: pd.Series, order: int, built: set[str] | None, chapter_path: str) -> str:
    """One claim's row of the register table: claim (linked to its section), chapter, stated, official, verdict, sources."""
    text = quote_of(row)
    if built is None or row["chapter"] in built:
        link = chapter_path.format(chapter=row["chapter"]) + (f"#{row['section']}" if row.get("section") else "")
        claim = f'<a href="{link}">{html.escape(text)}</a>'
    else:
        claim = f'{html.escape(text)} <span class="claim-source">(chapter to come)</span>'
    sources = " ".join(f'<a href="{html.escape(u)}">{html.escape(urlparse(u).netloc or u)}</a>'
                       for u in row["sources"]) or "none held"
    speaker = str(row.get("speaker") or row["claimant"])
    terms = search_terms(text, stated_text(row), official_text(row), row["reason"])
    haystack = " ".join([text, speaker, row["document_short"], row["chapter"], row["verdict"], row["reason"],
                         stated_text(row), official_text(row), terms]).lower()
    return (
        f'<tr data-chapter="{html.escape(row["chapter"])}" data-verdict="{html.escape(label(row))}" '
        f'data-document="{html.escape(str(row["document_id"]))}" data-speaker="{html.escape(speaker)}" '
        f'data-order="{order}" data-search="{html.escape(haystack)}" id="register-{row["id"]}"'
        + (' class="register-later"' if order >= REGISTER_PAGE else "") + ">"
        f'<td>{claim} <a class="permalink" href="#register-{row["id"]}">Link to this claim</a><br>'
        f'<span class="claim-source">{document_link(row)}</span><span hidden> {html.escape(terms)} </span></td>'
        f'<td>{html.escape(chapter_name(row["chapter"]))}</td><td>{html.escape(stated_text(row))}</td><td>{html.escape(official_text(row))}</td>'
        f'<td>{badge(row["verdict"], label(row))}<br><span class="verdict-reason">{html.escape(row["reason"])}</span></td>'
        f"<td>{sources}</td></tr>"
    )


def register_controls(assessed: pd.DataFrame) -> str:
    """The register's search box, filters (chapter, verdict, document, speaker) and sort."""
    def options(pairs):
        return "".join(f'<option value="{html.escape(k)}">{html.escape(v)}</option>' for k, v in pairs)

    chapters = sorted(assessed["chapter"].unique(), key=chapter_name)
    documents = sorted(set(zip(assessed["document_id"], assessed["document_short"])))
    speakers = sorted(set(str(r.get("speaker") or r["claimant"]) for _, r in assessed.iterrows()))
    return (
        '<form class="register-controls" role="search" onsubmit="return false">'
        '<label>Search <input type="search" id="filter-text" placeholder="words or a figure, e.g. 12,199"></label> '
        f'<label>Chapter <select id="filter-chapter"><option value="">all</option>{options((c, chapter_name(c)) for c in chapters)}</select></label> '
        f'<label>Verdict <select id="filter-verdict"><option value="">all</option>'
        f'{options((v.value, v.value) for v in Verdict if v != Verdict.UNVERIFIABLE)}'
        f'<optgroup label="No verdict yet">{options((t, t) for t in LABELS.values())}</optgroup></select></label> '
        f'<label>Document <select id="filter-document"><option value="">all</option>{options(documents)}</select></label> '
        f'<label>Speaker <select id="filter-speaker"><option value="">all</option>{options((p, p) for p in speakers)}</select></label> '
        '<label>Sort <select id="filter-sort"><option value="">register order</option><option value="verdict">verdict</option>'
        '<option value="chapter">chapter</option><option value="claim">claim, A to Z</option></select></label>'
        '</form>'
    )


def register_table(assessed: pd.DataFrame, built: set[str] | None = None,
                   chapter_path: str = "../notebooks/{chapter}.html") -> HTML:
    """Every claim in one table, with a text search, filters, a sort and a result count.

    Filters: chapter (readable names), verdict, document and speaker; the state is kept
    in the page address (book/_static/register.js), so a filtered view can be shared.
    Each row: the claim (linked to its chapter section) with a permalink, who made it
    and where (linked to the archived document), stated against official figure, the
    verdict badge and reason, and source links named by their site.
    """
    rows = [register_row(row, order, built, chapter_path) for order, (_, row) in enumerate(assessed.iterrows())]
    lines = [f"{cid}\t{verdict}" for cid, verdict in zip(assessed["id"], assessed["verdict"])]
    markup = (
        register_controls(assessed)
        + f'<p id="register-count" aria-live="polite" data-page="{REGISTER_PAGE}">{len(rows)} claims.</p>'
        '<p class="register-downloads">Download the register: <a href="../_static/data/claims-register.csv" download>CSV</a>, '
        '<a href="../_static/data/claims-register.json" download>JSON</a>; all the data: '
        '<a href="../_static/data/probation-in-numbers-data.zip" download>data package (zip)</a>.</p>'
        '<div class="verdict-box wide-table"><table class="verdict-table register-table" id="register-claims">'
        "<caption>Every claim checked, with its verdict</caption><thead><tr>"
        + "".join(f'<th scope="col">{h}</th>' for h in ("Claim", "Chapter", "Stated", "Official", "Verdict", "Sources"))
        + f"</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
        '<p><button type="button" class="register-more" id="register-more" hidden>Show more claims</button></p>'
        '<script src="../_static/register.js" defer></script>'
    )
    return HTML(markup, "\n".join(lines))


def vocabulary_html() -> HTML:
    """The verdict vocabulary with what each word means."""
    rows = "".join(f"<tr><td>{badge(v.value)}</td><td>{html.escape(MEANINGS[v])}</td></tr>" for v in Verdict)
    return HTML(f'<table class="verdict-table"><caption>The verdict words</caption><thead><tr><th scope="col">Verdict</th><th scope="col">Meaning</th></tr></thead><tbody>{rows}</tbody></table>',
                "\n".join(f"{v.value}: {MEANINGS[v]}" for v in Verdict))


def rules_html() -> HTML:
    """The written rule for each rounding word, taken from the engine's own docstrings."""
    table = rules_table()
    rows = "".join(f"<tr><td>{html.escape(r['rule'])}</td><td>{html.escape(r['kind'])}</td><td>{html.escape(r['words'])}</td>"
                   f"<td>{html.escape(r['test'])}</td><td>{html.escape(r['example'])}</td></tr>" for r in table)
    return HTML('<div class="wide-table"><table class="verdict-table"><caption>The written rules</caption><thead><tr>'
                '<th scope="col">Rule</th><th scope="col">Kind</th><th scope="col">Words</th>'
                f'<th scope="col">Test</th><th scope="col">Worked example</th></tr></thead><tbody>{rows}</tbody></table></div>',
                "\n".join(f"{r['rule']} ({r['kind']}): {r['test']} {r['example']}" for r in table))


def short_words(text: str, limit: int = 90) -> str:
    """A claim's words cut at a word boundary for a table cell: '... the recall population now stands at 12,199'."""
    text = " ".join(str(text).split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "\u2026"


def comparison_table(assessed: pd.DataFrame) -> HTML:
    """The published-figure-versus-ours table: every claim judged against a figure, in its own words
    (linked to its entry at a glance), the figure as stated, the figure held and the verdict.

    The table opens on request (the at-a-glance list already gives each verdict with its figure).  Claims
    with no figure held are not repeated here: the at-a-glance list says what stands in their way.
    """
    judged = assessed[[not missing(v) for v in assessed["official_value"]]]
    rows, lines = [], []
    for _, row in judged.iterrows():
        words = html.escape(short_words(quote_of(row)))
        rows.append(f'<tr><td><a href="#claim-{html.escape(row["id"])}">{words}</a></td><td>{html.escape(stated_text(row))}</td>'
                    f'<td>{html.escape(official_text(row))}</td><td>{badge(row["verdict"], label(row))}</td></tr>')
        lines.append(f"{short_words(quote_of(row))}: stated {stated_text(row)}; held {official_text(row)}; {row['verdict']}")
    left = len(assessed) - len(judged)
    note = (f'<p class="table-note">{left} claim{"s" if left != 1 else ""} on this page '
            f"{'have' if left != 1 else 'has'} no figure to set beside {'them' if left != 1 else 'it'}; "
            "the list above says why.</p>") if left else ""
    if not rows:
        return HTML(note or "<p>No claim on this page is judged against a figure.</p>", "\n".join(lines) or "none")
    summary = f"The stated and the held figure side by side, for the {len(rows)} claim{'s' if len(rows) != 1 else ''} judged against one"
    return HTML(f'<details class="comparison"><summary>{summary}</summary>'
                '<div class="wide-table"><table class="verdict-table comparison-table"><thead><tr><th scope="col">Claim</th>'
                '<th scope="col">Stated</th><th scope="col">Figure held</th><th scope="col">Verdict</th></tr></thead>'
                f'<tbody>{"".join(rows)}</tbody></table></div></details>{note}', "\n".join(lines))


#: Where a table reference names the row, line or cell of one figure ("Table 10, row 6 ...", "x.csv (row Jun-09)").
_CELL_PART = re.compile(r",\s*(?:row|rows|line|cell)\b.*$|\s*\((?:row|rows|line)\b.*$")


def source_table(table_ref: str) -> str:
    """The table a figure came from, without the row or cell: 'Table 10, row 6 (...), cell D6' -> 'Table 10'."""
    return _CELL_PART.sub("", str(table_ref)).strip() or str(table_ref)


def sources_list(frames: list[pd.DataFrame]) -> HTML:
    """The publications behind the figures shown, one line per publisher (official ones first).

    Rows of the same publication (one per figure, often several tables of it, or the same file at
    several addresses) are listed once: its title is the link, then the tables used, when it was
    published and how many figures it gave.  Row and cell references stay in the data downloads.
    """
    groups: dict[tuple, dict] = {}
    for frame in frames:
        for _, row in frame.iterrows():
            key = (row["source_kind"] != "official", row["publisher"], row["publication"])
            entry = groups.setdefault(key, {"row": row, "urls": [], "n": 0, "dates": set(), "tables": []})
            entry["n"] += 1
            entry["dates"].add(str(row["date_published"]))
            table = source_table(row["table_ref"])
            if table.rsplit("/", 1)[-1] in str(row["publication"]):
                table = ""  # the file the title already names
            if table and table not in entry["tables"]:
                entry["tables"].append(table)
            if row["url"] not in entry["urls"]:
                entry["urls"].append(row["url"])
    publishers: dict[tuple, list[str]] = {}
    lines = []
    for key in sorted(groups):
        entry = groups[key]
        publishers.setdefault(key[:2], []).append(_publication_text(entry))
        lines.append(f"{key[1]}, {key[2]}, {'; '.join(entry['tables'])}, {entry['urls'][0]}")
    items = [f'<li>{html.escape(publisher)}{" <strong>(secondary source)</strong>" if secondary else ""}: {"; ".join(works)}.</li>'
             for (secondary, publisher), works in publishers.items()]
    return HTML(f'<ul class="source-list">{"".join(items)}</ul>', "\n".join(lines))


def _publication_text(entry: dict) -> str:
    """One publication in the sources list: its linked title, other copies, tables, date and figure count."""
    dates = sorted(entry["dates"])
    published = dates[0] if len(dates) == 1 else f"{dates[0]} to {dates[-1]}"
    copies = "".join(f', <a href="{html.escape(u)}">copy {i}</a>' for i, u in enumerate(entry["urls"][1:], 2))
    figures = "1 figure" if entry["n"] == 1 else f"{entry['n']} figures"
    tables = "".join(f"{table}, " for table in entry["tables"])
    return (f'<a href="{html.escape(entry["urls"][0])}"><em>{html.escape(entry["row"]["publication"])}</em></a>{copies} '
            f'({html.escape(tables)}published {html.escape(published)}, {figures})')


def chapters_html(chapters: list[dict], assessed: pd.DataFrame) -> HTML:
    """The landing page's list of chapters, from the one chapter list in params.yml.

    A built chapter links to its page; a planned one says so.  Each line gives the question
    and how many of its claims the register holds.
    """
    items, lines = [], []
    for ch in chapters:
        n = int((assessed["chapter"] == ch["name"]).sum())
        title = html.escape(ch["title"])
        if ch["notebook"]:
            page = "../" + ch["notebook"].removesuffix(".ipynb") + ".html"
            head = f'<a href="{page}">{title}</a>'
        else:
            head = f"{title} <em>(page in preparation)</em>"
        items.append(f'<li>{head}: {html.escape(ch["question"])} <span class="claim-count">{n} claims</span></li>')
        lines.append(f"{ch['title']}: {ch['question']} ({n} claims)")
    return HTML(f'<ul class="chapter-list">{"".join(items)}</ul>', "\n".join(lines))


def documents_html() -> HTML:
    """The source documents the claims come from: title, publisher, date."""
    docs = load_register()["documents"]
    rows = "".join(f"<tr><td><a href=\"../_static/documents/{html.escape(archived_page(Path(str(d.get('archive', ''))).name))}\">{html.escape(d['title'])}</a></td><td>{html.escape(d['publisher'])}</td>"
                   f"<td>{html.escape(str(d['date']))}</td></tr>" for d in docs.values())
    return HTML(f'<table class="verdict-table"><caption>The source documents</caption><thead><tr><th scope="col">Document</th><th scope="col">Publisher</th><th scope="col">Date</th></tr></thead>'
                f"<tbody>{rows}</tbody></table>", "\n".join(d["title"] for d in docs.values()))


def left_out_html(entries: list[dict]) -> HTML:
    """The statements left out of the register, by document, with the reason for each."""
    docs = load_register()["documents"]
    rows = "".join(f"<tr><td>{html.escape(docs[str(e['document'])].get('short', e['document']))}</td>"
                   f"<td><q>{html.escape(e['quote'])}</q></td><td>{html.escape(e['reason'])}</td></tr>"
                   for e in entries)
    text = "\n".join(f"{e['document']}: {e['quote']} -- {e['reason']}" for e in entries)
    return HTML(f'<table class="verdict-table left-out-table"><caption>{len(entries)} statements left out of the register, '
                f'with the reason</caption><thead><tr><th scope="col">Document</th><th scope="col">Words</th>'
                f'<th scope="col">Why it is not a claim the book checks</th></tr></thead><tbody>{rows}</tbody></table>', text)


def _series_cell(series_id: str) -> str:
    """A series in a contributor's table: its reader-facing name, then its id in the data."""
    name = series_names().get(series_id, "")
    return (f"{html.escape(name)} " if name else "") + f"<code>{html.escape(series_id)}</code>"


def _history_note(steps: list[tuple[str, str]] | None, editions_page: str) -> str:
    if not steps:
        return ""
    text = " &rarr; ".join(f"{html.escape(v)} ({html.escape(a)})" for a, v in steps)
    return (f'<br><span class="verdict-history"><a href="{editions_page}#verdict-history">Verdict by edition</a>: '
            f"{text}</span>")


def _correction_note(found: list[tuple[str, str, str]] | None, editions_page: str,
                     changed: set[str] | None = None) -> str:
    """A claim's corrections, one line per correction (the editions it applied to named together): in full when
    it changed the verdict (`changed` holds those whys); a rounding or wording change only as "Reworded on DATE",
    linked to the editions page that says what changed.  `changed` None: every correction in full."""
    grouped: dict[tuple[str, str], list[str]] = {}
    for edition, on, why in found or []:
        if edition not in grouped.setdefault((on, why), []):   # two corrections of the same day and why, one line
            grouped[(on, why)].append(edition)
    lines = []
    for (on, why), editions in grouped.items():
        which = ("edition " if len(editions) == 1 else "editions ") + ", ".join(html.escape(e) for e in editions)
        when = f'<time datetime="{html.escape(on)}">{html.escape(on)}</time>'
        link = f'{editions_page}#corrections-{html.escape(editions[0])}'
        if changed is None or why in changed:
            lines.append(f'<br><span class="verdict-history"><a href="{link}">Corrected</a> on {when} ({which}): '
                         f"{html.escape(why)}</span>")
        else:
            lines.append(f'<br><span class="verdict-history"><a href="{link}">Reworded</a> on {when} ({which})</span>')
    return "".join(lines)


def evidence_why(row) -> str:
    """What the evidence prose adds after a claim's verdict: nothing for a judged claim, whose reason
    (the right figure) the at-a-glance list already gives beside it; ": <reason>" for a claim without a
    verdict, which that list folds away, so the page says once, where it shows, what would settle it."""
    return f": {row['reason']}" if row["verdict"] == Verdict.UNVERIFIABLE.value else ""


def glue_chapter_claims(chapter: str, glue, edition) -> pd.DataFrame:
    """Judge a chapter's claims as of the edition handed down and glue what its page shows about them.

    Glues `<chapter>_verdict_box`, `<chapter>_comparison`, `<chapter>_answer` (`chapter_answer`), and for each claim
    `<id>__claim`, `__stated`, `__verdict` (the verdict, or the label of a claim without one), `__reason`,
    `__why` (`evidence_why`), `__conclusion` and `__who`.  Returns the verdicts.
    """
    verdicts = assess_claims(edition, chapter)
    released = list(edition.released)
    glue(f"{chapter}_verdict_box", verdict_box(verdicts, verdict_history(released),
                                               corrections=corrections_by_claim(released),
                                               changed=verdict_changed(released)), display=False)
    glue(f"{chapter}_comparison", comparison_table(verdicts), display=False)
    glue(f"{chapter}_answer", chapter_answer(verdicts), display=False)
    for _, row in verdicts.iterrows():
        glue(f"{row['id']}__claim", row["claim"], display=False)
        glue(f"{row['id']}__stated", row["stated_text"], display=False)
        glue(f"{row['id']}__verdict", label(row), display=False)
        glue(f"{row['id']}__reason", row["reason"], display=False)
        glue(f"{row['id']}__why", evidence_why(row), display=False)
        glue(f"{row['id']}__conclusion", row["conclusion"], display=False)
        glue(f"{row['id']}__who", f"{row['claimant']}; {row['document_short']}, {row['document_date']}", display=False)
    return verdicts


def chapter_answer(verdicts: pd.DataFrame) -> str:
    """The answer at the top of a chapter, from its headline claims (`headline: true` in the register):
    each claim's words and who said them when, its verdict, and the book's conclusion with the right
    figure, its date and source and the latest figure held.  Then how many of the page's claims have
    a verdict.  Every figure in it comes from the register and data/."""
    rated = int((verdicts["verdict"] != Verdict.UNVERIFIABLE.value).sum())
    parts = answer_sentences(headline_claims(verdicts), brief=False, said=set())
    tally = f"{rated} of the {len(verdicts)} claims on this page have a verdict; the others say why not."
    return " ".join(parts + [tally]) if parts else tally


def answer_sentences(rows: pd.DataFrame, brief: bool, said: set) -> list[str]:
    """One sentence per headline claim: “its words” (who, when): its verdict (or, without one, its label:
    "published finding of the inspectorate"), then the book's conclusion
    (whole, or `brief`: its first sentence and the latest figure).  A latest figure already in `said`
    is not given again; each one given is added to it."""
    out = []
    for _, row in rows.iterrows():
        conclusion, latest = str(row["conclusion"]), row.get("latest_figure")
        latest = latest if isinstance(latest, str) and latest else ""  # NaN or None: no latest figure held
        now = f"The latest figure the book holds is {latest}"
        repeated = bool(latest) and latest in said
        if brief:
            conclusion = conclusion.split(". ", 1)[0].rstrip(".") + "." + ("" if repeated or not latest else f" {now}.")
        elif repeated and now in conclusion:
            conclusion = conclusion[:conclusion.index(now)].rstrip()
        if latest and (brief or now in conclusion):
            said.add(latest)
        out.append(f"“{row['stated_text']}” ({said_by(row)}): {label(row)}. {conclusion}")
    return out


def headline_claims(verdicts: pd.DataFrame) -> pd.DataFrame:
    """The claims a chapter's answer rests on (`headline: true` in the register), in register order."""
    return verdicts[verdicts["headline"].fillna(False).astype(bool)] if "headline" in verdicts else verdicts.iloc[:0]


def said_by(row) -> str:
    """Who made a claim and when: "HM Chief Inspector of Probation, October 2024"."""
    month = str(row["claimed_at"])[:7]
    return f"{row['claimant']}, {month_text(month)}" if len(month) == 7 and month[4] == "-" else str(row["claimant"])


def headline_answers(assessed: pd.DataFrame, chapters: list[dict], names: tuple[str, ...]) -> HTML:
    """The landing page's headline questions, each with the verdicts on its chapter's headline claims
    and the right figure (the first sentence of each conclusion, and the latest figure held)."""
    items, lines, said = [], [], set()
    for chapter in (c for c in chapters if c["name"] in names):
        answers = answer_sentences(headline_claims(assessed[assessed["chapter"] == chapter["name"]]), True, said)
        link = (chapter["notebook"] or "").removesuffix(".ipynb") + ".html"
        items.append(f'<li><p><a href="../{html.escape(link)}"><strong>{html.escape(chapter["question"])}</strong></a> '
                     + html.escape(" ".join(answers)) + "</p></li>")
        lines.append(f"{chapter['question']} " + " ".join(answers))
    return HTML('<ul class="headline-answers">' + "".join(items) + "</ul>", "\n".join(lines))


def verdict_summary(assessed: pd.DataFrame) -> str:
    """One sentence for the top of a chapter: how many claims, and how many got each verdict."""
    counts = {v: n for v, n in verdict_counts(assessed).items() if n}
    parts = ", ".join(f"{n} {v}" for v, n in counts.items())
    return f"This page checks {len(assessed)} claims: {parts}."


def _figure_text(value) -> str:
    return "suppressed" if value is None else figure(value)


def current_edition_text(records: list[dict]) -> str:
    """The landing page's line naming the current edition and its as-of month."""
    if not records:
        return "No edition has been recorded yet."
    latest = records[-1]
    return (f"This is edition {latest['as_of']}, which reports official data up to {month_text(latest['as_of'])}; "
            f"{len(records)} edition{'s' if len(records) != 1 else ''} recorded so far.")


def corrections_html(as_of: str, fixes: list[dict], claim_link) -> str:
    """The corrections published to one released edition: date, why, and each claim's verdict before and after."""
    items = "".join(
        f'<li><time datetime="{html.escape(c["date"])}">{html.escape(c["date"])}</time>: {html.escape(c["why"])}'
        + (" Claims: " + ", ".join(f"{claim_link(x['id'])} ({html.escape(str(x['before'].get('verdict')))} &rarr; "
                                   f"{html.escape(str(x['after'].get('verdict')))})" for x in c.get("claims", []))
           if c.get("claims") else "")
        + (f" Figures corrected: {len(c['figures'])}." if c.get("figures") else "") + "</li>"
        for c in fixes)
    return f'<h3 id="corrections-{html.escape(as_of)}">Corrections ({len(fixes)})</h3><ul>{items}</ul>'


def editions_html(records: list[dict], register_path: str = "claims-register.html") -> HTML:
    """Every edition, newest first: new figures, revised figures (old -> new) and verdicts that changed."""
    def claim_link(cid: str) -> str:
        return f'<a href="{register_path}#register-{html.escape(cid)}">{html.escape(cid)}</a>'

    parts, text = [], []
    history = verdict_history(records)
    if history:
        rows = "".join(
            f"<tr><td>{claim_link(cid)}</td><td>"
            + " &rarr; ".join(f"{badge(v)} ({html.escape(a)})" for a, v in steps) + "</td></tr>"
            for cid, steps in sorted(history.items()))
        parts.append('<h2 id="verdict-history">Verdict history</h2><div class="verdict-box wide-table">'
                     '<table class="verdict-table"><thead><tr><th>Claim</th><th>Verdict, edition by edition</th>'
                     f'</tr></thead><tbody>{rows}</tbody></table></div>')
        text += [f"{cid}: " + " -> ".join(f"{v} ({a})" for a, v in steps) for cid, steps in sorted(history.items())]
    by_month = {r["as_of"]: r for r in records}
    for record in reversed(records):
        as_of = record["as_of"]
        # new and revised figures derived from the two records, each seen at its own month
        new_figures, revised_figures = changes_between(by_month.get(record["previous"]), record)
        block = [f'<h2 id="edition-{html.escape(as_of)}">Edition {html.escape(as_of)}</h2>',
                 f"<p>Official data up to {month_text(as_of)}; {len(record['claims'])} claims checked. "
                 + (f"Changes since edition {html.escape(record['previous'])}.</p>" if record["previous"]
                    else "The first recorded edition: every figure and verdict starts here.</p>")]
        text.append(f"Edition {as_of}")
        fixes = record.get("corrections") or []
        if fixes:
            block.append(corrections_html(as_of, fixes, claim_link))
            text += [f"  correction {c['date']}: {c['why']}" for c in fixes]
        if record["previous"]:
            new = "".join(f"<tr><td>{html.escape(f['file'])}.csv</td><td>{_series_cell(f['series'])}</td>"
                          f"<td>{html.escape(f['period'])}</td><td>{_figure_text(f['value'])}</td>"
                          f"<td>{html.escape(f['publication'])}</td></tr>" for f in new_figures)
            block.append(f"<h3>New figures ({len(new_figures)})</h3>" + (
                '<div class="wide-table"><table class="verdict-table"><thead><tr><th>File</th><th>Series</th>'
                f'<th>Period</th><th>Figure</th><th>Publication</th></tr></thead><tbody>{new}</tbody></table></div>'
                if new else "<p>None.</p>"))
            rev = "".join(f"<tr><td>{html.escape(f['file'])}.csv</td><td>{_series_cell(f['series'])}</td>"
                          f"<td>{html.escape(f['period'])}</td><td>{_figure_text(f['old_value'])} &rarr; "
                          f"{_figure_text(f['value'])}</td><td>{html.escape(f['publication'])}</td></tr>"
                          for f in revised_figures)
            block.append(f"<h3>Revised figures ({len(revised_figures)})</h3>" + (
                '<div class="wide-table"><table class="verdict-table"><thead><tr><th>File</th><th>Series</th>'
                f'<th>Period</th><th>Old &rarr; new</th><th>Revised by</th></tr></thead><tbody>{rev}</tbody>'
                '</table></div>' if rev else "<p>None.</p>"))
            ver = "".join(f"<tr><td>{claim_link(v['id'])}</td><td>{html.escape(v['old'])} &rarr; {badge(v['new'])}"
                          "</td></tr>" for v in record["verdicts_changed"])
            block.append(f"<h3>Verdicts changed ({len(record['verdicts_changed'])})</h3>" + (
                '<div class="wide-table"><table class="verdict-table"><thead><tr><th>Claim</th><th>Verdict</th>'
                f'</tr></thead><tbody>{ver}</tbody></table></div>' if ver else "<p>None.</p>"))
            text += [f"  new {f['file']} {f['series']} {f['period']}: {_figure_text(f['value'])}" for f in new_figures]
            text += [f"  revised {f['file']} {f['series']} {f['period']}: {_figure_text(f['old_value'])} -> "
                     f"{_figure_text(f['value'])} ({f['publication']})" for f in revised_figures]
            text += [f"  verdict {v['id']}: {v['old']} -> {v['new']}" for v in record["verdicts_changed"]]
        parts.append("".join(block))
    if not records:
        parts.append("<p>No edition has been recorded yet: <code>make update</code> records one.</p>")
    return HTML("".join(parts), "\n".join(text) or "No edition recorded.")
