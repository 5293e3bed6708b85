"""The brand's spellings, put right in the chosen answer without asking the model again.

A spelling is a fixed rewrite (``email`` -> ``e-mail``): a re-ask would cost a call for what a
replacement does exactly. The attempts run as usual; their verdict's output is then rewritten,
checked again, and called ``repaired`` (``flagged`` when other problems remain).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from copyassist.attempts import Outcome, Steps, Validator
from copyassist.rules.brand_voice import fix_output_spelling
from copyassist.status import Status


def brand_spelled(steps: Steps, brand: Mapping[str, Any] | None, validate: Validator) -> Steps:
    """``steps`` whose outcome has the brand's spellings; ``steps`` itself when it has none."""
    if not (brand or {}).get("spelling"):
        return steps
    return _spelled(steps, brand, validate)


def _spelled(steps: Steps, brand: Mapping[str, Any] | None, validate: Validator) -> Steps:
    outcome: Outcome = yield from steps
    fixed = fix_output_spelling(outcome.output, brand)
    if fixed is None:
        return outcome
    violations = validate(fixed)
    status = outcome.status
    if status != Status.FALLBACK:
        status = Status.FLAGGED if violations else Status.REPAIRED
    return dataclasses.replace(outcome, output=fixed, violations=violations, status=status)
