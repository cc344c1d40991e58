"""The 2025 national structure (34 provinces, 3,321 communes with their GSO codes) from the
maintained `vietnam-provinces` package, loaded whole or per province, idempotently.

Units that already exist in the 2025 structure (Bắc Kạn's 37 communes and Thái Nguyên, made by
the 2025 reorganization) are matched by their GSO code among the units valid on 1/7/2025 and
kept as they are: a code is reused across periods, so only the new structure is matched. A
national installation hangs every province under one root unit of level `country`.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from webapp.extensions import db
from webapp.units.models import Kind, Level, Unit
from webapp.units.queries import active_on

# The day the two-level structure (province, commune) came into force.
STRUCTURE_DAY = date(2025, 7, 1)
# The national root has no GSO code; this one cannot clash with the numeric ones.
COUNTRY_CODE = "VN"
COUNTRY_NAME = "Việt Nam"

PROVINCE_KINDS = {"tỉnh": Kind.TINH, "thành phố trung ương": Kind.THANH_PHO}
COMMUNE_KINDS = {"xã": Kind.XA, "phường": Kind.PHUONG, "đặc khu": Kind.DAC_KHU}


@dataclass(frozen=True)
class Division:
    """One unit of the package's data: codes as strings with their leading zeros."""

    code: str
    name: str
    kind: Kind
    level: Level
    province_code: str | None = None


@dataclass
class Loaded:
    provinces: int = 0
    communes: int = 0
    created: int = 0
    matched: int = 0
    reparented: int = 0
    # (code, name in the database, name in the package) of matched units whose names differ.
    renamed: list[tuple[str, str, str]] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"National structure 2025: {self.provinces} provinces, {self.communes} communes;"
            f" created {self.created}, matched {self.matched} existing,"
            f" attached {self.reparented} to a new parent; {len(self.renamed)} names differ."
        )


def divisions(province_codes: Iterable[str] | None = None) -> list[Division]:
    """Provinces then communes of the package, only of the given provinces if any."""
    from vietnam_provinces import Province, Ward  # only the seed needs the 3,321 rows

    wanted = {f"{int(c):02d}" for c in province_codes} if province_codes is not None else None
    provinces = []
    for province in Province.iter_all():
        code = f"{int(province.code):02d}"
        if wanted is not None and code not in wanted:
            continue
        kind = PROVINCE_KINDS[province.division_type.value]
        # The package names provinces bare ("Thái Nguyên") and cities in full ("Thành phố Hà Nội").
        name = province.name if kind == Kind.THANH_PHO else f"Tỉnh {province.name}"
        provinces.append(Division(code, _nfc(name), kind, Level.PROVINCE))
    if wanted is not None and len(provinces) != len(wanted):
        known = {p.code for p in provinces}
        raise LookupError(f"no province with code {', '.join(sorted(wanted - known))} in 2025")
    codes = {p.code for p in provinces}
    communes = [
        Division(
            f"{int(ward.code):05d}",
            _nfc(ward.name),
            COMMUNE_KINDS[ward.division_type.value],
            Level.COMMUNE,
            f"{int(ward.province_code):02d}",
        )
        for ward in Ward.iter_all()
        if f"{int(ward.province_code):02d}" in codes
    ]
    communes.sort(key=lambda d: d.code)
    return sorted(provinces, key=lambda d: d.code) + communes


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text.strip())


def load(province_codes: Iterable[str] | None = None, *, country: bool = False) -> Loaded:
    """Load the provinces (all of them when `province_codes` is None) and their communes;
    with `country`, under the national root. Running it again changes nothing."""
    loaded = Loaded()
    existing = {
        (u.code, u.level): u
        for u in db.session.scalars(
            sa.select(Unit).where(active_on(STRUCTURE_DAY), Unit.code.isnot(None))
        )
    }
    root = None
    if country:
        root = existing.get((COUNTRY_CODE, Level.COUNTRY))
        if root is None:
            root = Unit(
                code=COUNTRY_CODE,
                name=COUNTRY_NAME,
                kind=Kind.QUOC_GIA,
                level=Level.COUNTRY,
                valid_from=STRUCTURE_DAY,
            )
            db.session.add(root)
            loaded.created += 1
    provinces: dict[str, Unit] = {}
    for division in divisions(province_codes):
        if division.level == Level.PROVINCE:
            loaded.provinces += 1
            parent = root
        else:
            loaded.communes += 1
            parent = provinces[division.province_code]
        unit = existing.get((division.code, division.level))
        if unit is None:
            unit = Unit(
                code=division.code,
                name=division.name,
                kind=division.kind,
                level=division.level,
                parent=parent,
                valid_from=STRUCTURE_DAY,
            )
            db.session.add(unit)
            loaded.created += 1
        else:
            loaded.matched += 1
            if _nfc(unit.name) != division.name:
                loaded.renamed.append((division.code, unit.name, division.name))
            # A province already loaded alone joins the national root; a commune stays where
            # the reorganization put it unless it has no parent.
            if parent is not None and unit.parent_id is None:
                unit.parent = parent
                loaded.reparented += 1
        if division.level == Level.PROVINCE:
            provinces[division.code] = unit
    db.session.flush()
    return loaded
