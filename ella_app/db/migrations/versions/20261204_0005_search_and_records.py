"""search and records: annotationshadowtranscript kept by triggers, search indexes, attachment links, one
current gene assessment and custom annotation per gene/allele

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04 09:00:00

``annotationshadowtranscript`` (ELLA's table of that name, the columns search needs) holds one row per
transcript of the current annotation of each allele. Statement-level triggers with transition tables keep it
so: an insert of current annotations adds their transcripts, an update or delete of a current annotation
(superseding it) removes its rows first. One insert per statement, also for the importer's COPY, and nothing
in the application writes the table. The upgrade fills it from the current annotations.

Search indexes: prefix search on ``lower(hgvsc)``/``lower(hgvsp)`` (``text_pattern_ops``, as ELLA), the gene
(``hgnc_id``, and ``symbol`` for annotations without an HGNC id), ``allele.start_position`` for a position
without a chromosome, the users of interpretations and classifications, and the panel transcript names
without version (annotation and panel versions may differ).

``alleleassessmentattachment`` links attachments to allele assessments (ELLA). ``attachment.size`` becomes
bigint (ELLA). Current gene assessments and custom annotations are unique per gene/allele (ELLA's
``ix_geneassessment_geneid_unique``; for custom annotations a guard against two concurrent requests).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# The rows of one annotation JSON, tolerant of any shape: a missing or odd 'transcripts' gives no rows, a
# non-numeric hgnc_id gives NULL; HGVS names lose their transcript/protein prefix (``NM_1.2:c.1A>G``).
_ROWS_FUNCTION = r"""
CREATE FUNCTION annotationshadow_transcripts(annotation jsonb)
RETURNS TABLE (hgnc_id integer, symbol text, transcript text, protein text, hgvsc text, hgvsp text)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN (t->>'hgnc_id') ~ '^[0-9]{1,9}$' THEN (t->>'hgnc_id')::integer END,
           CASE WHEN jsonb_typeof(t->'symbol') = 'string' THEN t->>'symbol' END,
           CASE WHEN jsonb_typeof(t->'transcript') = 'string' THEN t->>'transcript' END,
           CASE WHEN jsonb_typeof(t->'protein') = 'string' THEN t->>'protein' END,
           CASE WHEN jsonb_typeof(t->'HGVSc') = 'string' THEN regexp_replace(t->>'HGVSc', '^[^:]*:', '') END,
           CASE WHEN jsonb_typeof(t->'HGVSp') = 'string' THEN regexp_replace(t->>'HGVSp', '^[^:]*:', '') END
    FROM jsonb_array_elements(
        CASE WHEN jsonb_typeof(annotation->'transcripts') = 'array' THEN annotation->'transcripts'
             ELSE '[]'::jsonb END
    ) AS t
    WHERE jsonb_typeof(t) = 'object'
$$;
"""

_INSERT_CURRENT = """
    INSERT INTO annotationshadowtranscript (allele_id, hgnc_id, symbol, transcript, protein, hgvsc, hgvsp)
    SELECT n.allele_id, r.hgnc_id, r.symbol, r.transcript, r.protein, r.hgvsc, r.hgvsp
    FROM new_rows n CROSS JOIN LATERAL annotationshadow_transcripts(n.annotation) r
    WHERE n.date_superceeded IS NULL;
"""
_DELETE_CURRENT = """
    DELETE FROM annotationshadowtranscript s
    USING old_rows o WHERE s.allele_id = o.allele_id AND o.date_superceeded IS NULL;
"""

_TRIGGERS = f"""
CREATE FUNCTION annotationshadow_on_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {_INSERT_CURRENT}
    RETURN NULL;
END $$;

CREATE FUNCTION annotationshadow_on_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {_DELETE_CURRENT}
    {_INSERT_CURRENT}
    RETURN NULL;
END $$;

CREATE FUNCTION annotationshadow_on_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {_DELETE_CURRENT}
    RETURN NULL;
END $$;

