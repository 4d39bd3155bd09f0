"""Test data for the API tests, written through the models: panels, groups, users, analyses with samples,
alleles, annotation and genotypes, filter configs, classifications, sessions.

Users are given a session directly (a ``usersession`` row with a known token), so tests need no password
hashing beyond the one hash computed here at import. Databases are built once per module as a template
(:func:`template_db`) and copied per test (:func:`copy_db`): fresh and fast.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import Session

from ella_app.api import create_app, requestlog
from ella_app.config import load_settings
from ella_app.db.models import (
    Allele,
    AlleleAssessment,
    AlleleInterpretation,
    Analysis,
    AnalysisInterpretation,
    Annotation,
    FilterConfig,
    Gene,
    GenePanel,
    GenePanelPhenotype,
    GenePanelTranscript,
    Genotype,
    GenotypeSampleData,
    InterpretationLog,
    Phenotype,
    Sample,
    Transcript,
    User,
    UserGroup,
    UserGroupFilterConfig,
    UserGroupGenePanel,
    UserSession,
)
from ella_app.db.session import get_engine, get_read_engine
from ella_app.formats.vcf import allele_shape
from ella_app.security import passwords, tokens
from tests.conftest import EXAMPLE_CONFIG
from tests.support.pgcluster import PgCluster

T = TypeVar("T")
PASSWORD = "Unused-Test-Pass-1"
PASSWORD_HASH = passwords.hash_password(PASSWORD)
_names = itertools.count()


# ------------------------------------------------------------------------------------------ databases


def _admin(pg: PgCluster, sql: str) -> None:
    engine = create_engine(pg.url(), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(sql))
    engine.dispose()


def template_db(pg: PgCluster, build: Callable[[Session], T]) -> tuple[str, T]:
    """A database at head filled by ``build`` (committed); returns its name (a template for copies)."""
    name = f"world_{os.getpid()}_{next(_names)}"
    _admin(pg, f'CREATE DATABASE "{name}" TEMPLATE "ella_template"')
    engine = create_engine(pg.url(name))
    with Session(engine, expire_on_commit=False) as session:
        result = build(session)
        session.commit()
    engine.dispose()
    return name, result


@contextmanager
def copy_db(pg: PgCluster, template: str) -> Iterator[str]:
    """A fresh copy of a template database, dropped afterwards."""
    name = f"copy_{os.getpid()}_{next(_names)}"
    _admin(pg, f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    url = pg.url(name)
    try:
        yield url
    finally:
        _flush_request_logs(url)
        get_engine(url).dispose()
        get_read_engine(url).dispose()
        _admin(pg, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


_APPS: list[Flask] = []


def _flush_request_logs(db_url: str) -> None:
    """Let the apps on this database write their queued resourcelog rows before the database goes."""
    for app in [a for a in _APPS if a.config["ELLA_SETTINGS"].db_url == db_url]:
        if requestlog.EXTENSION in app.extensions:
            requestlog.writer(app).flush(5)
        _APPS.remove(app)


def make_app(db_url: str, data_dir: Path) -> Flask:
    for sub in ("analyses/imported", "analyses/incoming", "attachments", "igv-data/tracks"):
        (data_dir / sub).mkdir(parents=True, exist_ok=True)
    env = {
        "ELLA_CONFIG": str(EXAMPLE_CONFIG),
        "DB_URL": db_url,
        "ANALYSES_PATH": str(data_dir / "analyses/imported"),
        "ANALYSES_INCOMING": str(data_dir / "analyses/incoming"),
        "ATTACHMENT_STORAGE": str(data_dir / "attachments"),
        "IGV_DATA": str(data_dir / "igv-data"),
    }
    app = create_app(load_settings(env))
    app.testing = True
    _APPS.append(app)
    return app


def session_for(db_url: str) -> Session:
    return Session(get_engine(db_url), expire_on_commit=False)


# ------------------------------------------------------------------------------------------ clients


class Api:
    """A test client logged in as one user; sends the CSRF header on state-changing requests."""

    def __init__(self, app: Flask, db_url: str, user_id: int | None) -> None:
        self.client: FlaskClient = app.test_client()
        self.csrf = secrets.token_hex(16)  # no session: any value (refused where a session is needed)
        if user_id is not None:
            token = tokens.new_token()
            self.csrf = tokens.csrf_token(token)
            with session_for(db_url) as session:
                session.add(
                    UserSession(
                        user_id=user_id,
                        token=tokens.token_digest(token),
                        expires=dt.datetime.now(dt.UTC) + dt.timedelta(days=1),
                    )
                )
                session.commit()
            self.client.set_cookie("AuthenticationToken", token)
            self.client.set_cookie("csrf_token", self.csrf)

    def get(self, path: str, **kw: Any) -> Any:
        return self.client.get(path, **kw)

    def _unsafe(self, method: str, path: str, json: Any = None, **kw: Any) -> Any:
        headers = {"X-CSRF-Token": self.csrf, **kw.pop("headers", {})}
        if json is not None:
            kw["json"] = json
        return self.client.open(path, method=method, headers=headers, **kw)

    def post(self, path: str, json: Any = None, **kw: Any) -> Any:
        return self._unsafe("POST", path, json, **kw)

    def patch(self, path: str, json: Any = None, **kw: Any) -> Any:
        return self._unsafe("PATCH", path, json, **kw)


def all_ids(filtered: dict[str, Any]) -> list[int]:
    """Every allele id of a ``filteredalleles`` answer (shown and filtered out), sorted."""
    return sorted({*filtered["allele_ids"], *(a for ids in filtered["excluded_allele_ids"].values() for a in ids)})


# ------------------------------------------------------------------------------------------ panels, groups


@dataclass
class GeneSpec:
    hgnc_id: int
    symbol: str
    transcript: str
    chromosome: str
    tx_start: int
    tx_end: int
    strand: str = "+"
    cds: tuple[int, int] | None = None
    exons: list[tuple[int, int]] = field(default_factory=list)
    inheritance: str = "AD"


def make_panel(session: Session, name: str, version: str, genes: list[GeneSpec]) -> GenePanel:
    panel = GenePanel(name=name, version=version, genome_reference="GRCh37", official=True)
    session.add(panel)
    session.flush()
    for spec in genes:
        if session.get(Gene, spec.hgnc_id) is None:
            session.add(Gene(hgnc_id=spec.hgnc_id, hgnc_symbol=spec.symbol))
            session.flush()
        tx = session.scalar(select(Transcript).where(Transcript.transcript_name == spec.transcript))
        if tx is None:
            exons = spec.exons or [(spec.tx_start, spec.tx_end)]
            cds = spec.cds or (spec.tx_start, spec.tx_end)
            tx = Transcript(
                gene_id=spec.hgnc_id,
                transcript_name=spec.transcript,
                chromosome=spec.chromosome,
                tx_start=spec.tx_start,
                tx_end=spec.tx_end,
                strand=spec.strand,
                cds_start=cds[0],
                cds_end=cds[1],
                exon_starts=[s for s, _ in exons],
                exon_ends=[e for _, e in exons],
            )
            session.add(tx)
            session.flush()
        session.add(
            GenePanelTranscript(
                genepanel_name=name, genepanel_version=version, transcript_id=tx.id, inheritance=spec.inheritance
            )
        )
        phenotype = Phenotype(gene_id=spec.hgnc_id, description=f"{spec.symbol} disease", inheritance=spec.inheritance)
        session.add(phenotype)
        session.flush()
        session.add(GenePanelPhenotype(genepanel_name=name, genepanel_version=version, phenotype_id=phenotype.id))
    session.flush()
    return panel


def make_group(
    session: Session, name: str, panels: list[tuple[str, str]], config: dict[str, Any] | None = None
) -> UserGroup:
    group = UserGroup(name=name, config=config or {})
    session.add(group)
    session.flush()
    for panel_name, version in panels:
        session.add(UserGroupGenePanel(usergroup_id=group.id, genepanel_name=panel_name, genepanel_version=version))
    session.flush()
    return group


def make_user(session: Session, username: str, group: UserGroup, config: dict[str, Any] | None = None) -> User:
    user = User(
        username=username,
        first_name=username.title(),
        last_name="Tester",
        group_id=group.id,
        password=PASSWORD_HASH,
        password_expiry=dt.datetime.now(dt.UTC) + dt.timedelta(days=60),
        config=config or {},
    )
    session.add(user)
    session.flush()
    return user


def make_filterconfig(
    session: Session,
    name: str,
    filters: list[dict[str, Any]],
    groups: dict[UserGroup, int],
    requirements: list[dict[str, Any]] | None = None,
) -> FilterConfig:
    fc = FilterConfig(name=name, filterconfig={"filters": filters}, requirements=requirements or [], active=True)
    session.add(fc)
    session.flush()
    for group, order in groups.items():
        session.add(UserGroupFilterConfig(usergroup_id=group.id, filterconfig_id=fc.id, order=order))
    session.flush()
    return fc


# ------------------------------------------------------------------------------------------ annotation


def tx(
    name: str,
    symbol: str,
    hgnc_id: int,
    consequences: list[str],
    hgvsc: str = "c.100A>G",
    hgvsp: str = "p.Lys34Glu",
    canonical: bool = True,
) -> dict[str, Any]:
    return {
        "transcript": name,
        "symbol": symbol,
        "hgnc_id": hgnc_id,
        "consequences": consequences,
        "HGVSc": f"{name}:{hgvsc}",
        "HGVSc_short": hgvsc,
        "HGVSp": hgvsp,
        "is_canonical": canonical,
        "exon": "3/10",
    }


def gnomad(freq: float, num: int = 100_000, provider: str = "GNOMAD_EXOMES") -> dict[str, Any]:
    return {provider: {"freq": {"G": freq}, "num": {"G": num}, "count": {"G": int(freq * num)}}}


# ------------------------------------------------------------------------------------------ analyses


@dataclass
class SampleSpec:
    identifier: str
    proband: bool = True
    affected: bool = True
    sex: str | None = "Female"
    father: str | None = None
    mother: str | None = None


@dataclass
class VariantSpec:
    chromosome: str
    pos: int
    ref: str
    alt: str
    annotation: dict[str, Any] = field(default_factory=dict)
    genotypes: dict[str, str] = field(default_factory=dict)  # sample identifier → type (default Heterozygous)
    filter_status: str = "PASS"
    qual: float = 500.0
    allele_ratio: float = 0.5


def get_allele(session: Session, chromosome: str, pos: int, ref: str, alt: str) -> Allele:
    found = session.scalar(
        select(Allele).where(
            Allele.chromosome == chromosome, Allele.vcf_pos == pos, Allele.vcf_ref == ref, Allele.vcf_alt == alt
        )
    )
    if found is not None:
        return found
    shape = allele_shape(pos, ref, alt)
    allele = Allele(
        chromosome=chromosome,
        start_position=shape.start,
        open_end_position=shape.open_end,
        change_from=shape.change_from,
        change_to=shape.change_to,
        change_type=shape.change_type,
        vcf_pos=pos,
        vcf_ref=ref,
        vcf_alt=alt,
        length=shape.length,
    )
    session.add(allele)
    session.flush()
    return allele


def set_annotation(session: Session, allele: Allele, annotation: dict[str, Any]) -> Annotation:
    current = session.scalar(
        select(Annotation).where(Annotation.allele_id == allele.id, Annotation.date_superceeded.is_(None))
    )
    if current is not None:
        current.date_superceeded = dt.datetime.now(dt.UTC)
        session.flush()
    row = Annotation(allele_id=allele.id, annotation=annotation, previous_annotation_id=current.id if current else None)
    session.add(row)
    session.flush()
    return row


def current_annotation_id(db_url: str, allele_id: int) -> int:
    """The id of the allele's current annotation (what the web UI sends as ``annotation_id`` when classifying)."""
    with session_for(db_url) as session:
        found = session.scalar(
            select(Annotation.id).where(Annotation.allele_id == allele_id, Annotation.date_superceeded.is_(None))
        )
    assert found is not None, f"allele {allele_id} has no annotation"
    return found


