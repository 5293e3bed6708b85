"""copyassist: e-commerce copy with LLMs, from prompt templates, buyer personas and product data.

    >>> import copyassist
    >>> result = copyassist.generate("product-title", {"title": "Montre GPS", "brand": "Kairos"},
    ...                              language="fr")                       # doctest: +SKIP
    >>> result.output.title                                               # doctest: +SKIP

Nothing here reads keys, config or the network at import time.
"""

from __future__ import annotations

from copyassist.audit import CheckReport, RowReport, check
from copyassist.backends import (
    Backend,
    Completion,
    LocalBackend,
    OpenAIBackend,
    OutputSpec,
    Usage,
    get_backend,
)
from copyassist.batch.api import BatchEstimate, BatchSummary, arun_batch, dry_run, iter_batch, run_batch
from copyassist.drafts.document import SectionResult, StudyResult
from copyassist.drafts.persona import draft_persona, save_persona
from copyassist.drafts.study import study
from copyassist.errors import (
    AssetError,
    AuthenticationError,
    BackendError,
    BadRequestError,
    ConfigError,
    ConnectionError,
    ContentFilterError,
    CopyAssistError,
    InputError,
    OutputError,
    OutputTruncatedError,
    PersonaError,
    QuotaExceededError,
    RateLimitError,
    ServerError,
    TemplateError,
    TimeoutError,
)
from copyassist.generate import CopyResult, Prepared, Timings, agenerate, generate, prepare
from copyassist.outputs import OUTPUT_MODELS, CopyOutput
from copyassist.persona import Persona, list_personas, load_persona, validate_persona_file
from copyassist.product import Product, load_product
from copyassist.rules.base import CheckContext, FieldRules, Profile, Violation
from copyassist.rules.profiles import list_profiles, load_profile
from copyassist.rules.validate import validate_output
from copyassist.templates import Template, list_templates, load_template
from copyassist.tokens import TokenCount, count_message_tokens, count_tokens, estimate_cost

__version__ = "0.1.0"

__all__ = [
    "AssetError",
    "AuthenticationError",
    "Backend",
    "BackendError",
    "BadRequestError",
    "BatchEstimate",
    "BatchSummary",
    "CheckContext",
    "CheckReport",
    "Completion",
    "ConfigError",
    "ConnectionError",
    "ContentFilterError",
    "CopyAssistError",
    "CopyOutput",
    "CopyResult",
    "FieldRules",
    "InputError",
    "LocalBackend",
    "OUTPUT_MODELS",
    "OpenAIBackend",
    "OutputError",
    "OutputSpec",
    "OutputTruncatedError",
    "Persona",
    "PersonaError",
    "Prepared",
    "Product",
    "Profile",
    "QuotaExceededError",
    "RateLimitError",
    "RowReport",
    "SectionResult",
    "ServerError",
    "StudyResult",
    "Template",
    "TemplateError",
    "TimeoutError",
    "Timings",
    "TokenCount",
    "Usage",
    "Violation",
    "agenerate",
    "arun_batch",
    "check",
    "count_message_tokens",
    "count_tokens",
    "draft_persona",
    "dry_run",
    "estimate_cost",
    "generate",
    "get_backend",
    "iter_batch",
    "list_personas",
    "list_profiles",
    "list_templates",
    "load_persona",
    "load_product",
    "load_profile",
    "load_template",
    "prepare",
    "run_batch",
    "save_persona",
    "study",
    "validate_output",
    "validate_persona_file",
]
