"""Which VCF INFO fields become annotation (transcripts, frequencies, ClinVar, HGMD, references), and how.

The configuration has ELLA's shape, a ``deposit`` list of converters with ``converter_config.elements``, so
an annotation config stored by ``annotationconfig update`` can drive the import. Understood converters:
``vep`` (VEP CSQ → transcripts), ``keyvalue``, ``mapping``, ``json`` and ``meta`` (ELLA's generic converters,
``annotation_converters``), ``clinvarjson`` (base16 JSON), ``clinvarreferences``, ``hgmd``,
``hgmdprimaryreport``/``hgmdextrarefs`` (→ references) and our compact ``frequencies`` (one entry per
provider with an INFO prefix, field kinds and populations). Others are listed in ``unsupported``.

:func:`default_config` is our packaged mapping (``schemas/annotation_default.json``). A config is compiled
against one VCF header (:meth:`AnnotationConfig.mapper`), dropping the sources the file does not have.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from ella_app.errors import InputError
from ella_app.formats import annotation_converters as conv
from ella_app.formats.vcf import VcfHeader, unescape

Info = dict[str, str | bool]
Annotation = dict[str, Any]
KNOWN = (
    "vep",
    "keyvalue",
    "mapping",
    "json",
    "meta",
    "clinvarjson",
    "clinvarreferences",
    "hgmd",
    "hgmdprimaryreport",
    "hgmdextrarefs",
    "frequencies",
)


# converters handled by formats/annotation_converters, with their default target (ours; ELLA requires one)
GENERIC = {
    "json": "",
    "meta": "",
    "clinvarjson": "external.CLINVAR",
    "clinvarreferences": "references",
    "hgmdprimaryreport": "references",
    "hgmdextrarefs": "references",
}


def _int(value: str) -> int:
    return int(value)


def _float(value: str) -> float:
    return float(value)


def _str(value: str) -> str:
    return unescape(value)


def _bool(value: str) -> bool:
    return value.lower() not in ("0", "false", "no", "")


TYPES: dict[str, Callable[[str], Any]] = {"int": _int, "float": _float, "string": _str, "bool": _bool}
_FAST_TYPES: dict[str, Callable[[str], Any]] = {"int": int, "float": float, "string": _str, "bool": _bool}


def _set(target: Annotation, path: tuple[str, ...], value: Any, extend: bool = False) -> None:
    node = target
    for part in path[:-1]:
        node = node.setdefault(part, {})
    if extend:
        node.setdefault(path[-1], []).extend(value)
    else:
        node[path[-1]] = value


@dataclass(frozen=True)
class AnnotationConfig:
    deposit: list[dict[str, Any]]
    config_id: int | None = None
    name: str = "default"

    @property
    def unsupported(self) -> list[str]:
        return sorted({d.get("name", "?") for d in self.deposit if d.get("name") not in KNOWN})

    def mapper(self, header: VcfHeader) -> AnnotationMapper:
        return AnnotationMapper(self, header)


def validate_config(data: Any, *, source: str) -> list[dict[str, Any]]:
    deposit = data.get("deposit") if isinstance(data, dict) else None
    if not isinstance(deposit, list):
        raise InputError("annotation config must have a 'deposit' list", source=source, key="deposit")
    for i, converter in enumerate(deposit):
        if not isinstance(converter, dict) or "name" not in converter:
            raise InputError("each converter needs a 'name'", source=source, key=f"deposit.{i}")
        if converter["name"] not in KNOWN:
            raise InputError(
                f"unknown converter {converter['name']!r}; known: {', '.join(KNOWN)}",
                source=source,
                key=f"deposit.{i}.name",
            )
        elements = converter.get("converter_config", {}).get("elements")
        if not isinstance(elements, list):
            raise InputError("converter_config.elements must be a list", source=source, key=f"deposit.{i}")
        for j, element in enumerate(elements):
            if converter["name"] != "frequencies" and "source" not in element:
                raise InputError("element needs a 'source'", source=source, key=f"deposit.{i}.elements.{j}")
            if element.get("target_type", "string") not in TYPES:
                raise InputError(
                    f"unknown target_type {element['target_type']!r}",
                    source=source,
                    key=f"deposit.{i}.elements.{j}.target_type",
                )
    return deposit


def default_config() -> AnnotationConfig:
    text = resources.files("ella_app.formats").joinpath("schemas", "annotation_default.json").read_text()
    return AnnotationConfig(validate_config(json.loads(text), source="annotation_default.json"), None, "default")


# ---------------------------------------------------------------------------------------------- converters


_VEP_COPY = (
    ("EXON", "exon"),
    ("INTRON", "intron"),
    ("Amino_acids", "amino_acids"),
    ("Codons", "codons"),
    ("cDNA_position", "cdna_position"),
    ("CDS_position", "cds_position"),
    ("Protein_position", "protein_position"),
    ("IMPACT", "impact"),
)


class VepTranscripts:
    """VEP ``CSQ`` value → ELLA's transcript annotations; sub-field positions come from the header once."""

    def __init__(self, fields: list[str]) -> None:
        self.n = len(fields)
        at = {name: i for i, name in enumerate(fields)}
        self.feature = at.get("Feature")
        self.feature_type = at.get("Feature_type")
        self.symbol = at.get("SYMBOL")
        self.hgnc = at.get("HGNC_ID")
        self.consequence = at.get("Consequence")
        self.hgvsc = at.get("HGVSc")
        self.hgvsp = at.get("HGVSp")
        self.protein = at.get("ENSP")
        self.strand = at.get("STRAND")
        self.canonical = at.get("CANONICAL")
        self.existing = at.get("Existing_variation")
        self.copy = [(at[k], name) for k, name in _VEP_COPY if k in at]

    def decode(self, value: str) -> list[dict[str, Any]]:
        # One loop with the field positions in locals: this runs for every transcript of every record.
        n, feature, feature_type = self.n, self.feature, self.feature_type
        symbol, hgnc, consequence, hgvsc, hgvsp = self.symbol, self.hgnc, self.consequence, self.hgvsc, self.hgvsp
        protein, strand, canonical, existing, copy = self.protein, self.strand, self.canonical, self.existing, self.copy
        out = []
        for entry in value.split(","):
            p = entry.split("|")
            if len(p) != n:
                raise ValueError(f"CSQ entry has {len(p)} fields, the header declares {n}")
            if feature is None or not p[feature]:
                continue
            if feature_type is not None and p[feature_type] not in ("Transcript", ""):
                continue
            t: dict[str, Any] = {"transcript": p[feature]}
            if symbol is not None and p[symbol]:
                t["symbol"] = p[symbol]
            if hgnc is not None and p[hgnc]:
                digits = p[hgnc].rpartition(":")[2]
                if digits.isdigit():
                    t["hgnc_id"] = int(digits)
            if consequence is not None and p[consequence]:
                t["consequences"] = p[consequence].split("&")
            if hgvsc is not None:
                v = p[hgvsc]
                if v:
                    t["HGVSc"] = v
                    t["HGVSc_short"] = v.split(":", 1)[-1]
            if hgvsp is not None:
                v = p[hgvsp]
                if v:
                    t["HGVSp"] = v.split(":", 1)[-1].replace("%3D", "=")
            if protein is not None and p[protein]:
                t["protein"] = p[protein]
            for i, name in copy:
                if p[i]:
                    t[name] = p[i]
            if strand is not None:
                v = p[strand]
                if v.lstrip("+-").isdigit():
                    t["strand"] = int(v)
            t["is_canonical"] = canonical is not None and p[canonical] == "YES"
            if existing is not None and p[existing]:
                rs = [v for v in p[existing].split("&") if v.startswith("rs") and v[2:].isdigit()]
                if rs:
                    t["dbsnp"] = rs
            out.append(t)
        return out


