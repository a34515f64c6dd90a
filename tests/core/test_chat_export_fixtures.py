"""Hand-written exports for the odd cases the generator does not make: group renames with ": "
inside quotes, lines pasted from another export, impossible dates, empty and "null" messages,
Spanish a. m./p. m. with no-break spaces, pt-BR day periods, iOS documents with titles, contact
cards, locations, and files whose dates cannot tell the day from the month."""

from __future__ import annotations

from datetime import datetime

from pycore.chat_export import parse_export
from tests.chat_export import fixture

LRM = "\u200e"


def read(name: str, **kw):
    return parse_export(fixture(name), name, **kw)


def rows(export):
    return [(m.line, m.local, m.author, m.kind, m.text, m.media.type if m.media else None,
             m.media.name if m.media else None, m.edited) for m in export.messages]


def test_android_pt_group_with_every_odd_line():
    got = read("Conversa do WhatsApp com Clientes VIP.txt")
    ana = "+55 11 98765-4321"
    d = lambda day, h, mi: datetime(2024, 1, day, h, mi)  # noqa: E731
    assert rows(got) == [
        (1, d(2, 9, 0), None, "system", got.messages[0].text, None, None, False),
        (2, d(2, 9, 0), None, "system", 'Loja Mettri criou o grupo "Clientes VIP"', None, None, False),
        (3, d(2, 9, 1), None, "system", f"Loja Mettri adicionou {ana}", None, None, False),
        # the first ": " sits inside the new name: still a system line
        (4, d(2, 9, 5), None, "system", 'Loja Mettri mudou o nome de "Clientes VIP" para "Promo: hoje"', None, None, False),
        # a blank line, a line in the iOS shape and one with 31/02 all stay inside the message
        (5, d(2, 9, 10), ana, "text", "Bom dia! Segue a lista:\n- 2 bolos de cenoura\n\n- 1 kit presente\n"
         "[02/01/2024, 09:11:00] Ana: colado de outro celular\n31/02/2024 10:00 - Ana: linha colada com data impossível",
         None, None, False),
        (11, d(2, 9, 12), "Loja Mettri", "media", "Foto do pedido", "image", "IMG-20240102-WA0007.jpg", False),
        (13, d(2, 9, 13), "Loja Mettri", "media", "", "document", "Comprovante NF 2871.pdf", False),
        (14, d(2, 9, 14), ana, "text", "outro texto", None, None, True),
        (15, d(2, 9, 15), ana, "deleted", "", None, None, False),
        (16, d(2, 9, 16), "Loja Mettri", "deleted", "", None, None, False),
        (17, d(2, 9, 17), ana, "text", "", None, None, False),
        (18, d(2, 9, 18), ana, "text", "null", None, None, False),  # view-once media on Android: kept as written
        (19, d(2, 9, 19), None, "system", f"{ana} saiu", None, None, False),
        (20, d(13, 18, 30), "Loja Mettri", "media", "", "voice", "PTT-20240113-WA0001.opus", False),
    ]
    assert got.messages[0].text.startswith("As mensagens e ligações são protegidas com a criptografia")
    assert got.suspect_lines == [10]
    assert (got.chat_name, got.phone, got.looks_like_group) == ("Clientes VIP", None, True)
    assert [(a.name, a.count, a.phone) for a in got.authors] == [(ana, 5, "5511987654321"), ("Loja Mettri", 4, None)]
    f = got.format
    assert (f.platform, f.date_order, f.date_order_source, f.clock, f.locale) == ("android", "dmy", "day_over_12", "24h", "pt-BR")


