"""filter results: kept per analysis, filter config and gene panel; triggers log changes to their inputs

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03 10:00:00

``filterinvalidation`` is append-only. The triggers add a row per analysis (or gene panel) whose filter results
an input change affects:

* ``classification``: an allele assessment of one of the analysis' alleles inserted, deleted or changed;
* ``annotation``: the current annotation of one of the analysis' alleles superseded (a new version replaces it;
  the first annotation of an allele is written with the allele, before any analysis holds it);
* ``genepanel``: a gene panel's transcript or phenotype links changed, or a transcript, phenotype or gene
  they name changed (``deposit genepanel --replace`` updates shared rows).

Statement-level triggers with transition tables keep bulk writes (a panel deposit, a re-annotation) to one
insert per statement; none fires on the importer's COPY of new alleles, annotations and genotypes.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_FUNCTIONS = {
    # one row per analysis holding an assessed allele
    "filterinvalidation_alleleassessment": """
        BEGIN
            INSERT INTO filterinvalidation (analysis_id, kind)
            SELECT DISTINCT s.analysis_id, 'classification'
            FROM genotype g JOIN sample s ON s.id = g.sample_id
            WHERE g.allele_id = CASE WHEN TG_OP = 'DELETE' THEN OLD.allele_id ELSE NEW.allele_id END;
            RETURN NULL;
        END
    """,
    "filterinvalidation_annotation": """
        BEGIN
            INSERT INTO filterinvalidation (analysis_id, kind)
            SELECT DISTINCT s.analysis_id, 'annotation'
            FROM new_rows n
            JOIN old_rows o ON o.id = n.id
            JOIN genotype g ON g.allele_id = n.allele_id
            JOIN sample s ON s.id = g.sample_id
            WHERE o.date_superceeded IS NULL AND n.date_superceeded IS NOT NULL;
            RETURN NULL;
        END
    """,
    "filterinvalidation_panel_links": """
        BEGIN
            INSERT INTO filterinvalidation (genepanel_name, genepanel_version, kind)
            SELECT DISTINCT genepanel_name, genepanel_version, 'genepanel' FROM changed_rows;
            RETURN NULL;
        END
    """,
    "filterinvalidation_transcript": """
        BEGIN
            INSERT INTO filterinvalidation (genepanel_name, genepanel_version, kind)
            SELECT DISTINCT l.genepanel_name, l.genepanel_version, 'genepanel'
            FROM changed_rows c JOIN genepanel_transcript l ON l.transcript_id = c.id;
            RETURN NULL;
        END
    """,
    "filterinvalidation_phenotype": """
        BEGIN
            INSERT INTO filterinvalidation (genepanel_name, genepanel_version, kind)
            SELECT DISTINCT l.genepanel_name, l.genepanel_version, 'genepanel'
            FROM changed_rows c JOIN genepanel_phenotype l ON l.phenotype_id = c.id;
            RETURN NULL;
        END
    """,
    "filterinvalidation_gene": """
        BEGIN
            INSERT INTO filterinvalidation (genepanel_name, genepanel_version, kind)
            SELECT DISTINCT l.genepanel_name, l.genepanel_version, 'genepanel'
            FROM changed_rows c
            JOIN transcript t ON t.gene_id = c.hgnc_id
            JOIN genepanel_transcript l ON l.transcript_id = t.id;
            RETURN NULL;
        END
    """,
}

# (trigger name, table, timing and events, transition tables, function)
_TRIGGERS = [
    (
        "filterinvalidation",
        "alleleassessment",
        "AFTER INSERT OR DELETE OR UPDATE OF allele_id, classification, date_created, date_superceeded",
        "FOR EACH ROW",
        "filterinvalidation_alleleassessment",
    ),
    (
        "filterinvalidation",
        "annotation",
        "AFTER UPDATE",
        "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT",
        "filterinvalidation_annotation",
    ),
    *[
        (
            f"filterinvalidation_{event.lower()}",
            table,
            f"AFTER {event}",
            f"REFERENCING {'OLD' if event == 'DELETE' else 'NEW'} TABLE AS changed_rows FOR EACH STATEMENT",
            "filterinvalidation_panel_links",
        )
        for table in ("genepanel_transcript", "genepanel_phenotype")
        for event in ("INSERT", "UPDATE", "DELETE")
    ],
    *[
        (
            "filterinvalidation",
            table,
            "AFTER UPDATE",
            "REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT",
            f"filterinvalidation_{table}",
        )
        for table in ("transcript", "phenotype", "gene")
    ],
]


def upgrade() -> None:
    op.create_table(
        "filterinvalidation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("analysis_id", sa.Integer(), nullable=True),
        sa.Column("genepanel_name", sa.String(), nullable=True),
        sa.Column("genepanel_version", sa.String(), nullable=True),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("date_created", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "(analysis_id IS NULL) <> (genepanel_name IS NULL)", name=op.f("ck_filterinvalidation_subject")
        ),
        sa.CheckConstraint(
            "kind IN ('annotation', 'classification', 'genepanel')", name=op.f("ck_filterinvalidation_kind")
        ),
        sa.ForeignKeyConstraint(
            ["analysis_id"],
            ["analysis.id"],
            name=op.f("fk_filterinvalidation_analysis_id_analysis"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_filterinvalidation")),
    )
    op.create_index(
        "ix_filterinvalidation_analysis",
        "filterinvalidation",
        ["analysis_id", "kind"],
        unique=False,
        postgresql_where=sa.text("analysis_id IS NOT NULL"),
    )
    op.create_index(
        "ix_filterinvalidation_genepanel",
        "filterinvalidation",
        ["genepanel_name", "genepanel_version"],
        unique=False,
        postgresql_where=sa.text("genepanel_name IS NOT NULL"),
    )
    op.create_table(
        "filterresult",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("analysis_id", sa.Integer(), nullable=False),
        sa.Column("filterconfig_id", sa.Integer(), nullable=False),
        sa.Column("genepanel_name", sa.String(), nullable=False),
        sa.Column("genepanel_version", sa.String(), nullable=False),
        sa.Column("fingerprint", sa.String(), nullable=False),
        sa.Column("annotation_input", sa.Integer(), nullable=True),
        sa.Column("classification_input", sa.Integer(), nullable=True),
        sa.Column("genepanel_input", sa.Integer(), nullable=True),
        sa.Column("valid_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("computed_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("allele_count", sa.Integer(), nullable=False),
        sa.Column("passed", postgresql.ARRAY(sa.Integer()), nullable=False),
        sa.Column("excluded", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("unsupported", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("cnv", postgresql.ARRAY(sa.Integer()), nullable=False),
        sa.Column("error", sa.String(), nullable=True),
        sa.ForeignKeyConstraint(
            ["analysis_id"], ["analysis.id"], name=op.f("fk_filterresult_analysis_id_analysis"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["filterconfig_id"],
            ["filterconfig.id"],
            name=op.f("fk_filterresult_filterconfig_id_filterconfig"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["genepanel_name", "genepanel_version"],
            ["genepanel.name", "genepanel.version"],
            name="fk_filterresult_genepanel",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_filterresult")),
        sa.UniqueConstraint(
            "analysis_id",
            "filterconfig_id",
            "genepanel_name",
            "genepanel_version",
            name="uq_filterresult_key",
        ),
    )
    op.create_index(op.f("ix_filterresult_filterconfig_id"), "filterresult", ["filterconfig_id"], unique=False)
    for name, body in _FUNCTIONS.items():
        op.execute(f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $body${body}$body$")
    for trigger, table, events, clause, function in _TRIGGERS:
        op.execute(f'CREATE TRIGGER {trigger} {events} ON "{table}" {clause} EXECUTE FUNCTION {function}()')


def downgrade() -> None:
    for trigger, table, *_ in _TRIGGERS:
        op.execute(f'DROP TRIGGER {trigger} ON "{table}"')
    for name in _FUNCTIONS:
        op.execute(f"DROP FUNCTION {name}()")
    op.drop_index(op.f("ix_filterresult_filterconfig_id"), table_name="filterresult")
    op.drop_table("filterresult")
    op.drop_index(
        "ix_filterinvalidation_genepanel",
        table_name="filterinvalidation",
        postgresql_where=sa.text("genepanel_name IS NOT NULL"),
    )
    op.drop_index(
        "ix_filterinvalidation_analysis",
        table_name="filterinvalidation",
        postgresql_where=sa.text("analysis_id IS NOT NULL"),
    )
    op.drop_table("filterinvalidation")
