"""Serve the replica as https://web.whatsapp.com/ through Playwright request routing.

    from tests.replica.site import install_routes
    install_routes(context, corpus_params={"chats": 5000, "messages": 100000})
    page.goto("https://web.whatsapp.com/?gen=2026&lang=pt-BR")

Routes: /__replica/app.js and /__replica/app.css (the esbuild output), /__replica/corpus.json
(corpus.generate, params seed/chats/messages/lang_mix from the query, falling back to
corpus_params; /__replica/corpus.json.gz is the same bytes gzipped, which the page itself loads), and index.html for / and every other path (e.g. /send?phone=...). Because the
page really is at https://web.whatsapp.com/, an extension's content script is injected as on
the real site.
"""
from __future__ import annotations

import gzip
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


@lru_cache(maxsize=8)
def corpus_gzip(seed: int, chats: int, messages: int, lang_mix: float) -> bytes:
    # Playwright carries fulfilled bodies base64 over a pipe (18 MB took ~5 s); gzip level 1 is 5x
    # smaller and the page inflates it with DecompressionStream.
    return gzip.compress(corpus_json(seed, chats, messages, lang_mix), 1)


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
        if path in ("/__replica/corpus.json", "/__replica/corpus.json.gz"):
            q = {k: v[-1] for k, v in parse_qs(url.query).items()}
            p = {**defaults, **q}
            args = (int(p["seed"]), int(p["chats"]), int(p["messages"]), float(p["lang_mix"]))
            if path.endswith(".gz"):
                body, ctype = corpus_gzip(*args), "application/gzip"
            else:
                body, ctype = corpus_json(*args), "application/json; charset=utf-8"
            route.fulfill(status=200, body=body, headers={"content-type": ctype, "cache-control": "no-store"})
        elif path.startswith("/__replica/") and path[len("/__replica/"):] in assets:
            name = path[len("/__replica/"):]
            route.fulfill(status=200, body=assets[name], headers={"content-type": _TYPES[name]})
        elif path.startswith("/__replica/"):
            route.fulfill(status=404, body=b"not found")
        else:
            route.fulfill(status=200, body=index, headers={"content-type": "text/html; charset=utf-8"})

    target.route(f"{ORIGIN}/**", handler)
