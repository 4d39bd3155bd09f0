"""genotype alleles: both alleles of a compound genotype, for every reader

A genotype of a decomposed multiallelic site (GT ``1/2``) holds two alleles: ``allele_id`` and
``secondallele_id`` (ELLA's schema). The view ``genotypeallele`` has one row per (genotype, allele), with
``secondallele`` telling which of the two it is, so that the readers (variant lists, filters, access,
snapshots, IGV) find both alleles in one place; ``genotypesampledata`` rows match on (genotype_id,
secondallele). The partial index lets a lookup by allele reach second alleles without a scan.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 12:00:00
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "CREATE INDEX ix_genotype_secondallele_id ON genotype (secondallele_id) WHERE secondallele_id IS NOT NULL"
    )
    op.execute(
        """
        CREATE VIEW genotypeallele AS
        SELECT g.id AS genotype_id, g.sample_id, g.allele_id, false AS secondallele,
               g.filter_status, g.variant_quality
        FROM genotype g
        UNION ALL
        SELECT g.id, g.sample_id, g.secondallele_id, true, g.filter_status, g.variant_quality
        FROM genotype g WHERE g.secondallele_id IS NOT NULL
        """
    )


def downgrade() -> None:
    op.execute("DROP VIEW genotypeallele")
    op.execute("DROP INDEX ix_genotype_secondallele_id")
