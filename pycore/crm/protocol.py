"""The CRM: a record per person (or group chat) with tags, notes, deals in pipelines, custom
fields and reminders; its timeline; lists and boards; CSV import and export.

Identity. A record is keyed by the person's canonical chat key: the contact a LID or a second
number was merged into (``contacts.merge``), and the same record for a Brazilian mobile written
with or without its ninth digit (pycore/crm/phone.py). Every command that names a ``chat`` accepts
any of the person's keys; replies carry ``key``, the record's own.

Versions. Every write to a record or a definition carries ``version``, the version it was
based on (0 for a record that does not exist yet). When it is not the current one the reply
is an error with code ``conflict`` and ``details[0]`` = ``{reason: "stale_version", pt_BR, en,
current}``: ``current`` is the record (a ``CrmRow``) or the definition as it is now; the page
reloads it and re-applies the user's change. Adding a note or a reminder needs no version
(it cannot overwrite anything); editing or deleting one carries that note's/reminder's version.

Errors. Bad input is an ``invalid_args`` error whose ``details[0]`` holds ``reason`` (a code),
``pt_BR`` and ``en`` (the text to show) and, for a field value, ``field`` (its id).

Texts. Labels the core makes (default pipeline and stages, timeline summaries, import
reasons) come as ``CrmLabel`` ``{pt_BR, en}``; user-written names come as they were written.
Money is BRL in integer cents; dates are ``YYYY-MM-DD``; times are epoch seconds.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from pycore.chatkey import ChatKeyStr
from pycore.protocol.base import Command, Event, Model, command, event

FieldType = Literal["text", "number", "money", "date", "choice", "email", "phone"]
StageOutcome = Literal["open", "won", "lost"]
Lang = Literal["pt_BR", "en"]
TimelineKind = Literal[
    "first_message", "last_message", "note", "reminder", "reminder_done", "stage", "deal_opened", "deal_removed",
    "send", "import", "history_import", "merge", "split", "kept_aside",
]
SortKey = Literal["name", "last_activity", "created", "updated", "value", "stage", "expected_date", "next_due"]
ReminderScope = Literal["today", "overdue", "open", "done"]
BulkAction = Literal["tag", "untag", "move_stage"]
ImportTarget = Literal["name", "phone", "tags", "stage", "value", "expected_date", "note", "field", "ignore"]
ImportOutcome = Literal["created", "updated", "unchanged", "rejected"]
FieldOp = Literal["eq", "contains", "gte", "lte", "empty", "not_empty"]

Value = str | int | float | None  # a custom field's value (see pycore/crm/values.py for each type's form)
TAGS_MAX = 50
NOTE_MAX = 10_000
REMINDER_MAX = 500
NAME_MAX = 120
PAGE_MAX = 200
IMPORT_MAX_BYTES = 16_000_000  # base64 characters
Id = Field(min_length=1, max_length=64)


class CrmLabel(Model):
    """A text in both languages: pick the page's."""

    pt_BR: str
    en: str


# -- definitions ---------------------------------------------------------------------------------
class CrmTag(Model):
    id: str
    name: str
    color: str = Field(description="#RRGGBB")
    version: int


class CrmStage(Model):
    id: str
    name: str | None = Field(description="the user's name; None for a default stage never renamed")
    code: str | None = Field(description="the default stage's code (new, talking, proposal, won, lost), else None")
    label: CrmLabel = Field(description="what to show: the user's name in both languages, or the default's labels")
    outcome: StageOutcome = Field(description="open, or a final stage: won / lost (board totals count open deals)")


class CrmPipeline(Model):
    id: str
    name: str | None
    label: CrmLabel
    stages: list[CrmStage]
    version: int


class CrmOption(Model):
    id: str
    label: str


class CrmField(Model):
    id: str
    label: str
    type: FieldType
    options: list[CrmOption] = Field(description="choice fields only")
    version: int


