"""The options several commands share, each declared once.

``generate``, ``render`` and ``batch`` take the same copy inputs (persona, language, channel,
lengths, keywords, tone, temperature...). They are the fields of ``CopyOptions``;
``with_copy_options`` (generate, render) and ``with_feed_options`` (batch: every field but the
product ones, which its rows give) put them in a command's signature, since typer builds the
flags and ``--help`` from the signature, and hand the command one ``CopyOptions``.
``CopyOptions.library_kwargs`` (and ``feed_kwargs``, the same without the product) is the one
translation from option values to the keyword arguments of ``prepare``, ``generate``,
``run_batch`` and ``dry_run``.

Two flags are spelt differently for a feed (``FEED_FLAGS``): ``--lang`` there applies to every
row, and ``--format`` is batch's feed format, so the copy format is ``--copy-format`` in all
three commands (``--format`` stays its spelling in generate and render).

The backend options (provider, model, base URL, attempts) are in ``cli.backend_options``; the
checks of flag values before any work (product, channel, ``--text @FILE``) in ``cli.option_checks``.

Parameter names are the library's keyword names (``base_url``, ``max_tokens``...): an error's
``hint_options`` names them, and ``cli.errors`` finds the flag of the running command by name."""

from __future__ import annotations

import dataclasses
import functools
import inspect
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar, get_type_hints

import typer

from copyassist.brand import Brand, load_brand
from copyassist.cli.option_checks import read_text_option
from copyassist.product import load_product

R = TypeVar("R")

_LANG_FLAGS = ("--lang", "-l")
_LANG_ENV = "COPYASSIST_LANG"

