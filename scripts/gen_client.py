"""The typed JS client, rendered from the protocol registry (used by gen_protocol.py).

Three kinds of output, all generated, all checked for staleness:

* ``extension/shared/protocol/<feature>.d.ts``: per feature (the Python package that owns the
  model, from ``cls.__module__`` without its ``pycore`` and ``protocol`` parts), a TypeScript
  interface for every command's arguments, every result and event, and every nested model, read
  from the pydantic JSON schemas; the feature's ``Literal`` aliases as types; its commands and
  events merged into the ``Mettri.Commands`` / ``Mettri.Events`` maps.
* ``extension/shared/protocol/index.d.ts``: the generic envelope types, ``Mettri.Api`` (one
  typed call per command, nested by the command's dotted name) and the globals' types.
* ``extension/shared/protocol.js``: a classic script (content scripts cannot import modules; an
  extension page or module may import it for its effect) that sets the frozen globals
  ``MettriProtocol`` (names, sources, Literal values, bounds JS must respect, the envelope
  builders) and ``MettriApi`` (one call per command over ``MettriCore``, the transport).

Arguments are rendered as the core validates them (a field with a default may be left out);
results and events as the core serialises them (``model_dump``: every field is present, ``None``
is ``null``).
"""

from __future__ import annotations

import inspect
import json
import re
import sys
import typing
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema

