"""history_import.read / preview / start / cancel / resume / rollback / jobs"""

from __future__ import annotations

from pycore.bridge import Register
from pycore.history_import import protocol as p
from pycore.history_import.service import HistoryImports


def register(on: Register, imports: HistoryImports) -> None:
    async def read(cmd: p.ReadExport) -> p.ReadResult:
        return await imports.read(cmd.upload_id, cmd.date_order)

    async def jobs(cmd: p.ListJobs) -> p.JobList:
        return p.JobList(jobs=await imports.jobs(cmd.limit))

    async def cancel(cmd: p.CancelImport) -> p.ImportJob:
        return await imports.cancel(cmd.job_id)

    async def resume(cmd: p.ResumeImport) -> p.ImportJob:
        return await imports.resume(cmd.job_id)

    async def rollback(cmd: p.RollBackImport) -> p.ImportJob:
        return await imports.rollback(cmd.job_id)

    on(p.ReadExport, read)
    on(p.PreviewImport, imports.preview)
    on(p.StartImport, imports.start)
    on(p.CancelImport, cancel)
    on(p.ResumeImport, resume)
    on(p.RollBackImport, rollback)
    on(p.ListJobs, jobs)