CREATE TRIGGER annotationshadow_insert AFTER INSERT ON annotation
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION annotationshadow_on_insert();
CREATE TRIGGER annotationshadow_update AFTER UPDATE ON annotation
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION annotationshadow_on_update();
CREATE TRIGGER annotationshadow_delete AFTER DELETE ON annotation
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION annotationshadow_on_delete();
"""

_BACKFILL = """
INSERT INTO annotationshadowtranscript (allele_id, hgnc_id, symbol, transcript, protein, hgvsc, hgvsp)
SELECT a.allele_id, r.hgnc_id, r.symbol, r.transcript, r.protein, r.hgvsc, r.hgvsp
FROM annotation a CROSS JOIN LATERAL annotationshadow_transcripts(a.annotation) r
WHERE a.date_superceeded IS NULL;
"""

_EXPRESSION_INDEXES = (
    "CREATE INDEX ix_annotationshadowtranscript_hgvsc ON annotationshadowtranscript (lower(hgvsc) text_pattern_ops)",
    "CREATE INDEX ix_annotationshadowtranscript_hgvsp ON annotationshadowtranscript (lower(hgvsp) text_pattern_ops)",
    "CREATE INDEX ix_transcript_base_name ON transcript (split_part(transcript_name, '.', 1))",
)


def upgrade() -> None:
    op.create_table(
        "annotationshadowtranscript",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("allele_id", sa.Integer(), nullable=False),
        sa.Column("hgnc_id", sa.Integer(), nullable=True),
        sa.Column("symbol", sa.String(), nullable=True),
        sa.Column("transcript", sa.String(), nullable=True),
        sa.Column("protein", sa.String(), nullable=True),
        sa.Column("hgvsc", sa.String(), nullable=True),
        sa.Column("hgvsp", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_annotationshadowtranscript")),
    )
    op.execute(_ROWS_FUNCTION)
    op.execute(_BACKFILL)
    op.create_index(op.f("ix_annotationshadowtranscript_allele_id"), "annotationshadowtranscript", ["allele_id"])
    op.create_index(op.f("ix_annotationshadowtranscript_hgnc_id"), "annotationshadowtranscript", ["hgnc_id"])
    op.create_index(op.f("ix_annotationshadowtranscript_symbol"), "annotationshadowtranscript", ["symbol"])
    for statement in _EXPRESSION_INDEXES:
        op.execute(statement)
    op.execute(_TRIGGERS)

    op.create_index("ix_allele_start_position", "allele", ["start_position"])
    op.create_index(op.f("ix_alleleassessment_user_id"), "alleleassessment", ["user_id"])
    op.create_index(op.f("ix_alleleinterpretation_user_id"), "alleleinterpretation", ["user_id"])
    op.create_index(op.f("ix_analysisinterpretation_user_id"), "analysisinterpretation", ["user_id"])

    op.create_table(
        "alleleassessmentattachment",
        sa.Column("alleleassessment_id", sa.Integer(), nullable=False),
        sa.Column("attachment_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["alleleassessment_id"],
            ["alleleassessment.id"],
            name=op.f("fk_alleleassessmentattachment_alleleassessment_id_alleleassessment"),
        ),
        sa.ForeignKeyConstraint(
            ["attachment_id"], ["attachment.id"], name=op.f("fk_alleleassessmentattachment_attachment_id_attachment")
        ),
        sa.PrimaryKeyConstraint("alleleassessment_id", "attachment_id", name=op.f("pk_alleleassessmentattachment")),
    )
    op.create_index(
        op.f("ix_alleleassessmentattachment_attachment_id"), "alleleassessmentattachment", ["attachment_id"]
    )
    op.alter_column("attachment", "size", type_=sa.BigInteger(), existing_nullable=False)

    op.create_index(
        "uq_geneassessment_current",
        "geneassessment",
        ["gene_id"],
        unique=True,
        postgresql_where=sa.text("date_superceeded IS NULL"),
    )
    op.create_index(
        "uq_customannotation_current",
        "customannotation",
        ["allele_id"],
        unique=True,
        postgresql_where=sa.text("date_superceeded IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("uq_customannotation_current", table_name="customannotation")
    op.drop_index("uq_geneassessment_current", table_name="geneassessment")
    op.alter_column("attachment", "size", type_=sa.Integer(), existing_nullable=False)
    op.drop_index(op.f("ix_alleleassessmentattachment_attachment_id"), table_name="alleleassessmentattachment")
    op.drop_table("alleleassessmentattachment")
    op.drop_index(op.f("ix_analysisinterpretation_user_id"), table_name="analysisinterpretation")
    op.drop_index(op.f("ix_alleleinterpretation_user_id"), table_name="alleleinterpretation")
    op.drop_index(op.f("ix_alleleassessment_user_id"), table_name="alleleassessment")
    op.drop_index("ix_allele_start_position", table_name="allele")
    for name in ("insert", "update", "delete"):
        op.execute(f"DROP TRIGGER annotationshadow_{name} ON annotation")
        op.execute(f"DROP FUNCTION annotationshadow_on_{name}()")
    op.execute("DROP INDEX ix_transcript_base_name")
    op.drop_table("annotationshadowtranscript")
    op.execute("DROP FUNCTION annotationshadow_transcripts(jsonb)")
