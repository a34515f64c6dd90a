"""Bad files end in one structured error (code, line, pt-BR and English words), never in a
partial result: corrupt, truncated and encrypted zips, cut and damaged text, binary data,
files that are not exports, and a date order the file contradicts."""

from __future__ import annotations

import codecs
import io
import zipfile

import pytest

from pycore.chat_export import ChatExportError, parse_export
from tests.chat_export import fixture
from tests.chat_export.generate import STYLES, make_corpus, pick_chat, render

GOOD = "13/03/2026 09:00 - Conceição: ação iniciada\n13/03/2026 09:01 - Loja: Obrigado\n13/03/2026 09:02 - Loja: até já\n"


def fails(data: bytes, name: str = "chat.txt", **kw) -> ChatExportError:
    with pytest.raises(ChatExportError) as caught:
        parse_export(data, name, **kw)
    err = caught.value
    assert err.message_pt and err.message_en and err.message_pt != err.message_en
    if err.line is not None:
        assert f"(linha {err.line})" in err.message_pt and f"(line {err.line})" in err.message_en
    assert err.as_dict()["code"] == err.code
    return err


def zip_of(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return buf.getvalue()


@pytest.mark.parametrize("data", [b"", b"   \n\n\t\n", "\ufeff\n".encode("utf-8")])
def test_empty(data):
    assert fails(data).code == "empty"


def test_not_an_export():
    err = fails(fixture("not_whatsapp.csv"), "contatos.csv")
    assert (err.code, err.line) == ("not_chat_export", 1)
    assert "nome,telefone" in err.message_pt and "nome,telefone" in err.message_en


def test_text_before_the_first_message_line_is_refused_at_that_line():
    err = fails(("\nExportado por Loja\n" + GOOD).encode())
    assert (err.code, err.line) == ("not_chat_export", 2)


def test_a_first_line_with_an_impossible_date_is_not_an_export():
    err = fails(b"31/31/2024 10:00 - Ana: oi\n01/01/2024 10:00 - Ana: oi\n")
    assert (err.code, err.line) == ("not_chat_export", 1)


@pytest.mark.parametrize("data, code, line", [
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "not_chat_export", 1),  # read as cp1252: text, not an export
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "encoding", 3),  # NUL bytes: not text at all
])
def test_binary_files(data, code, line):
    err = fails(data, "foto.txt")
    assert (err.code, err.line) == (code, line)


def test_nul_inside_text_is_refused_at_its_line():
    data = GOOD.encode().replace("Obrigado".encode(), b"Obri\x00gado")
    err = fails(data)
    assert (err.code, err.line) == ("encoding", 2)


def test_two_encodings_in_one_file_is_refused_at_the_bad_line():
    data = GOOD.encode("utf-8").replace(b"at\xc3\xa9", b"at\xe9")  # "até" in Latin-1 among UTF-8 accents
    err = fails(data)
    assert (err.code, err.line) == ("encoding", 3)
    assert "e9" in err.detail


def test_utf32_is_refused():
    err = fails(codecs.BOM_UTF32_LE + GOOD.encode("utf-32-le"))
    assert (err.code, err.line) == ("encoding", 1)


def test_utf8_cut_inside_a_character():
    data = GOOD.encode("utf-8")
    cut = data[: data.rfind("é".encode()) + 1]  # the first byte of "é" on the last line
    err = fails(cut)
    assert (err.code, err.line) == ("truncated", 3)


