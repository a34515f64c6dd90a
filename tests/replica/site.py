"""Serve the replica as https://web.whatsapp.com/ through Playwright request routing.

    from tests.replica.site import install_routes
    install_routes(context, corpus_params={"chats": 5000, "messages": 100000})
    page.goto("https://web.whatsapp.com/?gen=2026&lang=pt-BR")

Routes: /__replica/app.js and /__replica/app.css (the esbuild output), /__replica/corpus.json
(corpus.generate, params seed/chats/messages/lang_mix from the query, falling back to
corpus_params), and index.html for / and every other path (e.g. /send?phone=...). Because the
page really is at https://web.whatsapp.com/, an extension's content script is injected as on
the real site.
"""
from __future__ import annotations

import json
from functools import lru_cache
from urllib.parse import parse_qs, urlsplit

from . import build, corpus

ORIGIN = "https://web.whatsapp.com"
DEFAULT_CORPUS = {"seed": 1, "chats": 60, "messages": 3000, "lang_mix": 0.3}
_TYPES = {"app.js": "text/javascript; charset=utf-8", "app.css": "text/css; charset=utf-8"}


@lru_cache(maxsize=8)
def corpus_json(seed: int, chats: int, messages: int, lang_mix: float) -> bytes:
    return corpus.generate_json(seed, chats, messages, lang_mix)


def corpus_url(**params) -> str:
    q = "&".join(f"{k}={v}" for k, v in params.items())
    return f"{ORIGIN}/__replica/corpus.json" + (f"?{q}" if q else "")


def install_routes(target, *, corpus_params: dict | None = None) -> None:
    """Route https://web.whatsapp.com/** on a Playwright BrowserContext or Page to the replica."""
    out = build.ensure_built()
    defaults = {**DEFAULT_CORPUS, **(corpus_params or {})}
    index = (out / "index.html").read_text(encoding="utf-8").replace(
        '<script id="replica-defaults" type="application/json">{}</script>',
        '<script id="replica-defaults" type="application/json">%s</script>' % json.dumps(defaults),
    ).encode("utf-8")
    assets = {name: (out / name).read_bytes() for name in _TYPES}

    def handler(route) -> None:
        url = urlsplit(route.request.url)
        path = url.path
        if path == "/__replica/corpus.json":
            q = {k: v[-1] for k, v in parse_qs(url.query).items()}
            p = {**defaults, **q}
            body = corpus_json(int(p["seed"]), int(p["chats"]), int(p["messages"]), float(p["lang_mix"]))
            route.fulfill(status=200, body=body, headers={
                "content-type": "application/json; charset=utf-8", "cache-control": "no-store"})
        elif path.startswith("/__replica/") and path[len("/__replica/"):] in assets:
            name = path[len("/__replica/"):]
            route.fulfill(status=200, body=assets[name], headers={"content-type": _TYPES[name]})
        elif path.startswith("/__replica/"):
            route.fulfill(status=404, body=b"not found")
        else:
            route.fulfill(status=200, body=index, headers={"content-type": "text/html; charset=utf-8"})

    target.route(f"{ORIGIN}/**", handler)
