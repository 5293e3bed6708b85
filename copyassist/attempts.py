"""Ask, check, re-ask: the attempts of one generation and the verdict on them.

Written as a generator that yields the prompt to send and receives each completion (or has
an ``OutputTruncatedError`` thrown in), so the sync and async drivers share every step. Each
answer is parsed into the template's output model and checked against the channel's rules;
answers with errors are sent back with the problems listed, a bounded number of times, and the
best attempt is kept.

Each re-ask is worded differently from the one before and sampled a little hotter (another seed,
when one is set): small models asked the same way answer the same way. An answer that repeats an
earlier one ends the attempts: one more call would buy the same answer again.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Generator
from dataclasses import dataclass, field, replace
from typing import Any

from pydantic import ValidationError

from copyassist import errors
from copyassist.backends import Completion, Prompt, Usage
from copyassist.candidate import Candidate
from copyassist.i18n import localized
from copyassist.outputs import CopyOutput
from copyassist.rules.base import Violation
from copyassist.status import Status

#: one wording per re-ask, in turn (the first, then the others for later re-asks)
_REPAIRS = (
    {
        "fr": "Ta réponse ne convient pas :\n{problems}\n"
        "Renvoie l'objet JSON complet et corrigé, rien d'autre.",
        "en": "Your answer is not valid:\n{problems}\n"
        "Send the complete, corrected JSON object and nothing else.",
    },
    {
        "fr": "Cette réponse a encore ces défauts :\n{problems}\nÉcris une nouvelle réponse, différente, "
        "qui les évite : l'objet JSON complet.",
        "en": "That answer still has these faults:\n{problems}\nWrite a new, different answer that avoids "
        "them: the complete JSON object.",
    },
    {
        "fr": "Recommence de zéro à partir des données produit, sans reprendre tes réponses précédentes. "
        "À éviter :\n{problems}\nDonne l'objet JSON complet.",
        "en": "Start afresh from the product data, without reusing your earlier answers. Avoid:\n{problems}\n"
        "Give the complete JSON object.",
    },
)
_REPAIR = _REPAIRS[0]
#: how much hotter each re-ask samples than the one before, up to _HOTTEST
_WARMER = 0.15
_HOTTEST = 1.0
_CUT_OFF = {
    "fr": "Ta réponse a été coupée à la longueur maximale. Recommence en plus court, "
    "chaque champ bref, et renvoie l'objet JSON complet.",
    "en": "Your answer was cut off at the length limit. Start again, shorter, every field brief, "
    "and send the complete JSON object.",
}
_FENCED = re.compile(r"```(?:json)?[ \t]*\n?(.*?)```", re.IGNORECASE | re.DOTALL)
_OBJECT_START = re.compile(r'\{\s*"')
#: The most a re-ask's list of problems takes, in UTF-8 bytes. A byte-level tokenizer makes at
#: most one token of a byte, so this bounds what a re-ask adds, and a run's worst case is known.
PROBLEMS_MAX_BYTES = 600
#: what the chat format wraps around each message (tokens.TOKENS_PER_MESSAGE, with a margin)
_PER_MESSAGE = 4

Validator = Callable[[CopyOutput], list[Violation]]
Fallback = Callable[[], CopyOutput | None]


@dataclass
class Attempt:
    number: int
    raw: str
    output: CopyOutput | None = None
    violations: list[Violation] = field(default_factory=list)
    problem: str = ""  # why there is no output (malformed JSON, cut off...)

    @property
    def error_count(self) -> int:
        return sum(v.severity == "error" for v in self.violations)

    def rank(self) -> tuple[int, int, int]:
        """Lower is better: fewest errors, then fewest warnings, then the earliest."""
        return (self.error_count, len(self.violations) - self.error_count, self.number)


@dataclass
class Outcome:
    output: CopyOutput
    raw: str
    status: Status  # one of GENERATION_STATUSES
    violations: list[Violation]
    attempts: int
    usage: Usage
    model: str | None
    first_pass: bool = False  # the first answer parsed and broke no rule at error level
    rejected: list[Violation] = field(default_factory=list)  # the best answer's, when a fallback won
    candidates: list[Candidate] = field(default_factory=list)  # with variants (copyassist.variants)


Steps = Generator[Prompt, Completion, Outcome]


def followup_texts(language: str) -> tuple[str, ...]:
    """The fixed text of every message a re-ask adds, for the echo check."""
    repairs = tuple(localized(wording, language).format(problems="") for wording in _REPAIRS)
    return (*repairs, localized(_CUT_OFF, language))


def parse_output(text: str, model: type[CopyOutput]) -> CopyOutput:
    """The output model from a completion's text: the one place answers are parsed.

    Read leniently where that cannot change the meaning: a code fence or chatter around the
    object, raw newlines or tabs inside strings (llama.cpp's JSON grammar lets them through), a
    comma before a closing bracket."""
    return model.model_validate(_lenient_json(text))


def _lenient_json(text: str) -> Any:
    fenced = [m.group(1) for m in _FENCED.finditer(text) if "{" in m.group(1)]
    if len(fenced) == 1 and not _OBJECT_START.search(_FENCED.sub("", text)):  # one object, fenced
        try:
            return _json_object(fenced[0])
        except ValueError:
            pass  # a fence mark inside the copy itself: the whole answer is the object
    return _json_object(text)


def _json_object(text: str) -> Any:
    start, end = text.find("{"), text.rfind("}")
    if start < 0 or end < start:
        raise ValueError("the answer holds no JSON object")
    candidate = text[start : end + 1]
    try:
        return json.loads(candidate, object_pairs_hook=_one_value_per_key)
    except json.JSONDecodeError as exc:
        strict_error = exc
    try:  # control characters allowed
        return json.loads(
            _without_trailing_commas(candidate), strict=False, object_pairs_hook=_one_value_per_key
        )
    except json.JSONDecodeError:
        raise ValueError(
            f"the JSON is malformed ({strict_error.msg} at character {strict_error.pos})"
        ) from None


def _one_value_per_key(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """An object naming a key twice with two values is ambiguous (json keeps the last)."""
    data: dict[str, Any] = {}
    for key, value in pairs:
        if key in data and data[key] != value:
            raise ValueError(f"the JSON gives {key!r} twice, with two values; give it once")
        data[key] = value
    return data


def _without_trailing_commas(text: str) -> str:
    """``text`` less each comma, outside strings, that only whitespace separates from a } or ]."""
    kept: list[str] = []
    in_string = escaped = False
    for index, char in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char == "," and text[index + 1 :].lstrip()[:1] in ("}", "]"):
            continue
        kept.append(char)
    return "".join(kept)


def _schema_problems(error: Exception) -> str:
    if isinstance(error, ValidationError):
        lines = []
        for item in error.errors()[:8]:
            where = ".".join(str(p) for p in item["loc"]) or "(root)"
            lines.append(f"- {where}: {item['msg']}")
        return "\n".join(lines)
    return f"- {error}"


def describe_violations(violations: list[Violation]) -> str:
    lines = []
    for violation in violations:
        quoted = f" « {violation.text} »" if violation.text else ""
        lines.append(f"- {violation.field}: {violation.message}{quoted}")
    return "\n".join(lines)


def _bounded(problems: str) -> str:
    encoded = problems.encode("utf-8")
    if len(encoded) <= PROBLEMS_MAX_BYTES:
        return problems
    return encoded[: PROBLEMS_MAX_BYTES - 4].decode("utf-8", errors="ignore") + "\n- …"


def reask_bound(language: str, max_tokens: int) -> int:
    """The most tokens a re-ask adds to the template's prompt: the answer handed back (at most
    ``max_tokens``, or it would have been cut off) and the problems (at most PROBLEMS_MAX_BYTES)."""
    fixed = max(len(text.encode("utf-8")) for text in followup_texts(language))
    return max_tokens + _PER_MESSAGE + fixed + PROBLEMS_MAX_BYTES + _PER_MESSAGE


def worst_case_tokens(
    prompt_tokens: int, max_tokens: int, max_attempts: int, language: str, choices: int = 1
) -> Usage:
    """The most one generation can use: every attempt made, each re-ask at its longest, and the
    first call's ``choices`` answers each sent as a call of its own (a server without ``n``)."""
    reasks = max(0, max_attempts - 1)
    calls = max_attempts + max(0, choices - 1)
    return Usage(calls * prompt_tokens + reasks * reask_bound(language, max_tokens), calls * max_tokens)


