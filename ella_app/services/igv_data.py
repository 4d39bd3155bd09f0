"""IGV reference data for the web UI: the GRCh37 FASTA, its index, and the cytoband ideogram.

The source is a base URL (``http(s)://mirror/path``) or a local folder (an air-gapped site's mirror,
another installation's ``$IGV_DATA``), else NCBI/UCSC-hosted defaults. From it we take:

* ``human_g1k_v37_decoy.fasta`` and ``human_g1k_v37_decoy.fasta.fai`` — copied as they are;
* ``cytoBandIdeo.txt`` (or ``cytoBandIdeo.txt.gz``, or an already converted ``cytoBand.txt``) — saved as
  ``cytoBand.txt`` with the ``chr`` prefix stripped (GRCh37 names chromosomes without it).

Every source is checked before anything is written, so an unreachable source leaves the folder as it was.
Files are downloaded to a temporary name in the target folder and renamed when complete: no partial files.
A FASTA/index already present with the source's size is skipped, so a re-run changes nothing.
"""

from __future__ import annotations

import gzip
import os
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from ella_app import __version__
from ella_app.errors import ExternalServiceError, InputError
from ella_app.services.results import ChangeReport, ProgressFn, no_progress

SOURCE_ENV = "ELLA_IGV_SOURCE"
FASTA = "human_g1k_v37_decoy.fasta"
FASTA_INDEX = f"{FASTA}.fai"
CYTOBAND = "cytoBand.txt"
CHUNK = 1024 * 1024

DEFAULT_URLS = {
    FASTA: f"https://s3.amazonaws.com/igv.broadinstitute.org/genomes/seq/1kg_v37/{FASTA}",
    FASTA_INDEX: f"https://s3.amazonaws.com/igv.broadinstitute.org/genomes/seq/1kg_v37/{FASTA_INDEX}",
    CYTOBAND: "https://hgdownload.soe.ucsc.edu/goldenPath/hg19/database/cytoBandIdeo.txt.gz",
}
# Names to look for in a mirror, in order of preference.
SOURCE_NAMES = {
    FASTA: (FASTA,),
    FASTA_INDEX: (FASTA_INDEX,),
    CYTOBAND: ("cytoBandIdeo.txt", "cytoBandIdeo.txt.gz", CYTOBAND),
}


@dataclass(frozen=True)
class Located:
    """Where one target file comes from, and its size at the source when known."""

    target: str
    location: str  # URL or local path
    size: int | None


def _is_url(source: str) -> bool:
    return urllib.parse.urlsplit(source).scheme in ("http", "https")


def _request(url: str, method: str = "GET") -> urllib.request.Request:
    return urllib.request.Request(url, method=method, headers={"User-Agent": f"ella-cli/{__version__}"})


class _Http:
    def __init__(self, timeout: float) -> None:
        self.timeout = timeout

    def probe(self, url: str) -> int | None:
        """Size of ``url`` (None when the server does not say); FileNotFoundError on 404/410."""
        try:
            with urllib.request.urlopen(_request(url, "HEAD"), timeout=self.timeout) as response:
                length = response.headers.get("Content-Length")
                return int(length) if length and length.isdigit() else None
        except urllib.error.HTTPError as exc:
            if exc.code in (404, 410):
                raise FileNotFoundError(url) from None
            if exc.code in (403, 405, 501):  # no HEAD here; the download will tell
                return None
            raise ExternalServiceError(f"IGV data source {url} answered HTTP {exc.code} {exc.reason}") from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise ExternalServiceError(f"IGV data source {url} is unreachable: {reason}") from None

    @contextmanager
    def open(self, url: str) -> Iterator[IO[bytes]]:
        try:
            response = urllib.request.urlopen(_request(url), timeout=self.timeout)
        except urllib.error.HTTPError as exc:
            raise ExternalServiceError(f"downloading {url} failed: HTTP {exc.code} {exc.reason}") from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise ExternalServiceError(f"downloading {url} failed: {reason}") from None
        with response:
            yield response


