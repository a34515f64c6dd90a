"""The contacts page and the board: filters, sorts, paging, counts and totals, bulk changes."""

from tests.core.crm_support import ANA, BIA, GROUP, deal, err, field, messages, ok, row, tag, update

CAIO = "5521987650000@c.us"
DANI = "5531988887777@c.us"
MIN = 60.0


def keys(result):
    return [r["key"] for r in result["rows"]]


def people(core, clock):
    vip, atacado = tag(core, "VIP"), tag(core, "Atacado")
    cidade = field(core, "Cidade", "text")["id"]
    limite = field(core, "Limite", "money")["id"]
    update(core, ANA, person_name="Ana Souza", tags=[vip, atacado], fields={cidade: "São Paulo", limite: 500000})
    deal(core, ANA, stage="proposal", value=300000, expected_date="2026-08-01")
    update(core, BIA, person_name="Bia Costa", tags=[vip], fields={cidade: "Divinópolis", limite: 100000})
    deal(core, BIA, stage="talking", value=150000)
    update(core, CAIO, person_name="Caio Lima", tags=[atacado])
    deal(core, CAIO, stage="won", value=90000)
    update(core, DANI, person_name="Dani Reis")
    update(core, GROUP, person_name="Compras (grupo)")
    now = clock.now()
    messages(core, ANA, [(now - 90 * MIN, "out", "Segue a proposta"), (now - 45 * MIN, "in", "Recebi, e o frete?")])
    messages(core, BIA, [(now - 20 * MIN, "in", "Oi")])  # incoming, but not yet 30 minutes
    messages(core, CAIO, [(now - 10 * 86400, "in", "Obrigado"), (now - 10 * 86400, "out", "Nós que agradecemos")])
    messages(core, GROUP, [(now - 5 * 3600, "in", "Alguém aí?")])
    return vip, atacado, cidade, limite


def test_filters(core, clock):
    vip, atacado, cidade, limite = people(core, clock)
    lst = lambda **f: keys(ok(core, "crm.list", {"filters": f, "sort": "name", "descending": False}))  # noqa: E731
    assert lst() == [ANA, BIA, CAIO, GROUP, DANI]  # "Compras (grupo)" sorts by its name
    assert lst(tags=[vip]) == [ANA, BIA] and lst(tags=[vip, atacado]) == [ANA]
    assert lst(any_tags=[vip, atacado]) == [ANA, BIA, CAIO] and lst(untagged=True) == [GROUP, DANI]
    assert lst(stages=["talking", "proposal"]) == [ANA, BIA] and lst(stages=["won"]) == [CAIO]
    assert lst(kind="group") == [GROUP] and lst(kind="person") == [ANA, BIA, CAIO, DANI]
    assert lst(fields=[{"field": cidade, "op": "eq", "value": "sao paulo"}]) == [ANA]
    assert lst(fields=[{"field": cidade, "op": "contains", "value": "pol"}]) == [BIA]
    assert lst(fields=[{"field": limite, "op": "gte", "value": "R$ 2.000,00"}]) == [ANA]
    assert lst(fields=[{"field": limite, "op": "lte", "value": 100000}]) == [BIA]
    assert lst(fields=[{"field": cidade, "op": "empty"}]) == [CAIO, GROUP, DANI]
    assert lst(fields=[{"field": cidade, "op": "not_empty"}]) == [ANA, BIA]
    code, d = err(core, "crm.list", {"filters": {"fields": [{"field": limite, "op": "gte", "value": "muito"}]}})
    assert (code, d["reason"], d["field"]) == ("invalid_args", "bad_money", limite)
    now = clock.now()
    assert lst(active_since=now - 3600) == [ANA, BIA] and lst(active_before=now - 86400) == [CAIO, DANI]
    # waiting: the last message is incoming and older than the setting (30 minutes); groups never wait
    assert lst(waiting=True) == [ANA] and row(core, ANA)["waiting_since"] == now - 45 * MIN
    assert lst(q="souza") == [ANA] and lst(q="9876 5432") == [ANA] and lst(q="atacado") == [ANA, CAIO]
    assert lst(q="divino") == [BIA]
    ok(core, "crm.reminder.add", {"chat": DANI, "due_at": now - 60, "text": "ligar"})
    ok(core, "crm.reminder.add", {"chat": CAIO, "due_at": now + 3600, "text": "depois"})
    assert lst(overdue=True) == [DANI] and DANI not in lst(overdue=False)
    s = ok(core, "crm.defs")["settings"]
    ok(core, "crm.settings.set", {"version": s["version"], "waiting_minutes": 15})
    assert lst(waiting=True) == [ANA, BIA]


