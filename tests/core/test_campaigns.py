"""Campaigns: templates, dry run (decisions, risk, duration), approval and progress."""


from pycore.campaigns.service import risk_score
from pycore.templates.render import Variables, render
from pycore.sending import scheduler
from pycore.sending.protocol import SendingSettings
from pycore.sending.rate_limiter import KindLimits, Window
from pycore.sending.records import SendLog
from tests.core.conftest import call
from tests.core.fake_tab import GroundTruth, ask, drain, gcore, new_core, truth  # noqa: F401 - fixtures

TEMPLATE = "Olá {{nome}}! Seu pedido {{pedido}} está pronto para retirada na loja."




def people(n, start=0):
    return [{"chat": f"55{i:04d}@c.us", "vars": {"nome": f"Cliente {i}", "pedido": str(1000 + i)}} for i in range(start, start + n)]


def spec(recipients, template=TEMPLATE):
    return {"name": "retirada", "template": template, "recipients": recipients}


def test_render_fills_variables_and_names_the_missing_ones():
    def fill(text, values):
        r = render(text, Variables().with_extra(values))
        return r.text, [p.variable for p in r.problems]

    assert fill("Oi {{ nome }}, {{Pedido}}", {"nome": "Ana", "pedido": "7"}) == ("Oi Ana, 7", [])
    assert fill("Oi {{nome}} {{name}}", {"nome": "Ana", "name": " "}) == (None, ["name"])
    assert fill("Sem variáveis", {}) == ("Sem variáveis", [])


def test_dry_run_decides_per_recipient_and_stores_nothing(gcore, storage):
    rs = people(3) + [{"chat": "missing@c.us", "vars": {"nome": "Zé"}}, people(1)[0]]
    call(gcore, "optout.set", {"chat": "550001@c.us", "opted_out": True})
    result = call(gcore, "campaign.dry_run", spec(rs))["result"]
    codes = [(r["chat"], r["decision"]["code"]) for r in result["recipients"]]
    assert codes == [
        ("550000@c.us", "ok"), ("550001@c.us", "opted_out"), ("550002@c.us", "ok"),
        ("missing@c.us", "missing_variable"), ("550000@c.us", "duplicate_recipient"),
    ]
    assert "pedido" in result["recipients"][3]["decision"]["reason_pt"]
    assert result["counts"] == {"allow": 2, "warn": 0, "block": 3}
    assert result["recipients"][0]["text"] == "Olá Cliente 0! Seu pedido 1000 está pronto para retirada na loja."
    assert call(gcore, "outbox.list")["result"]["entries"] == []


def test_bulk_campaign_is_throttled_and_the_estimate_follows_the_limits(gcore):
    result = call(gcore, "campaign.dry_run", spec(people(10)))["result"]
    assert result["counts"]["block"] == 0 and result["counts"]["warn"] == 7  # beyond 3 similar an hour
    # 3 an hour for near-identical texts: the 10th goes out after three full hours
    assert 3 * 3600 <= result["estimated_seconds"] <= 3 * 3600 + 600
    assert 0 <= result["risk_score"] <= 100


def simulate(n, limits, log=(), now=0.0, similar=False):
    """The scheduler's estimate for n distinct recipients of one campaign."""
    entries = [(f"{i}@c.us", f"texto numero {i} com palavras suficientes", "campaign") for i in range(n)]
    return scheduler.simulate(entries, now, KindLimits(tuple(limits)), list(log), SendingSettings(), 1.0,
                              lambda norm, r: similar)


def test_estimate_respects_every_window():
    times = simulate(50, [Window("minute", 60, 5), Window("hour", 3600, 20)])
    ends = [t + scheduler.JOB_TTL_S for t in times]  # a handed-out job counts until it expires, as in the gate
    for t in times:
        assert sum(t - 60 < e and u <= t for u, e in zip(times, ends)) <= 5
        assert sum(t - 3600 < e and u <= t for u, e in zip(times, ends)) <= 20
    assert times[-1] >= 2 * 3600  # 50 at 20 an hour


def test_estimate_counts_sends_already_in_the_log():
    log = [SendLog(id=f"s{i}", kind="message", ts=50.0, end=50.0, chat="x@c.us") for i in range(10)]
    assert simulate(1, [Window("day", 86_400, 10)], log, now=100.0) == [50.0 + 86_400]


