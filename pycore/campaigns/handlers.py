"""campaign.*"""

from __future__ import annotations

from pycore.bridge import Register
from pycore.campaigns import protocol as p
from pycore.campaigns.service import Campaigns


def register(on: Register, campaigns: Campaigns) -> None:
    async def dry_run(cmd: p.CampaignDryRun) -> p.DryRunResult:
        text = await campaigns.template_of(cmd.template, cmd.template_id)
        return await campaigns.dry_run(text, cmd.recipients, cmd.locale, cmd.utc_offset_min)

    async def create(cmd: p.CampaignCreate) -> p.CampaignResult:
        return p.CampaignResult(campaign=await campaigns.create(cmd.name, cmd.template, cmd.recipients, cmd.template_id,
                                                                cmd.locale, cmd.utc_offset_min))

    async def listing(cmd: p.CampaignList) -> p.CampaignListResult:
        return p.CampaignListResult(campaigns=await campaigns.list())

    def by_id(fn):
        async def handler(cmd: p.CampaignRef) -> p.CampaignResult:
            return p.CampaignResult(campaign=await fn(cmd.id))

        return handler

    on(p.CampaignDryRun, dry_run)
    on(p.CampaignCreate, create)
    on(p.CampaignList, listing)
    on(p.CampaignApprove, by_id(campaigns.approve))
    on(p.CampaignStatus, by_id(lambda i: campaigns.progress(i, emit=False)))
    on(p.CampaignPause, by_id(campaigns.pause))
    on(p.CampaignResume, by_id(campaigns.resume))
    on(p.CampaignCancel, by_id(campaigns.cancel))