def test_sorts_and_paging(core, clock):
    people(core, clock)

    def order(sort, descending=True, **f):
        return keys(ok(core, "crm.list", {"sort": sort, "descending": descending, "filters": f}))

    assert order("last_activity") == [BIA, ANA, GROUP, CAIO, DANI]  # no activity: last
    assert order("value") == [ANA, BIA, CAIO, GROUP, DANI] and order("value", False) == [CAIO, BIA, ANA, GROUP, DANI]
    assert order("stage", False) == [BIA, ANA, CAIO, GROUP, DANI]
    assert order("expected_date")[0] == ANA and order("name", True)[0] == DANI
    page = ok(core, "crm.list", {"sort": "name", "descending": False, "offset": 2, "limit": 2})
    assert keys(page) == [CAIO, GROUP] and page["total"] == 5


def test_board_counts_totals_and_moving_a_card(core, clock):
    vip, *_ = people(core, clock)
    board = ok(core, "crm.board")
    cols = {c["stage"]["id"]: c for c in board["columns"]}
    assert [c["stage"]["id"] for c in board["columns"]] == ["new", "talking", "proposal", "won", "lost"]
    assert (cols["proposal"]["count"], cols["proposal"]["total_cents"], keys(cols["proposal"])) == (1, 300000, [ANA])
    assert (cols["won"]["count"], cols["won"]["total_cents"]) == (1, 90000)
    assert (board["open_count"], board["open_total_cents"]) == (2, 450000)  # won/lost are not open
    assert cols["talking"]["stage"]["label"] == {"pt_BR": "Em conversa", "en": "In conversation"}
    # a drag: the card carries its version; the move is persisted and in the timeline
    clock.advance(60)
    card_row = cols["talking"]["rows"][0]
    ok(core, "crm.deal.set", {"chat": card_row["key"], "version": card_row["version"], "stage": "proposal"})
    cols = {c["stage"]["id"]: c for c in ok(core, "crm.board")["columns"]}
    assert cols["proposal"]["count"] == 2 and cols["proposal"]["total_cents"] == 450000 and cols["talking"]["count"] == 0
    assert keys(cols["proposal"])[0] == BIA  # the newest in the stage first
    filtered = {c["stage"]["id"]: c for c in ok(core, "crm.board", {"filters": {"tags": [vip]}, "per_stage": 1})["columns"]}
    assert filtered["proposal"]["count"] == 2 and len(filtered["proposal"]["rows"]) == 1 and filtered["won"]["count"] == 0


def test_bulk_tag_untag_move(core, clock):
    vip, atacado, *_ = people(core, clock)
    novo = tag(core, "Novo")
    versions = {k: row(core, k)["version"] for k in (ANA, BIA, DANI)}
    res = ok(core, "crm.bulk", {"chats": [ANA, BIA, DANI, "5599912345678@c.us"], "action": "tag", "tags": [novo]})
    assert res["changed"] == 4 and res["unchanged"] == 0
    assert all(novo in row(core, k)["tags"] for k in (ANA, BIA, DANI, "5599912345678@c.us"))
    assert all(row(core, k)["version"] == versions[k] + 1 for k in versions)
    res = ok(core, "crm.bulk", {"chats": [ANA, BIA], "action": "untag", "tags": [vip]})
    assert (res["changed"], row(core, ANA)["tags"]) == (2, [atacado, novo])
    res = ok(core, "crm.bulk", {"chats": [ANA, BIA, DANI], "action": "move_stage", "stage": "won"})
    assert res["changed"] == 3 and {row(core, k)["deals"][0]["stage"] for k in (ANA, BIA, DANI)} == {"won"}
    assert ok(core, "crm.bulk", {"chats": [ANA], "action": "move_stage", "stage": "won"})["unchanged"] == 1
    assert err(core, "crm.bulk", {"chats": [ANA], "action": "move_stage", "stage": "x"})[1]["reason"] == "unknown_stage"
    assert ok(core, "crm.timeline", {"chat": DANI})["items"][0]["summary"]["pt_BR"] == "Vendas: negócio aberto em Ganho"