def run_attempts(
    prompt: Prompt,
    model: type[CopyOutput],
    language: str,
    *,
    max_attempts: int,
    validate: Validator,
    fallback: Fallback | None = None,
) -> Steps:
    """Yield prompts to send, receive completions; return the verdict on the best attempt.

    A re-ask is the template's prompt followed by the answer and what was wrong with it: the
    backend builds each request from the prompt, so the format instruction stays its mode's.

    An error thrown in for a call (the backend's) leaves with ``usage`` set to every token the
    attempts had cost, so a row that fails is still counted."""
    attempts: list[Attempt] = []
    usage = Usage()
    model_name: str | None = None
    to_send = prompt
    for number in range(1, max_attempts + 1):
        try:
            completion = yield to_send
        except errors.OutputTruncatedError as cut:
            usage = usage + cut.usage if isinstance(cut.usage, Usage) else usage
            attempts.append(Attempt(number, cut.partial_output, problem="cut off at max_tokens"))
            shorter = {"role": "user", "content": localized(_CUT_OFF, language)}
            to_send = _nudged(prompt, number).with_followups(shorter)
            continue
        except errors.CopyAssistError as failed:
            failed.usage = usage + failed.usage if isinstance(failed.usage, Usage) else usage
            raise
        usage = usage + completion.usage
        model_name = completion.model
        repeated = any(_same_answer(completion.text, earlier.raw) for earlier in attempts)
        attempt = Attempt(number, completion.text)
        attempts.append(attempt)
        try:
            attempt.output = parse_output(completion.text, model)
        except (ValueError, ValidationError) as exc:
            attempt.problem = _schema_problems(exc)
            problems = attempt.problem
        else:
            attempt.violations = validate(attempt.output)
            if attempt.error_count == 0:
                break
            problems = describe_violations([v for v in attempt.violations if v.severity == "error"])
        if repeated:
            break  # asked again, it said the same: another call would too
        wording = _REPAIRS[min(number, len(_REPAIRS)) - 1]
        repair = localized(wording, language).format(problems=_bounded(problems))
        to_send = _nudged(prompt, number).with_followups(
            {"role": "assistant", "content": completion.text},
            {"role": "user", "content": repair},
        )
    return _verdict(attempts, usage, model_name, model, validate, fallback)


