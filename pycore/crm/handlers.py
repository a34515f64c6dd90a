"""crm.* commands."""

from __future__ import annotations

from pycore.bridge import Register
from pycore.crm import protocol as p
from pycore.crm.service import Crm


def register(on: Register, crm: Crm) -> None:  # noqa: C901 - one line per command
    # definitions
    async def defs(cmd: p.GetDefs) -> p.CrmDefs:
        return await crm.defs.get()

    async def tag_create(cmd: p.CreateTag) -> p.CrmTag:
        return await crm.defs.create_tag(cmd.label, cmd.color)

    async def tag_update(cmd: p.UpdateTag) -> p.CrmTag:
        return await crm.defs.update_tag(cmd.id, cmd.version, cmd.label, cmd.color)

    async def tag_delete(cmd: p.DeleteTag) -> p.CrmCount:
        return p.CrmCount(changed=await crm.defs.delete_tag(cmd.id, cmd.version))

    async def pipeline_create(cmd: p.CreatePipeline) -> p.CrmPipeline:
        return await crm.defs.create_pipeline(cmd.label, cmd.stages)

    async def pipeline_update(cmd: p.UpdatePipeline) -> p.CrmPipeline:
        return await crm.defs.update_pipeline(cmd.id, cmd.version, cmd.label, cmd.stages, cmd.move_deals)

    async def pipeline_delete(cmd: p.DeletePipeline) -> p.CrmCount:
        return p.CrmCount(changed=await crm.defs.delete_pipeline(cmd.id, cmd.version))

    async def field_create(cmd: p.CreateField) -> p.CrmField:
        return await crm.defs.create_field(cmd.label, cmd.type, cmd.options)

    async def field_update(cmd: p.UpdateField) -> p.CrmField:
        return await crm.defs.update_field(cmd.id, cmd.version, cmd.label, cmd.options)

    async def field_delete(cmd: p.DeleteField) -> p.CrmCount:
        return p.CrmCount(changed=await crm.defs.delete_field(cmd.id, cmd.version, cmd.drop_values))

    async def settings_set(cmd: p.SetSettings) -> p.CrmSettings:
        return await crm.defs.set_settings(cmd.version, cmd.waiting_minutes, cmd.default_pipeline)

    # records
    async def card(cmd: p.GetCard) -> p.CrmCard:
        return await crm.records.card(cmd.chat, cmd.notes, crm.notes, crm.reminders)

    async def record_update(cmd: p.UpdateRecord) -> p.CrmRow:
        return await crm.records.update(cmd.chat, cmd.version, cmd.person_name, cmd.tags, cmd.add_tags, cmd.remove_tags,
                                        cmd.fields, cmd.lang)

    async def deal_set(cmd: p.SetDeal) -> p.CrmRow:
        return await crm.records.set_deal(cmd.chat, cmd.version, cmd.pipeline, cmd.stage, cmd.value, cmd.expected_date,
                                          cmd.lang)

    async def deal_remove(cmd: p.RemoveDeal) -> p.CrmRow:
        return await crm.records.remove_deal(cmd.chat, cmd.version, cmd.pipeline)

    async def record_erase(cmd: p.EraseRecord) -> p.CrmErased:
        return await crm.records.erase(cmd.chat, cmd.version)

    # notes
    async def note_add(cmd: p.AddNote) -> p.CrmNote:
        return await crm.notes.add(cmd.chat, cmd.text)

    async def note_edit(cmd: p.EditNote) -> p.CrmNote:
        return await crm.notes.edit(cmd.id, cmd.version, cmd.text)

    async def note_delete(cmd: p.DeleteNote) -> p.CrmNote:
        return await crm.notes.delete(cmd.id, cmd.version)

    async def note_restore(cmd: p.RestoreNote) -> p.CrmNote:
        return await crm.notes.restore(cmd.id)

    async def notes_list(cmd: p.ListNotes) -> p.CrmNoteList:
        notes, cursor = await crm.notes.list(cmd.chat, cmd.cursor, cmd.limit)
        return p.CrmNoteList(notes=notes, next_cursor=cursor)

    # reminders
    async def reminder_add(cmd: p.AddReminder) -> p.CrmReminder:
        return await crm.reminders.add(cmd.chat, cmd.due_at, cmd.text)

    async def reminder_update(cmd: p.UpdateReminder) -> p.CrmReminder:
        return await crm.reminders.update(cmd.id, cmd.version, cmd.due_at, cmd.text)

    async def reminder_done(cmd: p.ReminderDone) -> p.CrmReminder:
        return await crm.reminders.done(cmd.id, cmd.version, cmd.done)

    async def reminder_snooze(cmd: p.SnoozeReminder) -> p.CrmReminder:
        return await crm.reminders.snooze(cmd.id, cmd.version, cmd.minutes, cmd.until)

    async def reminder_delete(cmd: p.DeleteReminder) -> p.CrmCount:
        return p.CrmCount(changed=await crm.reminders.delete(cmd.id, cmd.version))

    async def reminders_list(cmd: p.ListReminders) -> p.CrmReminderList:
        items, total = await crm.reminders.list(cmd.scope, cmd.chat, cmd.utc_offset_min, cmd.limit, cmd.offset)
        return p.CrmReminderList(reminders=items, total=total)

    async def reminders_due(cmd: p.DueReminders) -> p.CrmDue:
        return await crm.reminders.due()

    async def reminders_notified(cmd: p.RemindersNotified) -> p.CrmCount:
        return p.CrmCount(changed=await crm.reminders.notified(cmd.ids))

    # timeline, lists, bulk
    async def timeline(cmd: p.GetTimeline) -> p.CrmTimeline:
        return await crm.timeline.page(cmd.chat, cmd.cursor, cmd.limit)

    async def listing(cmd: p.ListRecords) -> p.CrmList:
        return await crm.list(cmd.filters, cmd.sort, cmd.descending, cmd.offset, cmd.limit)

    async def board(cmd: p.GetBoard) -> p.CrmBoard:
        return await crm.board(cmd.pipeline, cmd.filters, cmd.per_stage)

    async def bulk(cmd: p.Bulk) -> p.CrmBulkResult:
        unchanged, keys = await crm.records.bulk(cmd.chats, cmd.action, cmd.tags, cmd.pipeline, cmd.stage)
        return p.CrmBulkResult(changed=len(keys), unchanged=unchanged, keys=keys)

    # CSV
    async def import_parse(cmd: p.ParseImport) -> p.CrmParsedFile:
        return await crm.importer.parse(cmd.data, cmd.filename)

    async def import_preview(cmd: p.PreviewCsvImport) -> p.CrmImportReport:
        return await crm.importer.preview(cmd.import_id, cmd.mapping, cmd.pipeline, cmd.has_header, cmd.lang,
                                          cmd.offset, cmd.limit, cmd.only_problems)

    async def import_apply(cmd: p.ApplyImport) -> p.CrmImportReport:
        return await crm.importer.apply(cmd.import_id, cmd.mapping, cmd.pipeline, cmd.has_header, cmd.lang)

    async def export_csv(cmd: p.ExportCsv) -> p.CrmExportFile:
        return await crm.export_csv(cmd.filters, cmd.lang, cmd.utc_offset_min)

    on(p.GetDefs, defs)
    on(p.CreateTag, tag_create)
    on(p.UpdateTag, tag_update)
    on(p.DeleteTag, tag_delete)
    on(p.CreatePipeline, pipeline_create)
    on(p.UpdatePipeline, pipeline_update)
    on(p.DeletePipeline, pipeline_delete)
    on(p.CreateField, field_create)
    on(p.UpdateField, field_update)
    on(p.DeleteField, field_delete)
    on(p.SetSettings, settings_set)
    on(p.GetCard, card)
    on(p.UpdateRecord, record_update)
    on(p.SetDeal, deal_set)
    on(p.RemoveDeal, deal_remove)
    on(p.EraseRecord, record_erase)
    on(p.AddNote, note_add)
    on(p.EditNote, note_edit)
    on(p.DeleteNote, note_delete)
    on(p.RestoreNote, note_restore)
    on(p.ListNotes, notes_list)
    on(p.AddReminder, reminder_add)
    on(p.UpdateReminder, reminder_update)
    on(p.ReminderDone, reminder_done)
    on(p.SnoozeReminder, reminder_snooze)
    on(p.DeleteReminder, reminder_delete)
    on(p.ListReminders, reminders_list)
    on(p.DueReminders, reminders_due)
    on(p.RemindersNotified, reminders_notified)
    on(p.GetTimeline, timeline)
    on(p.ListRecords, listing)
    on(p.GetBoard, board)
    on(p.Bulk, bulk)
    on(p.ParseImport, import_parse)
    on(p.PreviewCsvImport, import_preview)
    on(p.ApplyImport, import_apply)
    on(p.ExportCsv, export_csv)
