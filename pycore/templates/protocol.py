"""Templates and quick replies: saved texts with variables ({{nome}}, {{primeiro_nome}}, the
CRM's custom fields, the stage, today's date), a shortcut for the composer's ``/`` picker, a
category, and an order the user sets.

Rendering. A text is rendered for one contact (``chat``) in the page's locale (``locale``,
``utc_offset_min``): dates, money and numbers are written the page's way. A variable that does
not exist, or has no value for this contact, is a ``problem`` ({code, variable, pt_BR, en}) and
the rendered ``text`` is null: a message with ``{{...}}`` or an empty name is never produced.

Errors. Bad input is an ``invalid_args`` error whose ``details[0]`` holds ``reason`` (a code),
``pt_BR`` and ``en``; a write based on an old ``version`` is a ``conflict`` (``stale_version``).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from pycore.chatkey import ChatKeyStr
from pycore.protocol.base import Command, Event, Model, command, event
from pycore.sending.protocol import TEXT_FIELD

ProblemCode = Literal["unknown", "missing", "malformed"]
VariableKind = Literal["builtin", "field"]
SHORTCUT_MAX = 30
LocaleTag = Annotated[str, Field(default="pt-BR", max_length=35, description="the page's locale, e.g. 'pt-BR', 'en-US'")]
UtcOffset = Annotated[int, Field(default=-180, ge=-14 * 60, le=14 * 60, description="local minus UTC in minutes")]


class RenderProblem(Model):
    code: ProblemCode = Field(description="unknown: no such variable; missing: no value for this contact; malformed: braces")
    variable: str
    pt_BR: str
    en: str


class TemplateNote(Model):
    """Something the user should know about a saved template (it was saved anyway)."""

    reason: str
    variable: str
    pt_BR: str
    en: str


class MessageTemplate(Model):
    id: str
    name: str
    shortcut: str = Field(description="typed after '/' in WhatsApp's composer; letters, digits, - and _")
    category: str
    text: str
    position: int = Field(description="the user's order (0 first)")
    variables: list[str] = Field(description="the variables the text uses, as written")
    notes: list[TemplateNote] = Field(default_factory=list)
    created_at: float
    updated_at: float
    deleted_at: float | None = Field(default=None, description="set while it can still be restored (undo)")
    version: int


class VariableInfo(Model):
    name: str = Field(description="how to write it: {{name}}")
    kind: VariableKind
    label: str = Field(description="the custom field's label (fields), else the name")


class TemplateList(Model):
    templates: list[MessageTemplate] = Field(description="in the user's order; deleted ones are left out")
    categories: list[str] = Field(description="the categories in use, in order of first appearance")
    variables: list[VariableInfo] = Field(description="every variable a text may use now")


@command("templates.list", TemplateList)
class ListTemplates(Command):
    """Every template in the user's order, the categories in use and the variables a text may use."""


@command("templates.save", MessageTemplate, sources={"page"})
class SaveTemplate(Command):
    """Create (``id`` null, ``version`` 0) or change a template. Shortcuts are unique (case and accents
    ignored). A variable that is not a CRM field is saved with a note (a campaign may bring it)."""

    id: str | None = Field(default=None, max_length=64)
    version: int = Field(default=0, ge=0)
    label: str = Field(max_length=80, description="the template's name")
    shortcut: str = Field(default="", max_length=SHORTCUT_MAX + 10)
    category: str = Field(default="", max_length=40)
    text: str = TEXT_FIELD


@command("templates.delete", MessageTemplate, sources={"page"})
class DeleteTemplate(Command):
    """Delete a template; ``templates.restore`` brings it back (undo) for 30 days."""

    id: str = Field(max_length=64)
    version: int = Field(ge=0)


@command("templates.restore", MessageTemplate, sources={"page"})
class RestoreTemplate(Command):
    """Undo a delete: the template comes back at its place, with its shortcut if still free."""

    id: str = Field(max_length=64)


@command("templates.reorder", TemplateList, sources={"page"})
class ReorderTemplates(Command):
    """The new order: every template's id, once each."""

    ids: list[str] = Field(max_length=1000)


class TemplatesFile(Model):
    filename: str
    json_text: str = Field(description="{format: 'mettri-templates', version: 1, templates: [{name, shortcut, category, text}]}")
    count: int


@command("templates.export", TemplatesFile, sources={"page"})
class ExportTemplates(Command):
    """Every template as a JSON file (what templates.import reads)."""


class ImportIssue(Model):
    index: int = Field(description="the item's position in the file (1 first)")
    reason: str
    pt_BR: str
    en: str


class ImportReport(Model):
    added: int
    updated: int
    skipped: int
    rejected: list[ImportIssue]


@command("templates.import", ImportReport, sources={"page"})
class ImportTemplates(Command):
    """Add the templates of an exported file. A template whose shortcut exists is skipped, or with
    ``replace`` overwrites the existing one; a bad item is reported and the others are imported."""

    json_text: str = Field(max_length=4_000_000)
    replace: bool = False


class RenderResult(Model):
    text: str | None = Field(description="null when a problem keeps the text from being complete")
    problems: list[RenderProblem]
    contact: str = Field(description="the contact the text was rendered for (empty without one)")


@command("templates.preview", RenderResult, sources={"page"})
class PreviewTemplate(Command):
    """Render a text (or a saved template by ``id``) for a real contact, as it would go out."""

    text: str | None = Field(default=None, max_length=70_000)
    id: str | None = Field(default=None, max_length=64)
    chat: ChatKeyStr | None = None
    locale: LocaleTag = "pt-BR"
    utc_offset_min: UtcOffset = -180


class PickItem(Model):
    template: MessageTemplate
    text: str | None = Field(description="filled in for the open chat; null with problems")
    problems: list[RenderProblem]


class PickResult(Model):
    items: list[PickItem]
    contact: str


@command("templates.pick", PickResult)
class PickTemplates(Command):
    """The composer's '/' picker: the templates matching what follows the '/' (shortcut first, then
    words of the name, category and text), each filled in for the open chat."""

    query: str = Field(default="", max_length=200)
    chat: ChatKeyStr | None = Field(default=None, description="the open chat (the capture's key), when known")
    locale: LocaleTag = "pt-BR"
    utc_offset_min: UtcOffset = -180
    limit: int = Field(default=8, ge=1, le=50)


@event("templates.changed")
class TemplatesChanged(Event):
    """A template was added, changed, deleted, restored or moved: lists reload."""

    ids: list[str]