class CrmSettings(Model):
    waiting_minutes: int = Field(description="a chat whose last message is incoming and this old is 'waiting'")
    default_pipeline: str
    version: int


class CrmDefs(Model):
    tags: list[CrmTag]
    pipelines: list[CrmPipeline]
    fields: list[CrmField]
    settings: CrmSettings


@command("crm.defs", CrmDefs, sources={"page", "content"})
class GetDefs(Command):
    """Tags, pipelines (with their stages in order), custom fields and settings."""


@command("crm.tag.create", CrmTag, sources={"page"})
class CreateTag(Command):
    """A new tag. Names are unique (case and accents ignored) and cannot hold ',' ';' or '|' (they
    separate tags in a spreadsheet's cell)."""

    label: str = Field(min_length=1, max_length=40, description="the tag's name")
    color: str = Field(default="#607d8b", max_length=7)


@command("crm.tag.update", CrmTag, sources={"page"})
class UpdateTag(Command):
    """Rename or recolour a tag: every record that has it shows the new name."""

    id: str = Id
    version: int = Field(ge=0)
    label: str | None = Field(default=None, min_length=1, max_length=40, description="the new name")
    color: str | None = Field(default=None, max_length=7)


class CrmCount(Model):
    changed: int = Field(description="records that changed")


@command("crm.tag.delete", CrmCount, sources={"page"})
class DeleteTag(Command):
    """Delete a tag and take it off every record."""

    id: str = Id
    version: int = Field(ge=0)


class StageInput(Model):
    id: str | None = Field(default=None, max_length=64, description="an existing stage's id; None for a new stage")
    name: str | None = Field(default=None, max_length=60, description="None keeps a default stage's labels")
    outcome: StageOutcome = "open"


@command("crm.pipeline.create", CrmPipeline, sources={"page"})
class CreatePipeline(Command):
    """A new pipeline; without stages it gets the five default ones (as new stages)."""

    label: str = Field(min_length=1, max_length=60, description="the pipeline's name")
    stages: list[StageInput] | None = Field(default=None, max_length=30)


@command("crm.pipeline.update", CrmPipeline, sources={"page"})
class UpdatePipeline(Command):
    """Rename a pipeline, and rename, reorder, add or delete its stages (``stages``: the full new list,
    in order). A deleted stage that still has deals is refused (``stage_in_use``) unless ``move_deals``
    maps it to a stage that stays; each moved deal is a stage change in its record's timeline."""

    id: str = Id
    version: int = Field(ge=0)
    label: str | None = Field(default=None, min_length=1, max_length=60, description="the new name")
    stages: list[StageInput] | None = Field(default=None, min_length=1, max_length=30)
    move_deals: dict[str, str] = Field(default_factory=dict, description="deleted stage id -> stage id")


@command("crm.pipeline.delete", CrmCount, sources={"page"})
class DeletePipeline(Command):
    """Delete a pipeline that has no deals (``pipeline_in_use`` otherwise); one must remain."""

    id: str = Id
    version: int = Field(ge=0)


class OptionInput(Model):
    id: str | None = Field(default=None, max_length=64)
    label: str = Field(min_length=1, max_length=60)


@command("crm.field.create", CrmField, sources={"page"})
class CreateField(Command):
    """A custom field. Its type is fixed once created."""

    label: str = Field(min_length=1, max_length=60)
    type: FieldType
    options: list[OptionInput] = Field(default_factory=list, max_length=100)


@command("crm.field.update", CrmField, sources={"page"})
class UpdateField(Command):
    """Rename a field or change a choice field's options (an option in use cannot be removed)."""

    id: str = Id
    version: int = Field(ge=0)
    label: str | None = Field(default=None, min_length=1, max_length=60)
    options: list[OptionInput] | None = Field(default=None, max_length=100)