TemplateArg = Annotated[
    str,
    typer.Argument(metavar="TEMPLATE", help="Template name (see 'copyassist templates list') or a .j2 file."),
]
ProductOpt = Annotated[
    Path | None,
    typer.Option(
        "--product", "-p", metavar="FILE", help="Product as a JSON or YAML file.", show_default=False
    ),
]
SetOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        "-s",
        metavar="FIELD=VALUE",
        help="Product field, repeatable: title=..., attributes.colour=...",
        show_default=False,
    ),
]
PersonaOpt = Annotated[
    str | None,
    typer.Option(metavar="NAME", help="Persona name (see 'copyassist personas list') or YAML file."),
]
_LANG_HELP = (
    "Output language: fr, en, de, es or it (de, es, it from the English prompts). Default: the product's "
    "own (a language field, else detected), else fr."
)
LangOpt = Annotated[
    str | None,
    typer.Option(*_LANG_FLAGS, envvar=_LANG_ENV, metavar="LANG", help=_LANG_HELP, show_default=False),
]
FeedLangOpt = Annotated[
    str | None,
    typer.Option(
        *_LANG_FLAGS,
        envvar=_LANG_ENV,
        metavar="LANG",
        help="Write every row in this language (fr, en, de, es, it). Default: each row in its own (a "
        "language column, else detected from its title and description), else fr.",
        show_default=False,
    ),
]
ChannelOpt = Annotated[
    str | None,
    typer.Option(
        metavar="NAME",
        help="Sales channel whose rules the copy is checked against: amazon, google-shopping, shopify, "
        "rakuten-fr, cdiscount...",
    ),
]
ToneOpt = Annotated[
    str | None, typer.Option(metavar="TONE", help="Tone, e.g. 'chaleureux', 'premium', 'playful'.")
]
ObjectiveOpt = Annotated[
    str | None, typer.Option(metavar="TEXT", help="Objective: product page, email, ad, social post...")
]
WordsOpt = Annotated[int | None, typer.Option(min=1, metavar="WORDS", help="Target length in words.")]
MaxCharsOpt = Annotated[
    int | None, typer.Option(min=1, metavar="CHARS", help="Hard length limit in characters.")
]
CountOpt = Annotated[
    int | None, typer.Option(min=1, metavar="N", help="How many items (bullets, questions, groups...).")
]
KeywordOpt = Annotated[
    list[str] | None, typer.Option("--keyword", "-k", metavar="WORD", help="Keyword to use, repeatable.")
]
FormatOpt = Annotated[
    str | None,
    typer.Option(
        "--copy-format",
        "--format",
        metavar="text|html",
        help="Copy format (descriptions): text or html. Also spelt --format, as before.",
        show_default=False,
    ),
]
#: batch's --format names the feed's format, so there the copy format is --copy-format only
FeedCopyFormatOpt = Annotated[
    str | None,
    typer.Option(
        "--copy-format",
        metavar="text|html",
        help="Copy format (descriptions): text or html. (--format is the feed's format.)",
        show_default=False,
    ),
]
LocationOpt = Annotated[
    str | None, typer.Option(metavar="PLACE", help="Market or place (studies, demographics).")
]
CompetitorOpt = Annotated[
    list[str] | None, typer.Option("--competitor", metavar="NAME", help="Competitor name, repeatable.")
]
TextOpt = Annotated[
    str | None, typer.Option(metavar="TEXT|@FILE", help="Existing copy to rewrite; @FILE reads a file.")
]
BrandOpt = Annotated[
    str | None, typer.Option(metavar="BRAND", help="Seller's brand (defaults to the product's).")
]
CategoryOpt = Annotated[
    str | None,
    typer.Option(metavar="CATEGORY", help="Sector or product category (defaults to the product's)."),
]
TemperatureOpt = Annotated[
    float | None,
    typer.Option(min=0.0, max=2.0, metavar="T", help="Sampling temperature (template default otherwise)."),
]
MaxTokensOpt = Annotated[
    int | None, typer.Option(min=1, metavar="TOKENS", help="Output token limit (template default otherwise).")
]
PromptsDirOpt = Annotated[
    list[Path] | None,
    typer.Option("--prompts-dir", metavar="DIR", help="Extra template folder, searched first."),
]
PersonasDirOpt = Annotated[
    list[Path] | None,
    typer.Option("--personas-dir", metavar="DIR", help="Extra persona folder, searched first."),
]
ExamplesOpt = Annotated[
    Path | None,
    typer.Option(
        metavar="FILE",
        help="The seller's approved listings (a feed: CSV, JSON, XLSX...) shown as style examples, "
        "at most 3 per product, the closest first; their facts never carry over.",
        show_default=False,
    ),
]
CompactOpt = Annotated[
    bool | None,
    typer.Option(
        "--compact/--full-prompts",
        help="Short prompts for small models (the essential instruction, the product facts, one example). "
        "Default: compact for the embedded model only.",
        show_default=False,
    ),
]
TranslateFromOpt = Annotated[
    str | None,
    typer.Option(
        metavar="LANG",
        help="With -t translate: the product's listing is in LANG (fr, en, de, es, it); "
        "rewrite it for --lang's market.",
        show_default=False,
    ),
]
BrandFileOpt = Annotated[
    Path | None,
    typer.Option(
        "--brand-file",
        metavar="FILE",
        help="Brand file (YAML): voice, register, words to avoid, names to keep, mandatory mentions, "
        "spellings. Default: brand.yaml in the user folder, when there is one.",
        show_default=False,
    ),
]
NoBrandOpt = Annotated[bool, typer.Option("--no-brand", help="No brand file, not even the user folder's.")]
#: checked by copyassist.variants.check_variants, for its one-line error
VariantsOpt = Annotated[
    int,
    typer.Option(
        metavar="N",
        help="Candidates per field (1-10), each checked; the best is the copy, all are in --json.",
    ),
]


