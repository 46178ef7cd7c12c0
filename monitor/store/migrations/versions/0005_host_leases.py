"""host leases

Revision ID: 0005_host_leases
Revises: 0004_story_memory
Create Date: 2026-11-29 12:20:00.000000

Per-host politeness across instances: one instance at a time fetches from a host, the one
holding its lease (``host_lease``); a source's claim row knows its host, so that due sources
are claimed only by the instance that holds (or takes) their host.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_host_leases"
down_revision: str | None = "0004_story_memory"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "host_lease",
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("owner", sa.String(length=40), nullable=False),
        sa.Column("leased_until", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("host"),
    )
    with op.batch_alter_table("source_claim", schema=None) as batch_op:
        batch_op.add_column(sa.Column("host", sa.String(length=255), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("source_claim", schema=None) as batch_op:
        batch_op.drop_column("host")
    op.drop_table("host_lease")
