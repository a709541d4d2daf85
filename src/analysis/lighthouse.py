"""`python -m analysis lighthouse` (`make lighthouse`): Lighthouse's mobile audit of the built site.

A benchmark, not a test: it serves `_build/html` over loopback with gzip, as a static host would,
runs Lighthouse (a Node tool, installed on demand at a pinned version into `.venv/lighthouse/`) with
its default mobile preset (simulated slow 4G, 4x slower CPU) on the landing page, every chapter and
the register, takes the better of `--runs` runs per page, and prints the four category scores,
largest contentful paint, total blocking time, page weight and the slowest audits.  Nothing leaves
the machine: the pages make no outside request, and Lighthouse is told not to fetch anything else.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from .params import chapter_list
from .paths import repo_root

VERSION = "12.2.3"
COMPRESSIBLE = (".html", ".css", ".js", ".json", ".svg", ".txt", ".csv", ".map", ".mjs")
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
CHROMIUM = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")


class GzipHandler(SimpleHTTPRequestHandler):
    """A static file server that gzips text files when the client accepts it and lets assets be cached."""

    def log_message(self, *args):  # quiet
        pass

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if not path.is_file() or "gzip" not in self.headers.get("Accept-Encoding", "") \
                or path.suffix not in COMPRESSIBLE:
            return super().send_head()
        body = gzip.compress(path.read_bytes(), compresslevel=6, mtime=0)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        if path.suffix != ".html":
            self.send_header("Cache-Control", "public, max-age=31536000")
        self.end_headers()
        return io.BytesIO(body)


def serve(site: Path) -> tuple[ThreadingHTTPServer, str]:
    """Serve `site` on a free loopback port in a background thread; returns the server and its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(GzipHandler, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def lighthouse_bin(cache: Path) -> Path:
    """The pinned Lighthouse, installed with npm into `cache` the first time it is needed."""
    binary = cache / "node_modules" / ".bin" / "lighthouse"
    marker = cache / "node_modules" / "lighthouse" / "package.json"
    if binary.exists() and marker.is_file() and json.loads(marker.read_text())["version"] == VERSION:
        return binary
    if not shutil.which("npm"):
        sys.exit("lighthouse: npm is not installed (Lighthouse is a Node tool; install Node 20 and npm)")
    cache.mkdir(parents=True, exist_ok=True)
    subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--silent", "--prefix", str(cache),
                    f"lighthouse@{VERSION}"], check=True)
    return binary


def pages() -> list[str]:
    """The main pages: the landing page, the claims register and every chapter, relative to the site root."""
    found = ["book/index.html", "book/claims-register.html"]
    for chapter in chapter_list():
        found.append(chapter["notebook"].removesuffix(".ipynb") + ".html")
    return found


def audit(binary: Path, url: str, chrome: str, out: Path) -> dict:
    """One Lighthouse mobile run on `url`; its JSON report as a dict."""
    env = {**os.environ, "CHROME_PATH": chrome}
    cmd = [str(binary), url, "--quiet", "--output=json", f"--output-path={out}",
           f"--only-categories={','.join(CATEGORIES)}", "--max-wait-for-load=60000",
           "--chrome-flags=--headless=new --no-sandbox --disable-gpu --no-first-run"]
    subprocess.run(cmd, env=env, check=True, capture_output=True, timeout=300)
    return json.loads(out.read_text(encoding="utf-8"))


def summary(report: dict) -> dict:
    """Scores (0-100), LCP and TBT (ms), weight (KB), and the audits that cost the most time."""
    audits = report["audits"]
    scores = {c: round(100 * (report["categories"][c]["score"] or 0)) for c in CATEGORIES}
    weights = {ref["id"]: ref.get("weight", 0) for c in CATEGORIES for ref in report["categories"][c]["auditRefs"]}
    slow = sorted((((a.get("metricSavings") or {}).get("LCP", 0) or 0) + ((a.get("metricSavings") or {}).get("TBT", 0) or 0),
                   weights.get(k, 0), k, a.get("displayValue", ""))
                  for k, a in audits.items() if a.get("score") is not None and a["score"] < 0.9)
    failing = [f"{k} ({shown})" if shown else k for _, _, k, shown in sorted(slow, reverse=True)[:8]]
    return {**scores,
            "lcp": audits["largest-contentful-paint"]["numericValue"],
            "tbt": audits["total-blocking-time"]["numericValue"],
            "weight": audits["total-byte-weight"]["numericValue"] / 1024,
            "failing": failing}


def run(site: Path, runs: int = 2, only: list[str] | None = None) -> list[tuple[str, dict]]:
    """Audit every main page `runs` times and keep the better run (by performance score) of each."""
    chrome = next((c for c in CHROMIUM if Path(c).exists()), None)
    if chrome is None:
        sys.exit("lighthouse: no Chromium found (apt-get install chromium)")
    binary = lighthouse_bin(repo_root() / ".venv" / "lighthouse")
    server, base = serve(site)
    results = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for page in only or pages():
                best = None
                for n in range(runs):
                    got = summary(audit(binary, base + page, chrome, Path(tmp) / f"{n}.json"))
                    if best is None or (got["performance"], -got["tbt"]) > (best["performance"], -best["tbt"]):
                        best = got
                results.append((page, best))
                print(format_row(page, best), flush=True)
    finally:
        server.shutdown()
    return results


HEADER = f"{'page':44} {'perf':>4} {'a11y':>4} {'bp':>4} {'seo':>4} {'LCP s':>6} {'TBT ms':>7} {'KB':>6}"


def format_row(page: str, r: dict) -> str:
    line = (f"{page:44} {r['performance']:>4} {r['accessibility']:>4} {r['best-practices']:>4} {r['seo']:>4} "
            f"{r['lcp'] / 1000:>6.2f} {r['tbt']:>7.0f} {r['weight']:>6.0f}")
    return line + ("\n    below 90: " + "; ".join(r["failing"]) if r["failing"] else "")


def report(site: Path | None = None, runs: int = 2, only: list[str] | None = None) -> int:
    """Print the scores of every main page (or `only` those), the better of `runs` runs each."""
    site = Path(site or repo_root() / "_build" / "html")
    if not (site / "book" / "index.html").is_file():
        sys.exit(f"lighthouse: no built site in {site}: run `make book` first")
    print(f"Lighthouse {VERSION}, mobile preset, better of {runs} run(s) per page, served with gzip\n{HEADER}")
    results = run(site, runs, only)
    short = [p for p, r in results if r["performance"] < 90 or min(r[c] for c in CATEGORIES[1:]) < 100
             or r["lcp"] >= 2500 or r["tbt"] >= 200]
    print(f"\n{len(results) - len(short)} of {len(results)} pages meet 90+ performance, 100 on the rest, "
          "LCP under 2.5 s and TBT under 200 ms" + (f"; short: {', '.join(short)}" if short else ""))
    return 0
