"""Several candidates for one field: ask for N answers, check each, keep the best as the copy.

The first call asks for ``variants`` answers at once (``Prompt.choices``: ``n`` where the backend
has it, else as many calls). Each answer is parsed and checked like any attempt; the best by the
checks becomes the copy, and only it goes on to the re-asks (``attempts.run_attempts``) when it
still breaks a rule: the others are kept as they came, for a seller to compare or pick instead.

Best means: an answer that parses before one that does not, then the fewest errors, then the
fewest warnings, then the earliest (a stable tie-break, so a rerun picks the same one).
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import replace

from copyassist import errors
from copyassist.attempts import (
    Attempt,
    Fallback,
    Outcome,
    Steps,
    Validator,
    parse_output,
    run_attempts,
)
from copyassist.backends import Completion, Prompt, Usage
from copyassist.backends.base import Choice
from copyassist.candidate import Candidate
from copyassist.outputs import CopyOutput
from copyassist.status import Status

#: ``variants`` accepted by generate and batch
MAX_VARIANTS = 10
#: a candidate whose answer could not be read (cut off, filtered, not the output's shape)
UNUSABLE = Status.FAILED


def check_variants(variants: int) -> int:
    """``variants`` if it is 1..MAX_VARIANTS, else a one-line ConfigError."""
    if isinstance(variants, bool) or not isinstance(variants, int) or not 1 <= variants <= MAX_VARIANTS:
        raise errors.ConfigError(
            f"variants must be a whole number from 1 to {MAX_VARIANTS}, not {variants!r}"
        ).with_hint("variants")
    return variants


def rank(attempt: Attempt) -> tuple[int, int, int, int]:
    """Lower is better: readable, then fewest errors, then fewest warnings, then the earliest."""
    return (attempt.output is None, *attempt.rank())


def judge(number: int, choice: Choice, model: type[CopyOutput], validate: Validator) -> Attempt:
    """One answer parsed and checked, as an attempt (its problem says why it has no output)."""
    attempt = Attempt(number, choice.text)
    if choice.finish_reason == "length":
        attempt.problem = "cut off at max_tokens"
        return attempt
    if choice.finish_reason == "content_filter":
        attempt.problem = "stopped by the provider's content filter"
        return attempt
    try:
        attempt.output = parse_output(choice.text, model)
    except ValueError as exc:  # pydantic's ValidationError is a ValueError
        attempt.problem = " ".join(str(exc).split())[:300]
        return attempt
    attempt.violations = validate(attempt.output)
    return attempt


def _status_as_came(attempt: Attempt) -> str:
    if attempt.output is None:
        return UNUSABLE
    return Status.FLAGGED if attempt.violations else Status.OK


def run_steps(
    prompt: Prompt,
    model: type[CopyOutput],
    language: str,
    *,
    variants: int = 1,
    max_attempts: int,
    validate: Validator,
    fallback: Fallback | None = None,
) -> Steps:
    """The attempts of one generation: ``run_attempts`` itself with one variant, else
    ``variants`` answers first and the attempts continued from the best of them."""
    steps = run_attempts(
        prompt, model, language, max_attempts=max_attempts, validate=validate, fallback=fallback
    )
    if variants <= 1:
        return steps
    return _with_variants(steps, variants, model, validate)


def _with_variants(
    steps: Steps, variants: int, model: type[CopyOutput], validate: Validator
) -> Generator[Prompt, Completion, Outcome]:
    first = next(steps)
    others = Usage()
    try:
        try:
            completion = yield replace(first, choices=variants)
        except errors.CopyAssistError as failed:  # the call failed as a whole: the attempts decide
            outcome = yield from _drive(steps, failed)
            return outcome
        choices = completion.choices or (Choice(completion.text, completion.finish_reason, completion.usage),)
        judged = [judge(i, choice, model, validate) for i, choice in enumerate(choices, 1)]
        best = min(judged, key=rank)
        chosen = choices[best.number - 1]
        others = sum((c.usage for c in choices if c is not chosen), Usage())
        answer: Completion | errors.CopyAssistError
        if chosen.finish_reason == "length":
            answer = errors.OutputTruncatedError("cut off", partial_output=chosen.text, usage=chosen.usage)
        else:
            answer = replace(completion, text=chosen.text, usage=chosen.usage, choices=())
        outcome = yield from _drive(steps, answer)
    except errors.CopyAssistError as failed:
        failed.usage = (failed.usage if isinstance(failed.usage, Usage) else Usage()) + others
        raise
    candidates = [
        Candidate(a.number, a.raw, a.output, _status_as_came(a), a.violations, c.usage, problem=a.problem)
        for a, c in zip(judged, choices, strict=True)
    ]
    candidates[best.number - 1] = Candidate(
        best.number,
        outcome.raw,
        outcome.output,
        outcome.status,
        outcome.violations,
        outcome.usage,
        chosen=True,
    )
    return replace(outcome, usage=outcome.usage + others, candidates=candidates)


def _drive(
    steps: Steps, answer: Completion | errors.CopyAssistError
) -> Generator[Prompt, Completion, Outcome]:
    """Hand ``answer`` to ``steps`` and relay its further prompts and answers to the driver."""
    while True:
        try:
            to_send = (
                steps.throw(answer) if isinstance(answer, errors.CopyAssistError) else steps.send(answer)
            )
        except StopIteration as done:
            outcome: Outcome = done.value
            return outcome
        try:
            answer = yield to_send
        except errors.CopyAssistError as failed:
            answer = failed