def make_analysis(
    session: Session,
    name: str,
    panel: tuple[str, str],
    variants: list[VariantSpec],
    samples: list[SampleSpec] | None = None,
    *,
    workflow_status: str = "Interpretation",
    priority: int | None = 1,
    warnings: str | None = None,
) -> tuple[Analysis, list[Allele]]:
    analysis = Analysis(
        name=name, genepanel_name=panel[0], genepanel_version=panel[1], warnings=warnings, properties={}
    )
    session.add(analysis)
    session.flush()
    specs = samples or [SampleSpec(f"{name}-S1")]
    rows: dict[str, Sample] = {}
    for spec in specs:
        rows[spec.identifier] = Sample(
            identifier=spec.identifier,
            analysis_id=analysis.id,
            proband=spec.proband,
            affected=spec.affected,
            sex=spec.sex,
            family_id="FAM" if len(specs) > 1 else None,
        )
    session.add_all(rows.values())
    session.flush()
    for spec in specs:
        if spec.father:
            rows[spec.identifier].father_id = rows[spec.father].id
        if spec.mother:
            rows[spec.identifier].mother_id = rows[spec.mother].id
    proband = next(rows[s.identifier] for s in specs if s.proband)
    alleles = []
    for variant in variants:
        allele = get_allele(session, variant.chromosome, variant.pos, variant.ref, variant.alt)
        if variant.annotation or session.scalar(select(Annotation.id).where(Annotation.allele_id == allele.id)) is None:
            set_annotation(session, allele, variant.annotation)
        genotype = Genotype(
            allele_id=allele.id,
            sample_id=proband.id,
            filter_status=variant.filter_status,
            variant_quality=variant.qual,
        )
        session.add(genotype)
        session.flush()
        for identifier, sample in rows.items():
            kind = variant.genotypes.get(identifier, "Heterozygous" if sample.proband else "Reference")
            session.add(
                GenotypeSampleData(
                    genotype_id=genotype.id,
                    sample_id=sample.id,
                    type=kind,
                    genotype_quality=99,
                    sequencing_depth=100,
                    allele_depth={"REF": 50, "ALT": 50},
                    allele_ratio=variant.allele_ratio if sample.proband else 0.0,
                )
            )
        alleles.append(allele)
    session.add(
        AnalysisInterpretation(
            analysis_id=analysis.id,
            genepanel_name=panel[0],
            genepanel_version=panel[1],
            workflow_status=workflow_status,
            state={},
            user_state={},
        )
    )
    if priority is not None:
        session.add(InterpretationLog(analysis_id=analysis.id, priority=priority))
    session.flush()
    return analysis, alleles