@pytest.mark.parametrize("bom, enc", [(codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")])
def test_utf16_cut_inside_a_character(bom, enc):
    data = bom + GOOD.encode(enc)
    assert fails(data[:-1]).code == "truncated"  # an odd number of bytes
    surrogate = bom + (GOOD.rstrip("\n") + " 😊").encode(enc)
    err = fails(surrogate[:-2])  # half of a surrogate pair at the very end
    assert (err.code, err.line) == ("truncated", 3)


@pytest.mark.parametrize("tail", ["13/03/2026 09:0", "13/03/2026 09:03", "13/03/2026 09:03 -", "13/03/2026 09:03 - "])
def test_a_file_cut_in_its_last_message_line(tail):
    err = fails((GOOD + tail).encode())
    assert (err.code, err.line) == ("truncated", 4)


def test_ios_file_cut_in_its_last_message_line():
    text = fixture("WhatsApp Chat - Vinyl Club.txt").decode()
    err = fails((text + "[3/16/23, 12:0").encode())
    assert (err.code, err.line) == ("truncated", 13)


def test_a_last_line_of_text_that_only_starts_with_a_date_is_not_a_cut():
    got = parse_export((GOOD + "13/03 eu passo aí\n").encode(), "chat.txt")
    assert got.messages[-1].text == "até já\n13/03 eu passo aí"


def test_corrupt_zip_checksum():
    data = bytearray(zip_of({"WhatsApp Chat with Ana.txt": GOOD.encode() * 20}))
    at = data.find(b"PK\x01\x02")
    crc = at + 16  # the central directory's CRC-32 of the entry
    data[crc] ^= 0xFF
    err = fails(bytes(data), "WhatsApp Chat with Ana.zip")
    assert err.code == "corrupt_zip" and err.line is None
    assert "WhatsApp Chat with Ana.txt" in err.detail


def test_corrupt_zip_data():
    data = bytearray(zip_of({"WhatsApp Chat with Ana.txt": GOOD.encode() * 20}))
    data[40:60] = b"\xff" * 20  # inside the compressed data
    assert fails(bytes(data), "x.zip").code in ("corrupt_zip", "truncated")


def test_truncated_zip():
    export = render(make_corpus(), pick_chat(make_corpus(), "group"), STYLES["ios_pt_media"], shift_days=40)
    err = fails(export.data[: len(export.data) * 2 // 3], export.file_name)
    assert err.code == "truncated" and err.line is None
    assert ".zip" in err.message_pt and ".zip" in err.message_en


def test_a_zip_name_on_text_is_refused():
    assert fails(GOOD.encode(), "WhatsApp Chat with Ana.zip").code == "corrupt_zip"


def test_encrypted_zip():
    data = bytearray(zip_of({"_chat.txt": GOOD.encode()}))
    for sig, flag_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.find(sig)
        data[at + flag_at] |= 0x01
    assert fails(bytes(data), "x.zip").code == "encrypted_zip"


def test_zip_without_chat_text():
    err = fails(zip_of({"IMG-20240101-WA0001.jpg": b"\xff\xd8", "__MACOSX/._x.txt": b"x"}), "x.zip")
    assert err.code == "no_chat_in_zip"


def test_bounds():
    assert fails(GOOD.encode(), max_text_bytes=10).code == "too_large"
    assert fails(zip_of({"_chat.txt": GOOD.encode()}), "x.zip", max_text_bytes=10).code == "too_large"
    media = zip_of({"_chat.txt": GOOD.encode(), "IMG-1.jpg": b"x" * 100})
    assert parse_export(media, "x.zip", max_media_bytes=10).attachments[0].size == 100  # listing costs nothing
    assert fails(media, "x.zip", keep_media=True, max_media_bytes=10).code == "too_large"


def test_a_date_order_the_file_contradicts():
    text = "02/01/2024 09:00 - Ana: oi\n25/01/2024 09:00 - Ana: oi\n"
    err = fails(text.encode(), date_order="mdy")
    assert (err.code, err.line) == ("date_order_mismatch", 2)
    assert "25/1/2024" in err.message_en


@pytest.mark.parametrize("kw", [{"date_order": "ydm"}, {"date_order": "DMY"}])
def test_bad_arguments(kw):
    assert fails(GOOD.encode(), **kw).code == "bad_argument"


def test_data_must_be_bytes():
    with pytest.raises(ChatExportError) as caught:
        parse_export(GOOD, "x.txt")  # type: ignore[arg-type]
    assert caught.value.code == "bad_argument"


def test_the_garbage_collector_is_left_as_it_was():
    import gc

    assert gc.isenabled()
    parse_export(GOOD.encode(), "x.txt")
    fails(b"nada aqui\n")
    assert gc.isenabled()
    gc.disable()
    try:
        parse_export(GOOD.encode(), "x.txt")
        assert not gc.isenabled()
    finally:
        gc.enable()
