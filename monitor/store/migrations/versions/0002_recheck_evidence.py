"""recheck evidence: an article's kind and HTTP Last-Modified, a URL's listing signal

Revision ID: 0002_recheck
Revises: 0001
Create Date: 2026-11-29 09:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_recheck"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("article", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kind", sa.String(length=16), nullable=False, server_default="article")
        )
        batch_op.add_column(sa.Column("http_modified", sa.DateTime(), nullable=True))
    with op.batch_alter_table("fetch_state", schema=None) as batch_op:
        batch_op.add_column(sa.Column("signal_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("fetch_state", schema=None) as batch_op:
        batch_op.drop_column("signal_at")
    with op.batch_alter_table("article", schema=None) as batch_op:
        batch_op.drop_column("http_modified")
        batch_op.drop_column("kind")