def make_allele_interpretation(
    session: Session, allele: Allele, panel: tuple[str, str], **values: Any
) -> AlleleInterpretation:
    row = AlleleInterpretation(
        allele_id=allele.id, genepanel_name=panel[0], genepanel_version=panel[1], state={}, user_state={}, **values
    )
    session.add(row)
    session.flush()
    return row


def classify(
    session: Session, allele: Allele, user: User, classification: str, *, days_ago: int = 0, panel: tuple[str, str]
) -> AlleleAssessment:
    current = session.scalar(
        select(AlleleAssessment).where(
            AlleleAssessment.allele_id == allele.id, AlleleAssessment.date_superceeded.is_(None)
        )
    )
    if current is not None:
        current.date_superceeded = dt.datetime.now(dt.UTC)
        session.flush()
    row = AlleleAssessment(
        allele_id=allele.id,
        classification=classification,
        evaluation={},
        user_id=user.id,
        usergroup_id=user.group_id,
        genepanel_name=panel[0],
        genepanel_version=panel[1],
        previous_assessment_id=current.id if current else None,
        date_created=dt.datetime.now(dt.UTC) - dt.timedelta(days=days_ago),
    )
    session.add(row)
    session.flush()
    return row


# ------------------------------------------------------------------------------------------ the standard world

