"""Check every internal link and anchor in a built site, offline.

Every `href` and `src` in every HTML page that points inside the site must name a file that
exists, and a `#fragment` must name an `id` (or `<a name>`) in the page it points to.
Links off the machine (http:, https:, mailto: and the like) are left to the scheduled
source check; nothing here touches the network.
"""

from __future__ import annotations

from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

LINK_ATTRS = {"a": "href", "link": "href", "area": "href", "img": "src", "script": "src", "iframe": "src",
              "source": "src", "video": "src", "audio": "src", "embed": "src"}

#: Theme template fragments (Jinja macros copied as they are), not pages a reader opens.
SKIP_FOLDERS = {"_static", "_sources"}


class _Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[tuple[int, str]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for key in ("id", "name" if tag == "a" else "id"):
            if attrs.get(key):
                self.ids.add(attrs[key])
        attr = LINK_ATTRS.get(tag)
        if attr and attrs.get(attr) is not None:
            self.links.append((self.getpos()[0], attrs[attr]))


@lru_cache(maxsize=None)
def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8", errors="replace"))
    return page


def broken_links(site: Path) -> list[str]:
    """Every internal link or anchor in the site that leads nowhere, as 'page:line: link (why)'."""
    site = Path(site).resolve()
    _parse.cache_clear()
    problems = []
    for page_path in sorted(site.rglob("*.html")):
        if page_path.relative_to(site).parts[0] in SKIP_FOLDERS:
            continue
        page = _parse(page_path)
        for line, link in page.links:
            parts = urlsplit(link.strip())
            if parts.scheme or parts.netloc or link.strip().lower().startswith(("javascript:", "data:")):
                continue
            where = f"{page_path.relative_to(site).as_posix()}:{line}: {link}"
            target = page_path if not parts.path else (page_path.parent / unquote(parts.path)).resolve()
            if target.is_dir():
                target = target / "index.html"
            if site not in target.parents and target != site:
                problems.append(f"{where} (points outside the site)")
                continue
            if not target.is_file():
                problems.append(f"{where} (no file {target.relative_to(site).as_posix()})")
                continue
            fragment = unquote(parts.fragment)
            if fragment and target.suffix == ".html" and fragment not in _parse(target).ids:
                problems.append(f"{where} (no id {fragment!r} in {target.relative_to(site).as_posix()})")
    return problems