@dataclasses.dataclass(frozen=True)
class CopyOptions:
    """What ``generate``, ``render`` and ``batch`` are asked to write: the same flags for all.

    ``product`` is the --product file; ``library_kwargs`` reads it. ``batch`` takes each product
    from its feed, so it has every flag but ``--product`` and ``--set`` (``with_feed_options``),
    and gets ``feed_kwargs``: the same translation without the product.
    """

    product: ProductOpt = None
    assignments: SetOpt = None
    persona: PersonaOpt = None
    language: LangOpt = None
    channel: ChannelOpt = None
    tone: ToneOpt = None
    objective: ObjectiveOpt = None
    words: WordsOpt = None
    max_chars: MaxCharsOpt = None
    count: CountOpt = None
    keywords: KeywordOpt = None
    format: FormatOpt = None
    location: LocationOpt = None
    competitors: CompetitorOpt = None
    text: TextOpt = None
    brand: BrandOpt = None
    category: CategoryOpt = None
    temperature: TemperatureOpt = None
    max_tokens: MaxTokensOpt = None
    prompts_dirs: PromptsDirOpt = None
    personas_dirs: PersonasDirOpt = None
    compact: CompactOpt = None
    examples: ExamplesOpt = None
    translate_from: TranslateFromOpt = None
    brand_voice: BrandFileOpt = None
    no_brand: NoBrandOpt = False

    def library_kwargs(self) -> dict[str, Any]:
        """The keyword arguments ``prepare`` (and ``generate``) take for these options."""
        product = load_product(self.product, self.assignments or [])
        has_product = bool(product.model_dump(exclude_defaults=True))
        return {"product": product if has_product else None, **self.feed_kwargs()}

    def feed_kwargs(self) -> dict[str, Any]:
        """The keyword arguments ``run_batch`` and ``dry_run`` take for these options: those of
        ``prepare`` but the product, which each row gives."""
        return {
            "persona": self.persona,
            "language": self.language,
            "prompts_dirs": self.prompts_dirs or [],
            "personas_dirs": self.personas_dirs or [],
            "params": {"temperature": self.temperature, "max_tokens": self.max_tokens},
            "brand": self.brand,
            "category": self.category,
            "channel": self.channel,
            "tone": self.tone,
            "objective": self.objective,
            "words": self.words,
            "max_chars": self.max_chars,
            "count": self.count,
            "keywords": self.keywords or None,
            "format": self.format,
            "location": self.location,
            "competitors": self.competitors or None,
            "text": read_text_option(self.text),
            "compact": self.compact,
            "examples": self.examples,
            "translate_from": self.translate_from,
            "brand_voice": self._brand(),
        }

    def _brand(self) -> Brand | Literal[False] | None:
        """--brand-file, read now so that a bad file fails before any work; --no-brand: False."""
        if self.no_brand:
            return False
        return load_brand(self.brand_voice) if self.brand_voice else None


#: what a feed's rows give instead of flags
FEED_GIVES = ("product", "assignments")
#: the batch spelling of a flag whose meaning there differs (--lang per row, --format is the feed's)
FEED_FLAGS: dict[str, Any] = {"language": FeedLangOpt, "format": FeedCopyFormatOpt}


def with_copy_options(command: Callable[..., R]) -> Callable[..., R]:
    """``command`` with its ``options: CopyOptions`` parameter spelled out as the fields' flags.

    The flags take the place of ``options`` in the signature, so ``--help`` lists them in that
    order; typer passes their values and the command gets them back as one ``CopyOptions``.
    """
    return _with_options(command, omit=(), spelt={})


def with_feed_options(command: Callable[..., R]) -> Callable[..., R]:
    """``with_copy_options`` for a command over a feed (``batch``): the same fields and flags,
    but the product ones (each row gives its product) and with ``FEED_FLAGS``' spellings."""
    return _with_options(command, omit=FEED_GIVES, spelt=FEED_FLAGS)


def _with_options(
    command: Callable[..., R], *, omit: tuple[str, ...], spelt: Mapping[str, Any]
) -> Callable[..., R]:
    own = inspect.signature(command)
    hints = get_type_hints(command, include_extras=True)
    field_hints = {**get_type_hints(CopyOptions, include_extras=True), **spelt}
    names = [field.name for field in dataclasses.fields(CopyOptions) if field.name not in omit]
    clashes = set(names) & set(own.parameters)
    if "options" not in own.parameters or clashes:
        raise TypeError(f"{command.__name__} needs an 'options' parameter and none of {sorted(clashes)}")
    parameters: list[inspect.Parameter] = []
    for parameter in own.parameters.values():
        if parameter.name != "options":
            parameters.append(parameter.replace(annotation=hints[parameter.name]))
            continue
        for field in dataclasses.fields(CopyOptions):
            if field.name in omit:
                continue
            parameters.append(
                inspect.Parameter(
                    field.name,
                    inspect.Parameter.POSITIONAL_OR_KEYWORD,
                    default=field.default,
                    annotation=field_hints[field.name],
                )
            )

    @functools.wraps(command)
    def wrapper(**kwargs: Any) -> R:  # typer passes every value by name
        options = CopyOptions(**{name: kwargs.pop(name) for name in names if name in kwargs})
        return command(options=options, **kwargs)

    signature = own.replace(parameters=parameters)
    wrapper.__signature__ = signature  # type: ignore[attr-defined]
    wrapper.__annotations__ = {p.name: p.annotation for p in parameters} | {"return": hints.get("return")}
    return wrapper
