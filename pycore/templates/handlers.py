"""templates.*"""

from __future__ import annotations

from pycore.bridge import Register
from pycore.templates import protocol as p
from pycore.templates.service import Templates
from pycore.templates.variables import Locale


def register(on: Register, templates: Templates) -> None:
    async def listing(cmd: p.ListTemplates) -> p.TemplateList:
        return await templates.list()

    async def save(cmd: p.SaveTemplate) -> p.MessageTemplate:
        return await templates.save(cmd.id, cmd.version, cmd.label, cmd.shortcut, cmd.category, cmd.text)

    async def delete(cmd: p.DeleteTemplate) -> p.MessageTemplate:
        return await templates.delete(cmd.id, cmd.version)

    async def restore(cmd: p.RestoreTemplate) -> p.MessageTemplate:
        return await templates.restore(cmd.id)

    async def reorder(cmd: p.ReorderTemplates) -> p.TemplateList:
        return await templates.reorder(cmd.ids)

    async def export(cmd: p.ExportTemplates) -> p.TemplatesFile:
        return await templates.export()

    async def import_file(cmd: p.ImportTemplates) -> p.ImportReport:
        return await templates.import_file(cmd.json_text, cmd.replace)

    async def preview(cmd: p.PreviewTemplate) -> p.RenderResult:
        return await templates.preview(cmd.text, cmd.id, cmd.chat, Locale(cmd.locale, cmd.utc_offset_min))

    async def pick(cmd: p.PickTemplates) -> p.PickResult:
        return await templates.pick(cmd.query, cmd.chat, Locale(cmd.locale, cmd.utc_offset_min), cmd.limit)

    on(p.ListTemplates, listing)
    on(p.SaveTemplate, save)
    on(p.DeleteTemplate, delete)
    on(p.RestoreTemplate, restore)
    on(p.ReorderTemplates, reorder)
    on(p.ExportTemplates, export)
    on(p.ImportTemplates, import_file)
    on(p.PreviewTemplate, preview)
    on(p.PickTemplates, pick)
