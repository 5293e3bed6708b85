"""From an output model to the named text fields a feed writer puts in columns."""

from __future__ import annotations

from copyassist.outputs import CopyOutput

#: Output model -> the writer fields it fills, in column order.
FIELDS_BY_MODEL: dict[str, tuple[str, ...]] = {
    "ProductTitle": ("title",),
    "ProductDescription": ("headline", "description", "call_to_action"),
    "Bullets": ("bullets",),
    "SeoOutput": ("seo_title", "meta_description", "keywords"),
    "SeoRewrite": ("description", "keywords"),
    "FaqOutput": ("faq",),
}


def fields_for(model: type[CopyOutput]) -> tuple[str, ...]:
    """The writer fields ``model`` fills; every other model writes its assembled ``text``."""
    return FIELDS_BY_MODEL.get(model.__name__, ("text",))


def _joined(value: object, separator: str) -> str:
    if isinstance(value, list):
        return separator.join(str(getattr(item, "value", item)).strip() for item in value)
    return str(value)


def output_fields(output: CopyOutput, language: str = "en") -> dict[str, str]:
    """The text of each writer field of ``output``."""
    names = fields_for(type(output))
    if names == ("text",):
        text = getattr(output, "text", None)
        return {"text": text if isinstance(text, str) else output.as_text(language)}
    if names == ("faq",):
        return {"faq": output.as_text(language)}
    result: dict[str, str] = {}
    for name in names:
        value = getattr(output, name)
        result[name] = _joined(value, "\n" if name == "bullets" else ", ")
    return result