HBOC = ("HBOC", "v1.0.0")
CILIO = ("Ciliopathy", "v1.0.0")
BRCA1 = GeneSpec(
    1100,
    "BRCA1",
    "NM_007294.3",
    "17",
    41196311,
    41277500,
    "-",
    (41197694, 41276113),
    [(41196311, 41197819), (41199659, 41199720), (41276033, 41277500)],
    "AD",
)
BRCA2 = GeneSpec(
    1101,
    "BRCA2",
    "NM_000059.3",
    "13",
    32889616,
    32973809,
    "+",
    (32890597, 32972907),
    [(32889616, 32889804), (32890558, 32890664), (32893213, 32893462), (32972298, 32973809)],
    "AD",
)
PKD1 = GeneSpec(
    9008,
    "PKD1",
    "NM_001009944.2",
    "16",
    2138710,
    2185899,
    "-",
    (2139727, 2185690),
    [(2138710, 2140000), (2185600, 2185899)],
    "AR",
)


@dataclass
class World:
    """Ids of the standard test data: two groups on disjoint panels, users, analyses, variants."""

    groups: dict[str, int] = field(default_factory=dict)
    users: dict[str, int] = field(default_factory=dict)
    analyses: dict[str, int] = field(default_factory=dict)
    alleles: dict[str, int] = field(default_factory=dict)
    filterconfigs: dict[str, int] = field(default_factory=dict)
    interpretations: dict[str, int] = field(default_factory=dict)
    allele_interpretations: dict[str, int] = field(default_factory=dict)
    annotations: dict[int, int] = field(default_factory=dict)  # allele id -> its current annotation's id
    extra: dict[str, Any] = field(default_factory=dict)