def test_ios_en_group_crlf_with_marks():
    got = read("WhatsApp Chat - Vinyl Club.txt")
    phone = "+1 (555) 010-7788"
    assert rows(got) == [
        (1, datetime(2023, 3, 12, 9, 15, 2), None, "system", got.messages[0].text, None, None, False),
        (2, datetime(2023, 3, 12, 9, 15, 2), None, "system", "Pepe created group “Vinyl Club”", None, None, False),
        (3, datetime(2023, 3, 12, 9, 16, 10), "Pepe", "text", "welcome!", None, None, False),
        (4, datetime(2023, 3, 12, 9, 20), phone, "text", "hi all", None, None, False),
        (5, datetime(2023, 3, 13, 22, 5, 33), "Jenni", "media", "", "video", None, False),  # a GIF is a video
        (6, datetime(2023, 3, 14, 11, 1), "Ana", "media", "report.pdf", "document", None, False),
        (7, datetime(2023, 3, 14, 11, 2), "Ana", "media", "", "document", None, False),
        (8, datetime(2023, 3, 14, 11, 3), "Ana", "text", "Location: https://maps.google.com/?q=-23.56,-46.65",
         None, None, False),
        (9, datetime(2023, 3, 15, 12, 30), "Ana", "deleted", "", None, None, False),
        (10, datetime(2023, 3, 15, 12, 31), "Ana", "media", "", "image", "00000012-PHOTO-2023-03-15-12-31-00.jpg", False),
        (11, datetime(2023, 3, 15, 12, 32), "Pepe", "text", "see you at 12:00 AM", None, None, True),
        (12, datetime(2023, 3, 16, 0, 5), None, "system", "Ana left", None, None, False),
    ]
    assert got.messages[0].text.startswith("Messages and calls are end-to-end encrypted.")
    assert got.messages[4].raw == f"{LRM}GIF omitted"  # raw keeps what the file says
    assert (got.chat_name, got.looks_like_group) == ("Vinyl Club", True)
    assert next(a for a in got.authors if a.name == phone).phone == "15550107788"
    f = got.format
    assert (f.platform, f.date_order, f.clock, f.seconds, f.year_digits, f.locale) == ("ios", "mdy", "12h", True, 2, "en")


def test_ios_chat_name_comes_from_its_system_lines_when_the_file_name_says_nothing():
    got = parse_export(fixture("WhatsApp Chat - Vinyl Club.txt"), "_chat.txt")
    assert got.chat_name == "Vinyl Club"


def test_android_es_12h_with_no_break_spaces():
    got = read("Chat de WhatsApp con Diego.txt")
    assert [(m.local, m.author, m.kind, m.text, m.edited) for m in got.messages] == [
        (datetime(2026, 6, 4, 12, 55), None, "system", got.messages[0].text, False),
        (datetime(2026, 6, 4, 12, 56), None, "system", 'Diego creó el grupo "Grupo Ing. de soft. 3".', False),
        (datetime(2026, 6, 4, 22, 44), None, "system", "Te uniste mediante el enlace de invitación de este grupo.", False),
        (datetime(2026, 6, 9, 2, 43), "+54 9 264 484-1343", "media", "", False),
        (datetime(2026, 6, 10, 15, 43), "Noelia", "deleted", "", False),
        (datetime(2026, 6, 10, 15, 44), "Noelia", "media", "", False),
        (datetime(2026, 6, 10, 15, 45), "Diego", "text", "¿Mañana a las 9?", True),
        (datetime(2026, 6, 13, 0, 1), "Diego", "text", "medianoche", False),  # 12:01 a. m. is after midnight
    ]
    assert got.messages[5].media.name == "IMG-20260610-WA0031.jpg"
    f = got.format
    assert (f.clock, f.locale, f.date_order, got.chat_name, got.looks_like_group) == ("12h", "es", "dmy", "Diego", True)


def test_pt_br_day_periods_on_ios():
    got = read("Conversa do WhatsApp - Bia.txt", date_order="dmy")
    assert [m.local for m in got.messages] == [
        datetime(2026, 6, 7, 14, 30, 15), datetime(2026, 6, 7, 0, 5), datetime(2026, 6, 7, 9, 0),
        datetime(2026, 6, 7, 20, 15), datetime(2026, 6, 8, 12, 10),
    ]
    assert (got.format.clock, got.format.locale, got.chat_name) == ("12h", "pt-BR", "Bia")


def test_dates_that_cannot_tell_are_asked_about():
    got = read("ambiguous.txt")
    assert got.needs_date_order and got.ambiguous_dates == ["03/04/2024", "05/04/2024"]
    assert got.format.date_order_source == "assumed"
    april = read("ambiguous.txt", date_order="dmy")
    march = read("ambiguous.txt", date_order="mdy")
    assert [m.local.date().isoformat() for m in april.messages] == ["2024-04-03", "2024-04-03", "2024-04-05"]
    assert [m.local.date().isoformat() for m in march.messages] == ["2024-03-04", "2024-03-04", "2024-05-04"]
    assert not april.needs_date_order and march.format.date_order_source == "caller"


def test_the_sequence_of_dates_decides_when_no_number_is_above_12():
    got = read("sequence.txt")  # 11/05, 12/05, 01/06, 02/06: only d/m/y keeps going forward
    assert (got.format.date_order, got.format.date_order_source, got.needs_date_order) == ("dmy", "date_sequence", False)
    assert [m.local.date().isoformat() for m in got.messages] == ["2024-05-11", "2024-05-12", "2024-06-01", "2024-06-02"]


