from tests.core.conftest import call

GROUP = "120363000000000009@g.us"


def test_offer_waits_for_a_click_and_send_goes_through_the_gate(core, events):
    offered = call(core, "suggestion.offer", {"chat": GROUP, "text": "Posso reservar para você?"})["result"]
    assert offered["chat_title"] == "120363000000000009"
    assert events.of("suggestion.offered")[0]["suggestion"]["text"] == "Posso reservar para você?"
    assert call(core, "outbox.list", {})["result"]["entries"] == []  # offering sends nothing
    pending = call(core, "suggestion.pending", {}, source="content")["result"]["suggestions"]
    assert [s["chat"] for s in pending] == [GROUP]

    sent = call(core, "suggestion.approve", {"chat": GROUP, "text": "Posso reservar para você?", "mode": "send"},
                source="content")["result"]
    assert sent["send"]["state"] == "approved"
    entries = call(core, "outbox.list", {})["result"]["entries"]
    assert [(e["origin"], e["state"]) for e in entries] == [("suggestion", "approved")]
    assert call(core, "suggestion.pending", {})["result"]["suggestions"] == []
    assert events.of("suggestion.cleared") == [{"chat": GROUP}]


def test_dismiss_and_replace(core):
    call(core, "suggestion.offer", {"chat": GROUP, "text": "primeira"})
    call(core, "suggestion.offer", {"chat": GROUP, "text": "segunda"})
    assert [s["text"] for s in call(core, "suggestion.pending", {})["result"]["suggestions"]] == ["segunda"]
    assert call(core, "suggestion.dismiss", {"chat": GROUP})["result"]["suggestions"] == []
    assert call(core, "outbox.list", {})["result"]["entries"] == []
    assert not call(core, "suggestion.offer", {"chat": GROUP, "text": "x"}, source="content")["ok"]
