"""The one chart preamble: book style, an offline renderer, and titled charts.

Altair's default HTML output loads vega from a CDN.  The book instead serves one bundle
(vega, vega-lite and vega-embed, from the vl-convert wheel) from its own `_static`
folder, and this module's renderer writes a small script that calls `vegaEmbed` on a
`<div>` whose id is derived from the chart spec, so two runs write the same bytes.

Every chart carries a title, its finding as a subtitle, its source line, and alt text.
"""

from __future__ import annotations

import hashlib
import html
import json

import altair as alt
import pandas as pd

#: File name of the vendored bundle inside the built site's `_static` folder.
BUNDLE_NAME = "vega-bundle.js"

#: System fonts only: the site loads no web fonts.
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"

PALETTE = {"recall": "#b2182b", "total": "#4d4d4d", "context": "#2166ac", "event": "#7f7f7f"}


def vega_bundle_js() -> str:
    """Return vega, vega-lite and vega-embed as one script that defines only window globals.

    The bundle from `vl_convert.javascript_bundle` is wrapped in an immediately invoked
    function so that its top-level names do not leak into the page.
    """
    import vl_convert

    version = ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])
    return "(function () {\n" + vl_convert.javascript_bundle(vl_version=version) + "\n})();\n"


def chart_id(spec: dict) -> str:
    """A stable element id derived from the chart spec."""
    digest = hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()
    return f"vis-{digest[:16]}"


def offline_renderer(spec: dict, **_: object) -> dict:
    """Render a Vega-Lite spec as HTML that draws with the vendored bundle (no network)."""
    div_id = chart_id(spec)
    payload = json.dumps(spec, sort_keys=True).replace("</", "<\\/")
    label = html.escape(spec.get("description", "chart"), quote=True)
    markup = (
        f'<div class="vega-chart" id="{div_id}" role="img" aria-label="{label}"></div>\n'
        '<script type="text/javascript">\n'
        "(function () {\n"
        f"  var spec = {payload};\n"
        f'  function draw() {{ window.vegaEmbed("#{div_id}", spec, {{"renderer": "svg", "actions": false}})'
        ".catch(function (e) { console.error(e); }); }\n"
        '  if (window.vegaEmbed) { draw(); } else { window.addEventListener("load", draw); }\n'
        "})();\n"
        "</script>"
    )
    title = spec.get("title", {})
    text = title.get("text", "chart") if isinstance(title, dict) else str(title)
    return {"text/html": markup, "text/plain": f"Chart: {text}. {spec.get('description', '')}".strip()}


def book_theme() -> dict:
    """The book's chart style: system fonts, quiet axes, titles anchored left."""
    return {
        "config": {
            "font": FONT,
            "view": {"stroke": None, "continuousWidth": 640, "continuousHeight": 320},
            "title": {"anchor": "start", "fontSize": 16, "subtitleFontSize": 12,
                      "subtitleColor": "#444", "offset": 12},
            "axis": {"labelFontSize": 11, "titleFontSize": 12, "gridColor": "#e6e6e6",
                     "domainColor": "#888"},
            "legend": {"orient": "bottom", "labelFontSize": 11, "titleFontSize": 11},
            "line": {"strokeWidth": 2.5},
        }
    }


def use_book_style() -> None:
    """Register and enable the book theme and the offline renderer (call once per notebook)."""
    alt.renderers.register("offline", offline_renderer)
    alt.renderers.enable("offline")
    alt.theme.register("probation_book", enable=True)(book_theme)
    alt.data_transformers.disable_max_rows()


def titled(chart: alt.TopLevelMixin, title: str, finding: str, source: str, alt_text: str):
    """Give a chart its title, its finding as subtitle, its source line, and alt text."""
    return chart.properties(
        title=alt.TitleParams(text=title, subtitle=[finding, *wrap(f"Source: {source}")]),
        description=alt_text,
    )


