"""How each table of ELLA v1.17 (revision 4c2844fef850) maps onto this kit's schema.

One :class:`TableMap` per target table: the SELECT on the ELLA database that yields the target's columns in
order (conversions are done there, in SQL, so rows stream without passing through Python), the rules a
source row must meet to fit the target (checks, references, unique keys ELLA does not enforce), and the
conversions worth reporting. ``:started`` in SQL is the time the import started (bound as a literal), ``:tz``
the ELLA server's time zone.

The same SELECT is checksummed on the ELLA side and compared with the target's rows after the copy.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ELLA_REVISION = "4c2844fef850"

# ELLA's alembic revisions before 4c2844fef850 (the files of src/vardb/datamodel/migration/alembic/versions/
# in ELLA v1.17): a database at one of these is an older ELLA that must be upgraded first.
OLDER_ELLA_REVISIONS = frozenset(
    [
        "0143c6e15141",
        "022118518e99",
        "12760875ee2d",
        "159bc8c35c00",
        "1675e8d8b078",
        "16a0a693b537",
        "1a6024944723",
        "1c5e523b57b3",
        "1ff294ee1c64",
        "250c9c10baee",
        "268cca7b35e9",
        "2a1becd831ab",
        "2aabb5bc9e0c",
        "30b6557cf2d0",
        "3aa5e573699c",
        "4046ee04dd46",
        "4629b478b291",
        "49c742fa2e6c",
        "4dee968751a0",
        "4fef0af39a20",
        "529e8f6faed9",
        "611d46cd83b4",
        "61779f00886c",
        "61b990b84ed2",
        "662204b12d07",
        "6cdc8d2aa110",
        "6d7548a6dfd9",
        "780575a06f97",
        "7fa4d0b48662",
        "7fddcdb9e856",
        "8272b3675971",
        "82e7b7ca0ab8",
        "86deaf190356",
        "88b3cbf57659",
        "92066141f180",
        "924438596189",
        "92b582acebc6",
        "93e88dd283a2",
        "96bec57f81de",
        "99287295d7fe",
        "bbe1686834a4",
        "c2294141ee68",
        "d099628590c9",
        "d394766ada41",
        "d6290a3fdf7b",
        "d87c53d0e1d4",
        "da809112fd6c",
        "ec5fb8b62e4a",
        "f93cbfcb7ca9",
        "fa3bc78eb17b",
        "fa9687c3fd90",
        "fdbb9cbd41ad",
    ]
)

# ELLA tables that are not copied, and why. Anything else in the ELLA database that no TableMap reads is
# reported as unknown.
NOT_COPIED = {
    "alembic_version": "ELLA's schema version (checked, not copied)",
    "jsonschema": "ELLA's own JSON schemas of its code; the kit ships its own",
    "annotationshadowtranscript": "derived from annotation; the kit derives its own",
    "annotationshadowfrequency": "derived from annotation; the kit derives its own",
}

# Link tables among NOT NULL in the target, ELLA allows NULL on either side.
_NOT_NULL = "is empty (the kit requires it)"


@dataclass(frozen=True)
class Reference:
    """A source column that must name an existing row of ``table`` (``column`` there)."""

    column: str
    table: str
    target_column: str = "id"


@dataclass(frozen=True)
class TableMap:
    target: str
    source: str  # the ELLA table the rows come from
    columns: tuple[str, ...]  # target columns, in the order the SELECT yields them
    select: str  # SELECT ... FROM <source> s ... (no ORDER BY); yields ``columns``
    key: tuple[str, ...] = ("id",)  # target columns that name a row (reports, ordering)
    source_key: str = "s.id"  # how a reported source row is named
    checks: tuple[tuple[str, str], ...] = ()  # (condition on s that makes a row unmappable, reason)
    references: tuple[Reference, ...] = ()
    unique: tuple[tuple[str, ...], ...] = ()  # source column sets the target keeps unique and ELLA does not
    conversions: tuple[tuple[str, str], ...] = ()  # (condition on s, what is converted) — counted, reported
    copy_overrides: dict[str, str] = field(default_factory=dict)  # column -> SQL used while copying only
    serial: bool = True  # has an id sequence to set after the copy
    # A log the kit writes itself (CLI audit, API requests, UI errors): rows it already holds (make-production's
    # audit row, requests of health checks) do not make the database "not empty"; they move after ELLA's ids,
    # and verification compares only the rows up to ELLA's largest id.
    kit_log: bool = False

    def copy_select(self) -> str:
        """The SELECT used for the copy (with ``copy_overrides`` applied)."""
        if not self.copy_overrides:
            return self.select
        exprs = ", ".join(
            f"q.{_q(c)}" if c not in self.copy_overrides else f"{self.copy_overrides[c]} AS {_q(c)}"
            for c in self.columns
        )
        return f"SELECT {exprs} FROM ({self.select}) q"


def _q(name: str) -> str:
    return f'"{name}"'


def _plain(source: str, columns: str, *, extra: str = "") -> str:
    """SELECT of columns that keep their name (``a, b, c``) from ``source``."""
    cols = ", ".join(f"s.{_q(c.strip())}" for c in columns.split(","))
    return f"SELECT {cols}{extra} FROM {_q(source)} s"


def _cols(text: str) -> tuple[str, ...]:
    return tuple(c.strip() for c in text.split(","))


_JSON_EMPTY = "coalesce(s.{c}, '{{}}'::jsonb) AS {c}"


def _json_or_empty(column: str) -> str:
    return _JSON_EMPTY.format(c=column)


def _null_json(column: str) -> tuple[str, str]:
    return (f"s.{column} IS NULL", f"{column} NULL stored as {{}}")


_USER = Reference("user_id", "user")
_USERGROUP = Reference("usergroup_id", "usergroup")
_ALLELE = Reference("allele_id", "allele")
_ANALYSIS = Reference("analysis_id", "analysis")


def _panel(column_prefix: str = "genepanel") -> str:
    return f"s.{column_prefix}_name, s.{column_prefix}_version"


def table_maps() -> list[TableMap]:
    """Every target table, in an order that satisfies the foreign keys."""
    return [
        TableMap(
            "gene",
            "gene",
            _cols("hgnc_id, hgnc_symbol"),
            _plain("gene", "hgnc_id, hgnc_symbol"),
            key=("hgnc_id",),
            source_key="s.hgnc_id",
            serial=False,
        ),
        TableMap(
            "transcript",
            "transcript",
            _cols(
                "id, gene_id, transcript_name, type, tags, genome_reference, chromosome, tx_start, tx_end, strand, "
                "cds_start, cds_end, exon_starts, exon_ends"
            ),
            "SELECT s.id, s.gene_id, s.transcript_name, s.type::text, s.tags, s.genome_reference, s.chromosome, "
            "s.tx_start, s.tx_end, s.strand, s.cds_start, s.cds_end, s.exon_starts, s.exon_ends FROM transcript s",
            references=(Reference("gene_id", "gene", "hgnc_id"),),
        ),
        TableMap(
            "phenotype",
            "phenotype",
            _cols("id, gene_id, description, inheritance, omim_id"),
            _plain("phenotype", "id, gene_id, description, inheritance, omim_id"),
            references=(Reference("gene_id", "gene", "hgnc_id"),),
        ),
        TableMap(
            "usergroup",
            "usergroup",
            _cols("id, name, config, default_import_genepanel_name, default_import_genepanel_version"),
            f"SELECT s.id, s.name, {_json_or_empty('config')}, s.default_import_genepanel_name, "
            "s.default_import_genepanel_version FROM usergroup s",
            conversions=(_null_json("config"),),
            # The default import panel is set after the panels are in (genepanel -> user -> usergroup).
            copy_overrides={"default_import_genepanel_name": "NULL", "default_import_genepanel_version": "NULL"},
        ),
        TableMap(
            "user",
            "user",
            _cols(
                "id, username, first_name, last_name, email, group_id, password, password_expiry, active, "
                "incorrect_logins, config, date_created"
            ),
            "SELECT s.id, s.username, s.first_name, s.last_name, s.email, s.group_id, s.password, s.password_expiry, "
            f's.active, s.incorrect_logins, {_json_or_empty("config")}, :started AS date_created FROM "user" s',
            references=(Reference("group_id", "usergroup"),),
            checks=(("s.password !~ '^\\$2[aby]\\$'", "password is not a bcrypt hash (ELLA stores bcrypt)"),),
            conversions=(
                _null_json("config"),
                ("true", "date_created (ELLA has none) set to the import time"),
                ("s.password ~ '^\\$2[aby]\\$'", "bcrypt hash kept; re-hashed to argon2 at the next login"),
            ),
        ),
        TableMap(
            "useroldpassword",
            "useroldpassword",
            _cols("id, user_id, password, expired"),
            _plain("useroldpassword", "id, user_id, password, expired"),
            checks=(("s.user_id IS NULL", f"user_id {_NOT_NULL}"),),
            references=(_USER,),
            unique=(("user_id", "password"),),
        ),
        TableMap(
            "usersession",
            "usersession",
            _cols("id, user_id, token, issued, lastactivity, expires, logged_out"),
            "SELECT s.id, s.user_id, s.token, s.issued, s.lastactivity, s.expires, "
            "coalesce(s.logged_out, :started) AS logged_out FROM usersession s",
            checks=(
                ("s.user_id IS NULL", f"user_id {_NOT_NULL}"),
                ("length(s.token) > 64", "token is longer than a SHA-256 hex digest"),
            ),
            references=(_USER,),
            conversions=(("s.logged_out IS NULL", "open session closed at the import (users log in again)"),),
        ),
        TableMap(
            "genepanel",
            "genepanel",
            _cols("name, version, genome_reference, official, date_created, user_id"),
            _plain("genepanel", "name, version, genome_reference, official, date_created, user_id"),
            key=("name", "version"),
            source_key="s.name || ' ' || s.version",
            references=(_USER,),
            serial=False,
        ),
        TableMap(
            "genepanel_transcript",
            "genepanel_transcript",
            _cols("genepanel_name, genepanel_version, transcript_id, inheritance"),
            _plain("genepanel_transcript", "genepanel_name, genepanel_version, transcript_id, inheritance"),
            key=("genepanel_name", "genepanel_version", "transcript_id"),
            source_key="s.genepanel_name || ' ' || s.genepanel_version || ' transcript ' || s.transcript_id",
            references=(Reference("transcript_id", "transcript"),),
            unique=(("genepanel_name", "genepanel_version", "transcript_id"),),
            serial=False,
        ),
        TableMap(
            "genepanel_phenotype",
            "genepanel_phenotype",
            _cols("genepanel_name, genepanel_version, phenotype_id"),
            _plain("genepanel_phenotype", "genepanel_name, genepanel_version, phenotype_id"),
            key=("genepanel_name", "genepanel_version", "phenotype_id"),
            source_key="s.genepanel_name || ' ' || s.genepanel_version || ' phenotype ' || s.phenotype_id",
            references=(Reference("phenotype_id", "phenotype"),),
            unique=(("genepanel_name", "genepanel_version", "phenotype_id"),),
            serial=False,
        ),
        TableMap(
            "usergroup_genepanel",
            "usergroupgenepanel",
            _cols("usergroup_id, genepanel_name, genepanel_version"),
            _plain("usergroupgenepanel", "usergroup_id, genepanel_name, genepanel_version"),
            key=("usergroup_id", "genepanel_name", "genepanel_version"),
            source_key="s.usergroup_id || ' ' || s.genepanel_name || ' ' || s.genepanel_version",
            checks=(("s.usergroup_id IS NULL", f"usergroup_id {_NOT_NULL}"),),
            references=(_USERGROUP,),
            unique=(("usergroup_id", "genepanel_name", "genepanel_version"),),
            serial=False,
        ),
        TableMap(
            "usergroup_import",
            "usergroupimport",
            _cols("usergroup_id, import_usergroup_id"),
            "SELECT s.usergroup_id, s.usergroupimport_id AS import_usergroup_id FROM usergroupimport s",
            key=("usergroup_id", "import_usergroup_id"),
            source_key="s.usergroup_id || ' ' || s.usergroupimport_id",
            references=(_USERGROUP, Reference("usergroupimport_id", "usergroup")),
            serial=False,
        ),
        TableMap(
            "filterconfig",
            "filterconfig",
            _cols(
                "id, name, filterconfig, requirements, active, date_created, date_superceeded, "
                "previous_filterconfig_id, schema_version"
            ),
            "SELECT s.id, s.name, s.filterconfig, s.requirements, s.active, :started AS date_created, "
            "s.date_superceeded, s.previous_filterconfig_id, s.schema_version FROM filterconfig s",
            references=(Reference("previous_filterconfig_id", "filterconfig"),),
            conversions=(("true", "date_created (ELLA has none) set to the import time"),),
        ),
        TableMap(
            "usergroupfilterconfig",
            "usergroupfilterconfig",
            _cols("id, usergroup_id, filterconfig_id, order"),
            _plain("usergroupfilterconfig", "id, usergroup_id, filterconfig_id, order"),
            references=(_USERGROUP, Reference("filterconfig_id", "filterconfig")),
        ),
        TableMap(
            "annotationconfig",
            "annotationconfig",
            _cols("id, deposit, view, date_created"),
            "SELECT s.id, s.deposit::jsonb, s.view::jsonb, s.date_created FROM annotationconfig s",
            conversions=(("true", "deposit and view stored as JSONB (ELLA: JSON)"),),
        ),
        TableMap(
            "allele",
            "allele",
            _cols(
                "id, genome_reference, chromosome, start_position, open_end_position, change_from, change_to, "
                "change_type, caller_type, vcf_pos, vcf_ref, vcf_alt, length, date_added"
            ),
            "SELECT s.id, s.genome_reference, s.chromosome, s.start_position, s.open_end_position, s.change_from, "
            "s.change_to, s.change_type::text, s.caller_type::text, s.vcf_pos, s.vcf_ref, s.vcf_alt, s.length, "
            "coalesce(fa.first_annotated, :started) AS date_added FROM allele s "
            "LEFT JOIN (SELECT allele_id, min(date_created) AS first_annotated FROM annotation GROUP BY allele_id) fa "
            "ON fa.allele_id = s.id",
            unique=(("genome_reference", "chromosome", "vcf_pos", "vcf_ref", "vcf_alt"),),
            conversions=(("true", "date_added (ELLA has none) set to the date of the allele's first annotation"),),
        ),
        TableMap(
            "annotation",
            "annotation",
            _cols(
                "id, allele_id, annotation, schema_version, annotation_config_id, previous_annotation_id, "
                "date_created, date_superceeded"
            ),
            "SELECT s.id, s.allele_id, s.annotations AS annotation, s.schema_version, s.annotation_config_id, "
            "s.previous_annotation_id, s.date_created, s.date_superceeded FROM annotation s",
            checks=(
                ("s.allele_id IS NULL", f"allele_id {_NOT_NULL}"),
                ("s.annotations IS NULL", "annotations is empty (the kit requires the annotation JSON)"),
                ("jsonb_typeof(s.annotations) <> 'object'", "annotations is not a JSON object"),
            ),
            references=(
                _ALLELE,
                Reference("annotation_config_id", "annotationconfig"),
                Reference("previous_annotation_id", "annotation"),
            ),
        ),
        TableMap(
            "customannotation",
            "customannotation",
            _cols("id, allele_id, annotation, user_id, previous_annotation_id, date_created, date_superceeded"),
            "SELECT s.id, s.allele_id, coalesce(s.annotations, '{}'::jsonb) AS annotation, s.user_id, "
            "s.previous_annotation_id, s.date_created, s.date_superceeded FROM customannotation s",
            checks=(("s.allele_id IS NULL", f"allele_id {_NOT_NULL}"),),
            references=(_ALLELE, _USER, Reference("previous_annotation_id", "customannotation")),
            conversions=(("s.annotations IS NULL", "annotations NULL stored as {}"),),
        ),
        TableMap(
            "analysis",
            "analysis",
            _cols(
                "id, name, genepanel_name, genepanel_version, warnings, report, date_requested, date_deposited, "
                "properties"
            ),
            "SELECT s.id, s.name, s.genepanel_name, s.genepanel_version, s.warnings, s.report, "
            "(s.date_requested AT TIME ZONE :tz)::date AS date_requested, s.date_deposited, "
            f"{_json_or_empty('properties')} FROM analysis s",
            checks=(("s.genepanel_name IS NULL OR s.genepanel_version IS NULL", f"gene panel {_NOT_NULL}"),),
            conversions=(
                _null_json("properties"),
                ("s.date_requested IS NOT NULL", "date_requested kept as a date (ELLA: midnight of that date)"),
                (
                    "(s.date_requested AT TIME ZONE :tz)::time <> '00:00'",
                    "date_requested had a time of day other than midnight; only the date is kept",
                ),
            ),
        ),
        TableMap(
            "sample",
            "sample",
            _cols(
                "id, identifier, analysis_id, sample_type, proband, family_id, father_id, mother_id, sibling_id, "
                "sex, affected, date_deposited"
            ),
            "SELECT s.id, s.identifier, s.analysis_id, s.sample_type::text, s.proband, s.family_id, s.father_id, "
            "s.mother_id, s.sibling_id, s.sex::text, s.affected, s.date_deposited FROM sample s",
            references=(
                _ANALYSIS,
                Reference("father_id", "sample"),
                Reference("mother_id", "sample"),
                Reference("sibling_id", "sample"),
            ),
        ),
        TableMap(
            "genotype",
            "genotype",
            _cols("id, allele_id, secondallele_id, sample_id, filter_status, variant_quality"),
            _plain("genotype", "id, allele_id, secondallele_id, sample_id, filter_status, variant_quality"),
            references=(_ALLELE, Reference("secondallele_id", "allele"), Reference("sample_id", "sample")),
        ),
        TableMap(
            "genotypesampledata",
            "genotypesampledata",
            _cols(
                "id, genotype_id, sample_id, secondallele, multiallelic, type, genotype_quality, "
                "genotype_likelihood, sequencing_depth, allele_depth, allele_ratio, copy_number"
            ),
            "SELECT s.id, s.genotype_id, s.sample_id, s.secondallele, s.multiallelic, s.type::text, "
            "s.genotype_quality, s.genotype_likelihood, s.sequencing_depth, s.allele_depth, s.allele_ratio, "
            "s.copy_number FROM genotypesampledata s",
            references=(Reference("genotype_id", "genotype"), Reference("sample_id", "sample")),
        ),
        TableMap(
            "attachment",
            "attachment",
            _cols("id, sha256, filename, size, mimetype, extension, user_id, date_created"),
            _plain("attachment", "id, sha256, filename, size, mimetype, extension, user_id, date_created"),
            checks=(
                ("s.sha256 IS NULL OR s.sha256 !~ '^[0-9a-f]{64}$'", "sha256 is missing or not a SHA-256"),
                ("s.size IS NULL", f"size {_NOT_NULL}"),
            ),
            references=(_USER,),
        ),
        TableMap(
            "reference",
            "reference",
            _cols("id, pubmed_id, authors, title, journal, abstract, year, published, attachment_id"),
            _plain("reference", "id, pubmed_id, authors, title, journal, abstract, year, published, attachment_id"),
            references=(Reference("attachment_id", "attachment"),),
            conversions=(("true", "search vector not copied (the kit indexes title, authors and journal itself)"),),
        ),
        TableMap(
            "alleleassessment",
            "alleleassessment",
            _cols(
                "id, allele_id, classification, evaluation, user_id, usergroup_id, analysis_id, genepanel_name, "
                "genepanel_version, annotation_id, custom_annotation_id, previous_assessment_id, date_created, "
                "date_superceeded"
            ),
            "SELECT s.id, s.allele_id, s.classification::text, coalesce(s.evaluation, '{}'::jsonb) AS evaluation, "
            f"s.user_id, s.usergroup_id, s.analysis_id, {_panel()}, s.annotation_id, s.custom_annotation_id, "
            "s.previous_assessment_id, s.date_created, s.date_superceeded FROM alleleassessment s",
            references=(
                _ALLELE,
                _USER,
                _USERGROUP,
                _ANALYSIS,
                Reference("annotation_id", "annotation"),
                Reference("custom_annotation_id", "customannotation"),
                Reference("previous_assessment_id", "alleleassessment"),
            ),
            conversions=(_null_json("evaluation"),),
        ),
        TableMap(
            "referenceassessment",
            "referenceassessment",
            _cols(
                "id, allele_id, reference_id, evaluation, user_id, usergroup_id, analysis_id, genepanel_name, "
                "genepanel_version, previous_assessment_id, date_created, date_superceeded"
            ),
            "SELECT s.id, s.allele_id, s.reference_id, coalesce(s.evaluation, '{}'::jsonb) AS evaluation, "
            f"s.user_id, s.usergroup_id, s.analysis_id, {_panel()}, s.previous_assessment_id, s.date_created, "
            "s.date_superceeded FROM referenceassessment s",
            references=(
                _ALLELE,
                Reference("reference_id", "reference"),
                _USER,
                _USERGROUP,
                _ANALYSIS,
                Reference("previous_assessment_id", "referenceassessment"),
            ),
            conversions=(_null_json("evaluation"),),
        ),
        TableMap(
            "allelereport",
            "allelereport",
            _cols(
                "id, allele_id, evaluation, user_id, usergroup_id, analysis_id, alleleassessment_id, "
                "previous_report_id, date_created, date_superceeded"
            ),
            "SELECT s.id, s.allele_id, coalesce(s.evaluation, '{}'::jsonb) AS evaluation, s.user_id, "
            "s.usergroup_id, s.analysis_id, s.alleleassessment_id, s.previous_report_id, s.date_created, "
            "s.date_superceeded FROM allelereport s",
            references=(
                _ALLELE,
                _USER,
                _USERGROUP,
                _ANALYSIS,
                Reference("alleleassessment_id", "alleleassessment"),
                Reference("previous_report_id", "allelereport"),
            ),
            conversions=(_null_json("evaluation"),),
        ),
        TableMap(
            "geneassessment",
            "geneassessment",
            _cols(
                "id, gene_id, evaluation, user_id, usergroup_id, analysis_id, genepanel_name, genepanel_version, "
                "previous_assessment_id, date_created, date_superceeded"
            ),
            "SELECT s.id, s.gene_id, coalesce(s.evaluation, '{}'::jsonb) AS evaluation, s.user_id, s.usergroup_id, "
            f"s.analysis_id, {_panel()}, s.previous_assessment_id, s.date_created, s.date_superceeded "
            "FROM geneassessment s",
            references=(
                Reference("gene_id", "gene", "hgnc_id"),
                _USER,
                _USERGROUP,
                _ANALYSIS,
                Reference("previous_assessment_id", "geneassessment"),
            ),
            conversions=(_null_json("evaluation"),),
        ),
        TableMap(
            "alleleassessmentreferenceassessment",
            "alleleassessmentreferenceassessment",
            _cols("alleleassessment_id, referenceassessment_id"),
            _plain("alleleassessmentreferenceassessment", "alleleassessment_id, referenceassessment_id"),
            key=("alleleassessment_id", "referenceassessment_id"),
            source_key="s.alleleassessment_id || ' ' || s.referenceassessment_id",
            checks=(("s.alleleassessment_id IS NULL OR s.referenceassessment_id IS NULL", f"a link side {_NOT_NULL}"),),
            references=(
                Reference("alleleassessment_id", "alleleassessment"),
                Reference("referenceassessment_id", "referenceassessment"),
            ),
            unique=(("alleleassessment_id", "referenceassessment_id"),),
            serial=False,
        ),
        TableMap(
            "alleleassessmentattachment",
            "alleleassessmentattachment",
            _cols("alleleassessment_id, attachment_id"),
            _plain("alleleassessmentattachment", "alleleassessment_id, attachment_id"),
            key=("alleleassessment_id", "attachment_id"),
            source_key="s.alleleassessment_id || ' ' || s.attachment_id",
            checks=(("s.alleleassessment_id IS NULL OR s.attachment_id IS NULL", f"a link side {_NOT_NULL}"),),
            references=(Reference("alleleassessment_id", "alleleassessment"), Reference("attachment_id", "attachment")),
            unique=(("alleleassessment_id", "attachment_id"),),
            serial=False,
        ),
        *_interpretation_maps(),
        TableMap(
            "broadcast",
            "broadcast",
            _cols("id, date_created, message, active"),
            _plain("broadcast", "id, date_created, message, active"),
        ),
        TableMap(
            "annotationjob",
            "annotationjob",
            _cols(
                "id, task_id, status, status_history, mode, data, message, user_id, date_submitted, "
                "date_last_update, genepanel_name, genepanel_version, properties, sample_id, attempts"
            ),
            "SELECT s.id, s.task_id, s.status::text, coalesce(s.status_history, '{}'::jsonb) AS status_history, "
            "s.mode::text, s.data, s.message, s.user_id, s.date_submitted, s.date_last_update, s.genepanel_name, "
            f"s.genepanel_version, {_json_or_empty('properties')}, s.sample_id, 0 AS attempts FROM annotationjob s",
            references=(_USER,),
            conversions=(
                _null_json("status_history"),
                _null_json("properties"),
                ("true", "attempts (ELLA keeps no count of the poller's tries) set to 0"),
            ),
        ),
        TableMap(
            "resourcelog",
            "resourcelog",
            _cols(
                "id, remote_addr, user_id, usersession_id, time, duration, method, resource, query, statuscode, "
                "response_size, payload, payload_size, response"
            ),
            "SELECT s.id, host(s.remote_addr) AS remote_addr, us.user_id, s.usersession_id, s.time, s.duration, "
            "s.method, s.resource, s.query, s.statuscode, s.response_size, s.payload, s.payload_size, s.response "
            "FROM resourcelog s LEFT JOIN usersession us ON us.id = s.usersession_id",
            references=(Reference("usersession_id", "usersession"),),
            conversions=(
                ("s.usersession_id IS NOT NULL", "user_id filled in from the session"),
                ("true", "remote_addr stored as text (ELLA: inet)"),
            ),
            kit_log=True,
        ),
        TableMap(
            "uiexception",
            "uiexception",
            _cols("id, time, user_id, usersession_id, message, location, stacktrace, state"),
            "SELECT s.id, s.time, us.user_id, s.usersession_id, s.message, s.location, s.stacktrace, s.state "
            "FROM uiexception s LEFT JOIN usersession us ON us.id = s.usersession_id",
            references=(Reference("usersession_id", "usersession"),),
            conversions=(("s.usersession_id IS NOT NULL", "user_id filled in from the session"),),
            kit_log=True,
        ),
        TableMap(
            "clilog",
            "clilog",
            _cols("id, time, user, group, groupcommand, command, argv, reason, output"),
            'SELECT s.id, s.time, s."user", s."group", s.groupcommand, s.command, \'[]\'::jsonb AS argv, s.reason, '
            "s.output FROM clilog s",
            conversions=(("true", "argv (ELLA keeps none) stored as []; ELLA's command line is in command"),),
            kit_log=True,
        ),
    ]


def _interpretation_maps() -> list[TableMap]:
    common = (
        "genepanel_name, genepanel_version, user_id, status, workflow_status, finalized, state, user_state, "
        "date_created, date_last_update"
    )
    select_common = (
        f"{_panel()}, s.user_id, s.status::text, s.workflow_status::text, s.finalized, "
        "coalesce(s.state, '{}'::jsonb) AS state, coalesce(s.user_state, '{}'::jsonb) AS user_state, "
        "s.date_created, s.date_last_update"
    )
    state_conversions = (_null_json("state"), _null_json("user_state"))
    snapshot_refs = (
        _ALLELE,
        Reference("annotation_id", "annotation"),
        Reference("customannotation_id", "customannotation"),
        Reference("alleleassessment_id", "alleleassessment"),
        Reference("allelereport_id", "allelereport"),
    )
    return [
        TableMap(
            "analysisinterpretation",
            "analysisinterpretation",
            _cols(f"id, analysis_id, {common}"),
            f"SELECT s.id, s.analysis_id, {select_common} FROM analysisinterpretation s",
            references=(_ANALYSIS, _USER),
            conversions=state_conversions,
        ),
        TableMap(
            "alleleinterpretation",
            "alleleinterpretation",
            _cols(f"id, allele_id, {common}"),
            f"SELECT s.id, s.allele_id, {select_common} FROM alleleinterpretation s",
            references=(_ALLELE, _USER),
            conversions=state_conversions,
        ),
        TableMap(
            "analysisinterpretationsnapshot",
            "analysisinterpretationsnapshot",
            _cols(
                "id, analysisinterpretation_id, allele_id, annotation_id, alleleassessment_id, allelereport_id, "
                "customannotation_id, filtered, date_created"
            ),
            "SELECT s.id, s.analysisinterpretation_id, s.allele_id, s.annotation_id, s.alleleassessment_id, "
            "s.allelereport_id, s.customannotation_id, s.filtered::text, s.date_created "
            "FROM analysisinterpretationsnapshot s",
            references=(Reference("analysisinterpretation_id", "analysisinterpretation"), *snapshot_refs),
        ),
        TableMap(
            "alleleinterpretationsnapshot",
            "alleleinterpretationsnapshot",
            _cols(
                "id, alleleinterpretation_id, allele_id, annotation_id, customannotation_id, alleleassessment_id, "
                "allelereport_id, filtered, date_created"
            ),
            "SELECT s.id, s.alleleinterpretation_id, s.allele_id, s.annotation_id, s.customannotation_id, "
            "s.alleleassessment_id, s.allelereport_id, s.filtered::text, s.date_created "
            "FROM alleleinterpretationsnapshot s",
            references=(Reference("alleleinterpretation_id", "alleleinterpretation"), *snapshot_refs),
        ),
        TableMap(
            "interpretationstatehistory",
            "interpretationstatehistory",
            _cols("id, analysisinterpretation_id, alleleinterpretation_id, date_created, state, user_id"),
            _plain(
                "interpretationstatehistory",
                "id, analysisinterpretation_id, alleleinterpretation_id, date_created, state, user_id",
            ),
            references=(
                Reference("analysisinterpretation_id", "analysisinterpretation"),
                Reference("alleleinterpretation_id", "alleleinterpretation"),
                _USER,
            ),
        ),
        TableMap(
            "interpretationlog",
            "interpretationlog",
            _cols(
                "id, analysis_id, allele_id, user_id, date_created, message, priority, review_comment, "
                "warning_cleared, analysisinterpretation_id, alleleinterpretation_id, alleleassessment_id, "
                "allelereport_id"
            ),
            "SELECT s.id, ai.analysis_id, li.allele_id, s.user_id, s.date_created, s.message, s.priority, "
            "s.review_comment, s.warning_cleared, s.analysisinterpretation_id, s.alleleinterpretation_id, "
            "s.alleleassessment_id, s.allelereport_id FROM interpretationlog s "
            "LEFT JOIN analysisinterpretation ai ON ai.id = s.analysisinterpretation_id "
            "LEFT JOIN alleleinterpretation li ON li.id = s.alleleinterpretation_id",
            references=(
                Reference("analysisinterpretation_id", "analysisinterpretation"),
                Reference("alleleinterpretation_id", "alleleinterpretation"),
                _USER,
                Reference("alleleassessment_id", "alleleassessment"),
                Reference("allelereport_id", "allelereport"),
            ),
            conversions=(("true", "analysis_id / allele_id filled in from the interpretation round"),),
        ),
    ]