@command("crm.field.delete", CrmCount, sources={"page"})
class DeleteField(Command):
    """Delete a field. When records have a value for it, ``drop_values`` must be true (``field_in_use``)."""

    id: str = Id
    version: int = Field(ge=0)
    drop_values: bool = False


@command("crm.settings.set", CrmSettings, sources={"page"})
class SetSettings(Command):
    """The "waiting for an answer" delay in minutes, and the pipeline used when none is named."""

    version: int = Field(ge=0)
    waiting_minutes: int | None = Field(default=None, ge=1, le=10_080)
    default_pipeline: str | None = Field(default=None, max_length=64)


# -- records -------------------------------------------------------------------------------------
class CrmDeal(Model):
    pipeline: str
    stage: str
    value_cents: int | None
    expected_date: str | None
    stage_since: float
    created_at: float
    updated_at: float


class CrmRow(Model):
    """A record as lists, boards and write replies show it."""

    key: str = Field(description="the record's chat key (canonical)")
    exists: bool = Field(description="false: nobody wrote anything for this person yet (version 0)")
    name: str = Field(description="the user's name for the person, else the chat's title, else the number")
    phone: str | None = Field(description="E.164, people only")
    phone_display: str | None
    is_group: bool
    tags: list[str] = Field(description="tag ids, in the order they were added")
    fields: dict[str, Value] = Field(description="field id -> value")
    deals: list[CrmDeal]
    note_count: int
    last_activity: float | None = Field(description="the newest message in any of the person's chats")
    last_direction: Literal["in", "out"] | None
    waiting: bool = Field(description="the last message is incoming and older than the waiting setting")
    waiting_since: float | None
    overdue: int = Field(description="open reminders past their time")
    next_due: float | None = Field(description="the earliest open reminder")
    created_at: float | None
    updated_at: float | None
    version: int
    seq: int | None = Field(default=None, description="on the reply to a write: that write's crm.changed seq (a "
                                                      "card that drew every change before it has drawn this one too)")


class CrmNote(Model):
    id: str
    key: str = Field(description="the record")
    text: str = Field(description="plain text: render as text")
    created_at: float
    updated_at: float
    deleted: bool
    version: int


class CrmReminder(Model):
    id: str
    key: str
    name: str = Field(description="the record's name")
    text: str
    due_at: float
    due_in: float = Field(description="seconds from now by the core's clock (negative: overdue)")
    overdue: bool
    done: bool
    done_at: float | None
    snoozed: int = Field(description="how many times it was snoozed")
    notified_at: float | None = Field(description="when the UI said it showed the notification")
    created_at: float
    version: int


class CrmActivity(Model):
    first_at: float | None
    first_direction: Literal["in", "out"] | None
    last_at: float | None
    last_direction: Literal["in", "out"] | None
    last_preview: str | None
    waiting: bool
    waiting_since: float | None


class CrmCard(Model):
    """Everything the side panel's card shows for the open chat."""

    chat: str = Field(description="the chat asked for")
    chats: list[str] = Field(description="every chat key of this person (merged contacts, both forms of a number)")
    row: CrmRow
    notes: list[CrmNote] = Field(description="newest first")
    notes_cursor: str | None = Field(description="for crm.notes.list: older notes")
    reminders: list[CrmReminder] = Field(description="open ones, earliest first")
    activity: CrmActivity
    seq: int = Field(description="the CRM's change number when this card was read: a crm.changed with a seq "
                                 "at or below it is already drawn here")


@command("crm.card", CrmCard, sources={"page", "content"})
class GetCard(Command):
    """The card of a chat. ``chat`` may be any of the person's keys (a LID merged into their number
    with contacts.merge, the number with or without its ninth digit): the reply's ``row.key`` is the
    record's own key and ``chats`` lists every key. A chat without a record gets an empty card
    (``row.exists`` false, ``row.version`` 0); the first write creates the record. Labels the core
    makes come as {pt_BR, en}; money is integer cents (BRL); times are epoch seconds."""

    chat: ChatKeyStr
    notes: int = Field(default=20, ge=0, le=100)


