"""Opinions (issue 19): an optional photo (committee's only unless published with the answer)
and the authority's answer as an attached document

Revision ID: 5c1e0a7f3b2d
Revises: 6a8000703ad8
Create Date: 2026-12-07 11:05:00.000000

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "5c1e0a7f3b2d"
down_revision = "6a8000703ad8"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("opinions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("answer_document", sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column("answer_document_name", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("answer_document_type", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("answer_document_size", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("photo_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("photo_public", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.create_index(batch_op.f("ix_opinions_photo_id"), ["photo_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_opinions_photo_id_photos"),
            "photos",
            ["photo_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade():
    with op.batch_alter_table("opinions", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_opinions_photo_id_photos"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_opinions_photo_id"))
        batch_op.drop_column("photo_public")
        batch_op.drop_column("photo_id")
        batch_op.drop_column("answer_document_size")
        batch_op.drop_column("answer_document_type")
        batch_op.drop_column("answer_document_name")
        batch_op.drop_column("answer_document")
