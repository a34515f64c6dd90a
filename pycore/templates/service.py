"""Templates: kept in ``meta`` (``template:<id>``, a few hundred at most), loaded once and
changed only after a write succeeded. Every text is rendered by pycore/templates/render.py with
the contact's variables (variables.py); campaigns and suggestions render through here too.
"""

from __future__ import annotations

import asyncio
import json
import random
import re
from typing import Any, Callable

from pycore.clock import Clock
from pycore.ids import sortable_id
from pycore.protocol.base import CoreError
from pycore.storage.base import Range, Storage, WriteOp
from pycore.templates import matching
from pycore.templates.ports import ContactCards
from pycore.templates.protocol import (
    SHORTCUT_MAX,
    ImportIssue,
    ImportReport,
    MessageTemplate,
    PickItem,
    PickResult,
    RenderProblem,
    RenderResult,
    TemplateList,
    TemplateNote,
    TemplatesChanged,
    TemplatesFile,
    VariableInfo,
)
from pycore.templates.render import Rendered, Variables, malformed, names_in, render, var_key
from pycore.templates.texts import fail, texts
from pycore.templates.variables import BUILTINS, Locale, for_contact, known_names

PREFIX = "template:"
MAX_TEMPLATES = 1000
KEEP_DELETED_S = 30 * 86400
SHORTCUT = re.compile(r"^[^\W][\w-]*$")
FILE_FORMAT = "mettri-templates"


def _key(template_id: str) -> str:
    return PREFIX + template_id