@command("crm.record.update", CrmRow, sources={"page"})
class UpdateRecord(Command):
    """Every record write carries ``version``, the version the page based it on (0: no record yet).
    A stale one is refused: error ``conflict``, ``details[0]`` = {reason: "stale_version", pt_BR, en,
    current}, ``current`` being the record as it is now (a CrmRow): reload and re-apply. Bad input is
    ``invalid_args`` with ``details[0]`` = {reason, pt_BR, en, field?}: show the page's language.

    Change the person's name (``person_name``), tags or custom field values. ``tags`` replaces the set; ``add_tags`` /
    ``remove_tags`` change it; ``fields`` sets each given field (``None`` or "" clears it; text is
    parsed in ``lang``: "1.234,56" in pt-BR). Creates the record when it does not exist (version 0)."""

    chat: ChatKeyStr
    version: int = Field(ge=0)
    person_name: str | None = Field(default=None, max_length=NAME_MAX, description='"" clears the name')
    tags: list[str] | None = Field(default=None, max_length=TAGS_MAX)
    add_tags: list[str] = Field(default_factory=list, max_length=TAGS_MAX)
    remove_tags: list[str] = Field(default_factory=list, max_length=TAGS_MAX)
    fields: dict[str, Value] = Field(default_factory=dict, max_length=200)
    lang: Lang = "pt_BR"


@command("crm.deal.set", CrmRow, sources={"page"})
class SetDeal(Command):
    """Open or change the person's deal in a pipeline: stage, value, expected date. A new deal without
    ``stage`` starts in the first stage. Each stage change goes to the timeline. ``value``: cents (an
    integer) or typed text ("R$ 1.234,56"), "" clears; ``expected_date``: "YYYY-MM-DD" or as typed
    in ``lang``, "" clears."""

    chat: ChatKeyStr
    version: int = Field(ge=0)
    pipeline: str | None = Field(default=None, max_length=64, description="default: the settings' default pipeline")
    stage: str | None = Field(default=None, max_length=64)
    value: int | str | None = Field(default=None, description="None: unchanged")
    expected_date: str | None = Field(default=None, max_length=40, description="None: unchanged")
    lang: Lang = "pt_BR"


@command("crm.deal.remove", CrmRow, sources={"page"})
class RemoveDeal(Command):
    """Remove the person's deal from a pipeline (a line in the timeline says where it was)."""

    chat: ChatKeyStr
    version: int = Field(ge=0)
    pipeline: str = Id


class CrmErased(Model):
    records: int
    notes: int
    reminders: int
    events: int


@command("crm.record.erase", CrmErased, sources={"page"})
class EraseRecord(Command):
    """Delete everything the CRM keeps about a person (record, notes, reminders, timeline entries)."""

    chat: ChatKeyStr
    version: int = Field(ge=0)


# -- notes ---------------------------------------------------------------------------------------
@command("crm.note.add", CrmNote, sources={"page"})
class AddNote(Command):
    """Add a note (plain text: render it as text). No version: adding overwrites nothing; the record is
    created if needed (version 0) and its version does not change."""

    chat: ChatKeyStr
    text: str = Field(max_length=NOTE_MAX * 2, description=f"plain text, at most {NOTE_MAX} characters after trimming")


@command("crm.note.edit", CrmNote, sources={"page"})
class EditNote(Command):
    """Change a note's text; ``version`` is the note's (a stale one: conflict with the current note)."""

    id: str = Id
    version: int = Field(ge=0)
    text: str = Field(max_length=NOTE_MAX * 2)


@command("crm.note.delete", CrmNote, sources={"page"})
class DeleteNote(Command):
    """Delete a note; ``crm.note.restore`` undoes it (deleted notes are kept 30 days)."""

    id: str = Id
    version: int = Field(ge=0)


