"""National structure: a country root and special zones (đặc khu) among unit kinds

The 2025 national structure (34 provinces, 3,321 communes) has 13 special zones at commune
level, and an installation that serves several provinces hangs them under one national root.

Revision ID: 5c3e9a1d7b20
Revises: 2dfa5ff88e5e
Create Date: 2026-12-07 10:50:00.000000

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "5c3e9a1d7b20"
down_revision = "2dfa5ff88e5e"
branch_labels = None
depends_on = None

OLD_KINDS = ("tinh", "thanh_pho", "huyen", "thi_xa", "xa", "phuong", "thi_tran", "thon", "ban",
             "to_dan_pho")
NEW_KINDS = ("quoc_gia", *OLD_KINDS, "dac_khu")
OLD_LEVELS = ("province", "district", "commune", "area")
NEW_LEVELS = ("country", *OLD_LEVELS)


def _in(column, values):
    return "%s IN (%s)" % (column, ", ".join(f"'{value}'" for value in values))


def _constraints(kinds, levels):
    # SQLite rebuilds the table to change a CHECK; rows referencing units must not block the
    # drop of the old copy (the rebuilt table keeps the same ids).
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        op.execute("PRAGMA foreign_keys=OFF")
    with op.batch_alter_table("units", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_units_unit_kind"), type_="check")
        batch_op.drop_constraint(op.f("ck_units_unit_level"), type_="check")
        batch_op.create_check_constraint(op.f("ck_units_unit_kind"), _in("kind", kinds))
        batch_op.create_check_constraint(op.f("ck_units_unit_level"), _in("level", levels))
    if sqlite:
        op.execute("PRAGMA foreign_keys=ON")


def upgrade():
    _constraints(NEW_KINDS, NEW_LEVELS)


def downgrade():
    _constraints(OLD_KINDS, OLD_LEVELS)