class Templates:
    def __init__(self, storage: Storage, clock: Clock, rng: random.Random, emit: Callable, *, cards: ContactCards) -> None:
        self.storage = storage
        self.clock = clock
        self.rng = rng
        self.emit = emit
        self.cards = cards
        self.lock = asyncio.Lock()
        self._docs: dict[str, dict[str, Any]] | None = None

    # -- storage ------------------------------------------------------------------------------
    async def _load(self) -> dict[str, dict[str, Any]]:
        if self._docs is None:
            rows = await self.storage.query("meta", range=Range(lower=PREFIX, upper=PREFIX + "\uffff"))
            self._docs = {r["value"]["id"]: r["value"] for r in rows}
        return self._docs

    async def _write(self, docs: list[dict[str, Any]], drop: list[str] = ()) -> None:
        ops = [WriteOp(op="put", store="meta", record={"key": _key(d["id"]), "value": d}) for d in docs]
        ops += [WriteOp(op="delete", store="meta", key=_key(i)) for i in drop]
        await self.storage.apply(ops)
        cache = await self._load()
        for d in docs:
            cache[d["id"]] = d
        for i in drop:
            cache.pop(i, None)
        self.emit(TemplatesChanged(ids=[d["id"] for d in docs] + list(drop)))

    async def live(self) -> list[dict[str, Any]]:
        """The templates not deleted, in the user's order."""
        return sorted((d for d in (await self._load()).values() if d.get("deleted_at") is None),
                      key=lambda d: (d["position"], d["created_at"]))

    def _view(self, d: dict[str, Any], known: dict[str, str]) -> MessageTemplate:
        notes = [
            TemplateNote(reason="var_not_in_crm", variable=n, **texts("var_not_in_crm", var=n))
            for n in names_in(d["text"]) if var_key(n) and var_key(n) not in known
        ]
        return MessageTemplate(**d, variables=names_in(d["text"]), notes=notes)

    async def _known(self) -> dict[str, str]:
        return known_names(await self.cards.defs())

    # -- reading ------------------------------------------------------------------------------
    async def list(self) -> TemplateList:
        await self._purge()
        defs = await self.cards.defs()
        known = known_names(defs)
        docs = await self.live()
        categories = list(dict.fromkeys(d["category"] for d in docs if d["category"]))
        variables = [VariableInfo(name=spellings[0], kind="builtin", label=spellings[0]) for spellings in BUILTINS.values()]
        variables += [VariableInfo(name=var_key(f.label), kind="field", label=f.label) for f in defs.fields]
        return TemplateList(templates=[self._view(d, known) for d in docs], categories=categories, variables=variables)

    async def get(self, template_id: str) -> MessageTemplate:
        d = (await self._load()).get(template_id)
        if d is None or d.get("deleted_at") is not None:
            raise fail("not_found", "not_found")
        return self._view(d, await self._known())

    async def _purge(self) -> None:
        """Deleted templates past their undo time are gone for good."""
        limit = self.clock.now() - KEEP_DELETED_S
        old = [i for i, d in (await self._load()).items() if d.get("deleted_at") is not None and d["deleted_at"] < limit]
        if old:
            async with self.lock:
                await self._write([], old)

    # -- writing ------------------------------------------------------------------------------
    def _clean(self, name: str, shortcut: str, category: str, text: str) -> tuple[str, str, str, str]:
        name = " ".join(name.split())
        category = " ".join(category.split())
        shortcut = shortcut.strip().lstrip("/")
        if not name:
            raise fail("invalid_args", "name_empty")
        if not text.strip():
            raise fail("invalid_args", "text_empty")
        if shortcut and (len(shortcut) > SHORTCUT_MAX or not SHORTCUT.match(shortcut)):
            raise fail("invalid_args", "shortcut_chars", limit=SHORTCUT_MAX)
        bad = malformed(text)
        if bad:
            problems = [RenderProblem(**p.as_dict()).model_dump() for p in bad]
            raise CoreError("invalid_args", bad[0].en, [{"reason": "var_malformed", "pt_BR": bad[0].pt_BR, "en": bad[0].en,
                                                         "problems": problems}])
        return name, shortcut, category, text

    def _taken(self, docs: list[dict[str, Any]], shortcut: str, own_id: str | None) -> dict[str, Any] | None:
        key = matching.shortcut_key(shortcut)
        if not key:
            return None
        return next((d for d in docs if d["id"] != own_id and matching.shortcut_key(d["shortcut"]) == key), None)

    async def save(self, template_id: str | None, version: int, name: str, shortcut: str, category: str,
                   text: str) -> MessageTemplate:
        name, shortcut, category, text = self._clean(name, shortcut, category, text)
        async with self.lock:
            docs = await self.live()
            now = self.clock.now()
            if template_id is None:
                if len(docs) >= MAX_TEMPLATES:
                    raise fail("invalid_args", "too_many", limit=MAX_TEMPLATES)
                doc = {"id": sortable_id(now, self.rng), "position": len(docs), "created_at": now, "version": 0,
                       "deleted_at": None}
            else:
                old = (await self._load()).get(template_id)
                if old is None or old.get("deleted_at") is not None:
                    raise fail("not_found", "not_found")
                if old["version"] != version:
                    raise fail("conflict", "stale_version", current=self._view(old, await self._known()).model_dump())
                doc = dict(old)
            other = self._taken(docs, shortcut, doc["id"])
            if other is not None:
                raise fail("invalid_args", "duplicate_shortcut", shortcut=shortcut, name=other["name"])
            doc.update(name=name, shortcut=shortcut, category=category, text=text, updated_at=now,
                       version=doc["version"] + 1)
            await self._write([doc])
        return self._view(doc, await self._known())

    async def delete(self, template_id: str, version: int) -> MessageTemplate:
        async with self.lock:
            doc = (await self._load()).get(template_id)
            if doc is None or doc.get("deleted_at") is not None:
                raise fail("not_found", "not_found")
            if doc["version"] != version:
                raise fail("conflict", "stale_version", current=self._view(doc, await self._known()).model_dump())
            now = self.clock.now()
            doc = {**doc, "deleted_at": now, "updated_at": now, "version": doc["version"] + 1}
            await self._write([doc])
        return self._view(doc, await self._known())

    async def restore(self, template_id: str) -> MessageTemplate:
        async with self.lock:
            doc = (await self._load()).get(template_id)
            if doc is None:
                raise fail("not_found", "not_found")
            if doc.get("deleted_at") is None:
                return self._view(doc, await self._known())
            docs = await self.live()
            shortcut = doc["shortcut"] if self._taken(docs, doc["shortcut"], doc["id"]) is None else ""
            doc = {**doc, "deleted_at": None, "shortcut": shortcut, "updated_at": self.clock.now(),
                   "version": doc["version"] + 1}
            # Back at its place: the others keep their relative order around it.
            order = list(docs)
            order.insert(min(doc["position"], len(order)), doc)
            changed = [{**d, "position": i} for i, d in enumerate(order)]
            await self._write(changed)
            doc = next(c for c in changed if c["id"] == template_id)
        return self._view(doc, await self._known())

    async def reorder(self, ids: list[str]) -> TemplateList:
        async with self.lock:
            docs = await self.live()
            if sorted(ids) != sorted(d["id"] for d in docs) or len(set(ids)) != len(ids):
                raise fail("conflict", "reorder_mismatch")
            by_id = {d["id"]: d for d in docs}
            moved = [{**by_id[i], "position": n} for n, i in enumerate(ids) if by_id[i]["position"] != n]
            if moved:
                await self._write(moved)
        return await self.list()

    # -- files --------------------------------------------------------------------------------
    async def export(self) -> TemplatesFile:
        docs = await self.live()
        items = [{"name": d["name"], "shortcut": d["shortcut"], "category": d["category"], "text": d["text"]} for d in docs]
        body = json.dumps({"format": FILE_FORMAT, "version": 1, "templates": items}, ensure_ascii=False, indent=2)
        return TemplatesFile(filename="mettri-modelos.json", json_text=body, count=len(items))

    async def import_file(self, json_text: str, replace: bool) -> ImportReport:
        try:
            data = json.loads(json_text)
        except ValueError as exc:
            raise fail("invalid_args", "import_not_json", detail=str(exc)[:120]) from None
        items = data.get("templates") if isinstance(data, dict) else data if isinstance(data, list) else None
        if not isinstance(items, list):
            raise fail("invalid_args", "import_not_templates")
        added = updated = skipped = 0
        rejected: list[ImportIssue] = []
        for index, item in enumerate(items, start=1):
            try:
                if not isinstance(item, dict):
                    raise fail("invalid_args", "text_empty")
                fields = {k: item.get(k) or "" for k in ("name", "shortcut", "category", "text")}
                if not all(isinstance(v, str) for v in fields.values()):
                    raise fail("invalid_args", "text_empty")
                name, shortcut, category, text = self._clean(fields["name"][:80], fields["shortcut"], fields["category"][:40],
                                                             fields["text"][:65_536])
                existing = self._taken(await self.live(), shortcut, None)
                if existing is None:
                    await self.save(None, 0, name, shortcut, category, text)
                    added += 1
                elif replace:
                    await self.save(existing["id"], existing["version"], name, shortcut, category, text)
                    updated += 1
                else:
                    skipped += 1
                    rejected.append(ImportIssue(index=index, reason="import_shortcut_taken",
                                                **texts("import_shortcut_taken", index=index, shortcut=shortcut)))
            except CoreError as exc:
                d = exc.details[0] if exc.details else {"reason": exc.code, "pt_BR": exc.message, "en": exc.message}
                issue = texts("import_item_invalid", index=index, detail=(d.get("pt_BR", ""), d.get("en", "")))
                rejected.append(ImportIssue(index=index, reason=d.get("reason", exc.code), **issue))
        return ImportReport(added=added, updated=updated, skipped=skipped, rejected=rejected)

    # -- rendering ----------------------------------------------------------------------------
    async def variables(self, chat: str | None, locale: Locale) -> Variables:
        defs = await self.cards.defs()
        card = await self.cards.card(chat) if chat else None
        return for_contact(card, defs, locale, self.clock.now())

    async def render(self, text: str, chat: str | None, locale: Locale, extra: dict[str, str] | None = None) -> Rendered:
        """The one renderer's entry for every feature: ``text`` for the contact of ``chat``; ``extra``
        (a campaign's columns) wins over the contact's values."""
        return render(text, (await self.variables(chat, locale)).with_extra(extra or {}))

    @staticmethod
    def result(r: Rendered, contact: str) -> RenderResult:
        return RenderResult(text=r.text, problems=[RenderProblem(**p.as_dict()) for p in r.problems], contact=contact)

    async def preview(self, text: str | None, template_id: str | None, chat: str | None, locale: Locale) -> RenderResult:
        if text is None:
            if template_id is None:
                raise fail("invalid_args", "no_template")
            text = (await self.get(template_id)).text
        variables = await self.variables(chat, locale)
        return self.result(render(text, variables), variables.who)

    async def pick(self, query: str, chat: str | None, locale: Locale, limit: int) -> PickResult:
        known = await self._known()
        chosen = matching.pick([self._view(d, known) for d in await self.live()], query, limit)
        variables = await self.variables(chat, locale)
        items = []
        for t in chosen:
            r = render(t.text, variables)
            items.append(PickItem(template=t, text=r.text, problems=[RenderProblem(**p.as_dict()) for p in r.problems]))
        return PickResult(items=items, contact=variables.who)

    async def all(self) -> list[MessageTemplate]:
        known = await self._known()
        return [self._view(d, known) for d in await self.live()]
