"""Test data with keyword defaults: units, a small tree, organizations and users."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import sqlalchemy as sa

from webapp.auth.models import Role, RoleAssignment, User
from webapp.campaign.models import Content, MemberOrganization
from webapp.extensions import db
from webapp.units.models import Kind, Level, Unit

PASSWORD = "correct-horse-9"
_numbers = itertools.count(1)

_KIND_FOR_LEVEL = {
    Level.COUNTRY: Kind.QUOC_GIA,
    Level.PROVINCE: Kind.TINH,
    Level.DISTRICT: Kind.HUYEN,
    Level.COMMUNE: Kind.XA,
    Level.AREA: Kind.THON,
}


def make_unit(name: str | None = None, *, level=Level.COMMUNE, parent=None, kind=None, **kw):
    n = next(_numbers)
    unit = Unit(
        name=name or f"Đơn vị {n}",
        code=kw.pop("code", f"{n:05d}" if level != Level.AREA else None),
        level=level,
        kind=kind or _KIND_FOR_LEVEL[level],
        parent=parent,
        **kw,
    )
    db.session.add(unit)
    db.session.flush()
    return unit


def make_organization(code: str | None = None, **kw) -> MemberOrganization:
    n = next(_numbers)
    organization = MemberOrganization(
        code=code or f"org{n}", name_vi=kw.pop("name_vi", f"Hội {n}"), **kw
    )
    db.session.add(organization)
    db.session.flush()
    return organization


def make_user(*, username: str | None = None, roles=(), home_unit=None, **kw) -> User:
    n = next(_numbers)
    roles = list(roles)
    if home_unit is None:
        home_unit = roles[0][1] if roles else make_unit(level=Level.PROVINCE)
    user = User(
        username=username or f"user{n}",
        full_name=kw.pop("full_name", f"Người dùng {n}"),
        home_unit=home_unit,
        **kw,
    )
    user.set_password(PASSWORD)
    for spec in roles:
        role, unit, organization, language = (*spec, None, None)[:4]
        if role in (Role.TRANSLATOR, Role.TRANSLATION_REVIEWER) and language is None:
            language = "tyz"
        user.roles.append(
            RoleAssignment(role=role, unit=unit, organization=organization, language=language)
        )
    db.session.add(user)
    db.session.flush()
    return user


@dataclass
class Tree:
    """Province P with districts D1 (communes C1, C2) and D2 (commune C3)."""

    province: Unit
    d1: Unit
    d2: Unit
    c1: Unit
    c2: Unit
    c3: Unit


def make_tree(*, commit: bool = True) -> Tree:
    """The tree, committed (or only flushed, for a test that rolls back instead of wiping)."""
    province = make_unit("Tỉnh Thử", level=Level.PROVINCE)
    d1 = make_unit("Huyện Một", level=Level.DISTRICT, parent=province)
    d2 = make_unit("Huyện Hai", level=Level.DISTRICT, parent=province)
    c1 = make_unit("Xã Đồng Phúc", parent=d1)
    c2 = make_unit("Xã Nà Phặc", parent=d1)
    c3 = make_unit("Xã Cao Sơn", parent=d2)
    if commit:
        db.session.commit()
    else:
        db.session.flush()
    return Tree(province, d1, d2, c1, c2, c3)


# Lookups in the real campaign configuration (the `campaign` fixture loads it).


def org(code: str) -> MemberOrganization:
    return db.session.scalar(sa.select(MemberOrganization).filter_by(code=code))


def content(number: int) -> Content:
    return db.session.scalar(sa.select(Content).filter_by(number=number))


def section_for(unit: Unit):
    """A published section at the top of the site for pages of a unit below the top (only the
    top unit's pages may stand at the top)."""
    from webapp.pages import services
    from webapp.pages.models import PageKind, PageState

    top = unit.ancestors()[-1]
    publisher = make_user(roles=[(Role.PUBLISHER, top)])
    section = services.create_page(
        publisher, unit=top, parent=None, kind=PageKind.SECTION,
        values=services.PageValues(f"Mục {next(_numbers)}", ""),
    )  # fmt: skip
    services.set_state(publisher, section, section.version, PageState.PUBLISHED)
    return section


def approve_translation(translator, translation):
    """Send a page translation for review as its translator, and have a reviewer of its
    language (another person) approve it: then readers see it."""
    from webapp.pages import translations

    translations.submit_translation(translator, translation, translation.version)
    reviewer = make_user(
        roles=[(Role.TRANSLATION_REVIEWER, translation.page.unit, None, translation.language)]
    )
    return translations.approve_translation(reviewer, translation, translation.version)
