"""Bridge handlers of the sending side. ``install(core)`` wires them; the gate is ``core.sending``."""

from __future__ import annotations

from pycore.protocol import sending as p
from pycore.sending import audit, optout, outbox, suggestions
from pycore.sending import settings as settings_mod
from pycore.sending.campaigns import Campaigns
from pycore.sending.campaigns import dry_run as campaign_dry_run
from pycore.sending.gate import SendGate
from pycore.sending.lookups import Lookups


def install(core, lookups: Lookups | None = None) -> SendGate:
    gate = SendGate(core.storage, core.clock, core.services.rng, emit=core.emit, lookups=lookups)
    campaigns = Campaigns(gate)
    core.sending = gate  # the integrator replaces gate.lookups.* here

    async def campaign_progress(entry_id: str) -> None:
        rec = await core.storage.get("outbox", entry_id)
        if rec and rec.get("campaign_id"):
            await campaigns.progress(rec["campaign_id"])

    # -- send / outbox ---------------------------------------------------------------
    async def send_request(cmd: p.SendRequest) -> p.SendResult:
        return await gate.request(cmd.chat, cmd.text, cmd.origin, cmd.scheduled_at, cmd.needs_approval)

    async def outbox_list(cmd: p.OutboxList) -> p.OutboxListResult:
        rows, cursor = await outbox.page(core.storage, state=cmd.state, campaign_id=cmd.campaign_id, limit=cmd.limit, cursor=cmd.cursor)
        return p.OutboxListResult(entries=[outbox.public(r) for r in rows], next_cursor=cursor)

    async def outbox_cancel(cmd: p.OutboxCancel) -> p.EntryResult:
        return p.EntryResult(entry=outbox.public(await gate.cancel(cmd.id)))

    async def outbox_approve(cmd: p.OutboxApprove) -> p.EntryResult:
        return p.EntryResult(entry=outbox.public(await gate.approve(cmd.id)))

    async def outbox_resolve(cmd: p.OutboxResolve) -> p.EntryResult:
        rec = await gate.resolve(cmd.id, cmd.sent)
        await campaign_progress(cmd.id)
        return p.EntryResult(entry=outbox.public(rec))

    async def sender_next(cmd: p.SenderNext) -> p.NextResult:
        return await gate.next_job(cmd.visible)

    async def sender_report(cmd: p.SenderReport) -> p.ReportResult:
        result = await gate.report(cmd.job_id, cmd.attempt, cmd.outcome, cmd.message_id, cmd.error)
        if result.accepted:
            await campaign_progress(cmd.job_id)
        return result

    # -- pause, settings, limits -------------------------------------------------------
    async def pause(cmd: p.SendingPause) -> p.SendingStatus:
        return await gate.pause(cmd.reason, cmd.detail)

    async def resume(cmd: p.SendingResume) -> p.SendingStatus:
        return await gate.resume()

    async def status(cmd: p.SendingStatusCmd) -> p.SendingStatus:
        return await gate.status()

    def ceilings() -> dict:
        return {name: {side: bound} for name, (bound, side) in settings_mod.CEILINGS.items()}

    async def settings_get(cmd: p.SettingsGet) -> p.SettingsResult:
        s = await gate.settings()
        return p.SettingsResult(settings=s.model_dump(), safe_mode=settings_mod.is_safe_mode(s), ceilings=ceilings())

    async def settings_set(cmd: p.SettingsSet) -> p.SettingsResult:
        new, adjusted = settings_mod.clamp(cmd.values, await gate.settings())
        await core.storage.put("meta", settings_mod.record(new))
        return p.SettingsResult(
            settings=new.model_dump(), safe_mode=settings_mod.is_safe_mode(new), adjusted=adjusted, ceilings=ceilings()
        )

    async def ratelimit_hit(cmd: p.RateLimitHit) -> p.HitResult:
        allowed = await gate.limiter.hit(cmd.kind)
        stats = await gate.limiter.stats(cmd.kind)
        return p.HitResult(allowed=allowed, retry_at=stats.next_allowed_at)

    # -- audit ---------------------------------------------------------------------------
    async def audit_list(cmd: p.AuditList) -> p.AuditListResult:
        records, cursor = await audit.page(core.storage, cmd.limit, cmd.cursor)
        return p.AuditListResult(records=records, next_cursor=cursor)

    async def audit_export(cmd: p.AuditExport) -> p.ExportResult:
        text, count = await audit.export(core.storage, cmd.format)
        stamp = int(core.clock.now())
        return p.ExportResult(format=cmd.format, filename=f"mettri-audit-{stamp}.{cmd.format}", text=text, count=count)

    # -- opt-out -------------------------------------------------------------------------
    async def optout_list(cmd: p.OptoutList) -> p.OptoutListResult:
        rows = await core.storage.query("optouts")
        return p.OptoutListResult(records=[p.OptoutRecord.model_validate(r) for r in rows if r["opted_out"]])

    async def optout_set(cmd: p.OptoutSet) -> p.OptoutRecord:
        await gate.set_consent(cmd.chat, cmd.opted_out, cmd.note)
        return p.OptoutRecord.model_validate(await core.storage.get("optouts", cmd.chat))

    async def optout_history(cmd: p.OptoutHistory) -> p.ConsentHistoryResult:
        return p.ConsentHistoryResult(events=await optout.history(core.storage, cmd.chat))

    async def optout_scan(cmd: p.OptoutScan) -> p.ScanResult:
        return p.ScanResult(changes=await gate.scan_optouts(cmd.records))

    # -- suggestions and campaigns ------------------------------------------------------------
    async def suggestion_approve(cmd: p.SuggestionApprove) -> p.SuggestionResult:
        await suggestions.clear(core, cmd.chat)  # the user's click settles the waiting suggestion
        if cmd.mode == "insert":
            return p.SuggestionResult(mode="insert", text=cmd.text)
        sent = await gate.request(cmd.chat, cmd.text, "suggestion")
        return p.SuggestionResult(mode="send", text=cmd.text, send=sent)

    async def suggestion_offer(cmd: p.SuggestionOffer) -> p.Suggestion:
        return await suggestions.offer(core, cmd.chat, cmd.text)

    async def suggestion_pending(cmd: p.SuggestionPending) -> p.SuggestionList:
        return p.SuggestionList(suggestions=await suggestions.pending(core))

    async def suggestion_dismiss(cmd: p.SuggestionDismiss) -> p.SuggestionList:
        await suggestions.clear(core, cmd.chat)
        return p.SuggestionList(suggestions=await suggestions.pending(core))

    async def dry_run(cmd: p.CampaignDryRun) -> p.DryRunResult:
        return await campaign_dry_run(gate, cmd.template, cmd.recipients)

    def campaign(fn):
        async def handler(cmd) -> p.CampaignResult:
            return p.CampaignResult(campaign=await fn(cmd.id))

        return handler

    async def campaign_create(cmd: p.CampaignCreate) -> p.CampaignResult:
        return p.CampaignResult(campaign=await campaigns.create(cmd.name, cmd.template, cmd.recipients))

    async def campaign_list(cmd: p.CampaignList) -> p.CampaignListResult:
        return p.CampaignListResult(campaigns=await campaigns.list())

    for cls, handler in [
        (p.SendRequest, send_request), (p.OutboxList, outbox_list), (p.OutboxCancel, outbox_cancel),
        (p.OutboxApprove, outbox_approve), (p.OutboxResolve, outbox_resolve),
        (p.SenderNext, sender_next), (p.SenderReport, sender_report),
        (p.SendingPause, pause), (p.SendingResume, resume), (p.SendingStatusCmd, status),
        (p.SettingsGet, settings_get), (p.SettingsSet, settings_set), (p.RateLimitHit, ratelimit_hit),
        (p.AuditList, audit_list), (p.AuditExport, audit_export),
        (p.OptoutList, optout_list), (p.OptoutSet, optout_set), (p.OptoutHistory, optout_history),
        (p.OptoutScan, optout_scan), (p.SuggestionApprove, suggestion_approve),
        (p.SuggestionOffer, suggestion_offer), (p.SuggestionPending, suggestion_pending),
        (p.SuggestionDismiss, suggestion_dismiss),
        (p.CampaignDryRun, dry_run), (p.CampaignCreate, campaign_create), (p.CampaignList, campaign_list),
        (p.CampaignApprove, campaign(campaigns.approve)), (p.CampaignStatus, campaign(lambda i: campaigns.progress(i, emit=False))),
        (p.CampaignPause, campaign(campaigns.pause)), (p.CampaignResume, campaign(campaigns.resume)),
        (p.CampaignCancel, campaign(campaigns.cancel)),
    ]:
        core.on(cls, handler)
    core.on_start(gate.recover)
    return gate
