"""The site archive: `_build/html` as a deterministic tar.gz with its SHA-256 checksum.

Entries are sorted, owned by 0:0, dated 1 January 1980 and written through gzip with no
name or time in its header, so the same site always gives the same bytes and checksum.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import tarfile
from pathlib import Path

FIXED_MTIME = 315532800  # 1980-01-01T00:00:00Z


def _info(name: str, path: Path) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.mtime, info.uid, info.gid, info.uname, info.gname = FIXED_MTIME, 0, 0, "", ""
    if path.is_dir():
        info.type, info.mode = tarfile.DIRTYPE, 0o755
    else:
        info.size, info.mode = path.stat().st_size, 0o644
    return info


def make_archive(site: Path, out_dir: Path, stem: str) -> tuple[Path, Path]:
    """Write `<stem>.tar.gz` (top folder `<stem>/`) and `<stem>.tar.gz.sha256`; return both paths."""
    site = Path(site)
    if not (site / "index.html").is_file():
        raise FileNotFoundError(f"{site}: no built site here (index.html missing); run `make book` first")
    out_dir.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        tar.addfile(_info(stem, site))
        for path in sorted(site.rglob("*"), key=lambda p: p.relative_to(site).as_posix()):
            name = f"{stem}/{path.relative_to(site).as_posix()}"
            if path.is_dir():
                tar.addfile(_info(name, path))
            elif path.is_file():
                with open(path, "rb") as fh:
                    tar.addfile(_info(name, path), fh)
    archive = out_dir / f"{stem}.tar.gz"
    with open(archive, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as gz:
        gz.write(buffer.getvalue())
    digest = hashlib.sha256(archive.read_bytes()).hexdigest()
    checksum = out_dir / f"{stem}.tar.gz.sha256"
    checksum.write_text(f"{digest}  {archive.name}\n", encoding="utf-8")
    return archive, checksum
