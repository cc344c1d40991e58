"""`flask seed`: Bắc Kạn's 2017 units and the campaign configuration, loaded idempotently."""

from __future__ import annotations

import sqlalchemy as sa

from webapp.auth.models import Role, User
from webapp.campaign.models import (
    Campaign,
    Content,
    Deadline,
    MemberOrganization,
    ModelType,
    Requirement,
)
from webapp.extensions import db
from webapp.units.models import Level, Unit


def _count(model, *where) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def _seed(app, *args):
    result = app.test_cli_runner().invoke(args=["seed", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_seed_loads_bac_kan_and_the_campaign(app, db):
    output = _seed(app)
    assert "131 units" in output
    assert _count(Unit, Unit.level == Level.PROVINCE) == 1
    assert _count(Unit, Unit.level == Level.DISTRICT) == 8
    assert _count(Unit, Unit.level == Level.COMMUNE) == 122
    province = db.session.scalar(sa.select(Unit).where(Unit.code == "06"))
    assert province.name == "Tỉnh Bắc Kạn"
    bang_thanh = db.session.scalar(sa.select(Unit).where(Unit.code == "01858"))
    assert bang_thanh.name == "Xã Bằng Thành"
    assert bang_thanh.parent.code == "060" and bang_thanh.parent.parent is province
    assert _count(Campaign) == 1
    assert [c.number for c in db.session.scalars(sa.select(Content).order_by(Content.number))] == [
        1,
        2,
        3,
        4,
        5,
    ]
    assert _count(MemberOrganization) == 10
    assert _count(ModelType) == 24
    assert _count(Requirement) == 8
    htx = db.session.scalar(sa.select(Requirement).where(Requirement.code == "htx_kieu_moi"))
    assert htx.applies_to == "new_rural_communes"
    assert {p.code for p in htx.partners} == {"nong_dan", "phu_nu"}
    assert {m.code for m in htx.model_types} == {"htx_kieu_moi", "htx_phu_nu"}
    override = db.session.scalar(sa.select(Deadline).where(Deadline.year == 2017))
    assert (override.day, override.month) == (15, 7)


def test_seed_twice_changes_nothing(app, db):
    _seed(app, "--demo")
    counts = [_count(m) for m in (Unit, Content, MemberOrganization, ModelType, Requirement, User)]
    output = _seed(app, "--demo")
    assert "created nothing new" in output
    assert [
        _count(m) for m in (Unit, Content, MemberOrganization, ModelType, Requirement, User)
    ] == counts


def test_seed_keeps_deadlines_an_admin_changed(app, db):
    _seed(app)
    deadline = db.session.scalar(sa.select(Deadline).where(Deadline.year.is_(None)).limit(1))
    deadline.day = 28
    db.session.commit()
    _seed(app)
    db.session.expire_all()
    assert db.session.get(Deadline, deadline.id).day == 28


def test_demo_accounts_can_sign_in_with_their_printed_passwords(app, db):
    output = _seed(app, "--demo")
    from webapp.seed.loader import DEMO_ACCOUNTS

    for account in DEMO_ACCOUNTS:
        assert account.username in output and account.password in output
        client = app.test_client()
        response = client.post(
            "/login", data={"username": account.username, "password": account.password}
        )
        assert response.status_code == 303, account.username
    editor = db.session.scalar(sa.select(User).where(User.username == "editor.pacnam"))
    assert sorted(a.unit.code for a in editor.roles) == ["01858", "01861"]
    officer = db.session.scalar(sa.select(User).where(User.username == "phunu.pacnam"))
    assert officer.roles[0].organization.code == "phu_nu"
    roles = {a.role for u in db.session.scalars(sa.select(User)) for a in u.roles}
    assert roles == {Role.ADMIN, Role.REVIEWER, Role.EDITOR, Role.TRANSLATOR}
