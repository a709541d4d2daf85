"""The one chart preamble: book style, an offline renderer, and titled charts.

Altair's default HTML output loads vega from a CDN.  The book instead serves one bundle
(vega, vega-lite and vega-embed, from the vl-convert wheel) from its own `_static`
folder, and this module's renderer writes a small script that registers a call of `vegaEmbed`
on a `<div>` whose id is derived from the chart spec, so two runs write the same bytes;
`_static/chart-loader.js` fetches the bundle and draws each chart when it comes near the
screen (the page paints its text first).

Every chart carries a title, its finding as a subtitle, its source line, and alt text.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from urllib.parse import quote

import altair as alt
import pandas as pd

#: System fonts only: the site loads no web fonts.
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"

PALETTE = {"recall": "#b2182b", "total": "#4d4d4d", "context": "#2166ac", "event": "#7f7f7f"}


def vega_bundle_js() -> str:
    """Return vega, vega-lite and vega-embed as one script that defines only window globals.

    The bundle from `vl_convert.javascript_bundle` is wrapped in an immediately invoked
    function so that its top-level names do not leak into the page.
    """
    import vl_convert  # heavy: the PNG renderer, loaded only when an image is drawn

    version = ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])
    return "(function () {\n" + vl_convert.javascript_bundle(vl_version=version) + "\n})();\n"


def chart_id(spec: dict) -> str:
    """A stable element id derived from the chart spec."""
    digest = hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()
    return f"vis-{digest[:16]}"


def chart_table(spec: dict) -> pd.DataFrame:
    """The data behind a chart as a table: its largest inline dataset, blank columns and rows dropped.

    Altair stores a chart's data in `datasets`; the marker frames (an event line, a
    threshold) are smaller than the series drawn, so the largest one is the chart's data.
    """
    datasets = spec.get("datasets", {})
    if not datasets:
        values = spec.get("data", {}).get("values", [])
        datasets = {"data": values} if values else {}
    if not datasets:
        return pd.DataFrame()
    rows = max(datasets.values(), key=lambda v: (len([r for r in v if all(x is not None for x in r.values())]), len(v)))
    frame = pd.DataFrame(rows).dropna(axis=1, how="all").dropna(axis=0, how="any")
    for column in frame.columns:
        texts = frame[column].map(lambda v: v if isinstance(v, str) else "")
        if len(texts) and texts.str.match(r"^\d{4}-\d{2}-\d{2}T00:00:00").all():
            frame[column] = frame[column].astype(str).str[:10]
    return frame.reset_index(drop=True)


#: Every chart's download has these columns, in this order (the data table under the chart shows them too).
DOWNLOAD_COLUMNS = ["date", "value", "unit", "series", "source", "official_or_secondary", "publication_url"]
DOWNLOAD_HEADERS = {"date": "Date or period", "value": "Value", "unit": "Unit", "series": "Series",
                    "source": "Source", "official_or_secondary": "Official or secondary",
                    "publication_url": "Publication"}
#: How a figure the book computed (a share, a model) is marked in a download, beside the published rows it uses.
COMPUTED = "computed by the book"


def download_rows(*frames: pd.DataFrame, names: dict[str, str] | None = None) -> pd.DataFrame:
    """The rows of `data/` behind a chart, in the download's columns: each figure's period, value and unit,
    its series (by `names`, else its id in words), publisher and publication, official or secondary,
    and the publication's address."""
    rows = pd.concat([f for f in frames if len(f)]) if any(len(f) for f in frames) else pd.DataFrame()
    if rows.empty:
        return pd.DataFrame(columns=DOWNLOAD_COLUMNS)
    names = names or {}
    return pd.DataFrame({
        "date": rows["period"].astype(str),
        "value": rows["value"],
        "unit": rows["unit"],
        "series": rows["series_id"].map(lambda s: names.get(s) or s.replace("_", " ").capitalize()),
        "source": rows["publisher"] + ": " + rows["publication"],
        "official_or_secondary": rows["source_kind"],
        "publication_url": rows["url"],
    }).reset_index(drop=True)


def computed_rows(dates, values, unit: str, series: str, method: str) -> pd.DataFrame:
    """Figures the book computed (a share of two published series, a model's output), in the download's
    columns: `method` says how, in place of a publisher; no publication address."""
    frame = pd.DataFrame({"date": [str(d) for d in dates], "value": list(values)})
    return frame.assign(unit=unit, series=series, source=method, official_or_secondary=COMPUTED,
                        publication_url="")[DOWNLOAD_COLUMNS]


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:,.1f}" if abs(value) < 1000 and value != int(value) else f"{value:,.0f}"
    return html.escape(str(value))


def table_html(frame: pd.DataFrame, caption: str) -> str:
    """An accessible HTML table: a caption, column headers with scope."""
    head = "".join(f'<th scope="col">{html.escape(str(c))}</th>' for c in frame.columns)
    body = "".join("<tr>" + "".join(f"<td>{_cell(v)}</td>" for v in row) + "</tr>"
                   for row in frame.itertuples(index=False))
    return (f'<table class="chart-table"><caption>{html.escape(caption)}</caption>'
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")


def download_table_html(frame: pd.DataFrame, caption: str) -> str:
    """The download's rows as a table with readable headers; the publication is a link on the source."""
    heads = [c for c in DOWNLOAD_COLUMNS if c != "publication_url"]
    head = "".join(f'<th scope="col">{DOWNLOAD_HEADERS[c]}</th>' for c in heads)
    body = []
    for row in frame.to_dict("records"):
        cells = []
        for c in heads:
            text = _cell(row[c]) if c == "value" else html.escape(str(row[c]))
            if c == "source" and row.get("publication_url"):
                text = f'<a href="{html.escape(str(row["publication_url"]), quote=True)}">{text}</a>'
            cells.append(f"<td>{text}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (f'<table class="chart-table"><caption>{html.escape(caption)}</caption>'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>")


def download_name(title: str, chart: str) -> str:
    """A chart's download file name: its title in words and its id, so no two charts share a name."""
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:60] or "chart"
    return f"{slug}-{chart.removeprefix('vis-')[:8]}"


