"""story memory item by item

Revision ID: 0004_story_memory
Revises: 0003_instances
Create Date: 2026-11-29 09:20:00.000000

A story's memory (sentences, facts, names) moves out of the story's JSON snapshot into rows of
its own, so that one observation writes only what it changed. Snapshots written before keep
their ``memory`` until the story is next saved; the engine reads either form.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_story_memory"
down_revision: str | None = "0003_instances"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "story_memory",
        sa.Column("story_id", sa.String(length=40), nullable=False),
        sa.Column("digest", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["story_id"], ["story.id"]),
        sa.PrimaryKeyConstraint("story_id", "digest"),
    )


def downgrade() -> None:
    op.drop_table("story_memory")
