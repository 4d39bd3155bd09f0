"""audit trail: request log columns and indexes (query, sizes), the web UI's error log (uiexception)

Revision ID: 0004
Revises: 0002
Create Date: 2026-12-03 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("resourcelog", sa.Column("query", sa.String(), nullable=True))
    op.add_column("resourcelog", sa.Column("response_size", sa.Integer(), nullable=True))
    op.add_column("resourcelog", sa.Column("payload_size", sa.Integer(), nullable=True))
    op.create_index("ix_resourcelog_time", "resourcelog", ["time"])
    op.create_index("ix_resourcelog_user_id_time", "resourcelog", ["user_id", "time"])
    op.create_table(
        "uiexception",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("time", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("usersession_id", sa.Integer(), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("location", sa.Text(), nullable=True),
        sa.Column("stacktrace", sa.Text(), nullable=True),
        sa.Column("state", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_uiexception_user_id_user"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["usersession_id"],
            ["usersession.id"],
            name=op.f("fk_uiexception_usersession_id_usersession"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_uiexception")),
    )
    op.create_index("ix_uiexception_time", "uiexception", ["time"])


def downgrade() -> None:
    op.drop_index("ix_uiexception_time", table_name="uiexception")
    op.drop_table("uiexception")
    op.drop_index("ix_resourcelog_user_id_time", table_name="resourcelog")
    op.drop_index("ix_resourcelog_time", table_name="resourcelog")
    op.drop_column("resourcelog", "payload_size")
    op.drop_column("resourcelog", "response_size")
    op.drop_column("resourcelog", "query")