def csv_data_uri(frame: pd.DataFrame) -> str:
    """The table as a CSV data: address, so the download works offline and from the file system."""
    return "data:text/csv;charset=utf-8," + quote(frame.to_csv(index=False, lineterminator="\n"))


def offline_renderer(spec: dict, **_: object) -> dict:
    """Render a Vega-Lite spec as HTML that draws with the vendored bundle (no network).

    The chart fills its container's width; its title, finding and source are HTML text
    above it (they wrap on a phone); the drawing is one image for screen readers (role
    img and the alt text; no marks exposed), followed by a CSV download of its data and
    the same data as a table.
    """
    spec = dict(spec)
    div_id = chart_id(spec)
    title = spec.pop("title", {})
    text = title.get("text", "chart") if isinstance(title, dict) else str(title or "chart")
    subtitle = title.get("subtitle", []) if isinstance(title, dict) else []
    subtitle = [subtitle] if isinstance(subtitle, str) else list(subtitle)
    finding = subtitle[0] if subtitle else ""
    source = " ".join(subtitle[1:])
    if not any(k in spec for k in ("hconcat", "vconcat", "concat", "facet", "repeat")):
        spec["width"] = "container"
        spec["autosize"] = {"type": "fit-x", "contains": "padding"}
    download = (spec.pop("usermeta", None) or {}).get("download")
    payload = json.dumps(spec, sort_keys=True).replace("</", "<\\/")
    label = html.escape(spec.get("description", text), quote=True)
    name = download_name(text, div_id)
    frame = pd.DataFrame(download, columns=DOWNLOAD_COLUMNS) if download is not None else chart_table(spec)
    table = (download_table_html if download is not None else table_html)(frame, "Data: " + text)
    extras = ""
    if len(frame):
        # the PNG is drawn at build time with its title, source line and the site's address (analysis.site)
        extras = (f'<p class="chart-download"><a href="{csv_data_uri(frame)}" download="{name}.csv">'
                  f"Download the data (CSV)</a>"
                  f' &middot; <a class="chart-image" href="_static/charts/{div_id}.png" download="{name}.png">'
                  f"Download the chart (PNG)</a></p>"
                  f'<details class="chart-data"><summary>Show the data as a table</summary>{table}</details>')
    markup = (
        f'<div class="chart-block" data-chart="{div_id}">'
        f'<p class="chart-title">{html.escape(text)}</p>'
        + (f'<p class="chart-finding">{html.escape(finding)}</p>' if finding else "")
        + f'<div class="vega-chart" id="{div_id}" role="img" aria-label="{label}"></div>'
        + (f'<p class="chart-source">{html.escape(source)}</p>' if source else "")
        + extras + "</div>\n"
        '<script type="text/javascript">\n'
        "(function () {\n"
        f"  var spec = {payload};\n"
        f'  function draw() {{ return window.vegaEmbed("#{div_id}", spec, {{"renderer": "svg", "actions": false}})'
        f'.then(function () {{ document.querySelectorAll("#{div_id} svg").forEach(function (s) {{ s.setAttribute("aria-hidden", "true"); }}); }})'
        ".catch(function (e) { console.error(e); }); }\n"
        # drawn by chart-loader.js when the chart comes near the screen (it fetches the Vega bundle first)
        f'  (window.bookCharts = window.bookCharts || {{}})["{div_id}"] = draw;\n'
        "})();\n"
        "</script>"
    )
    return {"text/html": markup, "text/plain": f"Chart: {text}. {spec.get('description', '')}".strip()}


def book_theme() -> dict:
    """The book's chart style: system fonts, quiet axes, titles anchored left."""
    return {
        "config": {
            "font": FONT,
            # One image for screen readers: the container carries role img and the alt text.
            "aria": False,
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


def titled(chart: alt.TopLevelMixin, title: str, finding: str, source: str, alt_text: str, *, data: pd.DataFrame):
    """Give a chart its title, its finding as subtitle, its source line, alt text, and the rows its download
    holds (`data`, in `DOWNLOAD_COLUMNS`: from `download_rows` and `computed_rows`)."""
    missing = [c for c in DOWNLOAD_COLUMNS if c not in data.columns]
    if missing:
        raise ValueError(f"chart {title!r}: its data lacks the download columns {missing}")
    records = json.loads(data[DOWNLOAD_COLUMNS].to_json(orient="records"))
    return chart.properties(
        title=alt.TitleParams(text=title, subtitle=[finding, *wrap(f"Source: {source}")]),
        description=alt_text,
        usermeta={"download": records},
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


def stated_chart(frame: pd.DataFrame, x_title: str, color: str, width: int = 640, sort: str | None = "-x") -> alt.Chart:
    """Figures as a document states them, one bar each, largest first (`sort=None` keeps the frame's order).

    `frame` has `label` and `value` columns.  For a section no official series covers (an
    inspectorate's own scores, for example), so that the reader sees the document's figures
    side by side; the title and source say they are the document's, not checked.  It only draws.
    """
    return alt.Chart(frame).mark_bar(color=color).encode(
        y=alt.Y("label:N", title=None, sort=sort, axis=alt.Axis(labelLimit=220)),
        x=alt.X("value:Q", title=x_title),
        tooltip=[alt.Tooltip("label:N", title="As stated"), alt.Tooltip("value:Q", title=x_title, format=",")],
    ).properties(width=width, height=max(120, 16 * len(frame)))
