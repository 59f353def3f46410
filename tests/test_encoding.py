"""Bytes in any common encoding come out as clean Unicode; non-text is refused with a reason."""

from __future__ import annotations

import pytest

from crosswire.errors import BinaryContentError, EmptyDocumentError
from crosswire.extract.encoding import decode

RU = (
    "Президент Украины Владимир Зеленский заявил, что Северная Корея готовит к отправке около "
    "десяти тысяч солдат. По данным разведки Южной Кореи, полторы тысячи военнослужащих уже "
    "находятся на территории России."
)
ZH = (
    "乌克兰总统泽连斯基表示，朝鲜正准备派遣约一万名士兵。据韩国情报机构称，已有一千五百名特种部队"
    "士兵抵达俄罗斯，总数可能达到一万二千人。首尔已召见俄罗斯大使，表达严重关切。"
)
JA = (
    "東京（共同）北朝鮮の金正恩総書記は、ロシアのプーチン大統領と会談し、両国の軍事協力を強化する"
    "ことで合意した。韓国の情報機関によると、北朝鮮は約１万２千人の兵士をロシアに派遣する見通しだ。"
)


@pytest.mark.parametrize(
    ("text", "encoding"),
    [(RU, "windows-1251"), (ZH, "gb18030"), (ZH, "gb2312"), (JA, "shift_jis"), (RU, "koi8-r")],
)
def test_undeclared_legacy_encodings_are_detected(text: str, encoding: str) -> None:
    decoded = decode(text.encode(encoding), html=False)
    assert decoded.text == text


def test_meta_charset_is_honoured() -> None:
    page = f'<html><head><meta charset="windows-1251"></head><body><p>{RU}</p></body></html>'
    decoded = decode(page.encode("cp1251"))
    assert RU in decoded.text
    assert decoded.encoding == "cp1251"


def test_declared_charset_wins_over_guessing() -> None:
    decoded = decode(JA.encode("shift_jis"), declared="Shift_JIS", html=False)
    assert decoded.text == JA


def test_mojibake_is_repaired() -> None:
    original = "Zelenskyy’s “grave concerns” about the café"
    import ftfy.bad_codecs  # noqa: F401 - registers the sloppy codec real copiers get wrong

    mangled = original.encode("utf-8").decode("sloppy-windows-1252").encode("utf-8")
    decoded = decode(mangled, html=False)
    assert decoded.text == original
    assert decoded.repaired


def test_nul_bytes_and_lone_surrogates_are_removed() -> None:
    raw = "North\x00 Korea \ud800sent troops".encode("utf-8", "surrogatepass")
    decoded = decode(raw, html=False)
    assert decoded.text == "North Korea sent troops"


def test_utf16_with_bom() -> None:
    assert decode(RU.encode("utf-16"), html=False).text == RU


@pytest.mark.parametrize("raw", [b"", b"   \n\t  ", b"\x00\x00\x00\x00"])
def test_empty_is_refused(raw: bytes) -> None:
    with pytest.raises((EmptyDocumentError, BinaryContentError)):
        decode(raw)


@pytest.mark.parametrize(
    ("raw", "name"),
    [
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "PNG"),
        (b"%PDF-1.7\n" + bytes(range(256)) * 4, "PDF"),
        (bytes(range(256)) * 16, "binary"),
    ],
)
def test_binary_is_refused_with_its_kind(raw: bytes, name: str) -> None:
    with pytest.raises(BinaryContentError, match=name):
        decode(raw)


def test_latin1_page_keeps_its_accents() -> None:
    text = "The Prime Minister met the café owners in Orléans on Monday to discuss the new rules."
    assert decode(text.encode("cp1252"), html=False).text == text


def test_truncated_utf8_tail_is_dropped() -> None:
    raw = "Zelenskyy said “we know”".encode()[:-2]
    assert decode(raw, html=False).text == "Zelenskyy said “we know"