@command("crm.note.restore", CrmNote, sources={"page"})
class RestoreNote(Command):
    id: str = Id


class CrmNoteList(Model):
    notes: list[CrmNote]
    next_cursor: str | None


@command("crm.notes.list", CrmNoteList, sources={"page"})
class ListNotes(Command):
    """A person's notes, newest first, paged by cursor."""

    chat: ChatKeyStr
    cursor: str | None = Field(default=None, max_length=200)
    limit: int = Field(default=20, ge=1, le=100)


# -- reminders -----------------------------------------------------------------------------------
@command("crm.reminder.add", CrmReminder, sources={"page"})
class AddReminder(Command):
    """A follow-up for a person at ``due_at`` (a past time is overdue at once). No version needed."""

    chat: ChatKeyStr
    due_at: float = Field(ge=0, le=1e11, description="epoch seconds")
    text: str = Field(max_length=REMINDER_MAX * 2)


@command("crm.reminder.update", CrmReminder, sources={"page"})
class UpdateReminder(Command):
    """Change a reminder's text or time (a new time will be notified again)."""

    id: str = Id
    version: int = Field(ge=0)
    due_at: float | None = Field(default=None, ge=0, le=1e11)
    text: str | None = Field(default=None, max_length=REMINDER_MAX * 2)


@command("crm.reminder.done", CrmReminder, sources={"page"})
class ReminderDone(Command):
    """Mark a reminder done (or open again with ``done`` false)."""

    id: str = Id
    version: int = Field(ge=0)
    done: bool = True


@command("crm.reminder.snooze", CrmReminder, sources={"page"})
class SnoozeReminder(Command):
    """Move a reminder later: ``minutes`` from now, or to ``until``. It will be notified again."""

    id: str = Id
    version: int = Field(ge=0)
    minutes: int | None = Field(default=None, ge=1, le=525_600)
    until: float | None = Field(default=None, ge=0, le=1e11)


@command("crm.reminder.delete", CrmCount, sources={"page"})
class DeleteReminder(Command):
    """Delete a reminder (no undo: mark it done to keep it)."""

    id: str = Id
    version: int = Field(ge=0)


class CrmReminderList(Model):
    reminders: list[CrmReminder]
    total: int


@command("crm.reminders.list", CrmReminderList, sources={"page"})
class ListReminders(Command):
    """Reminders by due time. ``today``: open ones due before the end of the local day, overdue
    included; ``overdue``: open and past; ``open``: every open one (rebuild alarms from this at start);
    ``done``: done ones, newest first. ``chat``: one person only."""

    scope: ReminderScope = "today"
    chat: ChatKeyStr | None = None
    utc_offset_min: int = Field(default=-180, ge=-14 * 60, le=14 * 60, description="the page's -getTimezoneOffset()")
    limit: int = Field(default=100, ge=1, le=1000)
    offset: int = Field(default=0, ge=0)


class CrmDue(Model):
    due: list[CrmReminder] = Field(description="open, due by now and not notified yet, earliest first")
    next_due_at: float | None = Field(description="the next open reminder after now: when to ask again")
    next_due_in: float | None = Field(description="seconds from now to next_due_at by the core's clock: what an alarm waits "
                                      "(the page's clock may differ from the core's)")


@command("crm.reminders.due", CrmDue, sources={"page"})
class DueReminders(Command):
    """What came due and was not notified yet, in order — also what came due while the browser was
    closed (nothing is dropped: a reminder stays here until ``crm.reminders.notified`` or done)."""


@command("crm.reminders.notified", CrmCount, sources={"page"})
class RemindersNotified(Command):
    """The UI showed these reminders' notifications."""

    ids: list[str] = Field(min_length=1, max_length=500)


