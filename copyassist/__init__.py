"""copyassist: e-commerce copy with LLMs, from prompt templates, buyer personas and product data.

    >>> import copyassist
    >>> result = copyassist.generate("product-title", {"title": "Montre GPS", "brand": "Kairos"},
    ...                              language="fr")                       # doctest: +SKIP
    >>> result.output.title                                               # doctest: +SKIP

Nothing here reads keys, config or the network at import time, and nothing is logged unless
the application configures logging: the ``copyassist`` logger only has a ``NullHandler``.
"""

import importlib
import logging
import typing as _typing

from copyassist import errors as _errors
from copyassist.errors import (
    AssetError,
    AuthenticationError,
    BackendError,
    BadRequestError,
    ConfigError,
    ContentFilterError,
    CopyAssistError,
    InputError,
    OutputError,
    OutputTruncatedError,
    PersonaError,
    ProviderConnectionError,
    ProviderTimeoutError,
    QuotaExceededError,
    RateLimitError,
    ServerError,
    StorageError,
    TemplateError,
)

if _typing.TYPE_CHECKING:  # the names below, for type checkers; at run time they load on first use
    from copyassist.audit import CheckReport, RowReport, check
    from copyassist.backends import (
        Backend,
        ChatRequest,
        Completion,
        LocalBackend,
        OpenAIBackend,
        OutputSpec,
        Prompt,
        Usage,
        build_request,
        get_backend,
    )
    from copyassist.backends.base import Choice
    from copyassist.backends.retry import RetryPolicy
    from copyassist.batch.api import BatchEstimate, BatchSummary, arun_batch, dry_run, iter_batch, run_batch
    from copyassist.batch.candidates import StoredCandidate
    from copyassist.batch.model import RowOutcome
    from copyassist.batch.settings import BatchTotals
    from copyassist.batch.store import RowFailure, RunInfo, Store, StoredResult
    from copyassist.brand import Brand, Mention, load_brand
    from copyassist.candidate import Candidate
    from copyassist.columns import ColumnMapping
    from copyassist.config import Settings
    from copyassist.drafts.document import Figure, SectionResult, StudyResult
    from copyassist.drafts.persona import draft_persona, save_persona
    from copyassist.drafts.study import study
    from copyassist.feeds import FeedRow, SourceLine
    from copyassist.listing import ListingResult, agenerate_listing, generate_listing
    from copyassist.outputs import OUTPUT_MODELS, CopyOutput
    from copyassist.persona import (
        Demographics,
        Persona,
        PersonaInfo,
        Psychographics,
        list_personas,
        load_persona,
        validate_persona_file,
    )
    from copyassist.pipeline import Prepared, agenerate, generate, prepare
    from copyassist.prices import ModelPrice, estimate_cost
    from copyassist.product import Product, load_product
    from copyassist.product_language import LanguageChoice
    from copyassist.results import CopyResult, Timings
    from copyassist.review.app import review_app
    from copyassist.review.export import ExportSummary, export
    from copyassist.rules.base import CheckContext, FieldRules, Profile, Violation
    from copyassist.rules.profiles import list_profiles, load_profile
    from copyassist.rules.validate import validate_output
    from copyassist.scoring.feed import RowScores, ScoreReport, ascore, score
    from copyassist.scoring.model import Score
    from copyassist.scoring.store import scores_for
    from copyassist.template_sets import TemplateSet, list_sets, load_set, resolve_templates
    from copyassist.template_source import TemplateInputs, TemplateMeta
    from copyassist.templates import Template, list_templates, load_template
    from copyassist.tokens import TokenCount, count_message_tokens, count_tokens

