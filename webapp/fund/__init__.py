"""The Quỹ "Vì người nghèo" (fund for the poor) of each Front unit (issue 20): its book per
unit, yearly periods closed by the treasurer and approved by the Standing Committee, receipts,
transfers between levels (both sides in one transaction), spendings with their beneficiaries,
reversing entries, public disclosure per unit and year, roll-up and reconciliation.

Rules followed (found and read through the project's search; see README, "Quỹ Vì người nghèo"):
- Quyết định 1198/QĐ-MTTW-ĐCT (29/12/2016) of the Presidium of the Central Committee of the
  Vietnam Fatherland Front, "Quy chế vận động, quản lý và sử dụng Quỹ 'Vì người nghèo' sửa đổi
  năm 2016", with Hướng dẫn 96/HD-MTTW-BTT (05/12/2017) of its Standing Committee: a fund
  kept at each level of the Front, used for houses, production, health, schooling and relief,
  "dân chủ, công khai" — managed openly, receipts and uses disclosed.
- Nghị định 93/2021/NĐ-CP (27/10/2021, in force 11/12/2021, replacing 64/2008/NĐ-CP) on
  mobilizing, receiving, distributing and using voluntary contributions: a receipt for every
  contribution in cash or in kind when the giver asks, contributions booked in full, and
  public disclosure of what was received and how it was distributed and used.

What the product follows: a book per unit with every movement dated, in whole đồng, with its
means (cash, bank, in kind at its valued amount), counterparty, purpose and voucher number
(given in sequence when left blank); corrections only as reversing entries; a closed year is
read-only; a public page and spreadsheet per unit and year.

Not covered: bank accounts and their statements, printed receipt forms (biên nhận) and their
signatures, the fund's Ban vận động and its decisions on who is supported (the product records
the outcome only), state-budget or other funds, the 5-year settlement report, and the parts of
Decree 93 on individuals' own charity drives.
"""

from flask import Flask


def init_app(app: Flask) -> None:
    """The fund's reaction to what happens below it: a result report of a unit's Front
    committee about to be sent takes its "Quỹ 'Vì người nghèo'" figures from the unit's book,
    and shows them from the book while it is written (reports publish the events and import
    nothing of the fund)."""
    from webapp import events
    from webapp.fund.reporting import fill_on_submit, show_derived

    events.subscribe(events.REPORT_SUBMITTING, fill_on_submit)
    events.subscribe(events.REPORT_FIGURES_DERIVED, show_derived)