# -- timeline ------------------------------------------------------------------------------------
class CrmTimelineItem(Model):
    id: str
    kind: TimelineKind
    ts: float
    summary: CrmLabel = Field(description="one line for the user, both languages")
    text: str | None = Field(description="a message preview, a note's or reminder's text: render as text")
    ref: str | None = Field(description="the note, reminder, outbox entry or message this item is about")
    chat: str | None = Field(description="the chat a message or send belongs to")
    due_at: float | None = Field(description="a reminder's due time")


class CrmTimeline(Model):
    items: list[CrmTimelineItem] = Field(description="newest first")
    next_cursor: str | None


@command("crm.timeline", CrmTimeline, sources={"page"})
class GetTimeline(Command):
    """A person's history merged in time order, newest first: first and last message, notes, stage
    changes, reminders, sends through the gate, imports, merges."""

    chat: ChatKeyStr
    cursor: str | None = Field(default=None, max_length=200)
    limit: int = Field(default=30, ge=1, le=PAGE_MAX)


# -- lists, boards, bulk ---------------------------------------------------------------------------
class FieldFilter(Model):
    field: str = Id
    op: FieldOp = "eq"
    value: Value = None


class CrmFilters(Model):
    q: str | None = Field(default=None, max_length=200, description="name, number, tag names, field values")
    tags: list[str] = Field(default_factory=list, max_length=TAGS_MAX, description="records with every one of these")
    any_tags: list[str] = Field(default_factory=list, max_length=TAGS_MAX, description="records with at least one")
    untagged: bool = False
    pipeline: str | None = Field(default=None, max_length=64, description="stages and deal sorts refer to it")
    stages: list[str] = Field(default_factory=list, max_length=30, description="records with a deal in one of these")
    fields: list[FieldFilter] = Field(default_factory=list, max_length=20)
    active_since: float | None = Field(default=None, description="last activity at or after")
    active_before: float | None = Field(default=None, description="last activity before (or none at all)")
    waiting: bool | None = None
    overdue: bool | None = None
    kind: Literal["person", "group"] | None = None
    lang: Lang = "pt_BR"


class CrmList(Model):
    rows: list[CrmRow]
    total: int
    took_ms: float


@command("crm.list", CrmList, sources={"page"})
class ListRecords(Command):
    """Records filtered, sorted and paged (value, stage and expected date sort by the filter's pipeline,
    else the default one; records without a value come last)."""

    filters: CrmFilters = Field(default_factory=CrmFilters)
    sort: SortKey = "last_activity"
    descending: bool = True
    offset: int = Field(default=0, ge=0)
    limit: int = Field(default=50, ge=1, le=PAGE_MAX)


class CrmColumn(Model):
    stage: CrmStage
    count: int
    total_cents: int
    rows: list[CrmRow] = Field(description="the newest in the stage first; more with crm.list filtered by stage")


class CrmBoard(Model):
    pipeline: CrmPipeline
    columns: list[CrmColumn]
    open_count: int
    open_total_cents: int = Field(description="the value of deals in open stages")
    took_ms: float


@command("crm.board", CrmBoard, sources={"page"})
class GetBoard(Command):
    """A pipeline's columns: every stage with its deal count, total value and first cards."""

    pipeline: str | None = Field(default=None, max_length=64)
    filters: CrmFilters = Field(default_factory=CrmFilters)
    per_stage: int = Field(default=50, ge=0, le=PAGE_MAX)


class CrmBulkResult(Model):
    changed: int
    unchanged: int
    keys: list[str] = Field(description="the records that changed")


@command("crm.bulk", CrmBulkResult, sources={"page"})
class Bulk(Command):
    """Tag, untag or move the stage of many records at once (no versions: each is applied to the record
    as it is now; moving creates the deal where there is none)."""

    chats: list[ChatKeyStr] = Field(min_length=1, max_length=10_000)
    action: BulkAction
    tags: list[str] = Field(default_factory=list, max_length=TAGS_MAX)
    pipeline: str | None = Field(default=None, max_length=64)
    stage: str | None = Field(default=None, max_length=64)


