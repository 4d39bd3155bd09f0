"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-28 18:21:12.298770
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "allele",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("genome_reference", sa.String(), nullable=False),
        sa.Column("chromosome", sa.String(), nullable=False),
        sa.Column("start_position", sa.BigInteger(), nullable=False),
        sa.Column("open_end_position", sa.BigInteger(), nullable=False),
        sa.Column("change_from", sa.String(), nullable=False),
        sa.Column("change_to", sa.String(), nullable=False),
        sa.Column("change_type", sa.String(), nullable=False),
        sa.Column("caller_type", sa.String(), nullable=False),
        sa.Column("vcf_pos", sa.BigInteger(), nullable=False),
        sa.Column("vcf_ref", sa.String(), nullable=False),
        sa.Column("vcf_alt", sa.String(), nullable=False),
        sa.Column("length", sa.Integer(), nullable=False),
        sa.Column("date_added", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_allele")),
        sa.UniqueConstraint(
            "genome_reference",
            "chromosome",
            "vcf_pos",
            "vcf_ref",
            "vcf_alt",
            name=op.f("uq_allele_genome_reference_chromosome_vcf_pos_vcf_ref_vcf_alt"),
        ),
    )
    op.create_index("ix_allele_region", "allele", ["chromosome", "start_position", "open_end_position"], unique=False)
    op.create_table(
        "annotationconfig",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("deposit", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("view", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("date_created", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_annotationconfig")),
    )
    op.create_table(
        "broadcast",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("date_created", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("message", sa.String(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_broadcast")),
    )
    op.create_table(
        "clilog",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("time", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("user", sa.String(), nullable=False),
        sa.Column("group", sa.String(), nullable=True),
        sa.Column("groupcommand", sa.String(), nullable=False),
        sa.Column("command", sa.String(), nullable=False),
        sa.Column("argv", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("reason", sa.String(), nullable=True),
        sa.Column("output", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clilog")),
    )
    op.create_table(
        "filterconfig",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("filterconfig", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("requirements", postgresql.JSONB(astext_type=sa.Text()), server_default="[]", nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("date_created", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("date_superceeded", sa.DateTime(timezone=True), nullable=True),
        sa.Column("previous_filterconfig_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["previous_filterconfig_id"],
            ["filterconfig.id"],
            name=op.f("fk_filterconfig_previous_filterconfig_id_filterconfig"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_filterconfig")),
    )
    op.create_index(
        "uq_filterconfig_active_name",
        "filterconfig",
        ["name"],
        unique=True,
        postgresql_where=sa.text("active"),
    )
    op.create_table(
        "gene",
        sa.Column("hgnc_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("hgnc_symbol", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("hgnc_id", name=op.f("pk_gene")),
    )
    op.create_index(op.f("ix_gene_hgnc_symbol"), "gene", ["hgnc_symbol"], unique=False)
    op.create_table(
        "genepanel",
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("version", sa.String(), nullable=False),
        sa.Column("genome_reference", sa.String(), nullable=False),
        sa.Column("official", sa.Boolean(), nullable=False),
        sa.Column("date_created", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("name", "version", name=op.f("pk_genepanel")),
    )
    op.create_table(
        "reference",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pubmed_id", sa.Integer(), nullable=True),
        sa.Column("authors", sa.String(), nullable=True),
        sa.Column("title", sa.String(), nullable=True),
        sa.Column("journal", sa.String(), nullable=True),
        sa.Column("abstract", sa.String(), nullable=True),
        sa.Column("year", sa.String(), nullable=True),
        sa.Column("published", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reference")),
        sa.UniqueConstraint("pubmed_id", name=op.f("uq_reference_pubmed_id")),
    )
    op.create_index(
        "ix_reference_search",
        "reference",
        [
            sa.literal_column(
                "to_tsvector('english', coalesce(title, '') || ' ' || coalesce(authors, '') "
                "|| ' ' || coalesce(journal, ''))"
            )
        ],
        unique=False,
        postgresql_using="gin",
    )
    op.create_table(
        "analysis",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("genepanel_name", sa.String(), nullable=False),
        sa.Column("genepanel_version", sa.String(), nullable=False),
        sa.Column("warnings", sa.Text(), nullable=True),
        sa.Column("report", sa.Text(), nullable=True),
        sa.Column("date_requested", sa.Date(), nullable=True),
        sa.Column("date_deposited", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("properties", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False),
        sa.ForeignKeyConstraint(
            ["genepanel_name", "genepanel_version"],
            ["genepanel.name", "genepanel.version"],
            name="fk_analysis_genepanel",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_analysis")),
        sa.UniqueConstraint("name", name=op.f("uq_analysis_name")),
    )
    op.create_table(
        "annotation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("allele_id", sa.Integer(), nullable=False),
        sa.Column("annotation", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("schema_version", sa.Integer(), nullable=False),
        sa.Column("annotation_config_id", sa.Integer(), nullable=True),
        sa.Column("previous_annotation_id", sa.Integer(), nullable=True),
        sa.Column("date_created", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("date_superceeded", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["allele_id"], ["allele.id"], name=op.f("fk_annotation_allele_id_allele")),
        sa.ForeignKeyConstraint(
            ["annotation_config_id"],
            ["annotationconfig.id"],
            name=op.f("fk_annotation_annotation_config_id_annotationconfig"),
        ),
        sa.ForeignKeyConstraint(
            ["previous_annotation_id"],
            ["annotation.id"],
            name=op.f("fk_annotation_previous_annotation_id_annotation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_annotation")),
    )
    op.create_index(op.f("ix_annotation_allele_id"), "annotation", ["allele_id"], unique=False)
    op.create_index(
        "uq_annotation_current",
        "annotation",
        ["allele_id"],
        unique=True,
        postgresql_where=sa.text("date_superceeded IS NULL"),
    )
    op.create_table(
        "phenotype",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("gene_id", sa.Integer(), nullable=False),
        sa.Column("description", sa.String(), nullable=False),
        sa.Column("inheritance", sa.String(), nullable=False),
        sa.Column("omim_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["gene_id"], ["gene.hgnc_id"], name=op.f("fk_phenotype_gene_id_gene")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_phenotype")),
        sa.UniqueConstraint(
            "gene_id", "description", "inheritance", name=op.f("uq_phenotype_gene_id_description_inheritance")
        ),
    )
    op.create_index(op.f("ix_phenotype_gene_id"), "phenotype", ["gene_id"], unique=False)
    op.create_table(
        "transcript",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("gene_id", sa.Integer(), nullable=False),
        sa.Column("transcript_name", sa.String(), nullable=False),
        sa.Column("type", sa.String(), nullable=False),
        sa.Column("tags", sa.ARRAY(sa.String()), nullable=True),
        sa.Column("genome_reference", sa.String(), nullable=False),
        sa.Column("chromosome", sa.String(), nullable=False),
        sa.Column("tx_start", sa.Integer(), nullable=False),
        sa.Column("tx_end", sa.Integer(), nullable=False),
        sa.Column("strand", sa.String(length=1), nullable=False),
        sa.Column("cds_start", sa.Integer(), nullable=True),
        sa.Column("cds_end", sa.Integer(), nullable=True),
        sa.Column("exon_starts", sa.ARRAY(sa.Integer()), nullable=False),
        sa.Column("exon_ends", sa.ARRAY(sa.Integer()), nullable=False),
        sa.ForeignKeyConstraint(["gene_id"], ["gene.hgnc_id"], name=op.f("fk_transcript_gene_id_gene")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transcript")),
        sa.UniqueConstraint("transcript_name", name=op.f("uq_transcript_transcript_name")),
    )
    op.create_index(op.f("ix_transcript_gene_id"), "transcript", ["gene_id"], unique=False)
    op.create_table(
        "usergroup",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("config", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False),
        sa.Column("default_import_genepanel_name", sa.String(), nullable=True),
        sa.Column("default_import_genepanel_version", sa.String(), nullable=True),
        sa.ForeignKeyConstraint(
            ["default_import_genepanel_name", "default_import_genepanel_version"],
            ["genepanel.name", "genepanel.version"],
            name="fk_usergroup_default_import_genepanel",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_usergroup")),
        sa.UniqueConstraint("name", name=op.f("uq_usergroup_name")),
    )
    op.create_table(
        "genepanel_phenotype",
        sa.Column("genepanel_name", sa.String(), nullable=False),
        sa.Column("genepanel_version", sa.String(), nullable=False),
        sa.Column("phenotype_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["genepanel_name", "genepanel_version"],
            ["genepanel.name", "genepanel.version"],
            name="fk_genepanel_phenotype_genepanel",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["phenotype_id"], ["phenotype.id"], name=op.f("fk_genepanel_phenotype_phenotype_id_phenotype")
        ),
        sa.PrimaryKeyConstraint(
            "genepanel_name", "genepanel_version", "phenotype_id", name=op.f("pk_genepanel_phenotype")
        ),
    )
    op.create_table(
        "genepanel_transcript",
        sa.Column("genepanel_name", sa.String(), nullable=False),
        sa.Column("genepanel_version", sa.String(), nullable=False),
        sa.Column("transcript_id", sa.Integer(), nullable=False),
        sa.Column("inheritance", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(
            ["genepanel_name", "genepanel_version"],
            ["genepanel.name", "genepanel.version"],
            name="fk_genepanel_transcript_genepanel",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["transcript_id"],
            ["transcript.id"],
            name=op.f("fk_genepanel_transcript_transcript_id_transcript"),
        ),
        sa.PrimaryKeyConstraint(
            "genepanel_name", "genepanel_version", "transcript_id", name=op.f("pk_genepanel_transcript")
        ),
    )
    op.create_table(
        "sample",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("identifier", sa.String(), nullable=False),
        sa.Column("analysis_id", sa.Integer(), nullable=False),
        sa.Column("sample_type", sa.String(), nullable=False),
        sa.Column("proband", sa.Boolean(), nullable=False),
        sa.Column("family_id", sa.String(), nullable=True),
        sa.Column("father_id", sa.Integer(), nullable=True),
        sa.Column("mother_id", sa.Integer(), nullable=True),
        sa.Column("sibling_id", sa.Integer(), nullable=True),
        sa.Column("sex", sa.String(), nullable=True),
        sa.Column("affected", sa.Boolean(), nullable=False),
        sa.Column("date_deposited", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["analysis_id"], ["analysis.id"], name=op.f("fk_sample_analysis_id_analysis"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["father_id"], ["sample.id"], name=op.f("fk_sample_father_id_sample"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["mother_id"], ["sample.id"], name=op.f("fk_sample_mother_id_sample"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["sibling_id"], ["sample.id"], name=op.f("fk_sample_sibling_id_sample"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sample")),
    )
    op.create_index(op.f("ix_sample_analysis_id"), "sample", ["analysis_id"], unique=False)
    op.create_table(
        "user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(), nullable=False),
        sa.Column("first_name", sa.String(), nullable=False),
        sa.Column("last_name", sa.String(), nullable=False),
        sa.Column("email", sa.String(), nullable=True),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("password", sa.String(), nullable=False),
        sa.Column("password_expiry", sa.DateTime(timezone=True), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("incorrect_logins", sa.Integer(), nullable=False),
        sa.Column("config", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False),
        sa.Column("date_created", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(["group_id"], ["usergroup.id"], name=op.f("fk_user_group_id_usergroup")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user")),
        sa.UniqueConstraint("username", name=op.f("uq_user_username")),
    )
    op.create_index(op.f("ix_user_group_id"), "user", ["group_id"], unique=False)
    op.create_table(
        "usergroup_genepanel",
        sa.Column("usergroup_id", sa.Integer(), nullable=False),
        sa.Column("genepanel_name", sa.String(), nullable=False),
        sa.Column("genepanel_version", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(
            ["genepanel_name", "genepanel_version"],
            ["genepanel.name", "genepanel.version"],
            name="fk_usergroup_genepanel_genepanel",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["usergroup_id"],
            ["usergroup.id"],
            name=op.f("fk_usergroup_genepanel_usergroup_id_usergroup"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "usergroup_id", "genepanel_name", "genepanel_version", name=op.f("pk_usergroup_genepanel")
        ),
    )
    op.create_table(
        "usergroup_import",
        sa.Column("usergroup_id", sa.Integer(), nullable=False),
        sa.Column("import_usergroup_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["import_usergroup_id"],
            ["usergroup.id"],
            name=op.f("fk_usergroup_import_import_usergroup_id_usergroup"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["usergroup_id"],
            ["usergroup.id"],
            name=op.f("fk_usergroup_import_usergroup_id_usergroup"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("usergroup_id", "import_usergroup_id", name=op.f("pk_usergroup_import")),
    )
    op.create_table(
        "usergroupfilterconfig",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("usergroup_id", sa.Integer(), nullable=False),
        sa.Column("filterconfig_id", sa.Integer(), nullable=False),
        sa.Column("order", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["filterconfig_id"],
            ["filterconfig.id"],
            name=op.f("fk_usergroupfilterconfig_filterconfig_id_filterconfig"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["usergroup_id"],
            ["usergroup.id"],
            name=op.f("fk_usergroupfilterconfig_usergroup_id_usergroup"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_usergroupfilterconfig")),
        sa.UniqueConstraint(
            "usergroup_id",
            "filterconfig_id",
            name=op.f("uq_usergroupfilterconfig_usergroup_id_filterconfig_id"),
        ),
    )
    op.create_table(
        "alleleassessment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("allele_id", sa.Integer(), nullable=False),
        sa.Column("classification", sa.String(), nullable=False),
        sa.Column("evaluation", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("usergroup_id", sa.Integer(), nullable=True),
        sa.Column("analysis_id", sa.Integer(), nullable=True),
        sa.Column("genepanel_name", sa.String(), nullable=False),
        sa.Column("genepanel_version", sa.String(), nullable=False),
        sa.Column("annotation_id", sa.Integer(), nullable=True),
        sa.Column("previous_assessment_id", sa.Integer(), nullable=True),
        sa.Column("date_created", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("date_superceeded", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["allele_id"], ["allele.id"], name=op.f("fk_alleleassessment_allele_id_allele")),
        sa.ForeignKeyConstraint(
            ["analysis_id"],
            ["analysis.id"],
            name=op.f("fk_alleleassessment_analysis_id_analysis"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["annotation_id"], ["annotation.id"], name=op.f("fk_alleleassessment_annotation_id_annotation")
        ),
        sa.ForeignKeyConstraint(
            ["previous_assessment_id"],
            ["alleleassessment.id"],
            name=op.f("fk_alleleassessment_previous_assessment_id_alleleassessment"),
        ),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_alleleassessment_user_id_user")),
        sa.ForeignKeyConstraint(
            ["usergroup_id"], ["usergroup.id"], name=op.f("fk_alleleassessment_usergroup_id_usergroup")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alleleassessment")),
    )
    op.create_index(op.f("ix_alleleassessment_allele_id"), "alleleassessment", ["allele_id"], unique=False)
    op.create_index(
        "uq_alleleassessment_current",
        "alleleassessment",
        ["allele_id"],
        unique=True,
        postgresql_where=sa.text("date_superceeded IS NULL"),
    )
    op.create_table(
        "alleleinterpretation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("allele_id", sa.Integer(), nullable=False),
        sa.Column("genepanel_name", sa.String(), nullable=False),
        sa.Column("genepanel_version", sa.String(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("workflow_status", sa.String(), nullable=False),
        sa.Column("finalized", sa.Boolean(), nullable=True),
        sa.Column("state", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False),
        sa.Column("user_state", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False),
        sa.Column("date_created", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("date_last_update", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(["allele_id"], ["allele.id"], name=op.f("fk_alleleinterpretation_allele_id_allele")),
        sa.ForeignKeyConstraint(
            ["genepanel_name", "genepanel_version"],
            ["genepanel.name", "genepanel.version"],
            name="fk_alleleinterpretation_genepanel",
        ),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_alleleinterpretation_user_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alleleinterpretation")),
    )
    op.create_index(op.f("ix_alleleinterpretation_allele_id"), "alleleinterpretation", ["allele_id"], unique=False)
    op.create_table(
        "analysisinterpretation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("analysis_id", sa.Integer(), nullable=False),
        sa.Column("genepanel_name", sa.String(), nullable=False),
        sa.Column("genepanel_version", sa.String(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("workflow_status", sa.String(), nullable=False),
        sa.Column("finalized", sa.Boolean(), nullable=True),
        sa.Column("state", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False),
        sa.Column("user_state", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False),
        sa.Column("date_created", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("date_last_update", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["analysis_id"],
            ["analysis.id"],
            name=op.f("fk_analysisinterpretation_analysis_id_analysis"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["genepanel_name", "genepanel_version"],
            ["genepanel.name", "genepanel.version"],
            name="fk_analysisinterpretation_genepanel",
        ),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_analysisinterpretation_user_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_analysisinterpretation")),
    )
    op.create_index(
        op.f("ix_analysisinterpretation_analysis_id"), "analysisinterpretation", ["analysis_id"], unique=False
    )
    op.create_index(op.f("ix_analysisinterpretation_status"), "analysisinterpretation", ["status"], unique=False)
    op.create_index(
        op.f("ix_analysisinterpretation_workflow_status"),
        "analysisinterpretation",
        ["workflow_status"],
        unique=False,
    )
    op.create_table(
        "annotationjob",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.String(), nullable=True),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("status_history", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False),
        sa.Column("mode", sa.String(), nullable=True),
        sa.Column("data", sa.Text(), nullable=True),
        sa.Column("message", sa.String(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("date_submitted", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("date_last_update", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("genepanel_name", sa.String(), nullable=True),
        sa.Column("genepanel_version", sa.String(), nullable=True),
        sa.Column("properties", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False),
        sa.Column("sample_id", sa.String(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_annotationjob_user_id_user"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_annotationjob")),
    )
    op.create_index(op.f("ix_annotationjob_status"), "annotationjob", ["status"], unique=False)
    op.create_table(
        "attachment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(), nullable=False),
        sa.Column("filename", sa.String(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("mimetype", sa.String(), nullable=True),
        sa.Column("extension", sa.String(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("date_created", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_attachment_user_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attachment")),
    )
    op.create_index(op.f("ix_attachment_sha256"), "attachment", ["sha256"], unique=False)
    op.create_table(
        "customannotation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("allele_id", sa.Integer(), nullable=False),
        sa.Column("annotation", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("previous_annotation_id", sa.Integer(), nullable=True),
        sa.Column("date_created", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("date_superceeded", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["allele_id"], ["allele.id"], name=op.f("fk_customannotation_allele_id_allele")),
        sa.ForeignKeyConstraint(
            ["previous_annotation_id"],
            ["customannotation.id"],
            name=op.f("fk_customannotation_previous_annotation_id_customannotation"),
        ),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_customannotation_user_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customannotation")),
    )
    op.create_index(op.f("ix_customannotation_allele_id"), "customannotation", ["allele_id"], unique=False)
    op.create_table(
        "geneassessment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("gene_id", sa.Integer(), nullable=False),
        sa.Column("evaluation", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("usergroup_id", sa.Integer(), nullable=True),
        sa.Column("analysis_id", sa.Integer(), nullable=True),
        sa.Column("genepanel_name", sa.String(), nullable=False),
        sa.Column("genepanel_version", sa.String(), nullable=False),
        sa.Column("previous_assessment_id", sa.Integer(), nullable=True),
        sa.Column("date_created", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("date_superceeded", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["analysis_id"],
            ["analysis.id"],
            name=op.f("fk_geneassessment_analysis_id_analysis"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(["gene_id"], ["gene.hgnc_id"], name=op.f("fk_geneassessment_gene_id_gene")),
        sa.ForeignKeyConstraint(
            ["previous_assessment_id"],
            ["geneassessment.id"],
            name=op.f("fk_geneassessment_previous_assessment_id_geneassessment"),
        ),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_geneassessment_user_id_user")),
        sa.ForeignKeyConstraint(
            ["usergroup_id"], ["usergroup.id"], name=op.f("fk_geneassessment_usergroup_id_usergroup")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_geneassessment")),
    )
    op.create_index(op.f("ix_geneassessment_gene_id"), "geneassessment", ["gene_id"], unique=False)
    op.create_table(
        "genotype",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("allele_id", sa.Integer(), nullable=False),
        sa.Column("secondallele_id", sa.Integer(), nullable=True),
        sa.Column("sample_id", sa.Integer(), nullable=False),
        sa.Column("filter_status", sa.String(), nullable=True),
        sa.Column("variant_quality", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(["allele_id"], ["allele.id"], name=op.f("fk_genotype_allele_id_allele")),
        sa.ForeignKeyConstraint(
            ["sample_id"], ["sample.id"], name=op.f("fk_genotype_sample_id_sample"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["secondallele_id"], ["allele.id"], name=op.f("fk_genotype_secondallele_id_allele")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_genotype")),
    )
    op.create_index(op.f("ix_genotype_allele_id"), "genotype", ["allele_id"], unique=False)
    op.create_index(op.f("ix_genotype_sample_id"), "genotype", ["sample_id"], unique=False)
    op.create_table(
        "interpretationlog",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("analysis_id", sa.Integer(), nullable=True),
        sa.Column("allele_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("date_created", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("priority", sa.Integer(), nullable=True),
        sa.Column("review_comment", sa.String(), nullable=True),
        sa.Column("warning_cleared", sa.Boolean(), nullable=True),
        sa.ForeignKeyConstraint(["allele_id"], ["allele.id"], name=op.f("fk_interpretationlog_allele_id_allele")),
        sa.ForeignKeyConstraint(
            ["analysis_id"],
            ["analysis.id"],
            name=op.f("fk_interpretationlog_analysis_id_analysis"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_interpretationlog_user_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interpretationlog")),
    )
    op.create_index(op.f("ix_interpretationlog_allele_id"), "interpretationlog", ["allele_id"], unique=False)
    op.create_index(op.f("ix_interpretationlog_analysis_id"), "interpretationlog", ["analysis_id"], unique=False)
    op.create_table(
        "referenceassessment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("allele_id", sa.Integer(), nullable=False),
        sa.Column("reference_id", sa.Integer(), nullable=False),
        sa.Column("evaluation", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("usergroup_id", sa.Integer(), nullable=True),
        sa.Column("analysis_id", sa.Integer(), nullable=True),
        sa.Column("genepanel_name", sa.String(), nullable=False),
        sa.Column("genepanel_version", sa.String(), nullable=False),
        sa.Column("previous_assessment_id", sa.Integer(), nullable=True),
        sa.Column("date_created", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("date_superceeded", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["allele_id"], ["allele.id"], name=op.f("fk_referenceassessment_allele_id_allele")),
        sa.ForeignKeyConstraint(
            ["analysis_id"],
            ["analysis.id"],
            name=op.f("fk_referenceassessment_analysis_id_analysis"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["previous_assessment_id"],
            ["referenceassessment.id"],
            name=op.f("fk_referenceassessment_previous_assessment_id_referenceassessment"),
        ),
        sa.ForeignKeyConstraint(
            ["reference_id"], ["reference.id"], name=op.f("fk_referenceassessment_reference_id_reference")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_referenceassessment_user_id_user")),
        sa.ForeignKeyConstraint(
            ["usergroup_id"], ["usergroup.id"], name=op.f("fk_referenceassessment_usergroup_id_usergroup")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referenceassessment")),
    )
    op.create_index(op.f("ix_referenceassessment_allele_id"), "referenceassessment", ["allele_id"], unique=False)
    op.create_table(
        "useroldpassword",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("password", sa.String(), nullable=False),
        sa.Column("expired", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_useroldpassword_user_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_useroldpassword")),
        sa.UniqueConstraint("user_id", "password", name=op.f("uq_useroldpassword_user_id_password")),
    )
    op.create_index(op.f("ix_useroldpassword_user_id"), "useroldpassword", ["user_id"], unique=False)
    op.create_table(
        "usersession",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("issued", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("lastactivity", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("expires", sa.DateTime(timezone=True), nullable=False),
        sa.Column("logged_out", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_usersession_user_id_user"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_usersession")),
        sa.UniqueConstraint("token", name=op.f("uq_usersession_token")),
    )
    op.create_index(op.f("ix_usersession_user_id"), "usersession", ["user_id"], unique=False)
    op.create_table(
        "allelereport",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("allele_id", sa.Integer(), nullable=False),
        sa.Column("evaluation", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("usergroup_id", sa.Integer(), nullable=True),
        sa.Column("analysis_id", sa.Integer(), nullable=True),
        sa.Column("alleleassessment_id", sa.Integer(), nullable=True),
        sa.Column("previous_report_id", sa.Integer(), nullable=True),
        sa.Column("date_created", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("date_superceeded", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["allele_id"], ["allele.id"], name=op.f("fk_allelereport_allele_id_allele")),
        sa.ForeignKeyConstraint(
            ["alleleassessment_id"],
            ["alleleassessment.id"],
            name=op.f("fk_allelereport_alleleassessment_id_alleleassessment"),
        ),
        sa.ForeignKeyConstraint(
            ["analysis_id"],
            ["analysis.id"],
            name=op.f("fk_allelereport_analysis_id_analysis"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["previous_report_id"],
            ["allelereport.id"],
            name=op.f("fk_allelereport_previous_report_id_allelereport"),
        ),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_allelereport_user_id_user")),
        sa.ForeignKeyConstraint(
            ["usergroup_id"], ["usergroup.id"], name=op.f("fk_allelereport_usergroup_id_usergroup")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_allelereport")),
    )
    op.create_index(op.f("ix_allelereport_allele_id"), "allelereport", ["allele_id"], unique=False)
    op.create_table(
        "genotypesampledata",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("genotype_id", sa.Integer(), nullable=False),
        sa.Column("sample_id", sa.Integer(), nullable=False),
        sa.Column("secondallele", sa.Boolean(), nullable=False),
        sa.Column("multiallelic", sa.Boolean(), nullable=False),
        sa.Column("type", sa.String(), nullable=False),
        sa.Column("genotype_quality", sa.Integer(), nullable=True),
        sa.Column("genotype_likelihood", sa.ARRAY(sa.Integer()), nullable=True),
        sa.Column("sequencing_depth", sa.Integer(), nullable=True),
        sa.Column("allele_depth", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("allele_ratio", sa.Float(), nullable=True),
        sa.Column("copy_number", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["genotype_id"],
            ["genotype.id"],
            name=op.f("fk_genotypesampledata_genotype_id_genotype"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["sample_id"],
            ["sample.id"],
            name=op.f("fk_genotypesampledata_sample_id_sample"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_genotypesampledata")),
    )
    op.create_index(op.f("ix_genotypesampledata_genotype_id"), "genotypesampledata", ["genotype_id"], unique=False)
    op.create_index(op.f("ix_genotypesampledata_sample_id"), "genotypesampledata", ["sample_id"], unique=False)
    op.create_table(
        "interpretationstatehistory",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("analysisinterpretation_id", sa.Integer(), nullable=True),
        sa.Column("alleleinterpretation_id", sa.Integer(), nullable=True),
        sa.Column("date_created", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("state", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["alleleinterpretation_id"],
            ["alleleinterpretation.id"],
            name=op.f("fk_interpretationstatehistory_alleleinterpretation_id_alleleinterpretation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["analysisinterpretation_id"],
            ["analysisinterpretation.id"],
            name=op.f("fk_interpretationstatehistory_analysisinterpretation_id_analysisinterpretation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_interpretationstatehistory_user_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interpretationstatehistory")),
    )
    op.create_table(
        "resourcelog",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("remote_addr", sa.String(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("usersession_id", sa.Integer(), nullable=True),
        sa.Column("time", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("duration", sa.Float(), nullable=True),
        sa.Column("method", sa.String(), nullable=False),
        sa.Column("resource", sa.String(), nullable=False),
        sa.Column("statuscode", sa.Integer(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_resourcelog_user_id_user"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["usersession_id"],
            ["usersession.id"],
            name=op.f("fk_resourcelog_usersession_id_usersession"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resourcelog")),
    )
    op.create_table(
        "analysisinterpretationsnapshot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("analysisinterpretation_id", sa.Integer(), nullable=False),
        sa.Column("allele_id", sa.Integer(), nullable=False),
        sa.Column("annotation_id", sa.Integer(), nullable=True),
        sa.Column("alleleassessment_id", sa.Integer(), nullable=True),
        sa.Column("allelereport_id", sa.Integer(), nullable=True),
        sa.Column("filtered", sa.String(), nullable=True),
        sa.ForeignKeyConstraint(
            ["allele_id"], ["allele.id"], name=op.f("fk_analysisinterpretationsnapshot_allele_id_allele")
        ),
        sa.ForeignKeyConstraint(
            ["alleleassessment_id"],
            ["alleleassessment.id"],
            name=op.f("fk_analysisinterpretationsnapshot_alleleassessment_id_alleleassessment"),
        ),
        sa.ForeignKeyConstraint(
            ["allelereport_id"],
            ["allelereport.id"],
            name=op.f("fk_analysisinterpretationsnapshot_allelereport_id_allelereport"),
        ),
        sa.ForeignKeyConstraint(
            ["analysisinterpretation_id"],
            ["analysisinterpretation.id"],
            name=op.f("fk_analysisinterpretationsnapshot_analysisinterpretation_id_analysisinterpretation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["annotation_id"],
            ["annotation.id"],
            name=op.f("fk_analysisinterpretationsnapshot_annotation_id_annotation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_analysisinterpretationsnapshot")),
    )
    op.create_index(
        op.f("ix_analysisinterpretationsnapshot_analysisinterpretation_id"),
        "analysisinterpretationsnapshot",
        ["analysisinterpretation_id"],
        unique=False,
    )


def downgrade() -> None:

    op.drop_index(
        op.f("ix_analysisinterpretationsnapshot_analysisinterpretation_id"),
        table_name="analysisinterpretationsnapshot",
    )
    op.drop_table("analysisinterpretationsnapshot")
    op.drop_table("resourcelog")
    op.drop_table("interpretationstatehistory")
    op.drop_index(op.f("ix_genotypesampledata_sample_id"), table_name="genotypesampledata")
    op.drop_index(op.f("ix_genotypesampledata_genotype_id"), table_name="genotypesampledata")
    op.drop_table("genotypesampledata")
    op.drop_index(op.f("ix_allelereport_allele_id"), table_name="allelereport")
    op.drop_table("allelereport")
    op.drop_index(op.f("ix_usersession_user_id"), table_name="usersession")
    op.drop_table("usersession")
    op.drop_index(op.f("ix_useroldpassword_user_id"), table_name="useroldpassword")
    op.drop_table("useroldpassword")
    op.drop_index(op.f("ix_referenceassessment_allele_id"), table_name="referenceassessment")
    op.drop_table("referenceassessment")
    op.drop_index(op.f("ix_interpretationlog_analysis_id"), table_name="interpretationlog")
    op.drop_index(op.f("ix_interpretationlog_allele_id"), table_name="interpretationlog")
    op.drop_table("interpretationlog")
    op.drop_index(op.f("ix_genotype_sample_id"), table_name="genotype")
    op.drop_index(op.f("ix_genotype_allele_id"), table_name="genotype")
    op.drop_table("genotype")
    op.drop_index(op.f("ix_geneassessment_gene_id"), table_name="geneassessment")
    op.drop_table("geneassessment")
    op.drop_index(op.f("ix_customannotation_allele_id"), table_name="customannotation")
    op.drop_table("customannotation")
    op.drop_index(op.f("ix_attachment_sha256"), table_name="attachment")
    op.drop_table("attachment")
    op.drop_index(op.f("ix_annotationjob_status"), table_name="annotationjob")
    op.drop_table("annotationjob")
    op.drop_index(op.f("ix_analysisinterpretation_workflow_status"), table_name="analysisinterpretation")
    op.drop_index(op.f("ix_analysisinterpretation_status"), table_name="analysisinterpretation")
    op.drop_index(op.f("ix_analysisinterpretation_analysis_id"), table_name="analysisinterpretation")
    op.drop_table("analysisinterpretation")
    op.drop_index(op.f("ix_alleleinterpretation_allele_id"), table_name="alleleinterpretation")
    op.drop_table("alleleinterpretation")
    op.drop_index(
        "uq_alleleassessment_current",
        table_name="alleleassessment",
        postgresql_where=sa.text("date_superceeded IS NULL"),
    )
    op.drop_index(op.f("ix_alleleassessment_allele_id"), table_name="alleleassessment")
    op.drop_table("alleleassessment")
    op.drop_table("usergroupfilterconfig")
    op.drop_table("usergroup_import")
    op.drop_table("usergroup_genepanel")
    op.drop_index(op.f("ix_user_group_id"), table_name="user")
    op.drop_table("user")
    op.drop_index(op.f("ix_sample_analysis_id"), table_name="sample")
    op.drop_table("sample")
    op.drop_table("genepanel_transcript")
    op.drop_table("genepanel_phenotype")
    op.drop_table("usergroup")
    op.drop_index(op.f("ix_transcript_gene_id"), table_name="transcript")
    op.drop_table("transcript")
    op.drop_index(op.f("ix_phenotype_gene_id"), table_name="phenotype")
    op.drop_table("phenotype")
    op.drop_index(
        "uq_annotation_current", table_name="annotation", postgresql_where=sa.text("date_superceeded IS NULL")
    )
    op.drop_index(op.f("ix_annotation_allele_id"), table_name="annotation")
    op.drop_table("annotation")
    op.drop_table("analysis")
    op.drop_index("ix_reference_search", table_name="reference", postgresql_using="gin")
    op.drop_table("reference")
    op.drop_table("genepanel")
    op.drop_index(op.f("ix_gene_hgnc_symbol"), table_name="gene")
    op.drop_table("gene")
    op.drop_index("uq_filterconfig_active_name", table_name="filterconfig", postgresql_where=sa.text("active"))
    op.drop_table("filterconfig")
    op.drop_table("clilog")
    op.drop_table("broadcast")
    op.drop_table("annotationconfig")
    op.drop_index("ix_allele_region", table_name="allele")
    op.drop_table("allele")
