"""An opinion from a reader to its answer, in Chromium at 360 px, with JavaScript on and off
(issue 19): an anonymous reader sends one and gets a code; the commune committee
(editor.pacnam, Bằng Thành) merges it with one recorded at a meeting and sends that up to the
district; the district (reviewer.pacnam, Pác Nặm) records the answer; the reader sees the answer
by code and on the commune's public page. No page the reader (or any visitor) opens shows the
sender's phone number. The reader attaches a photo: the committee sees it, the reader's pages
and visitors never do (not published with the answer); the answer's document is public."""

from __future__ import annotations

import re
from datetime import timedelta

import docx
import pytest
from PIL import Image

from tests.browser.conftest import ACCOUNTS, sign_in
from webapp.db import local_today

pytestmark = pytest.mark.browser

DISTRICT, COMMUNE = "Huyện Pác Nặm", "Xã Bằng Thành"


def _no_overflow(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, page.url


def _step(page, action: str, **fields) -> None:
    """Open the step's <details> (a native disclosure: no JavaScript needed), fill, send."""
    form = page.locator(f"form[action$='/{action}']")
    details = page.locator("details", has=form)
    if details.count() and details.get_attribute("open") is None:
        details.locator("summary").click()
    for selector, value in fields.items():
        form.locator(f"[name='{selector}']").fill(value)
    form.locator("button[type=submit]").click()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_an_opinion_is_merged_sent_up_answered_and_shown_back(app, new_page, javascript, tmp_path):
    mark = "có JS" if javascript else "không JS"
    phone = "0912 000 111" if javascript else "0912 000 222"
    text = f"Đề nghị lắp đèn đường đoạn qua chợ Bằng Thành ({mark})"
    seen = []  # the HTML of every page a visitor opened
    picture = tmp_path / "den-duong.jpg"
    Image.new("RGB", (900, 600), (200, 160, 40)).save(picture, format="JPEG")
    reply = tmp_path / "tra-loi.pdf"
    reply.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")

    # An anonymous reader sends an opinion: the district, then the commune (two steps).
    reader = new_page(javascript=javascript)
    reader.goto("/opinions/new")
    reader.select_option("#district", label=DISTRICT)
    reader.locator("main button[type=submit]").click()
    reader.wait_for_url("**/opinions/new?district=*")
    _no_overflow(reader)
    seen.append(reader.content())
    reader.select_option("#commune", label=COMMUNE)
    reader.select_option("#topic", value="policy")
    reader.fill("#text", text)
    reader.fill("#sender_name", "Lý Văn Pằn")
    reader.fill("#sender_contact", phone)
    reader.set_input_files("#photo", str(picture))
    reader.locator("main button.primary").click()
    reader.wait_for_url("**/opinions/track?code=*")
    code = reader.locator("strong.code").inner_text().strip()
    assert re.fullmatch(r"[0-9A-Z]{8}", code)
    seen.append(reader.content())
    _no_overflow(reader)

    # The commune committee records the same concern raised at a voter contact session…
    commune = new_page(javascript=javascript)
    sign_in(commune, *ACCOUNTS["editor"])
    commune.goto("/opinions/record")
    commune.select_option("#meeting_kind", value="voter_contact")
    commune.fill("#meeting_place", "Nhà văn hóa thôn Nà Coóc")
    commune.fill("#meeting_on", "04/12/2026")
    commune.select_option("#commune", label=COMMUNE)
    commune.select_option("#topic", value="policy")
    commune.fill("#text", f"Cử tri đề nghị lắp đèn đường qua chợ ({mark})")
    commune.fill("#people", "12")
    commune.locator("main button.primary").click()
    commune.wait_for_url(re.compile(r".*/opinions/\d+$"))
    meeting_url = commune.url
    meeting_code = commune.locator("h1").inner_text().split()[-1]
    _no_overflow(commune)

    # …finds the reader's opinion in its list, merges it into the meeting's…
    commune.goto("/opinions")
    commune.get_by_role("link", name=code).click()
    commune.wait_for_url(re.compile(r".*/opinions/\d+$"))
    assert phone in commune.content()  # the committee sees the sender
    photo = commune.locator("figure.opinion-photo img")  # and the photo, loaded
    photo.scroll_into_view_if_needed()
    commune.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=photo.element_handle()
    )
    photo_url = photo.get_attribute("src")
    assert "/opinions/photos/" in photo_url
    _no_overflow(commune)
    _step(commune, "merge", target=meeting_code.lower())
    commune.locator(".flash", has_text="Đã gộp ý kiến").wait_for()
    assert commune.locator("a", has_text=meeting_code).count()

    # …rewords it and sends it up to the district, beyond the commune's authority.
    commune.goto(meeting_url)
    commune.locator("p.meta", has_text="13 người").wait_for()
    _step(commune, "summary", summary=f"Lắp đèn đường qua chợ Bằng Thành ({mark})")
    commune.locator(".flash", has_text="Đã lưu").wait_for()
    _step(commune, "forward", **{"forward-reason": "Cần kinh phí của huyện"})
    commune.locator(".flash", has_text="Đã chuyển ý kiến lên cấp trên").wait_for()
    _no_overflow(commune)

    # The district committee puts it on its consolidated list to the authorities, downloads the
    # Word document it signs (the summary in it, never the sender) and records the sending.
    district = new_page(javascript=javascript)
    sign_in(district, *ACCOUNTS["reviewer"])
    district.goto("/opinions/consolidated")
    district.select_option("#unit", label=DISTRICT)
    with app.app_context():  # the app's day: Vietnam's, a day ahead of UTC from 17:00
        today = local_today()
    district.fill("#start", f"{today - timedelta(days=30):%d/%m/%Y}")
    district.fill("#end", f"{today:%d/%m/%Y}")
    district.get_by_role("button", name="Xem bản tổng hợp").click()
    district.locator("ol.opinions li", has_text=meeting_code).wait_for()
    _no_overflow(district)
    with district.expect_download() as download:
        district.get_by_role("link", name="Tải về dạng Word").click()
    document = docx.Document(download.value.path())
    words = [p.text for p in document.paragraphs] + [
        cell.text for table in document.tables for row in table.rows for cell in row.cells
    ]
    assert any(f"Lắp đèn đường qua chợ Bằng Thành ({mark})" in w for w in words)
    assert not any(phone in w or "Lý Văn Pằn" in w for w in words)
    district.fill("#recipient", "Ủy ban nhân dân huyện Pác Nặm")
    district.fill("#number", f"12/BC-MTTQ ({mark})")
    district.fill("#sent_on", f"{today:%d/%m/%Y}")
    district.get_by_role("button", name="Ghi nhận việc gửi").click()
    district.locator(".flash", has_text=f"12/BC-MTTQ ({mark})").wait_for()

    # The district records the answer.
    district.goto(meeting_url)
    assert f"12/BC-MTTQ ({mark})" in district.content()  # the opinion lists the sending
    district.locator("form[action$='/answer'] [name='document']").set_input_files(str(reply))
    answer = f"Huyện bố trí kinh phí lắp 6 cột đèn trong quý I/2027 ({mark})."
    _step(
        district,
        "answer",
        answer_text=answer,
        agency="UBND huyện Pác Nặm",
        answered_on="06/12/2026",
    )
    district.locator(".flash", has_text="Đã ghi nhận").wait_for()
    _no_overflow(district)

    # The reader sees the answer by the code, following the opinion it was merged into…
    reader.goto("/opinions/track")
    reader.fill("#code", code.lower())
    reader.locator("main form button[type=submit]").click()
    reader.wait_for_url("**/opinions/track?code=*")
    status = reader.locator("section.opinion-status")
    status.get_by_text(answer).wait_for()
    assert meeting_code in status.inner_text() and "UBND huyện Pác Nặm" in status.inner_text()
    assert "06/12/2026" in status.inner_text()
    document_url = status.get_by_role("link", name="Văn bản trả lời").get_attribute("href")
    downloaded = reader.request.get(document_url)
    assert downloaded.status == 200 and downloaded.body().startswith(b"%PDF")
    seen.append(reader.content())
    _no_overflow(reader)

    # …and on the commune's public page, found by words typed without accents.
    status.get_by_role("link", name=re.compile("Bằng Thành")).click()
    reader.wait_for_url("**/opinions/answers?commune=*")
    reader.fill("#a-q", f"den duong cho {'co' if javascript else 'khong'} js")
    reader.locator("main form[role=search] button[type=submit]").click()
    reader.wait_for_url("**/opinions/answers?*q=*")
    item = reader.locator("ul.answers li", has_text=answer)
    item.wait_for()
    assert "Lắp đèn đường qua chợ Bằng Thành" in item.inner_text()
    assert "13 người nêu" in item.inner_text()
    assert reader.locator("ul.answers li").count() == 1
    seen.append(reader.content())
    _no_overflow(reader)

    # No page outside the committee shows the phone number (nor the sender's name).
    for html in seen:
        assert phone not in html and "Lý Văn Pằn" not in html
        assert "/opinions/photos/" not in html  # the photo stays the committee's
    visitor = new_page(javascript=javascript)
    assert visitor.request.get(photo_url).status == 404
    for path in ("/", "/opinions/answers", f"/opinions/track?code={meeting_code}"):
        visitor.goto(path)
        assert phone not in visitor.content(), path