def brca2_variant(pos: int, freq: float | None = None, consequence: str = "missense_variant", **kw: Any) -> VariantSpec:
    annotation: dict[str, Any] = {
        "transcripts": [tx("NM_000059.3", "BRCA2", 1101, [consequence], hgvsc=f"c.{pos - 32890500}A>G")]
    }
    if freq is not None:
        annotation["frequencies"] = gnomad(freq)
    return VariantSpec("13", pos, "A", "G", annotation, **kw)


def build_world(session: Session) -> World:
    world = World()
    make_panel(session, *HBOC, [BRCA1, BRCA2])
    make_panel(session, *CILIO, [PKD1])
    hboc = make_group(session, "hboc-lab", [HBOC])
    cilio = make_group(session, "cilio-lab", [CILIO])
    world.groups = {"hboc": hboc.id, "cilio": cilio.id}
    for name, group in (("ada", hboc), ("bob", hboc), ("cid", cilio)):
        world.users[name] = make_user(session, name, group).id
    default = make_filterconfig(
        session,
        "Default",
        [
            {
                "name": "frequency",
                "config": {
                    "groups": {"external": {"GNOMAD_EXOMES": ["G"]}},
                    "thresholds": {"AD": {"external": 0.01}, "default": {"external": 0.01}},
                },
            },
            {"name": "consequence", "config": {"consequences": ["synonymous_variant", "intron_variant"]}},
        ],
        {hboc: 0, cilio: 0},
    )
    world.filterconfigs["default"] = default.id
    analysis, alleles = make_analysis(
        session,
        "Diag-HBOC-1",
        HBOC,
        [
            brca2_variant(32890600),  # exonic missense, rare
            brca2_variant(32890610, freq=0.2),  # common
            brca2_variant(32890620, consequence="synonymous_variant"),
        ],
        priority=2,
    )
    world.analyses["hboc"] = analysis.id
    world.alleles.update({"hboc_rare": alleles[0].id, "hboc_common": alleles[1].id, "hboc_syn": alleles[2].id})
    analysis, alleles = make_analysis(
        session,
        "Diag-Cilio-1",
        CILIO,
        [VariantSpec("16", 2139800, "C", "T", {"transcripts": [tx("NM_001009944.2", "PKD1", 9008, ["stop_gained"])]})],
    )
    world.analyses["cilio"] = analysis.id
    world.alleles["cilio"] = alleles[0].id
    world.interpretations = {
        key: int(
            session.scalar(select(AnalysisInterpretation.id).where(AnalysisInterpretation.analysis_id == aid)) or 0
        )
        for key, aid in world.analyses.items()
    }
    world.allele_interpretations["cilio"] = make_allele_interpretation(session, alleles[0], CILIO).id
    world.annotations = dict(
        session.execute(select(Annotation.allele_id, Annotation.id).where(Annotation.date_superceeded.is_(None))).all()
    )
    return world
