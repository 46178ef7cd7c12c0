"""several instances: instance registry, source claims, tracker epoch

Revision ID: 0003_instances
Revises: 0002_recheck
Create Date: 2026-11-29 09:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_instances"
down_revision: str | None = "0002_recheck"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "monitor_instance",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("version", sa.String(length=40), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("heartbeat_at", sa.DateTime(), nullable=False),
        sa.Column("roles", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "source_claim",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("next_check_at", sa.DateTime(), nullable=True),
        sa.Column("owner", sa.String(length=40), nullable=True),
        sa.Column("leased_until", sa.DateTime(), nullable=True),
        sa.Column("claimed_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("name"),
    )
    with op.batch_alter_table("source_claim", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_source_claim_next_check_at"), ["next_check_at"], unique=False
        )
    op.create_table(
        "tracker_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("epoch", sa.Integer(), nullable=False),
        sa.Column("owner", sa.String(length=40), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("tracker_state")
    with op.batch_alter_table("source_claim", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_source_claim_next_check_at"))
    op.drop_table("source_claim")
    op.drop_table("monitor_instance")
