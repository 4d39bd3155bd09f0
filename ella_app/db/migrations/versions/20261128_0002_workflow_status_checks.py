"""workflow status checks: only ELLA's statuses may be stored on interpretations

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 18:40:00
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_STATUS = "status IN ('Not started', 'Ongoing', 'Done')"


def upgrade() -> None:
    op.create_check_constraint("status", "analysisinterpretation", _STATUS)
    op.create_check_constraint(
        "workflow_status",
        "analysisinterpretation",
        "workflow_status IN ('Not ready', 'Interpretation', 'Review', 'Medical review')",
    )
    op.create_check_constraint("status", "alleleinterpretation", _STATUS)
    op.create_check_constraint(
        "workflow_status", "alleleinterpretation", "workflow_status IN ('Interpretation', 'Review')"
    )
    op.create_index("ix_clilog_time", "clilog", ["time"])


def downgrade() -> None:
    op.drop_index("ix_clilog_time", table_name="clilog")
    for table in ("alleleinterpretation", "analysisinterpretation"):
        op.drop_constraint("workflow_status", table, type_="check")
        op.drop_constraint("status", table, type_="check")
