"""Pieces of a chapter page: verdict badges, the verdict box, and the published-vs-ours table.

These return HTML (for notebook outputs the book renders as they are) and plain strings
for glue.  Verdict badges always show the verdict word, never colour alone.
"""

from __future__ import annotations

import html
import math

import pandas as pd

from .verdicts import Verdict, fmt

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


class HTML:
    """Minimal rich-display wrapper: renders as HTML in the book, text elsewhere."""

    def __init__(self, markup: str, text: str):
        self.markup, self.text = markup, text

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"text/html": self.markup, "text/plain": self.text}


def badge(verdict: str) -> str:
    """A verdict badge: the word itself, styled by class."""
    return f'<span class="verdict-badge {BADGE_CLASS[verdict]}">{html.escape(verdict)}</span>'


def stated_text(row: pd.Series) -> str:
    """The stated figure as the claim gave it, e.g. 'under 1,000' or '12,199'."""
    if row.get("stated_text"):
        return str(row["stated_text"])
    word = "" if row["rounding"] == "exact" else f"{row['rounding']} "
    return f"{word}{fmt(row['stated_value'], row['unit'])}"


def official_text(row: pd.Series) -> str:
    """The official figure with its detail, or a dash when it cannot be verified."""
    value = row["official_value"]
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "not held"
    unit = "fold" if row["rounding"] == "fold" else row["unit"]
    return f"{fmt(value, unit)} ({row['official_detail']})" if row["official_detail"] else fmt(value, unit)