INPUT, OUTPUT = "validation", "serialization"
BOUND_KEYS = ("minLength", "maxLength", "minItems", "maxItems", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")
# Keys of MettriProtocol that are not features.
RESERVED = {"version", "commands", "events", "request", "errorReply"}


class _Schema(GenerateJsonSchema):
    """Serialisation mode lists every field as required: model_dump writes them all."""

    def field_is_required(self, field, total) -> bool:  # noqa: ANN001 (pydantic's signature)
        if self.mode == OUTPUT:
            return not field.get("serialization_exclude")
        return super().field_is_required(field, total)


def feature_of(obj) -> str:
    """pycore.protocol.capture -> capture; pycore.capture.protocol -> capture; pycore.protocol -> base."""
    module = obj if isinstance(obj, str) else obj.__module__
    parts = [p for p in module.split(".") if p not in ("pycore", "protocol")]
    return parts[0] if parts else "base"


def _models_in(tp, out: dict[str, type[BaseModel]]) -> None:
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        if out.get(tp.__name__) is tp:
            return
        if tp.__name__ in out:
            raise SystemExit(f"gen_protocol: two models named {tp.__name__} ({tp.__module__}, {out[tp.__name__].__module__})")
        out[tp.__name__] = tp
        for f in tp.model_fields.values():
            _models_in(f.annotation, out)
        return
    for arg in typing.get_args(tp):
        _models_in(arg, out)


def _literal_aliases(module) -> dict[str, list]:
    """Module-level ``Name = Literal[...]`` aliases written in this module (not imported ones)."""
    try:
        source = inspect.getsource(module)
    except (OSError, TypeError):
        return {}
    out = {}
    for name, value in vars(module).items():
        if typing.get_origin(value) is typing.Literal and re.search(rf"^{name}\s*(:[^=\n]*)?=\s*Literal\[", source, re.M):
            out[name] = list(typing.get_args(value))
    return out


@dataclass
class Feature:
    name: str
    modules: set = field(default_factory=set)
    models: dict = field(default_factory=dict)  # (class name, mode) -> schema
    literals: dict = field(default_factory=dict)
    commands: list = field(default_factory=list)  # (wire name, command class)
    events: list = field(default_factory=list)  # (wire name, event class)
    bounds: dict = field(default_factory=dict)  # model -> field -> {bound: value}


class Client:
    """The protocol read once: every model per feature and mode, named for TypeScript."""

    def __init__(self, p):
        self.p = p
        self.classes: dict[str, type[BaseModel]] = {}
        for cls in [*p.COMMANDS.values(), *(c.result for c in p.COMMANDS.values()), *p.EVENTS.values(), p.Request, p.Reply, p.EventEnvelope]:
            _models_in(cls, self.classes)
        self.schemas: dict[tuple[str, str], dict] = {}  # (class name, mode) -> its own schema
        roots = [(c, INPUT) for c in p.COMMANDS.values()] + [(p.Request, INPUT)]
        roots += [(c.result, OUTPUT) for c in p.COMMANDS.values()] + [(e, OUTPUT) for e in p.EVENTS.values()]
        roots += [(p.Reply, OUTPUT), (p.EventEnvelope, OUTPUT)]
        for cls, mode in roots:
            full = cls.model_json_schema(mode=mode, schema_generator=_Schema, ref_template="#/$defs/{model}")
            defs = full.pop("$defs", {})
            self.schemas[(cls.__name__, mode)] = full
            for name, schema in defs.items():
                self.schemas.setdefault((self._cls(name).__name__, mode), schema)
        self._differs: dict[str, bool] = {}
        self.features: dict[str, Feature] = {}
        for (name, mode) in sorted(self.schemas):
            f = self._feature(self.classes[name])
            f.models[(name, mode)] = self.schemas[(name, mode)]
            if mode == INPUT:
                b = _bounds(self.schemas[(name, mode)])
                if b:
                    f.bounds[name] = b
        for wire, cls in sorted(p.COMMANDS.items()):
            self._feature(cls).commands.append((wire, cls))
        for wire, cls in sorted(p.EVENTS.items()):
            self._feature(cls).events.append((wire, cls))
        for f in self.features.values():
            for module in sorted(f.modules):
                f.literals.update(_literal_aliases(sys.modules[module]))
        # An enum with exactly the values of a Literal alias is written as that alias.
        self.aliases: dict[tuple, tuple[str, str]] = {}
        for f in sorted(self.features.values(), key=lambda f: f.name):
            for name, values in sorted(f.literals.items()):
                self.aliases.setdefault(tuple(values), (f.name, name))
        bad = RESERVED & set(self.features)
        if bad:
            raise SystemExit(f"gen_protocol: a feature may not be called {sorted(bad)}")

    def _feature(self, cls) -> Feature:
        name = feature_of(cls)
        f = self.features.setdefault(name, Feature(name))
        f.modules.add(cls.__module__)
        return f

    def _cls(self, def_name: str) -> type[BaseModel]:
        if def_name in self.classes:
            return self.classes[def_name]
        for cls in self.classes.values():  # pydantic's long form when two names collide
            if def_name == f"{cls.__module__}__{cls.__qualname__}".replace(".", "__"):
                return cls
        raise SystemExit(f"gen_protocol: no model for $defs/{def_name}")

    # -- names -------------------------------------------------------------------------
    def differs(self, name: str) -> bool:
        """The arguments' shape of a model is not its results' shape (defaults, nested)."""
        if name not in self._differs:
            self._differs[name] = False  # cycles: assume equal while looking
            a, b = self.schemas.get((name, INPUT)), self.schemas.get((name, OUTPUT))
            refs = set(_refs(a or {})) | set(_refs(b or {}))
            self._differs[name] = bool(a and b and a != b) or any(self.differs(self._cls(r).__name__) for r in refs)
        return self._differs[name]

    def type_name(self, name: str, mode: str) -> str:
        both = (name, INPUT) in self.schemas and (name, OUTPUT) in self.schemas
        return f"{name}Input" if mode == INPUT and both and self.differs(name) else name

    def ref(self, def_name: str, mode: str, here: str) -> str:
        cls = self._cls(def_name)
        local = self.type_name(cls.__name__, mode)
        where = feature_of(cls)
        return local if where == here else f"Mettri.{where}.{local}"

    # -- schema -> TypeScript ------------------------------------------------------------
    def ts(self, s: dict, mode: str, here: str) -> str:
        if not s or s is True:
            return "unknown"
        if "$ref" in s:
            return self.ref(s["$ref"].rsplit("/", 1)[1], mode, here)
        if "const" in s:
            return json.dumps(s["const"], ensure_ascii=False)
        if "enum" in s:
            alias = self.aliases.get(tuple(s["enum"]))
            if alias:
                return alias[1] if alias[0] == here else f"Mettri.{alias[0]}.{alias[1]}"
            return " | ".join(json.dumps(v, ensure_ascii=False) for v in s["enum"])
        for key in ("anyOf", "oneOf"):
            if key in s:
                parts = []
                for sub in s[key]:
                    t = self.ts(sub, mode, here)
                    if t not in parts:
                        parts.append(t)
                return " | ".join(parts)
        if "allOf" in s and len(s["allOf"]) == 1:
            return self.ts(s["allOf"][0], mode, here)
        t = s.get("type")
        if isinstance(t, list):
            return " | ".join(self.ts({**s, "type": one}, mode, here) for one in t)
        if t == "string":
            return "string"
        if t in ("integer", "number"):
            return "number"
        if t == "boolean":
            return "boolean"
        if t == "null":
            return "null"
        if t == "array":
            if "prefixItems" in s:
                return "[" + ", ".join(self.ts(x, mode, here) for x in s["prefixItems"]) + "]"
            inner = self.ts(s.get("items", {}), mode, here)
            return f"({inner})[]" if "|" in inner else f"{inner}[]"
        if t == "object" or "properties" in s or "additionalProperties" in s:
            return self.object_type(s, mode, here)
        return "unknown"

    def object_type(self, s: dict, mode: str, here: str, indent: str = "") -> str:
        props = s.get("properties")
        extra = s.get("additionalProperties", True if not props else False)
        if props:
            body = self.members(s, mode, here, indent + "  ")
            return "{\n" + body + indent + "}"
        if extra is False:
            return "Record<string, never>"
        value = "unknown" if extra is True else self.ts(extra, mode, here)
        keys = (s.get("propertyNames") or {}).get("enum")
        if keys:
            return "{ " + " ".join(f"{json.dumps(k)}?: {value};" for k in keys) + " }"
        return f"{{ [key: string]: {value} }}"

    def members(self, s: dict, mode: str, here: str, indent: str) -> str:
        required = set(s.get("required", []))
        lines = []
        for name, sub in s.get("properties", {}).items():
            doc = _doc(sub, mode)
            if doc:
                lines.append(f"{indent}/** {doc} */")
            key = name if re.fullmatch(r"[A-Za-z_$][\w$]*", name) else json.dumps(name)
            opt = "" if name in required else "?"
            lines.append(f"{indent}{key}{opt}: {self.ts(sub, mode, here)};")
        return "".join(line + "\n" for line in lines)


def _refs(s) -> list[str]:
    if isinstance(s, dict):
        out = [s["$ref"].rsplit("/", 1)[1]] if "$ref" in s else []
        for v in s.values():
            out += _refs(v)
        return out
    if isinstance(s, list):
        return [r for v in s for r in _refs(v)]
    return []


def _bounds(schema: dict) -> dict:
    out = {}
    for name, sub in schema.get("properties", {}).items():
        found = {}
        for part in [sub, *sub.get("anyOf", [])]:
            for key in BOUND_KEYS:
                if key in part:
                    found[key] = part[key]
        if found:
            out[name] = found
    return out


def _doc(s: dict, mode: str) -> str:
    words = []
    if s.get("description"):
        words.append(s["description"].rstrip("."))
    limits = []
    for part in [s, *s.get("anyOf", [])]:
        for lo, hi, unit in (("minLength", "maxLength", " characters"), ("minItems", "maxItems", " items"),
                             ("minimum", "maximum", "")):
            if lo in part and hi in part:
                limits.append(f"{part[lo]} to {part[hi]}{unit}")
            elif hi in part:
                limits.append(f"at most {part[hi]}{unit}")
            elif lo in part:
                limits.append(f"at least {part[lo]}{unit}")
        if "exclusiveMinimum" in part:
            limits.append(f"more than {part['exclusiveMinimum']}")
        if "exclusiveMaximum" in part:
            limits.append(f"less than {part['exclusiveMaximum']}")
    if limits:
        words.append(", ".join(limits))
    if mode == INPUT and "default" in s:
        words.append("default " + json.dumps(s["default"], ensure_ascii=False))
    return ". ".join(words).replace("*/", "* /")


def _comment(text: str, indent: str) -> list[str]:
    text = inspect.cleandoc(text or "")
    if not text:
        return []
    lines = text.replace("*/", "* /").splitlines()
    if len(lines) == 1:
        return [f"{indent}/** {lines[0]} */"]
    return [f"{indent}/**", *[f"{indent} * {line}".rstrip() for line in lines], f"{indent} */"]


HEADER = "// Generated by scripts/gen_protocol.py from the pydantic models in pycore: do not edit.\n"


def render_feature(c: Client, f: Feature) -> str:
    out = [HEADER.rstrip(), f"// The {f.name} feature ({', '.join(sorted(f.modules))}).", ""]
    out.append(f"declare namespace Mettri.{f.name} {{")
    for name, values in sorted(f.literals.items()):
        out.append(f"  type {name} = {' | '.join(json.dumps(v, ensure_ascii=False) for v in values)};")
    if f.literals:
        out.append("")
    for (name, mode), schema in sorted(f.models.items(), key=lambda kv: (kv[0][0], kv[0][1] == OUTPUT)):
        tname = c.type_name(name, mode)
        if mode == OUTPUT and (name, INPUT) in f.models and tname == c.type_name(name, INPUT):
            continue  # one shape serves both ways
        cls = c.classes[name]
        out += _comment(cls.__doc__ if "__doc__" in vars(cls) else "", "  ")
        body = c.object_type(schema, mode, f.name, "  ")
        out.append(f"  interface {tname} {body}" if schema.get("properties") else f"  type {tname} = {body};")
    out.append("}")
    if f.commands or f.events:
        out += ["", "declare namespace Mettri {"]
    if f.commands:
        out.append("  interface Commands {")
        for wire, cls in f.commands:
            args = c.ref(cls.__name__, INPUT, "")
            result = c.ref(cls.result.__name__, OUTPUT, "")
            sources = " | ".join(json.dumps(s) for s in sorted(cls.sources))
            out.append(f"    {json.dumps(wire)}: {{ args: {args}; result: {result}; sources: {sources} }};")
        out.append("  }")
    if f.events:
        out.append("  interface Events {")
        for wire, cls in f.events:
            out.append(f"    {json.dumps(wire)}: {c.ref(cls.__name__, OUTPUT, '')};")
        out.append("  }")
    if f.commands or f.events:
        out.append("}")
    return "\n".join(out) + "\n"


def _tree(names: list[str]) -> dict:
    tree: dict = {}
    for wire in names:
        node = tree
        *path, leaf = wire.split(".")
        for part in path:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise SystemExit(f"gen_protocol: {wire} sits under another command's name")
        if leaf in node:
            raise SystemExit(f"gen_protocol: {wire} is also a group of commands")
        node[leaf] = wire
    return tree


def _key(name: str) -> str:
    return name if re.fullmatch(r"[A-Za-z_$][\w$]*", name) else json.dumps(name)


def _api_type(c: Client, node: dict, indent: str) -> list[str]:
    out = []
    for name, value in sorted(node.items()):
        if isinstance(value, dict):
            out.append(f"{indent}readonly {_key(name)}: {{")
            out += _api_type(c, value, indent + "  ")
            out.append(f"{indent}}};")
        else:
            cls = c.p.COMMANDS[value]
            doc = inspect.cleandoc(cls.__doc__ or "") if "__doc__" in vars(cls) else ""
            doc = (doc + "\n" if doc else "") + f"`{value}`, allowed from: {', '.join(sorted(cls.sources))}."
            out += _comment(doc, indent)
            out.append(f"{indent}readonly {_key(name)}: Call<{json.dumps(value)}>;")
    return out


def _literal_type(value, indent: str, extra: tuple[str, ...] = ()) -> str:
    """The TypeScript type of a JSON value, readonly and literal (extra: more members of an object)."""
    if isinstance(value, dict):
        inner = "".join(f"{indent}  readonly {_key(k)}: {_literal_type(v, indent + '  ')};\n" for k, v in value.items())
        inner += "".join(f"{indent}  {line}\n" for line in extra)
        return "{\n" + inner + indent + "}" if inner else "{}"
    if isinstance(value, list):
        return "readonly [" + ", ".join(_literal_type(v, indent) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def constants(c: Client) -> dict:
    data: dict = {
        "version": c.p.PROTOCOL_VERSION,
        "commands": {name: sorted(cls.sources) for name, cls in sorted(c.p.COMMANDS.items())},
        "events": sorted(c.p.EVENTS),
        # the events a WhatsApp tab hears: the document's lines and the worker's relay send it no other
        "tab_events": sorted(name for name, cls in c.p.EVENTS.items() if cls.to_tabs),
    }
    for name, f in sorted(c.features.items()):
        part = {k: v for k, v in sorted(f.literals.items())}
        if f.bounds:
            part["bounds"] = {m: f.bounds[m] for m in sorted(f.bounds)}
        if part:
            data[name] = part
    return data


INDEX_PREAMBLE = """\
// The envelopes and the typed client. Every type below is derived from the per-feature files
// next to this one; docs/protocol.md describes the same protocol in prose.

declare namespace Mettri {
  /** Every command's wire name. */
  type CommandName = keyof Commands;
  /** What a command takes (fields with a default may be left out). */
  type Args<K extends CommandName> = Commands[K]["args"];
  /** What a command's successful reply carries. */
  type Result<K extends CommandName> = Commands[K]["result"];
  /** Every event's wire name. */
  type EventName = keyof Events;
  /** What an event carries. */
  type EventData<K extends EventName> = Events[K];
  /** Any event from the core, discriminated by its name: `if (e.event === "outbox.changed") e.data.id`. */
  type Event = { [K in EventName]: { event: K; data: Events[K] } }[EventName];
  type ErrorCode = base.ErrorCode;
  type ErrorInfo = base.ErrorInfo;
  /** The reply envelope of a command, narrowed by `ok`. */
  type Reply<T = unknown> =
    | { id: string | null; ok: true; result: T; error?: undefined }
    | { id: string | null; ok: false; result?: undefined; error: ErrorInfo };
  /** A request envelope as a page or the content script sends it (the worker adds source and tab_id). */
  interface Request<K extends CommandName = CommandName> {
    id: string;
    type: K;
    args: Args<K>;
  }
  /** A request as the service worker forwards it to the core: the source stamped from Chrome's sender. */
  interface StampedRequest extends Request {
    source: base.Request["source"];
    tab_id: number | null;
  }
  /** The error a call throws when the reply is not ok. */
  interface CallError extends Error {
    code: ErrorCode;
    details: ErrorInfo["details"];
  }
  interface CallOptions {
    /** Give up (error not_ready) after this long; default 30 s. */
    timeoutMs?: number;
  }
  type CallParams<K extends CommandName> = {} extends Args<K>
    ? [args?: Args<K>, options?: CallOptions]
    : [args: Args<K>, options?: CallOptions];
  /** One command: call it for its result (throws a CallError), or .request() for the reply envelope. */
  interface Call<K extends CommandName> {
    (...params: CallParams<K>): Promise<Result<K>>;
    request(...params: CallParams<K>): Promise<Reply<Result<K>>>;
    readonly command: K;
  }
  /** chrome.runtime messages between Mettri's own contexts (docs/protocol.md, "Transport"). */
  type Message =
    | { to: "core-direct"; request: Request | string }
    | { to: "core"; request: Request | string }
    | { to: "offscreen"; request: StampedRequest; text?: boolean }
    | { to: "broadcast"; envelope: Event; key?: string; lines?: number[] }
    | { to: "content"; envelope: Event; key?: string }
    | { to: "sw"; kind: "ensure_core" | "restart_core" | "model_key" };
  /** Messages on a line, the port a page or the content script holds to the offscreen document
   *  (docs/protocol.md, "Transport"). */
  type LineMessage =
    | { request: Request | string }
    | { hello: true }
    | { id: string | null; reply: Reply | string }
    | { event: Event; key: string };
"""


def render_index(c: Client) -> str:
    out = [HEADER.rstrip(), INDEX_PREAMBLE.rstrip(), "", "  /** One typed call per command, grouped by the command's dotted name. */", "  interface Api {"]
    out += _api_type(c, _tree(sorted(c.p.COMMANDS)), "    ")
    out.append("  }")
    out.append("")
    out.append("  /** MettriProtocol: names, sources, each feature's Literal values and bounds, the envelope builders. */")
    envelope = (
        "readonly request: <K extends CommandName>(id: string, type: K, args: Args<K>) => Request<K>;",
        'readonly errorReply: (id: string | null, code: ErrorCode, message: string, details?: ErrorInfo["details"]) => Reply<never>;',
    )
    out.append("  type Constants = " + _literal_type(constants(c), "  ", envelope) + ";")
    out.append("}")
    out.append("")
    out.append("declare var MettriProtocol: Mettri.Constants;")
    out.append("declare var MettriApi: Mettri.Api;")
    return "\n".join(out) + "\n"


def _api_value(node: dict, indent: str) -> list[str]:
    out = []
    for name, value in sorted(node.items()):
        if isinstance(value, dict):
            out.append(f"{indent}{_key(name)}: freeze({{")
            out += _api_value(value, indent + "  ")
            out.append(f"{indent}}}),")
        else:
            out.append(f"{indent}{_key(name)}: command({json.dumps(value)}),")
    return out


def _js_entries(value: dict, indent: str) -> list[str]:
    """A JSON object's members as JS lines: objects one member a line, lists of scalars inline."""
    out = []
    for k, v in value.items():
        if isinstance(v, dict) and v and all(not isinstance(x, (dict, list)) for x in v.values()):
            inner = ", ".join(f"{json.dumps(a)}: {json.dumps(b, ensure_ascii=False)}" for a, b in v.items())
            out.append(f"{indent}{json.dumps(k)}: {{ {inner} }},")
        elif isinstance(v, dict) and v:
            out += [f"{indent}{json.dumps(k)}: {{", *_js_entries(v, indent + "  "), f"{indent}}},"]
        else:
            out.append(f"{indent}{json.dumps(k)}: {json.dumps(v, ensure_ascii=False)},")
    return out


def render_js(c: Client) -> str:
    tree = _tree(sorted(c.p.COMMANDS))
    lines = [
        "// @ts-check",
        HEADER.rstrip(),
        "// A classic script, so the content script and the pages can both load it (a module may",
        "// import it for its effect). Its types: extension/shared/protocol/*.d.ts.",
        "(() => {",
        "  const freeze = Object.freeze;",
        "  /** @param {any} value @returns {any} */",
        "  const deepFreeze = (value) => {",
        "    if (value && typeof value === \"object\") Object.values(value).forEach(deepFreeze);",
        "    return freeze(value);",
        "  };",
        "",
        "  /** @type {Mettri.Constants} */",
        "  const protocol = deepFreeze({",
        *_js_entries(constants(c), "    "),
        "    /** @type {Mettri.Constants[\"request\"]} */",
        "    request: (id, type, args) => ({ id, type, args }),",
        "    /** @type {Mettri.Constants[\"errorReply\"]} */",
        "    errorReply: (id, code, message, details = []) => ({ id, ok: false, error: { code, message, details } }),",
        "  });",
        "",
        "  /**",
        "   * One command over the transport (MettriCore, extension/shared/core-client.js).",
        "   * @template {Mettri.CommandName} K",
        "   * @param {K} type",
        "   * @returns {Mettri.Call<K>}",
        "   */",
        "  function command(type) {",
        "    /** @param {Mettri.CallParams<K>} params */",
        "    const call = (...params) => MettriCore.call(type, ...params);",
        "    /** @param {Mettri.CallParams<K>} params */",
        "    const request = (...params) => MettriCore.request(type, ...params);",
        "    return freeze(Object.assign(call, { request, command: type }));",
        "  }",
        "",
        "  /** @type {Mettri.Api} */",
        "  const api = freeze({",
        *_api_value(tree, "    "),
        "  });",
        "",
        "  globalThis.MettriProtocol = protocol;",
        "  globalThis.MettriApi = api;",
        "})();",
    ]
    return "\n".join(lines) + "\n"


def outputs(p, js: Path, types_dir: Path) -> dict[Path, str]:
    c = Client(p)
    out = {js: render_js(c), types_dir / "index.d.ts": render_index(c)}
    for name, f in sorted(c.features.items()):
        out[types_dir / f"{name}.d.ts"] = render_feature(c, f)
    return out
