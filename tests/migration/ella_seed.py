"""A generated ELLA v1.17 production database: ELLA's schema from tests/data/ella-schema, filled with rows of
every entity and the edge cases a lab's years of use leave behind (superseded classification chains, custom
gene panels, allele-only workflows, reopened analyses, CNV alleles, expired, locked and deactivated users,
attachments with their files, a trio with PED relations …). ``analyses`` scales it."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import bcrypt
import psycopg2
from psycopg2.extras import Json, execute_values

ROOT = Path(__file__).resolve().parents[2]
ELLA_DDL = ROOT / "tests" / "data" / "ella-schema" / "ella-4c2844fef850.sql"
REVISION = "4c2844fef850"
T0 = dt.datetime(2021, 3, 1, 8, 0, tzinfo=dt.UTC)

# username -> (password, expired, incorrect_logins, active)
USERS = {
    "alice": ("Alice-Old-Bcrypt-1", False, 0, True),
    "bob": ("Bob-Expired-Pass-2", True, 0, True),
    "carol": ("Carol-Locked-Pass-3", False, 6, True),
    "dave": ("Dave-Inactive-Pass-4", False, 0, False),
}
PANEL = ("HBOC", "v1.0.0")
CUSTOM_PANEL = ("HBOC_custom_alice", "v1.0.0-1")


@dataclass
class Seeded:
    url: str
    attachment_dir: Path
    counts: dict[str, int] = field(default_factory=dict)
    attachment_files: dict[int, bytes] = field(default_factory=dict)  # attachment id -> content


def _t(hours: float) -> dt.datetime:
    return T0 + dt.timedelta(hours=hours)


def create_schema(conn: Any) -> None:
    with conn.cursor() as cur:
        cur.execute(ELLA_DDL.read_text())
        cur.execute("INSERT INTO alembic_version VALUES (%s)", (REVISION,))
    conn.commit()


def _rows(cur: Any, table: str, columns: str, rows: list[tuple[Any, ...]]) -> None:
    if rows:
        execute_values(cur, f'INSERT INTO "{table}" ({columns}) VALUES %s', rows, page_size=2000)


def _annotation(symbol: str, hgnc: int, transcript: str, position: int) -> dict[str, Any]:
    return {
        "frequencies": {"GNOMAD_GENOMES": {"freq": {"G": 0.0001 * (position % 7)}, "count": {"G": position % 11}}},
        "transcripts": [
            {
                "symbol": symbol,
                "hgnc_id": hgnc,
                "transcript": transcript,
                "HGVSc": f"{transcript}:c.{position % 5000}A>G",
                "HGVSp": f"NP_{hgnc}.1:p.(Lys{position % 900}Glu)",
                "consequences": ["missense_variant"],
                "exon_distance": 0,
                "coding_region_distance": 0,
            }
        ],
        "references": [{"pubmed_id": 1001, "source": "HGMD"}],
    }


def seed(url: str, attachment_dir: Path, *, analyses: int = 3, variants_per_analysis: int = 4) -> Seeded:
    """Create ELLA's schema in the empty database at ``url`` and fill it; attachment files go under
    ``attachment_dir`` in ELLA's layout (``<sha256[:2]>/<sha256>``)."""
    out = Seeded(url, attachment_dir)
    conn = psycopg2.connect(url)
    try:
        create_schema(conn)
        with conn.cursor() as cur:
            _fill(cur, out, analyses, variants_per_analysis)
            for table in sorted(_tables(cur)):
                cur.execute(f'SELECT count(*) FROM "{table}"')
                out.counts[table] = cur.fetchone()[0]
        conn.commit()
    finally:
        conn.close()
    return out


def _tables(cur: Any) -> list[str]:
    cur.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    return [r[0] for r in cur.fetchall()]


