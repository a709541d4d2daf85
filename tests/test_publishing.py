"""Publishing: the CI workflows lint clean, CITATION.cff validates, licences are stated,
the site archive is deterministic, the link checker catches what it should, and the source
URL check reports broken URLs (here with a stand-in fetcher: no test touches the network)."""

import csv
import hashlib
import json
import os
import subprocess
import sys
import tarfile

import pytest
import yaml

from analysis.dist import make_archive
from analysis.linkcheck import broken_links
from analysis.sources import broken_sources, format_broken, source_urls

from .conftest import ROOT

WORKFLOWS = ROOT / ".github" / "workflows"


def check_jsonschema(schema: str, *files) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, *map(str, files)],
                          capture_output=True, text=True)


def test_workflows_lint_clean():
    files = sorted(WORKFLOWS.glob("*.yml"))
    assert [f.name for f in files] == ["book.yml", "sources.yml"]
    out = check_jsonschema("vendor.github-workflows", *files)
    assert out.returncode == 0, out.stdout + out.stderr


def test_the_workflow_lint_catches_a_broken_workflow(tmp_path):
    bad = tmp_path / "bad.yml"
    text = (WORKFLOWS / "book.yml").read_text().replace("runs-on: ubuntu-24.04", "runs_on: ubuntu-24.04", 1)
    bad.write_text(text)
    out = check_jsonschema("vendor.github-workflows", bad)
    assert out.returncode == 1 and "runs_on" in out.stdout + out.stderr


