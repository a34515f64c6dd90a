"""Exporting records as a CSV spreadsheet that Excel and Google Sheets open as they are, and that
``crm.import`` reads back unchanged (the round trip changes nothing).

pt-BR: ';' separated with a UTF-8 BOM (Excel in Brazil reads ',' as the decimal separator),
amounts as 1234,56 and dates as dd/mm/aaaa. English: ',' separated, 1234.56, yyyy-mm-dd.
One stage / value / expected-date column per pipeline and one column per custom field.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

from pycore.crm import phone as phones
from pycore.crm import views
from pycore.crm.protocol import CrmExportFile
from pycore.crm.roster import Roster
from pycore.crm.texts import HEADERS
from pycore.crm.values import format_cents, format_value


def _when(ts: float | None, lang: str, utc_offset_min: int) -> str:
    if ts is None:
        return ""
    t = dt.datetime.fromtimestamp(ts, dt.timezone(dt.timedelta(minutes=utc_offset_min)))
    return t.strftime("%d/%m/%Y %H:%M" if lang == "pt_BR" else "%Y-%m-%d %H:%M")


def export(r: Roster, keys: list[str], lang: str, now: float, utc_offset_min: int = -180) -> CrmExportFile:
    i = 0 if lang == "pt_BR" else 1
    pipelines = views.ordered(r.pipelines)
    fields = views.ordered(r.fields)
    header = [HEADERS["name"][i], HEADERS["phone"][i], HEADERS["chat"][i], HEADERS["tags"][i]]
    for p in pipelines:
        name = getattr(views.pipeline(p).label, "pt_BR" if i == 0 else "en")
        header += [f"{HEADERS['stage'][i]} ({name})", f"{HEADERS['value'][i]} ({name})", f"{HEADERS['expected'][i]} ({name})"]
    header += [f["label"] for f in fields]
    header += [HEADERS["last_activity"][i], HEADERS["created"][i]]
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=";" if lang == "pt_BR" else ",", lineterminator="\r\n")
    writer.writerow(header)
    for key in keys:
        rec = r.records[key]
        ph = phones.of_chat(key)
        row = [r.name_of(key, rec), ph.e164 if ph else "", key,
               ", ".join(r.tags[t]["name"] for t in rec["tags"] if t in r.tags)]
        for p in pipelines:
            deal = rec["deals"].get(p["id"])
            if deal is None:
                row += ["", "", ""]
                continue
            found = r.stage(deal["stage"])
            stage = getattr(views.stage(found[1]).label, "pt_BR" if i == 0 else "en") if found else deal["stage"]
            cents = deal.get("value_cents")
            row += [stage, format_cents(cents, lang) if cents is not None else "",
                    format_value("date", deal.get("expected_date"), lang)]
        for f in fields:
            options = {o["id"]: o["label"] for o in f.get("options", [])}
            row.append(format_value(f["type"], rec["fields"].get(f["id"]), lang, options))
        last = r.activity_of(key)[1]
        row += [_when(last["last_ts"] if last else None, lang, utc_offset_min), _when(rec["created_at"], lang, utc_offset_min)]
        writer.writerow([_safe(c) for c in row])
    stamp = dt.datetime.fromtimestamp(now, dt.timezone.utc).strftime("%Y-%m-%d")
    text = ("\ufeff" if lang == "pt_BR" else "") + out.getvalue()
    return CrmExportFile(filename=f"mettri-contatos-{stamp}.csv" if i == 0 else f"mettri-contacts-{stamp}.csv",
                         text=text, rows=len(keys))


def _safe(cell: str) -> str:
    """A cell a spreadsheet would run as a formula ('=', '+', '-', '@' first) gets a leading quote,
    except numbers and E.164 phones, which read back as they are."""
    if cell and cell[0] in "=+-@\t\r" and not _numeric(cell):
        return "'" + cell
    return cell


def _numeric(cell: str) -> bool:
    body = cell[1:] if cell[0] in "+-" else cell
    return body.replace(",", "").replace(".", "").isdigit()
