"""Folding for accent-insensitive search and name comparison."""

from __future__ import annotations

import unicodedata

import pytest

from webapp.text import fold


def reference_fold(value: str) -> str:
    """Folding as first written: drop every combining mark one character at a time."""
    value = unicodedata.normalize("NFC", value).replace("đ", "d").replace("Đ", "D")
    value = "".join(
        ch for ch in unicodedata.normalize("NFD", value) if unicodedata.category(ch) != "Mn"
    )
    return " ".join(value.translate(str.maketrans("", "", "'’ʼʻ")).casefold().split())


@pytest.mark.parametrize(
    ("value", "folded"),
    [
        ("Đồng Hỷ", "dong hy"),
        ("  Mô hình  nuôi gà thả vườn ", "mo hinh nuoi ga tha vuon"),
        ("Nghĩa trang 'liệt sĩ'", "nghia trang liet si"),
        ("ƯƠNG Ơ", "uong o"),
        ("Tày Nùng Dao Mông", "tay nung dao mong"),
    ],
)
def test_fold_drops_case_accents_and_apostrophes(value, folded):
    assert fold(value) == folded


def test_fold_equals_the_per_character_fold_in_and_beyond_the_basic_plane():
    # Every BMP character with a combining mark after it, and marks outside the BMP
    # (musical symbols' U+1D167, Adlam's U+1E944) that take the slow path.
    samples = [chr(c) + "\u0301x" for c in range(0x20, 0x3000, 7)]
    samples += ["A\U0001d167b", "đ\U0001e944Ư", "Ǹg Ḿ ", "x\u20d7y"]
    for sample in samples:
        assert fold(sample) == reference_fold(sample), repr(sample)