def wrap(text: str, width: int = 110) -> list[str]:
    """Split a long subtitle line at '; ' so that it fits the chart width."""
    lines, current = [], ""
    for part in text.split("; "):
        candidate = f"{current}; {part}" if current else part
        if current and len(candidate) > width:
            lines.append(current + ";")
            current = part
        else:
            current = candidate
    return lines + [current]


def event_marker(date: str, label: str, y_title: str | None = None) -> alt.LayerChart:
    """A dashed vertical rule with a label, marking an event such as a change in the law."""
    frame = pd.DataFrame({"date": [pd.Timestamp(date)], "label": [label]})
    rule = alt.Chart(frame).mark_rule(strokeDash=[4, 4], color=PALETTE["event"]).encode(x="date:T")
    text = alt.Chart(frame).mark_text(align="left", dx=4, dy=-6, baseline="top", color="#333",
                                      fontSize=11).encode(x="date:T", y=alt.value(4), text="label:N")
    return rule + text


def source_line(*frames: pd.DataFrame) -> str:
    """The publishers behind the figures drawn: official ones first, secondary ones marked."""
    rows = pd.concat([f for f in frames if len(f)])
    official = sorted(rows.loc[rows["source_kind"] == "official", "publisher"].unique())
    secondary = sorted(rows.loc[rows["source_kind"] == "secondary", "publisher"].unique())
    return "; ".join(official + [f"{p} (secondary)" for p in secondary])


def with_gaps(frame: pd.DataFrame, max_gap_days: int = 400) -> pd.DataFrame:
    """Insert an empty row wherever dates are further apart than `max_gap_days`.

    For charts only: a line then breaks across years with no figure instead of drawing a
    straight line that would look like data.  Nothing is filled in.
    """
    frame = frame.sort_values("date").reset_index(drop=True)
    pieces = []
    for i, row in frame.iterrows():
        if i and (row["date"] - frame.loc[i - 1, "date"]).days > max_gap_days:
            pieces.append(pd.DataFrame({"date": [frame.loc[i - 1, "date"] + pd.Timedelta(days=1)]}))
        pieces.append(row.to_frame().T)
    out = pd.concat(pieces, ignore_index=True)
    out["date"] = pd.to_datetime(out["date"])
    for col in frame.columns:
        if col != "date" and pd.api.types.is_numeric_dtype(frame[col]):
            out[col] = pd.to_numeric(out[col])
    return out


SOURCE_LABELS = {"official": "official publication", "secondary": "secondary compilation"}


def series_chart(frame: pd.DataFrame, y_title: str, color: str, events: list[tuple[str, str]] | None = None,
                 width: int = 640, height: int = 320) -> alt.LayerChart:
    """The book's common chart: one series over time, its points marked official or secondary.

    `frame` has `date`, `value` and `source_kind` columns.  The line breaks across gaps
    (`with_gaps`) instead of drawing through years with no figure; each point's shape says
    whether it comes from an official publication or a secondary compilation; `events` are
    (date, label) pairs drawn as dashed rules.  It only draws: title, finding and source are
    added by `titled`.
    """
    points = frame[["date", "value", "source_kind"]].assign(source=lambda d: d["source_kind"].map(SOURCE_LABELS))
    line = alt.Chart(with_gaps(points[["date", "value"]])).mark_line(color=color).encode(
        x=alt.X("date:T", title=None), y=alt.Y("value:Q", title=y_title))
    dots = alt.Chart(points).mark_point(filled=True, size=28, color=color).encode(
        x="date:T", y="value:Q",
        shape=alt.Shape("source:N", title="Figure from",
                        scale=alt.Scale(domain=list(SOURCE_LABELS.values()), range=["circle", "triangle-up"])),
        tooltip=[alt.Tooltip("date:T", title="Date"), alt.Tooltip("value:Q", title=y_title, format=","), "source:N"])
    layers = line + dots
    for date, label in events or []:
        layers = layers + event_marker(date, label)
    return layers.properties(width=width, height=height)
