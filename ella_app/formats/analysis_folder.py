"""ELLA's analysis folder: the ``.analysis`` file (current and legacy forms), the folder-name form,
``READY``/``report.txt``/``warnings.txt``, and PED files with the proband column.

Pure parsing and validation (no database). :func:`load_analysis` accepts a folder, a ``.analysis`` file
or a ``.vcf[.gz]`` file and returns an :class:`AnalysisSpec` whose files are known to exist.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ella_app.errors import InputError
from ella_app.formats.jsonfile import load_schema, read_json, validate_entries

READY = "READY"
REPORT = "report.txt"
WARNINGS = "warnings.txt"
TECHNOLOGIES = ("HTS", "Sanger")

# <prefix>[.-]<panel>[-_]<version>, e.g. Diag-excap01-123456789.HBOC_v1.0.0 or Diag-wgs22-4455-Mendel-v03
_FOLDER_NAME = re.compile(r"^(?P<prefix>.+?)[.-](?P<panel>[A-Za-z0-9]+)[-_](?P<version>v\d[0-9A-Za-z.]*)$")


@dataclass(frozen=True)
class PedMember:
    family: str
    sample: str
    father: str | None
    mother: str | None
    sex: str | None  # Male | Female
    affected: bool
    proband: bool
    line: int


@dataclass(frozen=True)
class Pedigree:
    path: Path
    members: list[PedMember]

    @property
    def proband(self) -> PedMember:
        return next(m for m in self.members if m.proband)

    @property
    def samples(self) -> list[str]:
        return [m.sample for m in self.members]

    def member(self, sample: str) -> PedMember | None:
        return next((m for m in self.members if m.sample == sample), None)


@dataclass(frozen=True)
class DataEntry:
    vcf: Path
    ped: Path | None = None
    technology: str = "HTS"
    caller_name: str | None = None


@dataclass
class AnalysisSpec:
    name: str
    genepanel_name: str
    genepanel_version: str
    folder: Path
    source: Path  # the file (or folder) the description was read from
    form: str  # analysis-file | legacy-analysis-file | folder-name | vcf
    priority: int = 1
    date_requested: dt.date | None = None
    report: str | None = None
    warnings: str | None = None
    data: list[DataEntry] = field(default_factory=list)
    properties: dict[str, Any] = field(default_factory=dict)


def is_ready(folder: Path) -> bool:
    return (folder / READY).is_file()


def split_panel(value: str, *, source: str, key: str | None = None) -> tuple[str, str]:
    """``HBOC_v1.0.0`` → (``HBOC``, ``v1.0.0``): split on the first ``_``; the version starts with ``v``."""
    name, sep, version = value.partition("_")
    if not sep or not name or not version.startswith("v"):
        raise InputError(f"gene panel {value!r} is not of the form NAME_vVERSION", source=source, key=key)
    return name, version


def parse_folder_name(name: str, *, source: str) -> tuple[str, str]:
    """Panel name and version from an analysis name ``<prefix>[.-]<panel>[-_]<version>``."""
    match = _FOLDER_NAME.match(name)
    if not match:
        raise InputError(
            f"cannot read the gene panel from the name {name!r}: expected <analysis>[.-]<panel>[-_]v<version>, "
            "or add a .analysis file",
            source=source,
        )
    return match.group("panel"), match.group("version")


def _vcf_stem(path: Path) -> str:
    name = path.name
    for suffix in (".vcf.gz", ".vcf"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return path.stem


def _is_vcf(path: Path) -> bool:
    return path.is_file() and (path.name.endswith(".vcf") or path.name.endswith(".vcf.gz"))


def _ped_for(vcf: Path) -> Path | None:
    ped = vcf.with_name(_vcf_stem(vcf) + ".ped")
    return ped if ped.is_file() else None


def _find_vcfs(folder: Path) -> list[Path]:
    """Every VCF under the folder, except IGV tracks (``tracks/``), in a stable order."""
    return sorted(p for p in folder.rglob("*") if _is_vcf(p) and "tracks" not in p.relative_to(folder).parts[:-1])


def _read_text(path: Path) -> str | None:
    if not path.is_file():
        return None
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read file: {exc}", source=str(path)) from None
    return text if text.strip() else None


def _parse_date(value: Any, *, source: str, key: str) -> dt.date | None:
    if value in (None, ""):
        return None
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        raise InputError(f"{value!r} is not a date (YYYY-MM-DD)", source=source, key=key) from None


def _from_analysis_file(path: Path) -> AnalysisSpec:
    source = str(path)
    doc = read_json(path)
    if not isinstance(doc, dict):
        raise InputError("the .analysis file must hold a JSON object", source=source)
    validate_entries(path, doc, load_schema("analysis.json"))
    folder = path.parent
    if "data" in doc:
        for key in ("genepanel_name", "genepanel_version"):
            if key not in doc:
                raise InputError("missing required key", source=source, key=key)
        panel, version = doc["genepanel_name"], doc["genepanel_version"]
        data = []
        for i, item in enumerate(doc["data"]):
            vcf = folder / item["vcf"]
            if not vcf.is_file():
                raise InputError(f"VCF file {vcf} not found", source=source, key=f"data.{i}.vcf")
            ped = folder / item["ped"] if item.get("ped") else None
            if ped is not None and not ped.is_file():
                raise InputError(f"PED file {ped} not found", source=source, key=f"data.{i}.ped")
            data.append(DataEntry(vcf, ped, item.get("technology", "HTS"), item.get("callerName")))
        form = "analysis-file"
    elif "params" in doc:
        panel, version = split_panel(doc["params"]["genepanel"], source=source, key="params.genepanel")
        vcfs = sorted(p for p in folder.iterdir() if _is_vcf(p))
        if not vcfs:
            raise InputError(f"no .vcf or .vcf.gz file in {folder}", source=source)
        data = [DataEntry(vcfs[0], _ped_for(vcfs[0]))]
        form = "legacy-analysis-file"
    else:
        raise InputError("neither 'data' (current form) nor 'params.genepanel' (legacy form) is given", source=source)
    date = doc.get("date_requested") or doc.get("date_analysis_requested")
    date_key = "date_requested" if doc.get("date_requested") else "date_analysis_requested"
    extra = {k: v for k, v in doc.items() if k not in {"name", "params", "data", "report", "warnings", "priority"}}
    return AnalysisSpec(
        name=doc["name"],
        genepanel_name=panel,
        genepanel_version=version,
        folder=folder,
        source=path,
        form=form,
        priority=int(doc.get("priority", 1)),
        date_requested=_parse_date(date, source=source, key=date_key),
        report=doc.get("report"),
        warnings=doc.get("warnings"),
        data=data,
        properties={k: v for k, v in extra.items() if k == "type"},
    )


def _from_folder_name(folder: Path) -> AnalysisSpec:
    panel, version = parse_folder_name(folder.name, source=str(folder))
    vcfs = _find_vcfs(folder)
    if not vcfs:
        raise InputError("no .analysis file and no .vcf/.vcf.gz file in the folder", source=str(folder))
    data = [DataEntry(v, _ped_for(v)) for v in vcfs]
    return AnalysisSpec(folder.name, panel, version, folder, folder, "folder-name", data=data)


def _from_vcf(vcf: Path) -> AnalysisSpec:
    name = _vcf_stem(vcf)
    panel, version = parse_folder_name(name, source=str(vcf))
    return AnalysisSpec(name, panel, version, vcf.parent, vcf, "vcf", data=[DataEntry(vcf, _ped_for(vcf))])


def load_analysis(path: str | Path) -> AnalysisSpec:
    """Read an analysis from a folder, a ``.analysis`` file or a VCF; report/warnings files override JSON."""
    path = Path(path)
    if not path.exists():
        raise InputError("no such file or folder", source=str(path))
    if path.is_dir():
        descriptions = sorted(path.glob("*.analysis"))
        if len(descriptions) > 1:
            names = ", ".join(p.name for p in descriptions)
            raise InputError(f"more than one .analysis file ({names}); keep one", source=str(path))
        spec = _from_analysis_file(descriptions[0]) if descriptions else _from_folder_name(path)
    elif path.name.endswith(".analysis"):
        spec = _from_analysis_file(path)
    elif _is_vcf(path):
        spec = _from_vcf(path)
    else:
        raise InputError("expected an analysis folder, a .analysis file or a .vcf/.vcf.gz file", source=str(path))
    if spec.form != "vcf":
        report, warnings = _read_text(spec.folder / REPORT), _read_text(spec.folder / WARNINGS)
        if (spec.folder / REPORT).is_file():
            spec.report = report
        if (spec.folder / WARNINGS).is_file():
            spec.warnings = warnings
    for entry in spec.data:
        if entry.technology not in TECHNOLOGIES:
            raise InputError(f"technology {entry.technology!r} is not HTS or Sanger", source=str(spec.source))
    return spec


_SEX = {"1": "Male", "2": "Female"}


def parse_ped(path: str | Path) -> Pedigree:
    """A PED file with ELLA's seventh column (proband 1/0); exactly one proband and one family."""
    path = Path(path)
    source = str(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise InputError("PED file not found", source=source) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read file: {exc}", source=source) from None
    members: list[PedMember] = []
    for number, text in enumerate(lines, start=1):
        if not text.strip() or text.startswith("#"):
            continue
        cols = text.split("\t") if "\t" in text else text.split()
        cols = [c.strip() for c in cols]
        if len(cols) == 6:
            raise InputError("6 columns: the 7th column (proband 1/0) is missing", source=source, line=number)
        if len(cols) != 7:
            raise InputError(f"expected 7 columns, found {len(cols)}", source=source, line=number)
        family, sample, father, mother, sex, affected, proband = cols
        if proband not in ("0", "1"):
            raise InputError(f"proband column must be 1 or 0, not {proband!r}", source=source, line=number)
        if any(m.sample == sample for m in members):
            raise InputError(f"sample {sample!r} is listed twice", source=source, line=number)
        members.append(
            PedMember(
                family=family,
                sample=sample,
                father=None if father in ("0", "") else father,
                mother=None if mother in ("0", "") else mother,
                sex=_SEX.get(sex),
                affected=affected == "2",
                proband=proband == "1",
                line=number,
            )
        )
    if not members:
        raise InputError("PED file has no samples", source=source)
    probands = [m for m in members if m.proband]
    if len(probands) != 1:
        found = ", ".join(m.sample for m in probands) or "none"
        raise InputError(f"exactly one proband (column 7 = 1) is required, found {found}", source=source)
    families = sorted({m.family for m in members})
    if len(families) != 1:
        raise InputError(f"one family per PED file, found {', '.join(families)}", source=source)
    names = {m.sample for m in members}
    for m in members:
        for role, parent in (("father", m.father), ("mother", m.mother)):
            if parent is not None and parent not in names:
                raise InputError(f"{role} {parent!r} of {m.sample} is not in the file", source=source, line=m.line)
    for role in ("father", "mother"):  # ELLA: "An analysis' family can only have one father/mother"
        parents = sorted({p for p in (getattr(m, role) for m in members) if p is not None})
        if len(parents) > 1:
            raise InputError(f"one {role} per family, found {', '.join(parents)}", source=source)
    return Pedigree(path, members)