def _fill(cur: Any, out: Seeded, analyses: int, per_analysis: int) -> None:
    genes = [(672, "BRCA1", "NM_007294.3"), (1101, "BRCA2", "NM_000059.3"), (11998, "TP53", "NM_000546.5")]
    _rows(cur, "gene", "hgnc_id, hgnc_symbol", [(h, s) for h, s, _ in genes])
    _rows(
        cur,
        "transcript",
        "id, gene_id, transcript_name, type, tags, genome_reference, chromosome, tx_start, tx_end, strand, "
        "cds_start, cds_end, exon_starts, exon_ends",
        [
            (i + 1, h, tx, "RefSeq", ["MANE Select"] if i == 0 else None, "GRCh37", "17" if i != 1 else "13",
             1000 * (i + 1), 1000 * (i + 1) + 900, "-" if i == 0 else "+", 1000 * (i + 1) + 50,
             None if i == 2 else 1000 * (i + 1) + 800, [1000 * (i + 1), 1000 * (i + 1) + 500],
             [1000 * (i + 1) + 100, 1000 * (i + 1) + 900])
            for i, (h, _, tx) in enumerate(genes)
        ],
    )  # fmt: skip
    _rows(
        cur,
        "phenotype",
        "id, gene_id, description, inheritance, omim_id",
        [(1, 672, "Breast-ovarian cancer, familial 1", "AD", 604370), (2, 1101, "Fanconi anemia, D1", "AR", None)],
    )
    _rows(cur, "annotationconfig", "id, deposit, view, date_created", [
        (1, json.dumps([{"key": "VEP", "converter": "vep"}]), json.dumps([{"section": "frequency"}]), _t(0)),
        (2, json.dumps([{"key": "VEP", "converter": "vep"}, {"key": "CLINVAR"}]), json.dumps([]), _t(500)),
    ])  # fmt: skip
    _rows(cur, "usergroup", "id, name, config", [
        (1, "Diagnostics", Json({"overview": {"views": ["analyses-by-findings", "variants"]}})),
        (2, "Research", None),
    ])  # fmt: skip
    users = []
    for i, (name, (password, expired, wrong, active)) in enumerate(USERS.items(), start=1):
        hashed = bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=4)).decode()
        expiry = _t(-24) if expired else dt.datetime(2099, 1, 1, tzinfo=dt.UTC)
        config = None if name == "dave" else {"acmg": {"default_criteria": "PVS1"}}
        users.append((i, name, name.title(), "Tester", f"{name}@lab.example" if i < 3 else None, 1 if i != 4 else 2,
                      hashed, expiry, active, wrong, Json(config) if config is not None else None))  # fmt: skip
    _rows(cur, "user", "id, username, first_name, last_name, email, group_id, password, password_expiry, active, "
          "incorrect_logins, config", users)  # fmt: skip
    old_hash = bcrypt.hashpw(b"Alice-Older-Pass-0", bcrypt.gensalt(rounds=4)).decode()
    _rows(
        cur, "useroldpassword", "id, user_id, password, expired", [(1, 1, old_hash, _t(10)), (2, 2, old_hash, _t(11))]
    )
    _rows(cur, "usersession", "id, user_id, token, issued, lastactivity, expires, logged_out", [
        (1, 1, "a" * 64, _t(1), _t(2), _t(200), _t(3)),
        (2, 1, "ella-plain-token-of-an-open-session", _t(5), _t(6), dt.datetime(2099, 1, 1, tzinfo=dt.UTC), None),
    ])  # fmt: skip
    _rows(cur, "genepanel", "name, version, genome_reference, official, date_created, user_id", [
        (*PANEL, "GRCh37", True, _t(0), None),
        (*CUSTOM_PANEL, "GRCh37", False, _t(300), 1),
    ])  # fmt: skip
    _rows(cur, "genepanel_transcript", "genepanel_name, genepanel_version, transcript_id, inheritance", [
        (*PANEL, 1, "AD"), (*PANEL, 2, "AD/AR"), (*PANEL, 3, "AD"), (*CUSTOM_PANEL, 1, "AD"),
    ])  # fmt: skip
    _rows(cur, "genepanel_phenotype", "genepanel_name, genepanel_version, phenotype_id", [
        (*PANEL, 1), (*PANEL, 2), (*CUSTOM_PANEL, 1),
    ])  # fmt: skip
    cur.execute(
        "UPDATE usergroup SET default_import_genepanel_name = %s, default_import_genepanel_version = %s WHERE id = 1",
        PANEL,
    )
    _rows(cur, "usergroupgenepanel", "usergroup_id, genepanel_name, genepanel_version", [
        (1, *PANEL), (1, *CUSTOM_PANEL), (2, *PANEL),
    ])  # fmt: skip
    _rows(cur, "usergroupimport", "usergroup_id, usergroupimport_id", [(1, 1), (1, 2), (2, 2)])
    _rows(cur, "filterconfig", "id, name, filterconfig, schema_version, requirements, date_superceeded, "
          "previous_filterconfig_id, active", [
        (1, "Default", Json({"filters": [{"name": "frequency", "config": {}}]}), 2, Json([]), _t(400), None, False),
        (2, "Default", Json({"filters": [{"name": "frequency", "config": {"num_thresholds": {"AF": 0.01}}}]}), 2,
         Json([{"function": "analysis", "params": {"name": "^Diag"}}]), None, 1, True),
        (3, "Research wide", Json({"filters": []}), 1, Json([]), None, None, True),
    ])  # fmt: skip
    _rows(
        cur,
        "usergroupfilterconfig",
        'id, usergroup_id, filterconfig_id, "order"',
        [(1, 1, 2, 0), (2, 2, 3, 0), (3, 1, 3, 1)],
    )

    # --- alleles: SNVs per analysis, plus CNVs and a multiallelic pair
    alleles, annotations = [], []
    allele_id = 0
    annotation_id = 0
    analysis_alleles: dict[int, list[int]] = {}
    for a in range(1, analyses + 1):
        ids = []
        for v in range(per_analysis):
            allele_id += 1
            h, symbol, tx = genes[v % 3]
            pos = 40_000_000 + a * 100 + v
            chrom = "13" if symbol == "BRCA2" else "17"
            alleles.append((allele_id, "GRCh37", chrom, pos, pos + 1, "A", "G", "SNP", "snv", pos + 1, "A", "G", 1))
            annotation_id += 1
            annotations.append((annotation_id, allele_id, Json(_annotation(symbol, h, tx, pos)), 1, None, None,
                                _t(a), 1))  # fmt: skip
            ids.append(allele_id)
        analysis_alleles[a] = ids
    cnv_ids = []
    for k, (change, alt, length) in enumerate((("del", "<DEL>", 5200), ("dup_tandem", "<DUP:TANDEM>", 12000))):
        allele_id += 1
        pos = 41_200_000 + k * 50_000
        alleles.append((allele_id, "GRCh37", "17", pos, pos + length, "N", "", change, "cnv", pos, "N", alt, length))
        annotation_id += 1
        annotations.append((annotation_id, allele_id, Json({"transcripts": []}), 1, None, None, _t(2), 1))
        cnv_ids.append(allele_id)
    allele_id += 1
    multi_second = allele_id
    pos = 40_000_000 + 100 + 0
    alleles.append((multi_second, "GRCh37", "17", pos, pos + 1, "A", "T", "SNP", "snv", pos + 1, "A", "T", 1))
    annotation_id += 1
    annotations.append((annotation_id, multi_second, Json(_annotation("BRCA1", 672, "NM_007294.3", pos)), 1, None,
                        None, _t(1), 1))  # fmt: skip
    allele_id += 1
    standalone = allele_id  # allele-only workflow, never in an analysis
    alleles.append((standalone, "GRCh37", "13", 32_900_000, 32_900_003, "ATG", "", "del", "snv", 32_899_999, "CATG",
                    "C", 3))  # fmt: skip
    # annotation history of the standalone allele: v1 superseded by v2 (annotation config 2)
    annotations.append((annotation_id + 1, standalone, Json(_annotation("BRCA2", 1101, "NM_000059.3", 1)), 1, None,
                        _t(600), _t(100), 1))  # fmt: skip
    annotations.append((annotation_id + 2, standalone, Json(_annotation("BRCA2", 1101, "NM_000059.3", 2)), 1,
                        annotation_id + 1, None, _t(600), 2))  # fmt: skip
    current_standalone_annotation = annotation_id + 2
    _rows(cur, "allele", "id, genome_reference, chromosome, start_position, open_end_position, change_from, change_to, "
          "change_type, caller_type, vcf_pos, vcf_ref, vcf_alt, length", alleles)  # fmt: skip
    _rows(cur, "annotation", "id, allele_id, annotations, schema_version, previous_annotation_id, date_superceeded, "
          "date_created, annotation_config_id", annotations)  # fmt: skip
    _rows(cur, "customannotation", "id, annotations, allele_id, user_id, previous_annotation_id, date_superceeded, "
          "date_created", [
        (1, Json({"external": {"LOVD": "likely pathogenic"}}), standalone, 1, None, _t(650), _t(610)),
        (2, Json({"external": {"LOVD": "pathogenic"}, "prediction": {"splice": "yes"}}), standalone, 2, 1, None,
         _t(650)),
    ])  # fmt: skip

    # --- analyses, samples (a trio in the first analysis), genotypes
    analysis_rows, samples, genotypes, gsd = [], [], [], []
    sample_id = genotype_id = gsd_id = 0
    for a in range(1, analyses + 1):
        requested = None if a % 3 == 0 else _t(a * 2)
        analysis_rows.append((a, f"Diag-{a:05d}-HBOC", *PANEL, "Low coverage in BRCA2 exon 11" if a == 1 else None,
                              "Report text" if a % 2 else None, requested, _t(a * 2 + 1),
                              Json({"priority": 1 + a % 3}) if a != 2 else None))  # fmt: skip
        members = [("proband", True, "Female", True)]
        if a == 1:
            members += [("father", False, "Male", False), ("mother", False, "Female", True),
                        ("sibling", False, None, False)]  # fmt: skip
        ids: dict[str, int] = {}
        for role, proband, sex, affected in members:
            sample_id += 1
            ids[role] = sample_id
            samples.append([sample_id, f"Diag-{a:05d}-{role}", a, "HTS", proband, f"fam{a}" if a == 1 else None,
                            None, None, None, sex, affected, _t(a * 2 + 1)])  # fmt: skip
        if a == 1:
            for row in samples[-4:]:
                if row[0] == ids["proband"]:
                    row[6], row[7], row[8] = ids["father"], ids["mother"], ids["sibling"]
        for v, allele in enumerate(analysis_alleles[a]):
            genotype_id += 1
            second = multi_second if (a == 1 and v == 0) else None
            genotypes.append((genotype_id, allele, second, ids["proband"], "PASS" if v % 2 == 0 else None, 30 + v))
            for role, sid in ids.items():
                gsd_id += 1
                gsd.append((gsd_id, genotype_id, role == "proband" and second is not None, second is not None,
                            "Heterozygous" if role != "father" else "Reference", sid, 99, 40 + v, 0.5 if v else None,
                            [0, 30, 300] if v % 2 else None, Json({"A": 20, "G": 20}) if v else None,
                            None))  # fmt: skip
    # CNVs in the last analysis
    for allele in cnv_ids:
        genotype_id += 1
        genotypes.append((genotype_id, allele, None, sample_id, None, None))
        gsd_id += 1
        gsd.append((gsd_id, genotype_id, False, False, "Heterozygous", sample_id, None, None, None, None, None, 1))
    analysis_alleles[analyses].extend(cnv_ids)
    _rows(cur, "analysis", "id, name, genepanel_name, genepanel_version, warnings, report, date_requested, "
          "date_deposited, properties", analysis_rows)  # fmt: skip
    _rows(cur, "sample", "id, identifier, analysis_id, sample_type, proband, family_id, father_id, mother_id, "
          "sibling_id, sex, affected, date_deposited", [tuple(s) for s in samples])  # fmt: skip
    _rows(cur, "genotype", "id, allele_id, secondallele_id, sample_id, filter_status, variant_quality", genotypes)
    _rows(cur, "genotypesampledata", "id, genotype_id, secondallele, multiallelic, type, sample_id, genotype_quality, "
          "sequencing_depth, allele_ratio, genotype_likelihood, allele_depth, copy_number", gsd)  # fmt: skip

    # --- attachments (files in ELLA's layout) and references
    contents = {1: b"%PDF-1.4\n% segregation report\n" + bytes(range(256)) * 40, 2: b"\x89PNG\r\n\x1a\n" + b"0" * 500}
    attachment_rows = []
    for aid, content in contents.items():
        sha = hashlib.sha256(content).hexdigest()
        path = out.attachment_dir / sha[:2] / sha
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        if aid == 2:
            path.with_name(f"{sha}.thumbnail").write_bytes(b"\xff\xd8\xff thumbnail")
        out.attachment_files[aid] = content
        name, mime, ext = ("report.pdf", "application/pdf", "pdf") if aid == 1 else ("pedigree.png", "image/png", "png")
        attachment_rows.append((aid, sha, name, len(content), _t(700 + aid), mime, ext, 1))
    _rows(cur, "attachment", "id, sha256, filename, size, date_created, mimetype, extension, user_id", attachment_rows)
    _rows(cur, "reference", "id, authors, title, journal, abstract, year, pubmed_id, published, attachment_id, "
          "search", [
        (1, "Smith J, Olsen K", "BRCA1 founder variants", "J Med Genet", "Abstract one.", "2015", 1001, True, None,
         None),
        (2, "Berg A", "A lab's unpublished segregation data", None, None, "2021", None, False, 1, None),
        (3, "Nilsen T", "TP53 functional assays", "Hum Mutat", "Abstract three.", "2019", 1003, True, None, None),
    ])  # fmt: skip
    cur.execute(
        "UPDATE reference SET search = to_tsvector('english', coalesce(title, '') || ' ' || coalesce(authors, ''))"
    )

    # --- classifications with their whole history
    first = analysis_alleles[1][0]
    assessments = [
        # a superseded chain on the standalone allele: 3 -> 4 -> 5
        (1, "3", Json({"classification": {"comment": "VUS at first"}, "acmg": {"included": [{"code": "PM2"}]}}), 1, 1,
         _t(700), _t(710), None, standalone, *PANEL, None, annotation_id + 1, None),
        (2, "4", Json({"classification": {"comment": "segregates"}, "acmg": {"included": [{"code": "PM2"},
         {"code": "PP1"}]}}), 2, 1, _t(710), _t(720), 1, standalone, *PANEL, None, annotation_id + 1, 1),
        (3, "5", Json({"classification": {"comment": "Pathogenic: founder"}, "acmg": {"included": [{"code": "PVS1"}]}}),
         1, 1, _t(720), None, 2, standalone, *CUSTOM_PANEL, None, current_standalone_annotation, 2),
        # from an analysis
        (4, "2", None, 1, 1, _t(30), None, None, first, *PANEL, 1, 1, None),
        (5, "NP", Json({}), 3, None, _t(31), None, None, cnv_ids[0], *PANEL, analyses, None, None),
    ]  # fmt: skip
    _rows(cur, "alleleassessment", "id, classification, evaluation, user_id, usergroup_id, date_created, "
          "date_superceeded, previous_assessment_id, allele_id, genepanel_name, genepanel_version, analysis_id, "
          "annotation_id, custom_annotation_id", assessments)  # fmt: skip
    _rows(cur, "referenceassessment", "id, reference_id, evaluation, user_id, usergroup_id, date_created, "
          "date_superceeded, genepanel_name, genepanel_version, allele_id, previous_assessment_id, analysis_id", [
        (1, 1, Json({"relevance": "Yes", "comment": "family"}), 1, 1, _t(700), _t(720), *PANEL, standalone, None, None),
        (2, 1, Json({"relevance": "Yes", "comment": "family, 3 meioses"}), 1, 1, _t(720), None, *PANEL, standalone, 1,
         None),
        (3, 2, None, 2, None, _t(715), None, *PANEL, standalone, None, None),
        (4, 3, Json({"relevance": "Ignore"}), 1, 1, _t(32), None, *PANEL, first, None, 1),
    ])  # fmt: skip
    _rows(cur, "alleleassessmentreferenceassessment", "alleleassessment_id, referenceassessment_id",
          [(2, 1), (3, 2), (3, 3), (4, 4)])  # fmt: skip
    _rows(cur, "alleleassessmentattachment", "alleleassessment_id, attachment_id", [(2, 1), (3, 1), (3, 2)])
    _rows(cur, "allelereport", "id, evaluation, user_id, usergroup_id, date_created, date_superceeded, "
          "previous_report_id, allele_id, analysis_id, alleleassessment_id", [
        (1, Json({"comment": "draft"}), 1, 1, _t(705), _t(725), None, standalone, None, 1),
        (2, Json({"comment": "Reported to clinician"}), 1, 1, _t(725), None, 1, standalone, None, 3),
        (3, None, 2, None, _t(33), None, None, first, 1, 4),
    ])  # fmt: skip
    _rows(cur, "geneassessment", "id, evaluation, user_id, usergroup_id, date_created, genepanel_name, "
          "genepanel_version, date_superceeded, previous_assessment_id, gene_id, analysis_id", [
        (1, Json({"comment": "LoF known mechanism"}), 1, 1, _t(100), *PANEL, _t(800), None, 672, 1),
        (2, Json({"comment": "LoF known mechanism; see ClinGen"}), 2, 1, _t(800), *PANEL, None, 1, 672, None),
        (3, None, 1, None, _t(101), *CUSTOM_PANEL, None, None, 1101, None),
    ])  # fmt: skip

    # --- interpretation rounds: analysis 1 reopened (Done, then Ongoing), others not started
    ai, ai_snap, history, logs = [], [], [], []
    ai_id = 0
    for a in range(1, analyses + 1):
        ai_id += 1
        if a == 1:
            state = {"allele": {str(first): {"verification": "verified"}}}
            ai.append((ai_id, *PANEL, Json({"note": "round 1"}), Json(state),
                       "Done", True, _t(40), _t(20), 1, a, "Interpretation"))  # fmt: skip
            for allele in analysis_alleles[a]:
                ai_snap.append((len(ai_snap) + 1, _t(40), None if allele == first else "FREQUENCY",
                                1 if allele == first else None, None, 4 if allele == first else None,
                                3 if allele == first else None, ai_id, allele))  # fmt: skip
            history.append((len(history) + 1, None, ai_id, 1, _t(30), Json({"note": "mid round"})))
            logs.append((len(logs) + 1, None, ai_id, 1, _t(25), "Needs segregation", 2, None, None, None, None))
            logs.append((len(logs) + 1, None, ai_id, 2, _t(41), None, None, "Review done", True, 4, 3))
            ai_id += 1
            ai.append((ai_id, *PANEL, None, Json({"note": "reopened"}), "Ongoing", False, _t(900), _t(900), 2, a,
                       "Review"))  # fmt: skip
        elif a % 5 == 0:
            ai.append((ai_id, *PANEL, None, None, "Not started", None, _t(a), _t(a), None, a, "Not ready"))
        else:
            ai.append((ai_id, *PANEL, Json({}), Json({}), "Not started", None, _t(a), _t(a), None, a, "Interpretation"))
    _rows(cur, "analysisinterpretation", "id, genepanel_name, genepanel_version, user_state, state, status, finalized, "
          "date_last_update, date_created, user_id, analysis_id, workflow_status", ai)  # fmt: skip
    _rows(cur, "analysisinterpretationsnapshot", "id, date_created, filtered, annotation_id, customannotation_id, "
          "alleleassessment_id, allelereport_id, analysisinterpretation_id, allele_id", ai_snap)  # fmt: skip
    li = [
        (1, *PANEL, Json({}), Json({"allele": {str(standalone): {"workflow": {"reviewed": True}}}}), "Done", True,
         _t(721), _t(700), 1, standalone, "Interpretation"),
        (2, *CUSTOM_PANEL, None, Json({"note": "second opinion"}), "Done", True, _t(726), _t(722), 2, standalone,
         "Review"),
        (3, *PANEL, None, None, "Ongoing", False, _t(950), _t(950), 1, standalone, "Review"),
    ]  # fmt: skip
    _rows(cur, "alleleinterpretation", "id, genepanel_name, genepanel_version, user_state, state, status, finalized, "
          "date_last_update, date_created, user_id, allele_id, workflow_status", li)  # fmt: skip
    _rows(cur, "alleleinterpretationsnapshot", "id, date_created, filtered, annotation_id, customannotation_id, "
          "alleleassessment_id, allelereport_id, alleleinterpretation_id, allele_id", [
        (1, _t(721), None, annotation_id + 1, 1, 2, 1, 1, standalone),
        (2, _t(726), None, current_standalone_annotation, 2, 3, 2, 2, standalone),
    ])  # fmt: skip
    history.append((len(history) + 1, 2, None, 2, _t(724), Json({"note": "allele round"})))
    logs.append((len(logs) + 1, 2, None, 2, _t(725), "Classified 5 after segregation", 3, None, None, 3, 2))
    _rows(cur, "interpretationstatehistory", "id, alleleinterpretation_id, analysisinterpretation_id, user_id, "
          "date_created, state", history)  # fmt: skip
    _rows(cur, "interpretationlog", "id, alleleinterpretation_id, analysisinterpretation_id, user_id, date_created, "
          "message, priority, review_comment, warning_cleared, alleleassessment_id, allelereport_id", logs)  # fmt: skip

    # --- operations
    _rows(cur, "broadcast", "id, date_created, message, active", [
        (1, _t(1), "Maintenance Friday 16:00", False), (2, _t(999), "ELLA moves to the new server tonight", True),
    ])  # fmt: skip
    _rows(cur, "annotationjob", "id, task_id, status, status_history, mode, sample_id, data, message, user_id, "
          "date_submitted, date_last_update, genepanel_name, genepanel_version, properties", [
        (1, "task-1", "DONE", Json({"SUBMITTED": "2021-03-01", "DONE": "2021-03-02"}), "Analysis", None,
         "##fileformat=VCFv4.1\n#CHROM\tPOS\n", "", 1, _t(3), _t(4), *PANEL, Json({"create_or_append": "Create"})),
        (2, None, "FAILED (SUBMISSION)", None, "Single variant", "Diag-00001-proband", None, "timeout", None, _t(5),
         _t(6), None, None, None),
    ])  # fmt: skip
    _rows(cur, "resourcelog", "id, remote_addr, time, duration, usersession_id, method, resource, query, response, "
          "response_size, payload, payload_size, statuscode", [
        (1, "10.0.0.7", _t(2), 12, 1, "GET", "/api/v1/alleles/", "q=1", None, 1024, None, 0, 200),
        (2, "2001:db8::1", _t(3), 3, None, "POST", "/api/v1/users/actions/login/", "", '{"error": "x"}', 20,
         None, 0, 401),
    ])  # fmt: skip
    _rows(
        cur,
        "uiexception",
        "id, time, usersession_id, message, location, stacktrace, state",
        [
            (1, _t(2), 1, "TypeError: undefined", "/overview", "at x (app.js:1)", Json({"view": "overview"})),
        ],
    )
    _rows(cur, "clilog", 'id, time, "user", "group", groupcommand, command, reason, output', [
        (1, _t(0), "root", "root", "database", "ella-cli database make-production", None, "done"),
        (2, _t(1), "alice", "ella", "deposit", "ella-cli deposit genepanel --folder HBOC", "new panel", "created"),
    ])  # fmt: skip
    cur.execute("INSERT INTO jsonschema (name, version, schema) VALUES ('acmgclassification', 1, '{}')")
    for table in ("transcript", "phenotype", "annotationconfig", "usergroup", "user", "useroldpassword", "usersession",
                  "filterconfig", "usergroupfilterconfig", "allele", "annotation", "customannotation", "analysis",
                  "sample", "genotype", "genotypesampledata", "attachment", "reference", "alleleassessment",
                  "referenceassessment", "allelereport", "geneassessment", "analysisinterpretation",
                  "alleleinterpretation", "analysisinterpretationsnapshot", "alleleinterpretationsnapshot",
                  "interpretationstatehistory", "interpretationlog", "broadcast", "annotationjob", "resourcelog",
                  "uiexception", "clilog"):  # fmt: skip
        cur.execute(
            f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), coalesce(max(id), 1)) FROM \"{table}\""
        )


