"""The base every output model derives from, and what each model declares about its fields.

Everything the rest of the package needs to know about an output model is declared on the
model class: which rule checks each field gets (``field_kinds``), which columns a batch writes
for it (``columns``) and whether it has a rule-built fallback (``fallback_kind``,
``rule_built``). A model that leaves one of its fields without a kind is refused when its class
is defined, so a new template cannot silently get only half the checks.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, ClassVar, Literal, Self

from pydantic import BaseModel, ConfigDict

#: The kinds of channel field a channel profile sets rules for (``rules.base.FIELD_KINDS``).
ChannelKind = Literal["title", "bullets", "description", "seo_title", "meta_description", "faq"]
#: How the rule checks treat one field of an output model:
#:
#: - a :data:`ChannelKind`: every check, with the channel's rules for that kind of field;
#: - ``"copy"``: every content check (claims, leftovers, language, facts), no channel limits;
#: - ``"notes"``: leftovers and language only (studies and plans are drafts for the seller, not
#:   copy a shopper reads);
#: - ``"data"``: not text to check (keywords, figures restated to verify).
FieldKind = ChannelKind | Literal["copy", "notes", "data"]


def kinds(**by_field: FieldKind) -> Mapping[str, FieldKind]:
    """A model's ``field_kinds``, read-only: ``kinds(title="title", keywords="data")``."""
    return MappingProxyType(by_field)


class CopyOutput(BaseModel):
    """Structured output of one template.

    Every field is required and unknown keys are refused, so the JSON schema sent to the model
    is valid for strict structured-output modes (all properties required,
    ``additionalProperties: false``).
    """

    model_config = ConfigDict(extra="forbid")

    #: Field name -> its :data:`FieldKind`.
    field_kinds: ClassVar[Mapping[str, FieldKind]] = kinds()
    #: The kind of every field ``field_kinds`` leaves out; None: every field must be listed.
    other_fields: ClassVar[FieldKind | None] = None
    #: The columns a batch writes for this output, in order. A column named after a field holds
    #: that field (a list joined one item a line for a ``bullets`` field, with ", " otherwise);
    #: a column named after no field holds the whole output as text (:meth:`as_text`).
    columns: ClassVar[tuple[str, ...]] = ("text",)
    #: For a model with a rule-built fallback (:meth:`rule_built`), the channel kind whose
    #: length limit bounds it; None: no fallback, a generation with no passing answer fails.
    fallback_kind: ClassVar[ChannelKind | None] = None

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        unknown = sorted(set(cls.field_kinds) - set(cls.model_fields))
        if unknown:
            raise TypeError(f"{cls.__name__}.field_kinds names no field: {', '.join(unknown)}")
        missing = [name for name in cls.model_fields if name not in cls.field_kinds]
        if missing and cls.other_fields is None:
            raise TypeError(
                f"{cls.__name__} declares no field kind for {', '.join(missing)}: "
                "list them in field_kinds or set other_fields"
            )
        assembled = [name for name in cls.columns if name not in cls.model_fields]
        if not cls.columns or len(set(cls.columns)) < len(cls.columns) or len(assembled) > 1:
            raise TypeError(
                f"{cls.__name__}.columns must name distinct columns, at most one of them "
                f"(the whole text) named after no field: {cls.columns}"
            )

    @classmethod
    def kind_of(cls, name: str) -> FieldKind:
        """The :data:`FieldKind` of the field ``name``."""
        kind = cls.field_kinds.get(name, cls.other_fields)
        if kind is None or name not in cls.model_fields:
            raise KeyError(f"{cls.__name__} has no field {name!r}")
        return kind

    @classmethod
    def rule_built(
        cls, product: Mapping[str, Any], max_chars: int | None, channel: str | None = None
    ) -> Self | None:
        """An output built by rules from the product's own data, within ``max_chars`` and as
        ``channel`` wants it, offered when no model answer passes; None when the data is too thin.
        Models with no ``fallback_kind`` have none."""
        return None

    def as_text(self, language: str = "en") -> str:
        """The output as a person reads it: the assembled copy, not the JSON.

        ``language`` picks the language of any labels or headings the text carries.
        """
        raise NotImplementedError


def join_blocks(*blocks: str) -> str:
    """Blocks separated by one blank line, empty ones left out."""
    return "\n\n".join(block.strip() for block in blocks if block.strip())
