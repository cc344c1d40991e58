"""Data fix: six demo entries had a catalogue model although their kind was not "Model"

The 2017 demo season (`flask seed --demo`) gave four works and tasks a catalogue model and
filed two self-managed youth roads as a work and a task. The entry form now refuses a catalogue
model unless the kind is "Model", so editing any of the six failed. The two roads become
models; the other four lose the model. Only these demo rows, as seeded, are touched: matched by
name, kind and model code.

Revision ID: 5e1f0c2a9b7d
Revises: 1227975350bd
Create Date: 2026-12-06 21:40:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "5e1f0c2a9b7d"
down_revision = "1227975350bd"
branch_labels = None
depends_on = None

# (name, kind as seeded, model code): these become models.
TO_MODEL = [
    (
        "Tuyến đường thanh niên tự quản xanh – sạch – đẹp thôn Khuổi Ma",
        "cong_trinh",
        "thanh_nien_bvmt",
    ),
    (
        "Tuyến đường thanh niên tự quản về an toàn giao thông khu trung tâm xã",
        "phan_viec",
        "thanh_nien_attgt",
    ),
]
# These keep their kind and lose the model.
NO_MODEL = [
    (
        "Vận động Quỹ “Vì người nghèo” hỗ trợ làm nhà cho hộ nghèo",
        "phan_viec",
        "quy_vi_nguoi_ngheo",
    ),
    ("Sân chơi cho thiếu nhi tại nhà văn hóa thôn Nà Lẹng", "cong_trinh", "diem_vui_choi"),
    (
        "Làm cọc tiêu, biển báo an toàn giao thông đường vào bản Lủng Vài",
        "phan_viec",
        "thanh_nien_attgt",
    ),
    ("Ngày công thanh niên làm đường bê tông thôn Cốc Lải", "phan_viec", "tuoi_tre_ntm"),
]

entries = sa.table(
    "entries",
    sa.column("name", sa.String),
    sa.column("kind", sa.String),
    sa.column("model_type_id", sa.Integer),
    sa.column("version", sa.Integer),
)
model_types = sa.table("model_types", sa.column("id", sa.Integer), sa.column("code", sa.String))


def _seeded(name: str, kind: str, model: str):
    model_id = sa.select(model_types.c.id).where(model_types.c.code == model).scalar_subquery()
    return sa.and_(
        entries.c.name == name, entries.c.kind == kind, entries.c.model_type_id == model_id
    )


def upgrade():
    # The version moves on, so a form opened before the fix reports a stale save.
    for name, kind, model in TO_MODEL:
        op.execute(
            entries.update()
            .where(_seeded(name, kind, model))
            .values(kind="mo_hinh", version=entries.c.version + 1)
        )
    for name, kind, model in NO_MODEL:
        op.execute(
            entries.update()
            .where(_seeded(name, kind, model))
            .values(model_type_id=None, version=entries.c.version + 1)
        )


def downgrade():
    # The mismatches are not restored: they were defects, not choices.
    pass
