"""What a sample (reanalysis) job sends to the annotation service: the regions BED made from the chosen gene
panel, and what the configured preimport script supplies (ELLA's ``import.preimport_script``, feature I11).

The script is run without a shell, with ``GENEPANEL_NAME``, ``GENEPANEL_VERSION``, ``SAMPLE_ID``,
``USERGROUP`` and ``PRIORITY`` in its environment (ELLA passes the same names), and must print one JSON object
``{"files": {"<key>": "<path>"}, "variables": {"<name>": <value>}}``: the files are read and sent as files of
the multipart request, the variables as its fields. It has ``timeout`` seconds; a script that fails, hangs,
prints something else or names a file it cannot read fails the job with that reason.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ella_app.db.models import GenePanelTranscript, Transcript
from ella_app.errors import EllaError

MAX_OUTPUT = 1_000_000
MAX_FILE = 200_000_000


class PreimportFailed(EllaError):
    """The preimport script failed; the message says how (for the job's message)."""


@dataclass
class SampleRequest:
    fields: dict[str, str] = field(default_factory=dict)
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)


def regions_bed(session: Session, genepanel_name: str, genepanel_version: str) -> str:
    """The panel's transcripts as a BED (ELLA's columns: ``#chromosome``, ``txStart``, ``txEnd``), in genomic
    order."""
    rows = session.execute(
        select(Transcript.chromosome, Transcript.tx_start, Transcript.tx_end)
        .join(GenePanelTranscript, GenePanelTranscript.transcript_id == Transcript.id)
        .where(
            GenePanelTranscript.genepanel_name == genepanel_name,
            GenePanelTranscript.genepanel_version == genepanel_version,
        )
        .order_by(Transcript.chromosome, Transcript.tx_start, Transcript.tx_end)
    ).all()
    if not rows:
        raise EllaError(f"gene panel {genepanel_name} {genepanel_version} has no transcripts: no regions to annotate")
    lines = ["#chromosome\ttxStart\ttxEnd", *(f"{c}\t{s}\t{e}" for c, s, e in rows)]
    return "\n".join(lines) + "\n"


def run_preimport(script: str | None, env: dict[str, str], timeout: float) -> SampleRequest:
    """Run the preimport script (none configured: nothing extra is sent)."""
    if not script:
        return SampleRequest()
    path = Path(script)
    if not path.is_file() or not os.access(path, os.X_OK):
        raise PreimportFailed(f"the preimport script {script} is not an executable file")
    try:
        process = subprocess.Popen(
            [str(path)],
            env={**os.environ, **env},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,  # its own process group: a timeout ends the script and what it started
        )
    except OSError as exc:
        raise PreimportFailed(f"the preimport script {path.name} could not be started: {exc.strerror}") from None
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise PreimportFailed(f"the preimport script {path.name} did not finish within {timeout:g} s") from None
    done = subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
    if done.returncode != 0:
        tail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
        raise PreimportFailed(
            f"the preimport script {path.name} failed (exit code {done.returncode})"
            + (f": {' / '.join(tail)}" if tail else "")
        )
    return _parse_output(path.name, done.stdout[:MAX_OUTPUT])


def _parse_output(name: str, stdout: bytes) -> SampleRequest:
    try:
        value: Any = json.loads(stdout)
    except ValueError:
        raise PreimportFailed(f"the preimport script {name} did not print JSON") from None
    if not isinstance(value, dict) or not isinstance(value.get("files", {}), dict):
        raise PreimportFailed(f'the preimport script {name} must print {{"files": {{…}}, "variables": {{…}}}}')
    variables = value.get("variables") or {}
    if not isinstance(variables, dict):
        raise PreimportFailed(f"the preimport script {name}: 'variables' must be an object")
    request = SampleRequest(fields={str(k): v if isinstance(v, str) else json.dumps(v) for k, v in variables.items()})
    for key, file_path in (value.get("files") or {}).items():
        target = Path(str(file_path))
        try:
            if target.stat().st_size > MAX_FILE:
                raise PreimportFailed(f"the preimport script {name}: file {target} is larger than {MAX_FILE:,} bytes")
            request.files[str(key)] = (target.name, target.read_bytes())
        except OSError as exc:
            raise PreimportFailed(
                f"the preimport script {name} named file {target}, which cannot be read: {exc.strerror}"
            ) from None
    return request