#: The module each public name comes from, imported on first use of one of its names: ``import
#: copyassist`` stays fast (no SDK, no HTTP client, no feed readers until they are needed).
_LAZY_MODULES: dict[str, tuple[str, ...]] = {
    "copyassist.audit": (
        "CheckReport",
        "RowReport",
        "check",
    ),
    "copyassist.backends": (
        "Backend",
        "ChatRequest",
        "Completion",
        "LocalBackend",
        "OpenAIBackend",
        "OutputSpec",
        "Prompt",
        "Usage",
        "build_request",
        "get_backend",
    ),
    "copyassist.backends.base": ("Choice",),
    "copyassist.backends.retry": ("RetryPolicy",),
    "copyassist.batch.api": (
        "BatchEstimate",
        "BatchSummary",
        "arun_batch",
        "dry_run",
        "iter_batch",
        "run_batch",
    ),
    "copyassist.batch.candidates": ("StoredCandidate",),
    "copyassist.batch.model": ("RowOutcome",),
    "copyassist.batch.settings": ("BatchTotals",),
    "copyassist.batch.store": (
        "RowFailure",
        "RunInfo",
        "Store",
        "StoredResult",
    ),
    "copyassist.brand": ("Brand", "Mention", "load_brand"),
    "copyassist.candidate": ("Candidate",),
    "copyassist.columns": ("ColumnMapping",),
    "copyassist.config": ("Settings",),
    "copyassist.drafts.document": (
        "Figure",
        "SectionResult",
        "StudyResult",
    ),
    "copyassist.drafts.persona": (
        "draft_persona",
        "save_persona",
    ),
    "copyassist.drafts.study": ("study",),
    "copyassist.feeds": (
        "FeedRow",
        "SourceLine",
    ),
    "copyassist.listing": (
        "ListingResult",
        "agenerate_listing",
        "generate_listing",
    ),
    "copyassist.outputs": (
        "OUTPUT_MODELS",
        "CopyOutput",
    ),
    "copyassist.persona": (
        "Demographics",
        "Persona",
        "PersonaInfo",
        "Psychographics",
        "list_personas",
        "load_persona",
        "validate_persona_file",
    ),
    "copyassist.pipeline": (
        "Prepared",
        "agenerate",
        "generate",
        "prepare",
    ),
    "copyassist.product": (
        "Product",
        "load_product",
    ),
    "copyassist.prices": (
        "ModelPrice",
        "estimate_cost",
    ),
    "copyassist.product_language": ("LanguageChoice",),
    "copyassist.results": (
        "CopyResult",
        "Timings",
    ),
    "copyassist.review.app": ("review_app",),
    "copyassist.review.export": (
        "ExportSummary",
        "export",
    ),
    "copyassist.rules.base": (
        "CheckContext",
        "FieldRules",
        "Profile",
        "Violation",
    ),
    "copyassist.rules.profiles": (
        "list_profiles",
        "load_profile",
    ),
    "copyassist.rules.validate": ("validate_output",),
    "copyassist.scoring.feed": (
        "RowScores",
        "ScoreReport",
        "ascore",
        "score",
    ),
    "copyassist.scoring.model": ("Score",),
    "copyassist.scoring.store": ("scores_for",),
    "copyassist.template_sets": (
        "TemplateSet",
        "list_sets",
        "load_set",
        "resolve_templates",
    ),
    "copyassist.template_source": (
        "TemplateInputs",
        "TemplateMeta",
    ),
    "copyassist.templates": (
        "Template",
        "list_templates",
        "load_template",
    ),
    "copyassist.tokens": (
        "TokenCount",
        "count_message_tokens",
        "count_tokens",
    ),
}
_LAZY = {name: module for module, names in _LAZY_MODULES.items() for name in names}

__version__ = "0.1.0"

__all__ = [
    "AssetError",
    "AuthenticationError",
    "Backend",
    "BackendError",
    "BadRequestError",
    "BatchEstimate",
    "BatchSummary",
    "BatchTotals",
    "Brand",
    "Candidate",
    "ChatRequest",
    "CheckContext",
    "CheckReport",
    "Choice",
    "ColumnMapping",
    "Completion",
    "ConfigError",
    "ContentFilterError",
    "CopyAssistError",
    "CopyOutput",
    "CopyResult",
    "Demographics",
    "ExportSummary",
    "FeedRow",
    "FieldRules",
    "Figure",
    "InputError",
    "LanguageChoice",
    "ListingResult",
    "LocalBackend",
    "Mention",
    "ModelPrice",
    "OUTPUT_MODELS",
    "OpenAIBackend",
    "OutputError",
    "OutputSpec",
    "OutputTruncatedError",
    "Persona",
    "PersonaError",
    "PersonaInfo",
    "Prepared",
    "Product",
    "Profile",
    "Prompt",
    "ProviderConnectionError",
    "ProviderTimeoutError",
    "Psychographics",
    "QuotaExceededError",
    "RateLimitError",
    "RetryPolicy",
    "RowFailure",
    "RowOutcome",
    "RowReport",
    "RowScores",
    "RunInfo",
    "Score",
    "ScoreReport",
    "SectionResult",
    "ServerError",
    "Settings",
    "SourceLine",
    "StorageError",
    "Store",
    "StoredCandidate",
    "StoredResult",
    "StudyResult",
    "Template",
    "TemplateError",
    "TemplateInputs",
    "TemplateMeta",
    "TemplateSet",
    "Timings",
    "TokenCount",
    "Usage",
    "Violation",
    "agenerate",
    "agenerate_listing",
    "arun_batch",
    "ascore",
    "build_request",
    "check",
    "count_message_tokens",
    "count_tokens",
    "draft_persona",
    "dry_run",
    "estimate_cost",
    "export",
    "generate",
    "generate_listing",
    "get_backend",
    "iter_batch",
    "list_personas",
    "list_profiles",
    "list_sets",
    "list_templates",
    "load_brand",
    "load_persona",
    "load_product",
    "load_profile",
    "load_set",
    "load_template",
    "prepare",
    "resolve_templates",
    "review_app",
    "run_batch",
    "save_persona",
    "score",
    "scores_for",
    "study",
    "validate_output",
    "validate_persona_file",
]

logging.getLogger(__name__).addHandler(logging.NullHandler())


def __getattr__(name: str) -> _typing.Any:
    """A public name, imported on first use; ``copyassist.TimeoutError`` and
    ``copyassist.ConnectionError``: deprecated aliases."""
    module = _LAZY.get(name)
    if module is not None:
        value = getattr(importlib.import_module(module), name)
        globals()[name] = value
        return value
    if name in _errors.DEPRECATED_NAMES:
        return _errors.deprecated_alias(name, __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})
