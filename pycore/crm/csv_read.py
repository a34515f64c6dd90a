"""Reading a customer spreadsheet saved as CSV, whatever program saved it.

Encodings: UTF-8 with a BOM (Excel's "CSV UTF-8"), UTF-8 without (Google Sheets, LibreOffice),
UTF-16 with a BOM (Excel's "Unicode text"), and Windows-1252, Excel's plain "CSV" on a Brazilian
Windows (a superset of Latin-1's printable range): a file that is not valid UTF-8 is read as that.
Separators: ';' (Excel in pt-BR, where ',' is the decimal separator), ',' or tab, chosen by which
one splits the first lines into the same number of columns.
"""

from __future__ import annotations

import base64
import binascii
import csv
import io
import re
from dataclasses import dataclass, field

from pycore.crm.roster import norm
from pycore.crm.texts import Invalid

MAX_ROWS = 50_000
MAX_COLUMNS = 200
MAX_CELL = 10_000
SNIFF_LINES = 50
DELIMITERS = (";", ",", "\t", "|")

# Header words (normalised) -> the target they suggest.
HEADERS = {
    "name": ("nome", "name", "cliente", "contato", "contact", "nome completo", "full name", "razao social", "customer"),
    "phone": ("telefone", "phone", "celular", "whatsapp", "fone", "tel", "mobile", "numero", "cel", "phone number",
              "telefone celular", "contato whatsapp", "numero whatsapp"),
    "tags": ("etiquetas", "etiqueta", "tags", "tag", "marcadores", "labels", "label"),
    "stage": ("etapa", "stage", "status", "fase", "estagio"),
    "value": ("valor", "value", "valor r$", "amount", "deal value", "valor do negocio", "value r$"),
    "expected_date": ("data prevista", "expected date", "previsao", "close date", "data de fechamento"),
    "note": ("nota", "notas", "observacao", "observacoes", "obs", "note", "notes", "comments", "comentarios"),
}


@dataclass
class Sheet:
    rows: list[list[str]]
    encoding: str
    delimiter: str
    has_header: bool
    decimal: str
    filename: str = ""
    header: list[str] = field(default_factory=list)


def decode(data: bytes) -> tuple[str, str]:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "cp1252"


def _parse(text: str, delimiter: str, limit: int | None = None) -> list[list[str]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = []
    for row in reader:
        rows.append(row)
        if limit is not None and len(rows) >= limit:
            break
    return rows


def sniff(text: str) -> str:
    """The separator that splits the first lines into the most consistent number of columns (> 1)."""
    best, best_score = ",", -1.0
    head = text[:200_000]
    for d in DELIMITERS:
        try:
            rows = [r for r in _parse(head, d, SNIFF_LINES) if any(c.strip() for c in r)]
        except csv.Error:
            continue
        if not rows:
            continue
        counts = [len(r) for r in rows]
        mode = max(set(counts), key=counts.count)
        if mode < 2:
            continue
        score = counts.count(mode) / len(counts) + mode / 1000
        if score > best_score:
            best, best_score = d, score
    return best


def _unguard(cell: str) -> str:
    """A cell an export protected from running as a formula ("'=…") reads back as written."""
    return cell[1:] if len(cell) > 1 and cell[0] == "'" and cell[1] in "=+-@" else cell


def header_target(cell: str) -> str | None:
    words = re.sub(r"[^a-z0-9 ]", " ", norm(cell))
    words = " ".join(words.split())
    for target, names in HEADERS.items():
        if words in names:
            return target
    # "Etapa (Vendas)", "Valor (R$) (Vendas)": the word before a parenthesis
    head = " ".join(re.sub(r"[^a-z0-9 ]", " ", norm(cell.split("(")[0])).split())
    for target, names in HEADERS.items():
        if head in names:
            return target
    return None


def _looks_like_phone(cell: str) -> bool:
    digits = re.sub(r"\D", "", cell)
    return 10 <= len(digits) <= 15 and re.fullmatch(r"\s*\+?[\d\s().\-/]+\s*", cell) is not None


def _decimal(rows: list[list[str]], delimiter: str) -> str:
    comma = dot = 0
    for row in rows[:500]:
        for cell in row:
            c = cell.strip()
            if re.fullmatch(r"(R\$\s*)?-?\d{1,3}(\.\d{3})*,\d{1,2}|(R\$\s*)?-?\d+,\d{1,2}", c):
                comma += 1
            elif re.fullmatch(r"(R\$\s*)?-?\d{1,3}(,\d{3})*\.\d{1,2}|(R\$\s*)?-?\d+\.\d{1,2}", c):
                dot += 1
    if comma != dot:
        return "comma" if comma > dot else "dot"
    return "comma" if delimiter == ";" else "dot"


def read(data_b64: str, filename: str = "") -> Sheet:
    try:
        data = base64.b64decode(data_b64, validate=True)
    except (binascii.Error, ValueError):
        raise Invalid("bad_base64") from None
    if not data.strip():
        raise Invalid("file_empty")
    text, encoding = decode(data)
    if "\x00" in text:
        raise Invalid("file_not_csv")
    delimiter = sniff(text)
    try:
        rows = _parse(text, delimiter)
    except csv.Error:
        raise Invalid("file_not_csv") from None
    rows = [[_unguard(c.strip()[:MAX_CELL]) for c in r[:MAX_COLUMNS]] for r in rows]
    while rows and not any(rows[-1]):
        rows.pop()
    if not rows:
        raise Invalid("file_empty")
    if len(rows) > MAX_ROWS + 1:
        raise Invalid("file_too_big", limit=MAX_ROWS)
    first = rows[0]
    named = sum(1 for c in first if header_target(c))
    phones_first = any(_looks_like_phone(c) for c in first)
    phones_next = len(rows) > 1 and any(_looks_like_phone(c) for c in rows[1])
    has_header = named > 0 or (not phones_first and phones_next)
    return Sheet(rows=rows, encoding=encoding, delimiter=delimiter, has_header=has_header,
                 decimal=_decimal(rows, delimiter), filename=filename, header=first if has_header else [])
