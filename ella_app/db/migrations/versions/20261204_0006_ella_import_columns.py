"""ELLA import: the columns and tables of ELLA v1.17 the kit lacked, so that a migrated database loses nothing

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 13:10:00

``ella-cli database import-ella`` copies an ELLA database into this schema. These hold what ELLA keeps and
the kit had no place for:

* ``alleleassessment.custom_annotation_id``: the custom annotation a classification was made with;
* ``alleleassessmentreferenceassessment``: the reference evaluations a classification was made with;
* ``reference.attachment_id``: a reference's full text as an attachment;
* ``genepanel.user_id``: who made a custom (non-official) gene panel;
* ``filterconfig.schema_version``: the version of ELLA's filter config schema the config was written for;
* ``analysisinterpretationsnapshot.date_created`` and ``customannotation_id``, and the snapshot table of
  allele interpretations (``alleleinterpretationsnapshot``);
* ``interpretationlog`` links to the interpretation round and to the classification and report a log entry
  is about;
* ``resourcelog.response``: the response body ELLA logged for some requests.

All are nullable additions: nothing the kit writes today changes.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def _fk(table: str, column: str, referred: str, ondelete: str | None = None) -> None:
    op.create_foreign_key(op.f(f"fk_{table}_{column}_{referred}"), table, referred, [column], ["id"], ondelete=ondelete)


def upgrade() -> None:
    op.add_column("alleleassessment", sa.Column("custom_annotation_id", sa.Integer(), nullable=True))
    _fk("alleleassessment", "custom_annotation_id", "customannotation")

    op.create_table(
        "alleleassessmentreferenceassessment",
        sa.Column("alleleassessment_id", sa.Integer(), nullable=False),
        sa.Column("referenceassessment_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["alleleassessment_id"],
            ["alleleassessment.id"],
            name=op.f("fk_alleleassessmentreferenceassessment_alleleassessment_id_alleleassessment"),
        ),
        sa.ForeignKeyConstraint(
            ["referenceassessment_id"],
            ["referenceassessment.id"],
            name=op.f("fk_alleleassessmentreferenceassessment_referenceassessment_id_referenceassessment"),
        ),
        sa.PrimaryKeyConstraint(
            "alleleassessment_id", "referenceassessment_id", name=op.f("pk_alleleassessmentreferenceassessment")
        ),
    )
    op.create_index(
        op.f("ix_alleleassessmentreferenceassessment_referenceassessment_id"),
        "alleleassessmentreferenceassessment",
        ["referenceassessment_id"],
    )

    op.add_column("reference", sa.Column("attachment_id", sa.Integer(), nullable=True))
    _fk("reference", "attachment_id", "attachment")

    op.add_column("genepanel", sa.Column("user_id", sa.Integer(), nullable=True))
    _fk("genepanel", "user_id", "user")

    op.add_column("filterconfig", sa.Column("schema_version", sa.Integer(), nullable=True))

    op.add_column(
        "analysisinterpretationsnapshot",
        sa.Column("date_created", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=True),
    )
    op.add_column("analysisinterpretationsnapshot", sa.Column("customannotation_id", sa.Integer(), nullable=True))
    _fk("analysisinterpretationsnapshot", "customannotation_id", "customannotation")

    op.create_table(
        "alleleinterpretationsnapshot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("alleleinterpretation_id", sa.Integer(), nullable=False),
        sa.Column("allele_id", sa.Integer(), nullable=False),
        sa.Column("annotation_id", sa.Integer(), nullable=True),
        sa.Column("customannotation_id", sa.Integer(), nullable=True),
        sa.Column("alleleassessment_id", sa.Integer(), nullable=True),
        sa.Column("allelereport_id", sa.Integer(), nullable=True),
        sa.Column("filtered", sa.String(), nullable=True),
        sa.Column("date_created", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=True),
        sa.ForeignKeyConstraint(
            ["alleleinterpretation_id"],
            ["alleleinterpretation.id"],
            name=op.f("fk_alleleinterpretationsnapshot_alleleinterpretation_id_alleleinterpretation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["allele_id"], ["allele.id"], name=op.f("fk_alleleinterpretationsnapshot_allele_id_allele")
        ),
        sa.ForeignKeyConstraint(
            ["annotation_id"], ["annotation.id"], name=op.f("fk_alleleinterpretationsnapshot_annotation_id_annotation")
        ),
        sa.ForeignKeyConstraint(
            ["customannotation_id"],
            ["customannotation.id"],
            name=op.f("fk_alleleinterpretationsnapshot_customannotation_id_customannotation"),
        ),
        sa.ForeignKeyConstraint(
            ["alleleassessment_id"],
            ["alleleassessment.id"],
            name=op.f("fk_alleleinterpretationsnapshot_alleleassessment_id_alleleassessment"),
        ),
        sa.ForeignKeyConstraint(
            ["allelereport_id"],
            ["allelereport.id"],
            name=op.f("fk_alleleinterpretationsnapshot_allelereport_id_allelereport"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alleleinterpretationsnapshot")),
    )
    op.create_index(
        op.f("ix_alleleinterpretationsnapshot_alleleinterpretation_id"),
        "alleleinterpretationsnapshot",
        ["alleleinterpretation_id"],
    )

    for column, referred, ondelete in (
        ("analysisinterpretation_id", "analysisinterpretation", "CASCADE"),
        ("alleleinterpretation_id", "alleleinterpretation", "CASCADE"),
        ("alleleassessment_id", "alleleassessment", None),
        ("allelereport_id", "allelereport", None),
    ):
        op.add_column("interpretationlog", sa.Column(column, sa.Integer(), nullable=True))
        _fk("interpretationlog", column, referred, ondelete)

    op.add_column("resourcelog", sa.Column("response", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("resourcelog", "response")
    for column, referred in (
        ("allelereport_id", "allelereport"),
        ("alleleassessment_id", "alleleassessment"),
        ("alleleinterpretation_id", "alleleinterpretation"),
        ("analysisinterpretation_id", "analysisinterpretation"),
    ):
        op.drop_constraint(op.f(f"fk_interpretationlog_{column}_{referred}"), "interpretationlog", type_="foreignkey")
        op.drop_column("interpretationlog", column)
    op.drop_table("alleleinterpretationsnapshot")
    op.drop_constraint(
        op.f("fk_analysisinterpretationsnapshot_customannotation_id_customannotation"),
        "analysisinterpretationsnapshot",
        type_="foreignkey",
    )
    op.drop_column("analysisinterpretationsnapshot", "customannotation_id")
    op.drop_column("analysisinterpretationsnapshot", "date_created")
    op.drop_column("filterconfig", "schema_version")
    op.drop_constraint(op.f("fk_genepanel_user_id_user"), "genepanel", type_="foreignkey")
    op.drop_column("genepanel", "user_id")
    op.drop_constraint(op.f("fk_reference_attachment_id_attachment"), "reference", type_="foreignkey")
    op.drop_column("reference", "attachment_id")
    op.drop_table("alleleassessmentreferenceassessment")
    op.drop_constraint(
        op.f("fk_alleleassessment_custom_annotation_id_customannotation"), "alleleassessment", type_="foreignkey"
    )
    op.drop_column("alleleassessment", "custom_annotation_id")
