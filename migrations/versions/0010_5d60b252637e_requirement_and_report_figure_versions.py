"""Rules and report figures edited on admin screens: a version column on each (optimistic
concurrency), and when a rule was last saved

Revision ID: 5d60b252637e
Revises: dd3961c9ccf3
Create Date: 2026-11-28 19:19:22.743423

"""

import sqlalchemy as sa
from alembic import op

import webapp.db

# revision identifiers, used by Alembic.
revision = "5d60b252637e"
down_revision = "dd3961c9ccf3"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("report_figures", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))

    with op.batch_alter_table("requirements", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("updated_at", webapp.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))


def downgrade():
    with op.batch_alter_table("requirements", schema=None) as batch_op:
        batch_op.drop_column("version")
        batch_op.drop_column("updated_at")

    with op.batch_alter_table("report_figures", schema=None) as batch_op:
        batch_op.drop_column("version")
