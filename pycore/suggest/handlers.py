"""suggestion.model.*: the language model's settings and the prompt preview."""

from __future__ import annotations

from pycore.bridge import Register
from pycore.suggest.model import ModelSource
from pycore.suggestions import protocol as p


def register(on: Register, model: ModelSource) -> None:
    async def get(cmd: p.ModelSettingsGet) -> p.ModelSettingsResult:
        return model.result(await model.settings())

    async def set_(cmd: p.ModelSettingsSet) -> p.ModelSettingsResult:
        return await model.set(cmd.values)

    async def preview(cmd: p.ModelPreviewCmd) -> p.ModelPreview:
        return await model.preview(cmd.chat)

    on(p.ModelSettingsGet, get)
    on(p.ModelSettingsSet, set_)
    on(p.ModelPreviewCmd, preview)
