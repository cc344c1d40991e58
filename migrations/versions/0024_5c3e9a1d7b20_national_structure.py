"""National structure: a country root and special zones (đặc khu) among unit kinds; on
PostgreSQL, pg_trgm and a folding function for finding likely duplicates in SQL

The 2025 national structure (34 provinces, 3,321 communes) has 13 special zones at commune
level, and an installation that serves several provinces hangs them under one national root.
With OVERLAP_NAMES_IN_SQL, likely duplicates are picked in SQL with pg_trgm (webapp/coverage/overlaps.py):
`overlap_fold(name)` is the name without accents or case, as webapp.text.fold makes it. No
GIN trigram index: the pairs are compared within a commune by a join, which such an index does
not serve (measured on bench/national.py). SQLite keeps comparing names in Python.

Revision ID: 5c3e9a1d7b20
Revises: 5c1e0a7f3b2d
Create Date: 2026-12-07 10:50:00.000000

"""

import unicodedata

from alembic import op

# revision identifiers, used by Alembic.
revision = "5c3e9a1d7b20"
down_revision = "5c1e0a7f3b2d"
branch_labels = None
depends_on = None

OLD_KINDS = ("tinh", "thanh_pho", "huyen", "thi_xa", "xa", "phuong", "thi_tran", "thon", "ban",
             "to_dan_pho")
NEW_KINDS = ("quoc_gia", *OLD_KINDS, "dac_khu")
OLD_LEVELS = ("province", "district", "commune", "area")
NEW_LEVELS = ("country", *OLD_LEVELS)


def _fold_pairs() -> tuple[str, str]:
    """Every precomposed Latin letter with marks (Vietnamese and more) and its bare letter, for
    translate(); đ/Đ are not decompositions and are added by hand. Computed here, not imported,
    so the migration stays what it was when the app's code moves on."""
    source, target = ["đĐ"], ["dD"]
    for point in list(range(0x00C0, 0x0250)) + list(range(0x1E00, 0x1F00)):
        char = chr(point)
        base = unicodedata.normalize("NFD", char)[0]
        if base != char and base.isascii() and base.isalpha():
            source.append(char)
            target.append(base)
    return "".join(source), "".join(target)


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
        # The rebuild opened a transaction, inside which SQLite ignores the pragma: end it, or
        # the pooled connection would go on without foreign keys (and their cascades).
        op.get_bind().connection.dbapi_connection.commit()
        op.execute("PRAGMA foreign_keys=ON")
        assert op.get_bind().exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def upgrade():
    _constraints(NEW_KINDS, NEW_LEVELS)
    if op.get_bind().dialect.name == "postgresql":
        source, target = _fold_pairs()
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute(
            "CREATE FUNCTION overlap_fold(text) RETURNS text LANGUAGE sql IMMUTABLE STRICT"
            f" PARALLEL SAFE AS $$ SELECT lower(translate($1, '{source}', '{target}')) $$"
        )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS overlap_fold(text)")
        # The extension stays: another schema object may use it, and it costs nothing.
    _constraints(OLD_KINDS, OLD_LEVELS)