def grow(url: str, *, alleles: int, analyses: int, assessments: int) -> None:
    """Add, by set-based SQL on the server, ``analyses`` analyses (one proband, one round each), ``alleles``
    SNV alleles spread over them (annotation, genotype, sample data each) and a current classification of the
    first ``assessments`` of them (every tenth with a superseded one before it) — for the benchmark."""
    conn = psycopg2.connect(url)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT max(id) FROM allele")
            a0 = int(cur.fetchone()[0])
            cur.execute("SELECT max(id) FROM analysis")
            n0 = int(cur.fetchone()[0])
            cur.execute("SELECT max(id) FROM sample")
            s0 = int(cur.fetchone()[0])
            params = {"a0": a0, "n0": n0, "s0": s0, "alleles": alleles, "analyses": analyses}
            statements = [
                "INSERT INTO analysis (id, name, genepanel_name, genepanel_version, date_requested, date_deposited, "
                "properties) SELECT %(n0)s + i, 'Bench-' || i, 'HBOC', 'v1.0.0', now() - i * interval '1 hour', "
                "now(), jsonb_build_object('priority', 1 + i %% 3) FROM generate_series(1, %(analyses)s) i",
                "INSERT INTO sample (id, identifier, analysis_id, sample_type, proband, sex, affected, date_deposited) "
                "SELECT %(s0)s + i, 'Bench-' || i || '-proband', %(n0)s + i, 'HTS', true, 'Female', true, now() "
                "FROM generate_series(1, %(analyses)s) i",
                "INSERT INTO analysisinterpretation (genepanel_name, genepanel_version, state, user_state, status, "
                "finalized, date_last_update, date_created, user_id, analysis_id, workflow_status) SELECT 'HBOC', "
                "'v1.0.0', '{}', '{}', "
                "CASE WHEN i %% 10 < 7 THEN 'Done' ELSE 'Not started' END::interpretation_status, i %% 10 < 7, "
                "now(), now(), CASE WHEN i %% 10 < 7 THEN 1 END, %(n0)s + i, 'Interpretation' "
                "FROM generate_series(1, %(analyses)s) i",
                "INSERT INTO allele (id, genome_reference, chromosome, start_position, open_end_position, change_from, "
                "change_to, change_type, caller_type, vcf_pos, vcf_ref, vcf_alt, length) SELECT %(a0)s + i, 'GRCh37', "
                "'1', 1000000 + i, 1000001 + i, 'A', 'G', 'SNP', 'snv', 1000001 + i, 'A', 'G', 1 "
                "FROM generate_series(1, %(alleles)s) i",
                "INSERT INTO annotation (allele_id, annotations, schema_version, date_created, annotation_config_id) "
                "SELECT %(a0)s + i, jsonb_build_object('transcripts', jsonb_build_array(jsonb_build_object("
                "'symbol', 'BRCA1', 'hgnc_id', 672, 'transcript', 'NM_007294.3', 'HGVSc', 'NM_007294.3:c.' || i || "
                "'A>G', 'consequences', jsonb_build_array('missense_variant'))), 'frequencies', "
                "jsonb_build_object('GNOMAD_GENOMES', jsonb_build_object('freq', jsonb_build_object('G', "
                "(i %% 1000) / 100000.0)))), 1, now(), 1 FROM generate_series(1, %(alleles)s) i",
                "INSERT INTO genotype (allele_id, sample_id, filter_status, variant_quality) SELECT %(a0)s + i, "
                "%(s0)s + 1 + i %% %(analyses)s, 'PASS', 50 FROM generate_series(1, %(alleles)s) i",
                "INSERT INTO genotypesampledata (genotype_id, secondallele, multiallelic, type, sample_id, "
                "genotype_quality, sequencing_depth, allele_ratio, allele_depth) SELECT g.id, false, false, "
                "'Heterozygous', g.sample_id, 99, 40, 0.5, '{\"A\": 20, \"G\": 20}' FROM genotype g "
                "WHERE g.allele_id > %(a0)s",
            ]
            for statement in statements:
                cur.execute(statement, params)
            cur.execute(
                "INSERT INTO alleleassessment (classification, evaluation, user_id, usergroup_id, date_created, "
                "date_superceeded, allele_id, genepanel_name, genepanel_version, annotation_id) SELECT '3', "
                '\'{"classification": {"comment": "first"}}\', 1, 1, now() - interval \'1 day\', now(), '
                "%(a0)s + i, 'HBOC', 'v1.0.0', NULL FROM generate_series(1, %(n)s, 10) i",
                {"a0": a0, "n": assessments},
            )
            cur.execute(
                "INSERT INTO alleleassessment (classification, evaluation, user_id, usergroup_id, date_created, "
                "previous_assessment_id, allele_id, genepanel_name, genepanel_version) SELECT "
                "(ARRAY['1','2','3','4','5'])[1 + i %% 5]::alleleassessment_classification, jsonb_build_object("
                "'classification', jsonb_build_object('comment', 'bench ' || i), 'acmg', jsonb_build_object("
                "'included', jsonb_build_array(jsonb_build_object('code', 'PM2')))), 2, 1, now(), p.id, %(a0)s + i, "
                "'HBOC', 'v1.0.0' FROM generate_series(1, %(n)s) i LEFT JOIN alleleassessment p "
                "ON p.allele_id = %(a0)s + i AND p.date_superceeded IS NOT NULL",
                {"a0": a0, "n": assessments},
            )
            for table in ("analysisinterpretation", "annotation", "genotype", "genotypesampledata", "alleleassessment"):
                cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) FROM {table}")
            cur.execute("ANALYZE")
        conn.commit()
    finally:
        conn.close()