# -- CSV -------------------------------------------------------------------------------------------
class CrmColumnInfo(Model):
    index: int
    header: str
    samples: list[str]


class ColumnMap(Model):
    column: int = Field(ge=0, le=500)
    target: ImportTarget
    field: str | None = Field(default=None, max_length=64, description="the custom field, for target 'field'")
    pipeline: str | None = Field(default=None, max_length=64,
                                 description="for stage, value, expected_date: default the plan's pipeline")


class CrmParsedFile(Model):
    import_id: str
    encoding: Literal["utf-8", "utf-8-sig", "utf-16", "cp1252"]
    delimiter: str
    decimal: Literal["comma", "dot"] = Field(description="how numbers in the file are read")
    has_header: bool
    columns: list[CrmColumnInfo]
    rows: int
    mapping: list[ColumnMap] = Field(description="the suggested mapping, from the headers")


@command("crm.import.parse", CrmParsedFile, sources={"page"})
class ParseImport(Command):
    """Read a CSV file (UTF-8 with or without BOM, UTF-16, Windows-1252/Latin-1 from Excel; ',' ';' or
    tab separated, sniffed) and suggest a column mapping. The file stays loaded for preview/apply."""

    data: str = Field(max_length=IMPORT_MAX_BYTES, description="the file's bytes, base64")
    filename: str = Field(default="", max_length=200)


class CrmImportRow(Model):
    row: int = Field(description="1-based line of the file (the header is line 1)")
    outcome: ImportOutcome
    key: str | None
    name: str | None
    phone: str | None = Field(description="E.164")
    reason: CrmLabel | None = Field(description="why it was rejected")
    reason_code: str | None
    changes: list[str] = Field(description="what would change: name, tags, stage, value, expected_date, note, field ids")


class CrmImportReport(Model):
    import_id: str
    created: int
    updated: int
    unchanged: int
    rejected: int
    new_tags: list[str] = Field(description="tags the import creates")
    rows: list[CrmImportRow] = Field(description="the requested page of rows (rejected first when only_problems)")
    applied: bool


class CsvImportPlan(Command):
    import_id: str = Id
    mapping: list[ColumnMap] = Field(min_length=1, max_length=200)
    pipeline: str | None = Field(default=None, max_length=64)
    has_header: bool | None = Field(default=None, description="None: as detected")
    lang: Lang = "pt_BR"


@command("crm.import.preview", CrmImportReport, sources={"page"})
class PreviewCsvImport(CsvImportPlan):
    """Dry run: what each row would do (created / updated / unchanged / rejected with the reason).
    Nothing is written."""

    offset: int = Field(default=0, ge=0)
    limit: int = Field(default=100, ge=0, le=1000)
    only_problems: bool = False


@command("crm.import.apply", CrmImportReport, sources={"page"})
class ApplyImport(CsvImportPlan):
    """Apply the import (the same rules as the preview). Tags and field values are added, never removed;
    importing the same file again changes nothing. Emits crm.import.progress."""


class CrmExportFile(Model):
    filename: str
    text: str = Field(description="the CSV text (UTF-8; BOM and ';' for pt-BR so Excel opens it)")
    rows: int


@command("crm.export.csv", CrmExportFile, sources={"page"})
class ExportCsv(Command):
    """Every record (or those matching ``filters``) with tags, stage, value, expected date and custom
    fields, one column per pipeline and field. pt-BR: ';' separated, decimal comma, dd/mm/yyyy."""

    filters: CrmFilters = Field(default_factory=CrmFilters)
    lang: Lang = "pt_BR"
    utc_offset_min: int = Field(default=-180, ge=-14 * 60, le=14 * 60, description="for the date-time columns")


