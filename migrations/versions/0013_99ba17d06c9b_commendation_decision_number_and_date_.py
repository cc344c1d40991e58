"""The commendation decision an approval records: its number and date (Số quyết định … ngày …)

Revision ID: 99ba17d06c9b
Revises: 201771318d29
Create Date: 2026-11-28 20:44:00.251995

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "99ba17d06c9b"
down_revision = "201771318d29"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("nominations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("decision_number", sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column("decision_date", sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table("nominations", schema=None) as batch_op:
        batch_op.drop_column("decision_date")
        batch_op.drop_column("decision_number")