def verdict_box(assessed: pd.DataFrame, history: dict[str, list[tuple[str, str]]] | None = None,
                editions_page: str = "../book/editions.html") -> HTML:
    """The verdict box at the top of a chapter: claim, stated, official, verdict, reason.

    Each claim links to its section on the page (the register's `section`).  A claim whose
    verdict changed across editions (`history`, from `updates.verdict_history`) also shows its
    verdict edition by edition, linked to the editions page.
    """
    history = history or {}
    rows, lines = [], []
    for _, row in assessed.iterrows():
        claim = html.escape(row["claim"])
        if row.get("section"):
            claim = f'<a href="#{row["section"]}">{claim}</a>'
        rows.append(
            f'<tr id="claim-{row["id"]}"><td>{claim}<br><span class="claim-source">{html.escape(row["claimant"])}; '
            f'{html.escape(row["document_short"])} ({html.escape(row["document_date"])})</span></td>'
            f"<td>{html.escape(stated_text(row))}</td><td>{html.escape(official_text(row))}</td>"
            f'<td>{badge(row["verdict"])}<br><span class="verdict-reason">{html.escape(row["reason"])}</span>'
            + _history_note(history.get(row["id"]), editions_page) + "</td></tr>"
        )
        lines.append(f"{row['id']}: {row['verdict']} ({row['reason']})")
        if history.get(row["id"]):
            lines.append("  verdict by edition: " + " -> ".join(f"{v} ({a})" for a, v in history[row["id"]]))
    markup = (
        '<div class="verdict-box"><table class="verdict-table">'
        "<thead><tr><th>Claim</th><th>Stated</th><th>Official</th><th>Verdict</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )
    return HTML(markup, "\n".join(lines))


def verdict_counts_html(assessed: pd.DataFrame) -> HTML:
    """How many claims have each verdict, as a small table of badges and counts."""
    from .claims import verdict_counts

    counts = verdict_counts(assessed)
    cells = "".join(f"<tr><td>{badge(v)}</td><td>{n}</td></tr>" for v, n in counts.items())
    text = ", ".join(f"{v}: {n}" for v, n in counts.items())
    return HTML(f'<table class="verdict-table verdict-counts"><thead><tr><th>Verdict</th><th>Claims</th></tr></thead>'
                f"<tbody>{cells}</tbody></table>", text)


FILTER_SCRIPT = """<script type="text/javascript">
(function () {
  function apply() {
    var ch = document.getElementById("filter-chapter").value, vd = document.getElementById("filter-verdict").value;
    document.querySelectorAll("#claims-register tbody tr").forEach(function (tr) {
      var ok = (!ch || tr.dataset.chapter === ch) && (!vd || tr.dataset.verdict === vd);
      tr.style.display = ok ? "" : "none";
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    ["filter-chapter", "filter-verdict"].forEach(function (id) {
      var el = document.getElementById(id); if (el) { el.addEventListener("change", apply); }
    });
  });
})();
</script>"""


def register_table(assessed: pd.DataFrame, built: set[str] | None = None,
                   chapter_path: str = "../notebooks/{chapter}.html") -> HTML:
    """Every claim in one table, with filters by chapter and by verdict.

    Each row: the claim (linked to its chapter section), who made it and where, stated
    against official figure, the verdict badge and reason, and source links.
    """
    chapters = sorted(assessed["chapter"].unique())
    options_ch = "".join(f'<option value="{c}">{html.escape(c)}</option>' for c in chapters)
    options_vd = "".join(f'<option value="{v.value}">{v.value}</option>' for v in Verdict)
    rows, lines = [], []
    for _, row in assessed.iterrows():
        if built is None or row["chapter"] in built:
            link = chapter_path.format(chapter=row["chapter"]) + (f"#{row['section']}" if row.get("section") else "")
            claim = f'<a href="{link}">{html.escape(row["claim"])}</a>'
        else:
            claim = f'{html.escape(row["claim"])} <span class="claim-source">(chapter to come)</span>'
        sources = " ".join(f'<a href="{html.escape(u)}">[{i}]</a>' for i, u in enumerate(row["sources"], 1)) or "none held"
        rows.append(
            f'<tr data-chapter="{html.escape(row["chapter"])}" data-verdict="{html.escape(row["verdict"])}" id="register-{row["id"]}">'
            f'<td>{claim}<br><span class="claim-source">{html.escape(row["claimant"])}; '
            f'{html.escape(row["document_short"])} ({html.escape(row["document_date"])})</span></td>'
            f'<td>{html.escape(row["chapter"])}</td><td>{html.escape(stated_text(row))}</td><td>{html.escape(official_text(row))}</td>'
            f'<td>{badge(row["verdict"])}<br><span class="verdict-reason">{html.escape(row["reason"])}</span></td>'
            f"<td>{sources}</td></tr>"
        )
        lines.append(f"{row['id']}\t{row['verdict']}")
    markup = (
        '<div class="verdict-filter"><label>Chapter <select id="filter-chapter"><option value="">all</option>'
        f'{options_ch}</select></label> <label>Verdict <select id="filter-verdict"><option value="">all</option>'
        f"{options_vd}</select></label></div>"
        '<div class="verdict-box wide-table"><table class="verdict-table" id="claims-register"><thead><tr><th>Claim</th><th>Chapter</th>'
        "<th>Stated</th><th>Official</th><th>Verdict</th><th>Sources</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table></div>{FILTER_SCRIPT}"
    )
    return HTML(markup, "\n".join(lines))


def vocabulary_html() -> HTML:
    """The verdict vocabulary with what each word means."""
    from .verdicts import MEANINGS

    rows = "".join(f"<tr><td>{badge(v.value)}</td><td>{html.escape(MEANINGS[v])}</td></tr>" for v in Verdict)
    return HTML(f'<table class="verdict-table"><thead><tr><th>Verdict</th><th>Meaning</th></tr></thead><tbody>{rows}</tbody></table>',
                "\n".join(f"{v.value}: {MEANINGS[v]}" for v in Verdict))


def rules_html() -> HTML:
    """The written rule for each rounding word, taken from the engine's own docstrings."""
    from .verdicts import rules_table

    table = rules_table()
    rows = "".join(f"<tr><td>{html.escape(r['rule'])}</td><td>{html.escape(r['words'])}</td><td>{html.escape(r['test'])}</td></tr>"
                   for r in table)
    return HTML(f'<table class="verdict-table"><thead><tr><th>Rule</th><th>Words</th><th>Test</th></tr></thead><tbody>{rows}</tbody></table>',
                "\n".join(f"{r['rule']}: {r['test']}" for r in table))


def comparison_table(assessed: pd.DataFrame) -> pd.DataFrame:
    """The published-figure-versus-ours table (a plain DataFrame, shown as a table)."""
    return pd.DataFrame({
        "Claim": assessed["id"],
        "Stated": [stated_text(r) for _, r in assessed.iterrows()],
        "Official": [official_text(r) for _, r in assessed.iterrows()],
        "Verdict": assessed["verdict"],
    }).set_index("Claim")


def sources_list(frames: list[pd.DataFrame]) -> HTML:
    """One line per distinct publication behind the figures shown: publisher, title, table, date, link."""
    seen, items, lines = set(), [], []
    for frame in frames:
        for _, row in frame.iterrows():
            key = (row["publication"], row["url"], row["table_ref"])
            if key in seen:
                continue
            seen.add(key)
            kind = "" if row["source_kind"] == "official" else " <strong>(secondary source)</strong>"
            items.append(
                f'<li>{html.escape(row["publisher"])}, <a href="{html.escape(row["url"])}"><em>'
                f'{html.escape(row["publication"])}</em></a>, {html.escape(row["table_ref"])}, '
                f'published {html.escape(row["date_published"])}{kind}.</li>'
            )
            lines.append(f"{row['publisher']}, {row['publication']}, {row['table_ref']}, {row['url']}")
    return HTML(f'<ul class="source-list">{"".join(items)}</ul>', "\n".join(lines))


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
    from .claims import load_register

    docs = load_register()["documents"]
    rows = "".join(f"<tr><td>{html.escape(d['title'])}</td><td>{html.escape(d['publisher'])}</td>"
                   f"<td>{html.escape(str(d['date']))}</td></tr>" for d in docs.values())
    return HTML(f'<table class="verdict-table"><thead><tr><th>Document</th><th>Publisher</th><th>Date</th></tr></thead>'
                f"<tbody>{rows}</tbody></table>", "\n".join(d["title"] for d in docs.values()))


def _history_note(steps: list[tuple[str, str]] | None, editions_page: str) -> str:
    if not steps:
        return ""
    text = " &rarr; ".join(f"{html.escape(v)} ({html.escape(a)})" for a, v in steps)
    return (f'<br><span class="verdict-history"><a href="{editions_page}#verdict-history">Verdict by edition</a>: '
            f"{text}</span>")


def glue_chapter_claims(chapter: str, glue) -> pd.DataFrame:
    """Judge a chapter's claims and glue what its page shows about them.

    Glues `<chapter>_verdict_box`, `<chapter>_comparison`, and for each claim
    `<id>__claim`, `__stated`, `__verdict`, `__reason` and `__who`.  Returns the verdicts.
    """
    from .claims import assess_claims
    from .updates import load_editions, verdict_history

    verdicts = assess_claims(chapter)
    glue(f"{chapter}_verdict_box", verdict_box(verdicts, verdict_history(load_editions())), display=False)
    glue(f"{chapter}_comparison", comparison_table(verdicts), display=False)
    for _, row in verdicts.iterrows():
        glue(f"{row['id']}__claim", row["claim"], display=False)
        glue(f"{row['id']}__stated", row["stated_text"], display=False)
        glue(f"{row['id']}__verdict", row["verdict"], display=False)
        glue(f"{row['id']}__reason", row["reason"], display=False)
        glue(f"{row['id']}__who", f"{row['claimant']}; {row['document_short']}, {row['document_date']}", display=False)
    return verdicts


def verdict_summary(assessed: pd.DataFrame) -> str:
    """One sentence for the top of a chapter: how many claims, and how many got each verdict."""
    from .claims import verdict_counts

    counts = {v: n for v, n in verdict_counts(assessed).items() if n}
    parts = ", ".join(f"{n} {v}" for v, n in counts.items())
    return f"This page checks {len(assessed)} claims: {parts}."


def _figure_text(value) -> str:
    return "suppressed" if value is None else fmt(value)


def _month_text(as_of: str) -> str:
    return pd.Period(as_of, freq="M").strftime("%B %Y")


def current_edition_text(records: list[dict]) -> str:
    """The landing page's line naming the current edition and its as-of month."""
    if not records:
        return "No edition has been recorded yet."
    latest = records[-1]
    return (f"This is edition {latest['as_of']}, which reports official data up to {_month_text(latest['as_of'])}; "
            f"{len(records)} edition{'s' if len(records) != 1 else ''} recorded so far.")


def editions_html(records: list[dict], register_path: str = "claims-register.html") -> HTML:
    """Every edition, newest first: new figures, revised figures (old -> new) and verdicts that changed."""
    from .updates import verdict_history

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
    for record in reversed(records):
        as_of = record["as_of"]
        block = [f'<h2 id="edition-{html.escape(as_of)}">Edition {html.escape(as_of)}</h2>',
                 f"<p>Official data up to {_month_text(as_of)}; {len(record['claims'])} claims checked. "
                 + (f"Changes since edition {html.escape(record['previous'])}.</p>" if record["previous"]
                    else "The first recorded edition: every figure and verdict starts here.</p>")]
        text.append(f"Edition {as_of}")
        if record["previous"]:
            new = "".join(f"<tr><td>{html.escape(f['file'])}.csv</td><td>{html.escape(f['series'])}</td>"
                          f"<td>{html.escape(f['period'])}</td><td>{_figure_text(f['value'])}</td>"
                          f"<td>{html.escape(f['publication'])}</td></tr>" for f in record["new_figures"])
            block.append(f"<h3>New figures ({len(record['new_figures'])})</h3>" + (
                '<div class="wide-table"><table class="verdict-table"><thead><tr><th>File</th><th>Series</th>'
                f'<th>Period</th><th>Figure</th><th>Publication</th></tr></thead><tbody>{new}</tbody></table></div>'
                if new else "<p>None.</p>"))
            rev = "".join(f"<tr><td>{html.escape(f['file'])}.csv</td><td>{html.escape(f['series'])}</td>"
                          f"<td>{html.escape(f['period'])}</td><td>{_figure_text(f['old_value'])} &rarr; "
                          f"{_figure_text(f['value'])}</td><td>{html.escape(f['publication'])}</td></tr>"
                          for f in record["revised_figures"])
            block.append(f"<h3>Revised figures ({len(record['revised_figures'])})</h3>" + (
                '<div class="wide-table"><table class="verdict-table"><thead><tr><th>File</th><th>Series</th>'
                f'<th>Period</th><th>Old &rarr; new</th><th>Revised by</th></tr></thead><tbody>{rev}</tbody>'
                '</table></div>' if rev else "<p>None.</p>"))
            ver = "".join(f"<tr><td>{claim_link(v['id'])}</td><td>{html.escape(v['old'])} &rarr; {badge(v['new'])}"
                          "</td></tr>" for v in record["verdicts_changed"])
            block.append(f"<h3>Verdicts changed ({len(record['verdicts_changed'])})</h3>" + (
                '<div class="wide-table"><table class="verdict-table"><thead><tr><th>Claim</th><th>Verdict</th>'
                f'</tr></thead><tbody>{ver}</tbody></table></div>' if ver else "<p>None.</p>"))
            text += [f"  new {f['file']} {f['series']} {f['period']}: {_figure_text(f['value'])}" for f in record["new_figures"]]
            text += [f"  revised {f['file']} {f['series']} {f['period']}: {_figure_text(f['old_value'])} -> "
                     f"{_figure_text(f['value'])} ({f['publication']})" for f in record["revised_figures"]]
            text += [f"  verdict {v['id']}: {v['old']} -> {v['new']}" for v in record["verdicts_changed"]]
        parts.append("".join(block))
    if not records:
        parts.append("<p>No edition has been recorded yet: <code>make update</code> records one.</p>")
    return HTML("".join(parts), "\n".join(text) or "No edition recorded.")
