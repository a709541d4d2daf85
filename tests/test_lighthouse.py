"""`python -m analysis lighthouse`: its gzip server and its reading of a Lighthouse report (Lighthouse
itself is a benchmark, run by `make lighthouse`, not by the tests)."""

import gzip
import urllib.request

from analysis.lighthouse import format_row, pages, serve, summary


def test_the_server_gzips_text_as_a_static_host_would(tmp_path):
    (tmp_path / "book").mkdir()
    (tmp_path / "book" / "index.html").write_text("<p>" + "probation " * 500 + "</p>", encoding="utf-8")
    (tmp_path / "chart.png").write_bytes(b"\x89PNG" + b"\0" * 100)
    server, base = serve(tmp_path)
    try:
        asked = urllib.request.Request(base + "book/index.html", headers={"Accept-Encoding": "gzip"})
        with urllib.request.urlopen(asked) as reply:
            body, encoding = reply.read(), reply.headers["Content-Encoding"]
        assert encoding == "gzip" and gzip.decompress(body).startswith(b"<p>probation")
        assert len(body) < 200                                   # 5,000 bytes of text, compressed
        with urllib.request.urlopen(urllib.request.Request(base + "chart.png",
                                                           headers={"Accept-Encoding": "gzip"})) as reply:
            assert reply.headers["Content-Encoding"] is None and reply.read().startswith(b"\x89PNG")
    finally:
        server.shutdown()


def test_every_main_page_is_audited():
    found = pages()
    assert found[:2] == ["book/index.html", "book/claims-register.html"]
    assert "notebooks/recall.html" in found and "notebooks/community-sentences.html" in found
    assert not [p for p in found if p.startswith("notebooks/register")]


def test_a_report_is_read_into_scores_timings_and_the_audits_short_of_passing():
    def ref(*ids):
        return [{"id": i, "weight": 1} for i in ids]

    report = {
        "categories": {"performance": {"score": 0.87, "auditRefs": ref("total-blocking-time")},
                       "accessibility": {"score": 0.96, "auditRefs": ref("target-size")},
                       "best-practices": {"score": 1, "auditRefs": []}, "seo": {"score": 1, "auditRefs": []}},
        "audits": {"largest-contentful-paint": {"numericValue": 2400.0, "score": 0.91},
                   "total-blocking-time": {"numericValue": 330.0, "score": 0.72, "displayValue": "330 ms"},
                   "total-byte-weight": {"numericValue": 128 * 1024, "score": 1},
                   "target-size": {"score": 0, "displayValue": ""},
                   "unused-javascript": {"score": 0.5, "displayValue": "Potential savings of 158 KiB",
                                         "metricSavings": {"LCP": 750, "TBT": 0}}}}
    got = summary(report)
    assert (got["performance"], got["accessibility"], got["seo"]) == (87, 96, 100)
    assert (got["lcp"], got["tbt"], round(got["weight"])) == (2400.0, 330.0, 128)
    assert got["failing"][0] == "unused-javascript (Potential savings of 158 KiB)"   # the largest saving first
    assert "target-size" in got["failing"] and "total-blocking-time (330 ms)" in got["failing"]
    row = format_row("notebooks/recall.html", got)
    assert row.startswith("notebooks/recall.html") and "  87   96  100  100   2.40     330    128" in row