def _subelement(sub: dict[str, Any]) -> Callable[[str], Any]:
    """A ``meta`` subelement: a ``keyvalue`` conversion of one key's value (ELLA's default type: as is)."""
    target_type = sub.get("target_type")
    convert: Callable[[str], Any] = TYPES[target_type] if target_type else (lambda v: v)
    split, throw = sub.get("split"), sub.get("target_type_throw", True)

    def one(value: str) -> Any:
        try:
            return [convert(v) for v in value.split(split)] if split else convert(value)
        except ValueError:
            if throw:
                raise ValueError(f"{sub['source']}={value!r} is not of type {target_type}") from None
            return None

    return one


@dataclass
class _Element:
    source: str
    apply: Callable[[Annotation, Any], None]
    pick: Callable[[str], str]


def _picker(header: VcfHeader, source: str) -> Callable[[str], str]:
    """Number=A/R fields hold one value per ALT (REF first for R); records are decomposed, so take ours."""
    definition = header.info.get(source)
    number = definition.number if definition else "."
    if number == "A":
        return lambda v: v.split(",", 1)[0]
    if number == "R":
        return lambda v: [*v.split(","), ""][1]
    return lambda v: v


@dataclass
class AnnotationMapper:
    """A config compiled against one VCF header: ``annotate(info)`` gives the annotation JSON of a record."""

    config: AnnotationConfig
    header: VcfHeader
    elements: list[_Element] = field(default_factory=list)
    keyvalues: list[tuple[str, tuple[str, ...], Callable[[str], Any], str | None, bool, int]] = field(
        default_factory=list
    )
    csq: list[tuple[str, VepTranscripts, tuple[str, ...]]] = field(default_factory=list)
    used_sources: set[str] = field(default_factory=set)
    info_elements: list[tuple[str, Callable[[Annotation, Any, Info], None], Callable[[str], str]]] = field(
        default_factory=list
    )
    required: list[str] = field(default_factory=list)  # sources every record must have (ELLA's ``required``)
    _groups: list[tuple[tuple[str, ...], list[Any]]] = field(default_factory=list, init=False, repr=False)

    def __post_init__(self) -> None:
        for converter in self.config.deposit:
            name = converter.get("name")
            elements = converter.get("converter_config", {}).get("elements", [])
            for element in elements:
                self._compile(name, element)
                if element.get("required") and element.get("source"):
                    self.required.append(element["source"])
        # keyvalue elements grouped by the parent of their target, which is then looked up once per record
        groups: dict[tuple[str, ...], list[Any]] = {}
        for source, path, convert, split, throw, pick in self.keyvalues:
            groups.setdefault(path[:-1], []).append((source, path[-1], convert, split, throw, pick))
        self._groups = list(groups.items())

    def _keyvalue(self, element: dict[str, Any]) -> None:
        source = element["source"]
        definition = self.header.info.get(source)
        number = definition.number if definition else "."
        pick = 1 if number == "A" else 2 if number == "R" else 0
        convert = _FAST_TYPES[element.get("target_type", "string")]
        mode = element.get("target_mode", "insert")
        if mode != "insert":  # ELLA's extend/append/merge: placed like the generic converters
            self._keyvalue_placed(element, convert, mode)
            return
        path = tuple(element.get("target", source).split("."))
        self.keyvalues.append(
            (source, path, convert, element.get("split"), element.get("target_type_throw", True), pick)
        )
        self.used_sources.add(source)

    def _keyvalue_placed(self, element: dict[str, Any], convert: Callable[[str], Any], mode: str) -> None:
        source, target = element["source"], element.get("target", element["source"])
        split, throw = element.get("split"), element.get("target_type_throw", True)

        def apply(ann: Annotation, raw: Any, info: Info) -> None:
            if raw is True:
                value: Any = True
            elif not isinstance(raw, str) or raw in ("", "."):
                return
            else:
                try:
                    value = [convert(v) for v in raw.split(split) if v not in ("", ".")] if split else convert(raw)
                except ValueError:
                    if not throw:
                        return
                    raise ValueError(f"INFO {source}={raw!r} is not of the configured type") from None
            conv.place(ann, target, value, mode)

        self.info_elements.append((source, apply, _picker(self.header, source)))
        self.used_sources.add(source)

    def _compile(self, name: str | None, element: dict[str, Any]) -> None:
        if name == "frequencies":
            self._frequencies(element)
            return
        source = element.get("source", "")
        if source not in self.header.info:
            return
        if name == "vep":
            fields = self.header.csq_fields(source)
            if fields is None:
                raise InputError(
                    f"INFO {source} has no 'Format: a|b|c' field list in its description",
                    source=self.header.path,
                )
            self.csq.append((source, VepTranscripts(fields), tuple(element.get("target", "transcripts").split("."))))
            self.used_sources.add(source)
        elif name == "keyvalue":
            self._keyvalue(element)
        elif name == "mapping":
            self._mapping(element)
        elif name == "hgmd":
            self._hgmd(element)
        elif name in GENERIC:
            self._generic(name, element)

    def _generic(self, name: str, element: dict[str, Any]) -> None:
        """ELLA's ``json``, ``meta``, ``clinvarjson`` and the reference converters, placed by ``target_mode``."""
        source = element["source"]
        target = element.get("target") or GENERIC[name]
        mode = element.get("target_mode", "insert")
        if not target:
            raise InputError(f"converter {name} needs a 'target'", source=self.header.path, key=source)
        description = self.header.info[source].description
        convert: Callable[[str, Info], Any]
        try:
            if name in ("json", "clinvarjson"):
                decode = conv.json_converter(element.get("encoding", "base16"), element.get("subpath"), source)
                if name == "json":
                    convert = lambda raw, info: decode(raw)  # noqa: E731
                else:
                    convert = lambda raw, info: conv.clinvar_json(decode(raw))  # noqa: E731
            elif name == "clinvarreferences":
                convert = lambda raw, info: conv.clinvar_references(raw, source)  # noqa: E731
            elif name == "hgmdprimaryreport":
                # ELLA reads the comments only when the element lists HGMD__comments in additional_sources
                comments = "HGMD__comments" if "HGMD__comments" in element.get("additional_sources", []) else None

                def convert(raw: str, info: Info) -> Any:
                    value = info.get(comments) if comments else None
                    return conv.hgmd_primary_report(raw, value if isinstance(value, str) else None)
            elif name == "hgmdextrarefs":
                keys = conv.hgmd_extrarefs_keys(description, source)
                convert = lambda raw, info: conv.hgmd_extrarefs(raw, keys)  # noqa: E731
            else:
                separator = element.get("value_separator", "|")
                pattern = element.get("meta_pattern", conv.DEFAULT_META_PATTERN)
                keys = conv.meta_keys(description, pattern, separator, source)
                subelements = {sub["source"]: _subelement(sub) for sub in element.get("subelements", [])}
                meta = conv.meta_converter(keys, subelements, separator, element.get("list_separator"), source)
                convert = lambda raw, info: meta(raw)  # noqa: E731
        except ValueError as exc:
            raise InputError(f"{exc} (converter {name})", source=self.header.path) from None

        def apply(ann: Annotation, raw: Any, info: Info) -> None:
            if not isinstance(raw, str):
                raise ValueError(f"INFO {source} has no value (converter {name} needs one)")
            conv.place(ann, target, convert(raw, info), mode)

        self.info_elements.append((source, apply, _picker(self.header, source)))
        self.used_sources.add(source)

    def _add(self, source: str, apply: Callable[[Annotation, Any], None]) -> None:
        self.elements.append(_Element(source, apply, _picker(self.header, source)))
        self.used_sources.add(source)

    def _frequencies(self, element: dict[str, Any]) -> None:
        provider, prefix = element["provider"], element["prefix"]
        for field_name, kind in element["fields"].items():
            target_type = "float" if kind == "freq" else "int"
            for pop in ["", *element.get("populations", [])]:
                source = f"{prefix}{field_name}_{pop}" if pop else f"{prefix}{field_name}"
                if source in self.header.info:
                    target = f"frequencies.{provider}.{kind}.{pop or element.get('total', 'G')}"
                    self._keyvalue({"source": source, "target": target, "target_type": target_type})

    def _mapping(self, element: dict[str, Any]) -> None:
        path = tuple(element["target"].split("."))
        items, kv = element.get("item_separator", ","), element.get("keyvalue_separator", ":")
        convert = TYPES[element.get("target_type", "string")]

        def apply(ann: Annotation, raw: Any) -> None:
            if not isinstance(raw, str) or raw in ("", "."):
                return
            mapping = {}
            for item in raw.split(items):
                key, _, value = item.partition(kv)
                mapping[unescape(key)] = convert(value)
            _set(ann, path, mapping)

        self._add(element["source"], apply)

    def _hgmd(self, element: dict[str, Any]) -> None:
        path = tuple(element.get("target", "external.HGMD").split("."))
        sources = [element["source"], *element.get("additional_sources", [])]

        def key(source: str) -> str:
            return source.split("__", 1)[-1]

        def apply_first(ann: Annotation, raw: Any) -> None:
            if isinstance(raw, str) and raw not in ("", "."):
                _set(ann, (*path, key(sources[0])), unescape(raw).replace("@#SP", " "))

        self._add(sources[0], apply_first)
        for extra in sources[1:]:
            if extra not in self.header.info:
                continue

            def apply_extra(ann: Annotation, raw: Any, extra: str = extra) -> None:
                node = ann
                for part in path:
                    node = node.get(part, {}) if isinstance(node, dict) else {}
                if node and isinstance(raw, str) and raw not in ("", "."):
                    node[key(extra)] = unescape(raw).replace("@#SP", " ")

            self._add(extra, apply_extra)

    def annotate(self, info: Info) -> Annotation:
        """The annotation of one (decomposed) record from its parsed INFO; raises ValueError on bad values."""
        ann: Annotation = {}
        get = info.get
        for source in self.required:
            if source not in info:
                raise ValueError(f"INFO {source} is missing; the annotation config marks it required")
        for source, decoder, path in self.csq:
            raw = get(source)
            if isinstance(raw, str) and raw:
                transcripts = decoder.decode(raw)
                if transcripts:
                    _set(ann, path, transcripts)
        for parent, items in self._groups:
            node: Annotation | None = None
            for source, leaf, convert, split, throw, pick in items:
                raw = get(source)
                if raw is None or raw is False:
                    continue
                if raw is True:
                    value: Any = True
                else:
                    if pick == 1:
                        comma = raw.find(",")
                        if comma >= 0:
                            raw = raw[:comma]
                    elif pick == 2:
                        raw = [*raw.split(","), ""][1]
                    if raw == "." or not raw:
                        continue
                    try:
                        value = [convert(v) for v in raw.split(split) if v != "." and v] if split else convert(raw)
                    except ValueError:
                        if not throw:
                            continue
                        raise ValueError(f"INFO {source}={raw!r} is not of the configured type") from None
                if node is None:
                    node = ann
                    for part in parent:
                        child = node.get(part)
                        if child is None:
                            child = node[part] = {}
                        node = child
                node[leaf] = value
        for element in self.elements:
            raw = get(element.source)
            if raw is None:
                continue
            element.apply(ann, element.pick(raw) if isinstance(raw, str) else raw)
        for source, apply, pick in self.info_elements:
            raw = get(source)
            if raw is None:
                continue
            apply(ann, pick(raw) if isinstance(raw, str) else raw, info)
        references = ann.get("references")
        if isinstance(references, list) and len(references) > 1:  # as ELLA: sorted by PubMed id
            references.sort(key=lambda r: r.get("pubmed_id") or 0 if isinstance(r, dict) else 0)
        return ann


