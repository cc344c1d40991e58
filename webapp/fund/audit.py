"""How the audit log reads the fund's events: by the book's unit, the voucher and the amount;
never by the households supported."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from webapp.audit import sentences as audit
from webapp.audit.sentences import Names, text_detail
from webapp.fund.models import FundMovement, FundPeriod

MOVEMENTS = FundMovement.__tablename__
PERIODS = FundPeriod.__tablename__


def _values(event, details: dict, names: Names) -> dict:
    voucher = text_detail(details, "voucher")
    amount = details.get("amount")
    return {
        "voucher": voucher or "—",
        "amount": f"{amount:,}".replace(",", ".") if isinstance(amount, int) else "—",
        "year": details.get("year", "—"),
        "line": _("line %(voucher)s", voucher=voucher) if voucher else _("a line"),
    }


audit.register(
    {
        "fund.received": (
            _l("Receipt %(voucher)s of %(amount)s đồng recorded"),
            _l("Fund receipt"),
        ),
        "fund.spent": (_l("Spending %(voucher)s of %(amount)s đồng recorded"), _l("Fund spending")),
        "fund.transferred": (
            _l("Transfer %(voucher)s of %(amount)s đồng sent"),
            _l("Fund transfer sent"),
        ),
        "fund.transfer_received": (
            _l("Transfer %(voucher)s of %(amount)s đồng received"),
            _l("Fund transfer received"),
        ),
        "fund.reversed": (_l("Reversing entry %(voucher)s recorded"), _l("Fund line reversed")),
        "fund.changed": (_l("The fund's %(line)s was changed"), _l("Fund line changed")),
        "fund.period_closed": (
            _l("The fund's book for %(year)s was closed"),
            _l("Fund year closed"),
        ),
        "fund.period_approved": (
            _l("The fund's book for %(year)s was approved"),
            _l("Fund year approved"),
        ),
    },
    values=_values,
)
