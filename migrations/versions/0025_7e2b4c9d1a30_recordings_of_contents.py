"""Recordings of the campaign's contents (issue 22): a recording's subject is a guidance page or
one of the contents, exactly one of them

Revision ID: 7e2b4c9d1a30
Revises: 5c3e9a1d7b20
Create Date: 2026-12-07 12:00:00.000000

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "7e2b4c9d1a30"
down_revision = "5c3e9a1d7b20"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("recordings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("content_id", sa.Integer(), nullable=True))
        batch_op.alter_column("page_id", existing_type=sa.Integer(), nullable=True)
        batch_op.create_index(batch_op.f("ix_recordings_content_id"), ["content_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_recordings_content_id_contents"),
            "contents",
            ["content_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.create_check_constraint(
            "one_subject", "(page_id IS NULL) <> (content_id IS NULL)"
        )


def downgrade():
    # Recordings of contents have no page to keep them on.
    op.execute("DELETE FROM recordings WHERE content_id IS NOT NULL")
    with op.batch_alter_table("recordings", schema=None) as batch_op:
        batch_op.drop_constraint("one_subject", type_="check")
        batch_op.drop_constraint(batch_op.f("fk_recordings_content_id_contents"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_recordings_content_id"))
        batch_op.alter_column("page_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column("content_id")
