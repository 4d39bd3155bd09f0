"""worklist version: one number that changes with every committed change to what the analyses worklists read

The worklists' entity tag (services/overview.py) was computed by scanning six workflow tables on every request
(their row counts and transaction ids): about 1.3 ms of PostgreSQL per request with 1,000 analyses, growing with
the lab's history. ``worklistversion`` holds one row; a deferred constraint trigger on those tables adds one to
its ``version`` when a transaction that changed any of them commits (once per transaction), and TRUNCATE does
too. Reading the tag is then one primary-key lookup.

Deferred to the commit, the row is locked only while a transaction commits, not while it runs (an import that
writes an analysis for many seconds does not hold up the workflow actions of others). The row's ``xmin`` is part
of the tag as well: restoring a dump writes the row anew, so a worker never takes a restored database's version
for one it has seen.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 22:00:00
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

TABLES = ("analysis", "analysisinterpretation", "interpretationlog", "sample", '"user"', "usergroup_genepanel")


def upgrade() -> None:
    op.execute(
        "CREATE TABLE worklistversion (id integer PRIMARY KEY CHECK (id = 1), version bigint NOT NULL DEFAULT 0)"
    )
    op.execute("INSERT INTO worklistversion (id, version) VALUES (1, 0)")
    op.execute(
        """
        CREATE FUNCTION worklist_changed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            -- once per transaction: the setting is local to it
            IF current_setting('ella.worklist_changed', true) IS DISTINCT FROM 'yes' THEN
                PERFORM set_config('ella.worklist_changed', 'yes', true);
                UPDATE worklistversion SET version = version + 1 WHERE id = 1;
            END IF;
            RETURN NULL;
        END
        $$
        """
    )
    for table in TABLES:
        name = table.strip('"')
        op.execute(
            f"CREATE CONSTRAINT TRIGGER worklist_changed AFTER INSERT OR UPDATE OR DELETE ON {table} "
            "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION worklist_changed()"
        )
        op.execute(
            f"CREATE TRIGGER worklist_truncated_{name} AFTER TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION worklist_changed()"
        )


def downgrade() -> None:
    for table in TABLES:
        name = table.strip('"')
        op.execute(f"DROP TRIGGER worklist_truncated_{name} ON {table}")
        op.execute(f"DROP TRIGGER worklist_changed ON {table}")
    op.execute("DROP FUNCTION worklist_changed()")
    op.execute("DROP TABLE worklistversion")