def locate(source: str | None, timeout: float = 30.0) -> list[Located]:
    """Find every file at the source (``source`` or ``$ELLA_IGV_SOURCE`` or the defaults) before any download."""
    source = source or os.environ.get(SOURCE_ENV) or None
    http = _Http(timeout)
    found: list[Located] = []
    for target, names in SOURCE_NAMES.items():
        if source is None:
            url = DEFAULT_URLS[target]
            try:
                found.append(Located(target, url, http.probe(url)))
            except FileNotFoundError:
                raise ExternalServiceError(f"IGV data source {url} does not exist (HTTP 404)") from None
            continue
        if _is_url(source):
            for name in names:
                url = f"{source.rstrip('/')}/{name}"
                try:
                    found.append(Located(target, url, http.probe(url)))
                    break
                except FileNotFoundError:
                    continue
            else:
                raise ExternalServiceError(f"IGV data source {source} has none of: {', '.join(names)}")
            continue
        folder = Path(source)
        if not folder.is_dir():
            raise InputError("not a folder or an http(s) URL", source=str(source), key="source")
        for name in names:
            path = folder / name
            if path.is_file():
                found.append(Located(target, str(path), path.stat().st_size))
                break
        else:
            raise ExternalServiceError(f"IGV data folder {folder} has none of: {', '.join(names)}")
    return found


@contextmanager
def _open_source(located: Located, http: _Http) -> Iterator[IO[bytes]]:
    if _is_url(located.location):
        with http.open(located.location) as stream:
            yield stream
    else:
        with open(located.location, "rb") as stream:
            yield stream


@contextmanager
def _atomic_target(folder: Path, name: str) -> Iterator[IO[bytes]]:
    """A temporary file in ``folder`` renamed to ``name`` when the block succeeds, removed otherwise."""
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".partial", dir=folder)
    try:
        with os.fdopen(fd, "wb") as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, folder / name)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _copy(stream: IO[bytes], out: IO[bytes], on_bytes: Callable[[int], None]) -> int:
    done = 0
    while chunk := stream.read(CHUNK):
        out.write(chunk)
        done += len(chunk)
        on_bytes(done)
    return done


def strip_chr(data: bytes) -> bytes:
    """Cytoband lines without the ``chr`` prefix of their chromosome name."""
    lines = data.splitlines(keepends=True)
    return b"".join(line[3:] if line.startswith(b"chr") else line for line in lines)


def _fetch_cytoband(located: Located, http: _Http) -> bytes:
    try:
        with _open_source(located, http) as stream:
            raw = stream.read()
    except (TimeoutError, OSError) as exc:
        raise ExternalServiceError(f"reading {located.location} failed: {exc}") from None
    if located.location.endswith(".gz"):
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as exc:
            raise ExternalServiceError(f"{located.location} is not a readable gzip file: {exc}") from None
    return strip_chr(raw)


def _download(item: Located, folder: Path, http: _Http, progress: ProgressFn) -> None:
    total = item.size or 0
    try:
        with _open_source(item, http) as stream, _atomic_target(folder, item.target) as out:
            written = _copy(stream, out, lambda done: progress(item.target, done, total))
            if item.size is not None and written != item.size:
                raise ExternalServiceError(
                    f"{item.location}: got {written} bytes, expected {item.size}; nothing was saved"
                )
    except (TimeoutError, OSError) as exc:
        raise ExternalServiceError(f"copying {item.location} to {folder} failed: {exc}") from None


def download_igv_data(
    target_dir: str | Path,
    source: str | None = None,
    *,
    timeout: float = 30.0,
    progress: ProgressFn = no_progress,
) -> ChangeReport:
    """Put the IGV reference files into ``target_dir`` (created if missing); report what changed."""
    folder = Path(target_dir)
    located = locate(source, timeout)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create the folder: {exc.strerror}", source=str(folder)) from None
    http = _Http(timeout)
    report = ChangeReport(kind="igv data", extra={"directory": str(folder.resolve())})
    for item in located:
        target = folder / item.target
        existed = target.is_file()
        if item.target == CYTOBAND:
            content = _fetch_cytoband(item, http)
            if existed and target.read_bytes() == content:
                report.unchanged.append(item.target)
                continue
            with _atomic_target(folder, item.target) as out:
                out.write(content)
        else:
            if existed and (item.size is None or target.stat().st_size == item.size):
                report.unchanged.append(item.target)
                if item.size is None:
                    report.messages.append(f"{item.target}: kept (the source does not tell its size)")
                continue
            _download(item, folder, http, progress)
        (report.updated if existed else report.created).append(item.target)
    return report