def test_estimate_holds_near_identical_texts_to_the_bulk_cap():
    times = simulate(7, [Window("hour", 3600, 200)], similar=True)
    # 3 near-identical an hour (counted until each one's job could have ended): 7 take two more hours
    assert times[3] - times[0] >= 3600 and times[6] - times[3] >= 3600


def test_risk_score_formula():
    assert risk_score(10, 10, 0, 0, 0.0, 0.0, 0.0) == (0, {"strangers": 0.0, "bulk": 0.0, "volume": 0.0, "warmup": 0.0, "blocked": 0.0})
    assert risk_score(10, 10, 10, 0, 1.0, 1.0, 1.0)[0] == 90
    assert risk_score(20, 10, 10, 10, 1.0, 5.0, 1.0)[0] == 95
    score, factors = risk_score(10, 10, 5, 0, 0.5, 0.5, 0.0)
    assert factors["strangers"] == 0.5 and score == round(100 * (0.35 * 0.5 + 0.2 * 0.5 + 0.2 * 0.5))


def test_strangers_fill_the_daily_budget_in_the_dry_run(clock, storage):
    truth = GroundTruth()
    core = new_core(clock, storage, truth, saved=False)  # nobody is a saved contact or ever wrote
    call(core, "sending.settings.set", {"values": {"unsolicited": "warn", "strangers_per_day": 3}})
    texts = ["Bom dia", "Tudo bem", "Oi", "Olá", "E aí"]
    rs = [{"chat": f"s{i}@c.us", "vars": {"t": t}} for i, t in enumerate(texts)]
    result = call(core, "campaign.dry_run", spec(rs, "{{t}}"))["result"]
    assert [r["decision"]["code"] for r in result["recipients"]] == ["unsolicited"] * 3 + ["strangers_budget"] * 2
    assert result["risk_factors"]["strangers"] == 1.0


def test_nothing_is_queued_before_approval_then_it_runs_to_done(gcore, clock, truth, events):
    created = call(gcore, "campaign.create", spec(people(4)))["result"]["campaign"]
    assert created["state"] == "draft" and created["plan"]["counts"]["allow"] == 3
    clock.advance(3600)
    assert ask(gcore, "sender.next")["wait_code"] == "idle"
    assert call(gcore, "outbox.list")["result"]["entries"] == []
    approved = call(gcore, "campaign.approve", {"id": created["id"]})["result"]["campaign"]
    assert approved["state"] == "running" and approved["counts"] == {"approved": 4}
    assert call(gcore, "campaign.approve", {"id": created["id"]})["error"]["code"] == "conflict"
    drain(gcore, clock, truth)
    status = call(gcore, "campaign.status", {"id": created["id"]})["result"]["campaign"]
    assert status["state"] == "done" and status["counts"] == {"sent": 4}
    progress = events.of("campaign.progress")
    assert progress[-1]["counts"] == {"sent": 4} and progress[-1]["state"] == "done"
    assert len(truth.sent) == 4
    times = truth.times()  # near-identical texts: at most 3 in any hour
    assert times[3] - times[0] >= 3600
    assert call(gcore, "campaign.list")["result"]["campaigns"][0]["id"] == created["id"]


def test_pause_resume_and_cancel(gcore, clock, truth):
    cid = call(gcore, "campaign.create", spec(people(3)))["result"]["campaign"]["id"]
    call(gcore, "campaign.approve", {"id": cid})
    paused = call(gcore, "campaign.pause", {"id": cid})["result"]["campaign"]
    assert paused["state"] == "paused" and paused["counts"] == {"queued": 3}
    clock.advance(3600)
    assert ask(gcore, "sender.next")["wait_code"] == "idle"
    resumed = call(gcore, "campaign.resume", {"id": cid})["result"]["campaign"]
    assert resumed["counts"] == {"approved": 3}
    job = ask(gcore, "sender.next")
    while job["job"] is None:
        clock.advance(job["retry_at"] - clock.now() + 0.001)
        job = ask(gcore, "sender.next")
    cancelled = call(gcore, "campaign.cancel", {"id": cid})["result"]["campaign"]
    assert cancelled["state"] == "cancelled" and cancelled["counts"] == {"sending": 1, "cancelled": 2}
    drain(gcore, clock, truth)
    assert len(truth.sent) == 1
    assert call(gcore, "campaign.status", {"id": "nope"})["error"]["code"] == "not_found"