def test_year_first_and_dot_dates():
    iso = parse_export("2024-03-04 10:00 - Ana: oi\n2024-03-05 11:00 - Bia: olá\n".encode(), "x.txt")
    assert (iso.format.date_order, iso.format.date_order_source) == ("ymd", "year_first")
    assert iso.messages[1].local == datetime(2024, 3, 5, 11, 0)
    dots = parse_export("13.06.18, 21:25 - a: m\n14.06.18, 09.05 - b: n\n".encode(), "x.txt")
    assert [m.local for m in dots.messages] == [datetime(2018, 6, 13, 21, 25), datetime(2018, 6, 14, 9, 5)]
    ios = parse_export("[2018/06/13, 21:25:15] a: m\n".encode(), "x.txt")
    assert ios.messages[0].local == datetime(2018, 6, 13, 21, 25, 15) and ios.format.platform == "ios"


def test_leading_blank_lines_and_trailing_spaces_are_fine():
    got = parse_export(b"\n\n03/02/17, 18:42 - Luke: \n03/02/17, 18:43 - Luke:\n13/02/17, 18:44 - Leia: ok\n", "x.txt")
    assert [(m.line, m.author, m.text) for m in got.messages] == [(3, "Luke", ""), (4, "Luke", ""), (5, "Leia", "ok")]


def test_latin1_and_unmarked_utf16_files_are_read():
    text = "13/03/2026 09:00 - Conceição: ação iniciada, R$ 10,00 — ok\n14/03/2026 09:01 - Loja: Obrigado\n"
    for data, encoding in ((text.encode("cp1252"), "cp1252"), (text.encode("utf-16-le"), "utf-16-le"),
                           (text.encode("utf-16-be"), "utf-16-be"), (text.encode("latin-1", "replace"), "cp1252")):
        got = parse_export(data, "x.txt")
        assert got.format.encoding == encoding
        assert got.messages[0].author == "Conceição"
        assert got.messages[0].text.startswith("ação iniciada, R$ 10,00")


def test_a_txt_inside_a_zip_is_found_by_content_when_it_has_no_known_name():
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("lista de compras.txt", "arroz\nfeijão\n")  # a .txt document sent in the chat
        zf.writestr("minha conversa.txt", fixture("sequence.txt"))
        zf.writestr("__MACOSX/._minha conversa.txt", b"\x00\x05\x16\x07")
        zf.writestr("fotos/", b"")
    got = parse_export(buf.getvalue(), "backup.zip")
    assert got.chat_file == "minha conversa.txt" and len(got.messages) == 4
    assert [a.name for a in got.attachments] == ["lista de compras.txt"]
    assert got.attachments[0].type == "document" and not got.attachments[0].referenced
    assert got.chat_name is None


def test_zip_entry_names_without_the_utf8_flag_are_read_as_utf8():
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("Conversa do WhatsApp com João.txt", fixture("sequence.txt"))
    raw = bytearray(buf.getvalue())
    for sig, flag_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):  # clear bit 11 (UTF-8) as some phones do
        at = raw.find(sig)
        assert raw[at + flag_at + 1] & 0x08
        raw[at + flag_at + 1] &= ~0x08 & 0xFF
    got = parse_export(bytes(raw), "Conversa do WhatsApp com João.zip")
    assert got.chat_file == "Conversa do WhatsApp com João.txt" and got.chat_name == "João"


def test_chat_names_and_phones_in_file_names():
    from pycore.chat_export.names import chat_name_from_file, phone_digits

    cases = {
        "Conversa do WhatsApp com Ana Souza.txt": "Ana Souza",
        "C:\\Users\\loja\\Downloads\\WhatsApp Chat with Ana Souza (1).zip": "Ana Souza",
        "/sdcard/Download/Chat de WhatsApp con María José.txt": "María José",
        "WhatsApp Chat - Família 💛.zip": "Família 💛",
        "Conversa do WhatsApp com \u202a+55 11 98765-4321\u202c.txt": "+55 11 98765-4321",
        "_chat.txt": None, "backup.zip": None, "conversa.txt": None,
    }
    assert {name: chat_name_from_file(name) for name in cases} == cases
    assert phone_digits("+55 11 98765-4321") == "5511987654321"
    assert phone_digits("+1 (555) 010\u20117788") == "15550107788"  # iOS writes a non-breaking hyphen
    assert phone_digits("Ana Souza") is None and phone_digits("1234") is None and phone_digits(None) is None
