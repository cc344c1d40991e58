"""Data fix: the seeded rule text was English, and one city was spelt "Thành Phố"

The seed copied the English description of the five-contents rule into `rule_vi`, so the rules
page read "each of the 5 contents has at least 1 entry". The unit lists spelt "Thành Phố Bắc
Kạn" with a capital P. Rows someone has since edited are left as they are.

Revision ID: 1227975350bd
Revises: 99ba17d06c9b
Create Date: 2026-12-06 20:50:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "1227975350bd"
down_revision = "99ba17d06c9b"
branch_labels = None
depends_on = None

ENGLISH_RULE = "each of the 5 contents has at least 1 entry"
VIETNAMESE_RULE = (
    "Cả 5 nội dung của Cuộc vận động đều có ít nhất 1 công trình, mô hình hoặc phần việc"
)
WRONG, RIGHT = "Thành Phố ", "Thành phố "

requirements = sa.table("requirements", sa.column("rule_vi", sa.Text))
units = sa.table("units", sa.column("name", sa.String))


def _rename(before: str, after: str) -> None:
    # substr, not LIKE: SQLite's LIKE ignores the case of ASCII letters.
    head = sa.func.substr(units.c.name, 1, len(before))
    rest = sa.func.substr(units.c.name, len(before) + 1)
    op.execute(units.update().where(head == before).values(name=sa.literal(after) + rest))


def upgrade():
    op.execute(
        requirements.update()
        .where(requirements.c.rule_vi == ENGLISH_RULE)
        .values(rule_vi=VIETNAMESE_RULE)
    )
    _rename(WRONG, RIGHT)


def downgrade():
    # The wrong spellings are not restored: they were defects, not choices.
    pass