def test_book_workflow_tests_deploys_and_releases():
    flow = yaml.safe_load((WORKFLOWS / "book.yml").read_text())
    triggers = flow[True]   # YAML 1.1 reads the key `on` as True
    assert set(triggers) == {"push", "pull_request"} and triggers["push"]["tags"] == ["v*"]
    jobs = flow["jobs"]
    steps = lambda job: jobs[job]["steps"]
    assert any(s.get("run") == "make test" for s in steps("test"))
    assert jobs["build"]["needs"] == "test" and "refs/heads/main" in jobs["build"]["if"]
    assert any(s.get("run") == "make dist" for s in steps("build"))
    assert any(s.get("uses", "").startswith("actions/upload-pages-artifact@") for s in steps("build"))
    assert any(s.get("uses", "").startswith("actions/deploy-pages@") for s in steps("deploy"))
    assert jobs["deploy"]["if"] == "github.ref == 'refs/heads/main'"
    assert jobs["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
    release = " ".join(s.get("run", "") for s in steps("release"))
    assert "sha256sum --check" in release and "gh release" in release
    assert jobs["release"]["if"] == "startsWith(github.ref, 'refs/tags/v')"


def test_source_check_runs_on_a_schedule_not_in_make_test():
    flow = yaml.safe_load((WORKFLOWS / "sources.yml").read_text())
    assert "schedule" in flow[True] and "push" not in flow[True]
    assert "python3 -m analysis.sources" in " ".join(s.get("run", "") for s in flow["jobs"]["check-sources"]["steps"])
    assert "analysis.sources" not in (ROOT / "Makefile").read_text()


def test_citation_file_validates_and_names_a_recorded_edition(tmp_path):
    out = check_jsonschema("vendor.citation-file-format", ROOT / "CITATION.cff")
    assert out.returncode == 0, out.stdout + out.stderr
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    assert cff["cff-version"] == "1.2.0" and cff["license"] == "MIT"
    assert (ROOT / "data" / "editions" / f"{cff['version']}.json").is_file()
    bad = tmp_path / "CITATION.cff"
    bad.write_text((ROOT / "CITATION.cff").read_text().replace("cff-version: 1.2.0", "cff-version: one"))
    assert check_jsonschema("vendor.citation-file-format", bad).returncode == 1


def test_licences_in_the_data_package_cover_every_row():
    package = json.loads((ROOT / "data" / "datapackage.json").read_text())
    titles = {lic["title"] for lic in package["licenses"]}
    assert titles == {"Open Government Licence v3.0", "Open Parliament Licence", "Creative Commons Attribution 4.0 International"}
    as_marked = {"OGL-3.0": "Open Government Licence v3.0", "Open Parliament Licence": "Open Parliament Licence",
                 "CC-BY-4.0": "Creative Commons Attribution 4.0 International"}  # a third party's parse, as its repository licenses it
    for path in sorted((ROOT / "data").glob("*.csv")):
        with open(path, newline="", encoding="utf-8") as fh:
            for number, row in enumerate(csv.DictReader(fh), start=2):
                if row["licence"] != "unknown":
                    assert as_marked[row["licence"]] in titles, f"{path.name} row {number}: {row['licence']}"
    assert "MIT" in package["description"]


def test_footer_states_code_and_data_licences():
    footer = yaml.safe_load((ROOT / "_config.yml").read_text())["sphinx"]["config"]["html_theme_options"]["extra_footer"]
    for words in ("Code: MIT Licence", "Open Government Licence v3.0", "Open Parliament Licence"):
        assert words in footer


def test_readme_says_how_to_cite_an_edition():
    readme = (ROOT / "README.md").read_text()
    assert "## Editions and how to cite one" in readme and "CITATION.cff" in readme and "make dist" in readme


def small_site(folder):
    (folder / "book").mkdir(parents=True)
    (folder / "_static").mkdir()
    (folder / "_static" / "style.css").write_text("body {}")
    (folder / "index.html").write_text(
        '<html><head><link rel="stylesheet" href="_static/style.css"></head><body>'
        '<a href="book/page.html#part-2">part 2</a> <a href="#top" id="top">top</a> '
        '<a href="https://example.org/x#y">off the machine</a> <a href="book/">folder</a></body></html>')
    (folder / "book" / "page.html").write_text('<html><body><h2 id="part-2">Part 2</h2><a href="../index.html">home</a></body></html>')
    (folder / "book" / "index.html").write_text("<html><body></body></html>")
    return folder


def test_link_checker_passes_a_sound_site_and_catches_planted_breaks(tmp_path):
    site = small_site(tmp_path / "site")
    assert broken_links(site) == []
    with open(site / "book" / "page.html", "a") as fh:
        fh.write('<a href="../index.html#nowhere">a</a><a href="missing.html">b</a><img src="../_static/gone.png">'
                 '<a href="../../outside.html">c</a>')
    problems = broken_links(site)
    assert problems == [
        "book/page.html:1: ../index.html#nowhere (no id 'nowhere' in index.html)",
        "book/page.html:1: missing.html (no file book/missing.html)",
        "book/page.html:1: ../_static/gone.png (no file _static/gone.png)",
        "book/page.html:1: ../../outside.html (points outside the site)",
    ]


def test_site_archive_is_deterministic_with_its_checksum(tmp_path):
    site = small_site(tmp_path / "site")
    first, checksum = make_archive(site, tmp_path / "a", "probation-in-numbers-2024-06")
    data = first.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    assert checksum.read_text() == f"{digest}  probation-in-numbers-2024-06.tar.gz\n"
    for path in site.rglob("*"):
        os.utime(path, (1_700_000_000, 1_700_000_000))   # other file times, same content
    again, _ = make_archive(site, tmp_path / "b", "probation-in-numbers-2024-06")
    assert again.read_bytes() == data
    with tarfile.open(first) as tar:
        names = tar.getnames()
        assert names[0] == "probation-in-numbers-2024-06"
        assert "probation-in-numbers-2024-06/book/page.html" in names
        assert {m.mtime for m in tar.getmembers()} == {315532800}
    (site / "book" / "page.html").write_text("changed")
    changed, _ = make_archive(site, tmp_path / "c", "probation-in-numbers-2024-06")
    assert changed.read_bytes() != data


def test_site_archive_needs_a_built_site(tmp_path):
    with pytest.raises(FileNotFoundError, match="index.html missing"):
        make_archive(tmp_path, tmp_path / "dist", "x")


def test_source_urls_are_collected_and_broken_ones_reported(tmp_path):
    urls = source_urls(ROOT / "data")
    assert urls and all(u.startswith(("http://", "https://")) for u in urls)
    first = sorted(urls)[0]
    broken = broken_sources(urls, check=lambda url: "HTTP 404" if url == first else None)
    assert broken == [(first, "HTTP 404", urls[first])]
    report = format_broken(broken, len(urls))
    assert report.startswith(f"# Broken source URLs: 1 of {len(urls)}") and f"- {first}: HTTP 404 (cited by " in report
    assert format_broken([], 3) == "All 3 source URLs answered.\n"