# -- events ----------------------------------------------------------------------------------------
@event("crm.changed", tabs=True)
class CrmChanged(Event):
    """Records (``keys``) or definitions (``defs``) changed; ``many``: too many keys to list: reload.
    ``activity_only``: only their last message / waiting state changed (new messages).
    ``seq`` grows with every change, so a page that read after it (crm.card's ``seq``) skips it."""

    keys: list[str] = Field(default_factory=list)
    defs: bool = False
    many: bool = False
    activity_only: bool = False
    seq: int = Field(default=0, description="the CRM's change number; grows across core restarts (starts at the "
                                            "wall clock in ms)")


@event("crm.reminders.changed")
class RemindersChanged(Event):
    """Reminders were added, moved, done or deleted: rebuild alarms (crm.reminders.list scope open)."""

    next_due_at: float | None


@event("crm.import.progress")
class CsvImportProgress(Event):
    import_id: str
    done: int
    total: int



# -- stored records (what the crm_* stores hold; the export feature reads them) --------------------
class DealDoc(Model):
    id: str
    stage: str
    value_cents: int | None = None
    expected_date: str | None = None
    stage_since: float
    created_at: float
    updated_at: float


class AbsorbedDoc(Model):
    """What merging a person's second key into this record took from it, so a split gives it back."""

    at: float
    record: "CrmRecordDoc | None" = Field(description="the second key's record as it was, when it had one")
    name: str | None = Field(default=None, description="the name it brought when this record had none")
    tags: list[str] = Field(default_factory=list, description="tags it brought that this record did not have")
    fields: dict[str, Value] = Field(default_factory=dict, description="values it brought for empty fields")
    deals: dict[str, str] = Field(default_factory=dict, description="pipeline -> id of the deal it brought")


class CrmRecordDoc(Model):
    key: str
    is_group: bool = False
    name: str | None = None
    title: str | None = Field(default=None, description="the chat's title when the record was made")
    tags: list[str] = Field(default_factory=list)
    fields: dict[str, Value] = Field(default_factory=dict)
    deals: dict[str, DealDoc] = Field(default_factory=dict, description="pipeline id -> deal")
    note_count: int = 0
    absorbed: dict[str, AbsorbedDoc] = Field(default_factory=dict, description="merged chat key -> what it brought")
    version: int
    created_at: float
    updated_at: float


class NoteDoc(Model):
    id: str
    record: str
    origin: str = Field(description="the key the note was written under: a split gives it back there")
    text: str
    created_at: float
    updated_at: float
    deleted_at: float | None = None
    version: int = 1


class ReminderDoc(Model):
    id: str
    record: str
    origin: str
    text: str
    due_at: float
    open_due: float | None = Field(description="due_at while open (the by_open_due index holds open ones only)")
    done_at: float | None = None
    snoozed: int = 0
    notified_at: float | None = None
    created_at: float
    updated_at: float
    version: int = 1


class EventDoc(Model):
    """A timeline entry the CRM keeps (stage changes, sends, imports, merges)."""

    id: str
    record: str
    origin: str
    ts: float
    kind: TimelineKind
    data: dict[str, Value] = Field(default_factory=dict)


class ActivityDoc(Model):
    """First and last message of one chat, derived from the messages store (by change sequence)."""

    chat: str
    first_ts: float | None = None
    first_dir: Literal["in", "out"] | None = None
    first_text: str | None = None
    last_ts: float | None = None
    last_dir: Literal["in", "out"] | None = None
    last_key: str | None = None
    last_text: str | None = None


class CrmExport(Model):
    """Everything the CRM keeps (a full export), or one person's part of it."""

    tags: list[CrmTag]
    pipelines: list[CrmPipeline]
    fields: list[CrmField]
    settings: CrmSettings | None
    records: list[CrmRecordDoc]
    notes: list[NoteDoc]
    reminders: list[ReminderDoc]
    events: list[EventDoc]
    activity: list[ActivityDoc]


AbsorbedDoc.model_rebuild()
