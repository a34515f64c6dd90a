"""privacy.export / export_contacts / restore / person / person_export / erase_person / erase_all / settings / set_retention"""

from __future__ import annotations

from pycore.bridge import Register
from pycore.privacy import protocol as p
from pycore.privacy.service import Privacy


def register(on: Register, privacy: Privacy) -> None:
    async def export(cmd: p.ExportArchive):
        return await privacy.export()

    async def export_contacts(cmd: p.ExportContacts):
        return await privacy.export_contacts()

    async def restore(cmd: p.RestoreArchive) -> p.RestoreReply:
        return await privacy.restore(cmd.upload_id)

    async def person(cmd: p.DescribePerson) -> p.PersonSummary:
        return await privacy.person(cmd.chat)

    async def person_export(cmd: p.ExportPerson):
        return await privacy.person_export(cmd.chat)

    async def erase_person(cmd: p.ErasePerson) -> p.EraseResult:
        return await privacy.erase_person(cmd.chat)

    async def erase_all(cmd: p.EraseAll) -> p.EraseResult:
        return await privacy.erase_all(cmd.confirm)

    async def settings(cmd: p.GetPrivacySettings) -> p.PrivacySettings:
        return await privacy.settings()

    async def set_retention(cmd: p.SetRetention) -> p.PrivacySettings:
        return await privacy.set_retention(cmd.retention_days)

    on(p.ExportArchive, export)
    on(p.ExportContacts, export_contacts)
    on(p.RestoreArchive, restore)
    on(p.DescribePerson, person)
    on(p.ExportPerson, person_export)
    on(p.ErasePerson, erase_person)
    on(p.EraseAll, erase_all)
    on(p.GetPrivacySettings, settings)
    on(p.SetRetention, set_retention)
