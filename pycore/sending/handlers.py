"""Bridge handlers of the send gate: send.request, outbox.*, sender.*, sending.*."""

from __future__ import annotations

from pycore.bridge import Register
from pycore.sending import outbox
from pycore.sending import protocol as p
from pycore.sending.gate import SendGate


def register(on: Register, gate: SendGate) -> None:
    storage = gate.storage

    async def send_request(cmd: p.SendRequest) -> p.SendResult:
        return await gate.request(cmd.chat, cmd.text, cmd.origin, cmd.scheduled_at, cmd.needs_approval)

    async def outbox_list(cmd: p.OutboxList) -> p.OutboxListResult:
        rows, cursor = await outbox.page(storage, state=cmd.state, campaign_id=cmd.campaign_id, limit=cmd.limit, cursor=cmd.cursor)
        return p.OutboxListResult(entries=[outbox.public(r) for r in rows], next_cursor=cursor,
                                  titles=await gate.titles([r.chat for r in rows]))

    async def outbox_cancel(cmd: p.OutboxCancel) -> p.EntryResult:
        return p.EntryResult(entry=outbox.public(await gate.cancel(cmd.id)))

    async def outbox_approve(cmd: p.OutboxApprove) -> p.EntryResult:
        return p.EntryResult(entry=outbox.public(await gate.approve(cmd.id)))

    async def outbox_resolve(cmd: p.OutboxResolve) -> p.EntryResult:
        return p.EntryResult(entry=outbox.public(await gate.resolve(cmd.id, cmd.sent)))

    async def sender_next(cmd: p.SenderNext) -> p.NextResult:
        return await gate.next_job(cmd.visible)

    async def sender_report(cmd: p.SenderReport) -> p.ReportResult:
        return await gate.report(cmd.job_id, cmd.attempt, cmd.outcome, cmd.message_id, cmd.error)

    async def pause(cmd: p.SendingPause) -> p.SendingStatus:
        return await gate.pause(cmd.reason, cmd.detail)

    async def resume(cmd: p.SendingResume) -> p.SendingStatus:
        return await gate.resume()

    async def status(cmd: p.SendingStatusCmd) -> p.SendingStatus:
        return await gate.status()

    async def settings_get(cmd: p.SettingsGet) -> p.SettingsResult:
        return await gate.settings_result(await gate.settings())

    async def settings_set(cmd: p.SettingsSet) -> p.SettingsResult:
        return await gate.set_settings(cmd.values, cmd.reset)

    async def permit(cmd: p.RateLimitHit) -> p.HitResult:
        allowed, retry_at = await gate.permit(cmd.kind)
        return p.HitResult(allowed=allowed, retry_at=retry_at)

    on(p.SendRequest, send_request)
    on(p.OutboxList, outbox_list)
    on(p.OutboxCancel, outbox_cancel)
    async def outbox_alarm(cmd: p.OutboxAlarm) -> p.OutboxAlarmResult:
        return await gate.alarm(cmd.wake)

    on(p.OutboxAlarm, outbox_alarm)
    on(p.OutboxApprove, outbox_approve)
    on(p.OutboxResolve, outbox_resolve)
    on(p.SenderNext, sender_next)
    on(p.SenderReport, sender_report)
    on(p.SendingPause, pause)
    on(p.SendingResume, resume)
    on(p.SendingStatusCmd, status)
    on(p.SettingsGet, settings_get)
    on(p.SettingsSet, settings_set)
    on(p.RateLimitHit, permit)