# ---------------------------------------------------------------------------------------------- the config file


def _yaml_line(root: Any, path: list[Any]) -> int | None:
    """The line (1-based) of the YAML node at ``path`` (keys and list indexes), or of its nearest parent."""
    import yaml

    node, line = root, None
    for part in path:
        line = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            node = next((v for k, v in node.value if k.value == part), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
        else:
            node = None
        if node is None:
            return line
    return node.start_mark.line + 1 if node is not None else line


def read_config_file(path: str | Path) -> dict[str, Any]:
    """ELLA's ``annotation-config.yml`` (YAML or JSON): ``deposit`` and ``view``, checked against
    ``schemas/annotationconfig.json`` and compiled once; problems name the file, line and key."""
    import jsonschema
    import yaml

    from ella_app.formats.jsonfile import load_schema

    source = str(path)
    try:
        raw = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError("file not found", source=source) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read file: {exc}", source=source) from None
    try:
        data = yaml.safe_load(raw)
        root = yaml.compose(raw)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise InputError(f"invalid YAML: {problem}", source=source, line=mark.line + 1 if mark else None) from None
    validator = jsonschema.Draft202012Validator(load_schema("annotationconfig.json"))
    errors = sorted(validator.iter_errors(data), key=lambda e: len(list(e.absolute_path)), reverse=True)
    if errors:
        error = errors[0]
        parts = list(error.absolute_path)
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
            parts, problem = [*parts, *extra[:1]], f"unknown key(s): {', '.join(extra)}"
        elif error.validator == "required" and isinstance(error.instance, dict):
            missing = [k for k in error.validator_value if k not in error.instance]
            problem = f"missing required key(s): {', '.join(missing)}"
        else:
            problem = error.message
        key = ".".join(map(str, parts)) or None
        raise InputError(problem, source=source, line=_yaml_line(root, parts) if root else None, key=key)
    assert isinstance(data, dict)
    validate_config(data, source=source)
    return {"deposit": data["deposit"], "view": data["view"]}