def _same_answer(text: str, earlier: str) -> bool:
    return " ".join(text.split()) == " ".join(earlier.split())


def _nudged(prompt: Prompt, reasks: int) -> Prompt:
    """``prompt`` sampled a little hotter for re-ask number ``reasks``, on another seed if it has one."""
    params: dict[str, Any] = dict(prompt.params)
    temperature = params.get("temperature")
    if isinstance(temperature, int | float) and temperature < _HOTTEST:
        params["temperature"] = round(min(_HOTTEST, temperature + _WARMER * reasks), 2)
    seed = params.get("seed")
    if isinstance(seed, int):
        params["seed"] = seed + reasks
    return replace(prompt, params=params)


def _verdict(
    attempts: list[Attempt],
    usage: Usage,
    model_name: str | None,
    model: type[CopyOutput],
    validate: Validator,
    fallback: Fallback | None,
) -> Outcome:
    first_pass = bool(attempts) and attempts[0].output is not None and attempts[0].error_count == 0
    usable = [a for a in attempts if a.output is not None]
    best = min(usable, key=Attempt.rank) if usable else None
    if (best is None or best.error_count) and fallback is not None:
        built = fallback()
        if built is not None:
            raw = best.raw if best else (attempts[-1].raw if attempts else "")
            rejected = best.violations if best else []
            return Outcome(
                built,
                raw,
                Status.FALLBACK,
                validate(built),
                len(attempts),
                usage,
                model_name,
                first_pass,
                rejected,
            )
    if best is None or best.output is None:
        last = attempts[-1] if attempts else Attempt(0, "")
        raise errors.OutputError(
            f"the model gave no valid {model.__name__} in {len(attempts)} attempt(s): "
            + " ".join(last.problem.split()),
            attempts=len(attempts),
            last_output=last.raw,
            usage=usage,
        )
    status = Status.FLAGGED if best.violations else (Status.OK if best.number == 1 else Status.REPAIRED)
    return Outcome(
        best.output, best.raw, status, best.violations, len(attempts), usage, model_name, first_pass
    )
