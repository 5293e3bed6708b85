"""CPU time of validating one generated output, the way a batch row's answer is validated.

    python benchmarks/validation_cpu.py [--rows 40] [--top 25] [--dump FILE]

Each row is one good listing of ``tests/good_listings.py`` (French and English) made distinct by
a reference of its own, so nothing cached for one row's prompt or product serves the next: a
batch's cache-miss row. For every main template (title, bullets, description, SEO, FAQ) and
channel, the row's prompt is rendered with :func:`copyassist.prepare` and sent text built as the
pipeline builds it; the time counted is what the pipeline spends per answer: the check context
(once per row) and ``validate_output`` (once per attempt). Printed: CPU microseconds per output
per template, then the split per check (cProfile: the time spent under each function that
``check_text`` and ``validate_output`` call). The caches keyed by a text are emptied before each
output (:data:`PER_TEXT_CACHES`): every output is a cache-miss row's. ``--dump`` writes every
violation found, to compare the checks' verdicts before and after a change (they must not move).

``benchmarks/validation_scaling.py`` measures how the same call grows with the product's size.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests.good_listings

import copyassist
from copyassist.attempts import followup_texts
from copyassist.backends.request import build_request
from copyassist.outputs import CopyOutput
from copyassist.outputs.copywriting import (
    Bullets,
    FaqItem,
    FaqOutput,
    ProductDescription,
    ProductTitle,
    SeoOutput,
)
from copyassist.pipeline import Prepared
from copyassist.rules import fact_claims, facts, leftovers, promises, repetition, text, units, wordlists
from copyassist.rules.base import CheckContext
from copyassist.rules.profiles import load_profile
from copyassist.rules.validate import check_context, validate_output
from tests.good_listings import GOOD_LISTINGS

CHANNELS = ("generic", "amazon", "google-shopping", "cdiscount")
TEMPLATES: dict[str, Callable[[dict[str, Any]], CopyOutput]] = {
    "product-title": lambda listing: ProductTitle(title=listing["title"]),
    "bullets": lambda listing: Bullets(bullets=listing["bullets"]),
    "product-description": lambda listing: ProductDescription(
        headline=listing["headline"],
        description=listing["description"],
        call_to_action=listing["call_to_action"],
    ),
    "seo": lambda listing: SeoOutput(
        seo_title=listing["seo_title"],
        meta_description=listing["meta_description"],
        keywords=[*listing["keywords"], listing["product"]["title"].lower()],
    ),
    "faq": lambda listing: FaqOutput(items=[FaqItem(question=q, answer=a) for q, a in listing["faq"]]),
}
#: The caches keyed by a text (the copy, the product data, the prompt): emptied before each
#: output, since a batch's next row brings new ones. Those keyed by a profile, a word list, a
#: word or a phrase (compiled patterns, a brand's matcher) last a whole batch, and stay.
PER_TEXT_CACHES = {
    text: ("visible_text", "fold_with_map"),
    facts: ("_prepare", "_support"),
    fact_claims: ("_claims",),
    units: ("_quantities",),
    leftovers: ("_instructions",),
    repetition: ("_tokens",),
    promises: ("_folded",),
    wordlists: ("_word_starts",),
}
#: A function the validation calls whose time is shown as that of its caller's check.
VALIDATION_ROOTS = ("check_text", "validate_output", "_validate")


def rows(count: int, first: int = 0) -> Iterator[dict[str, Any]]:
    """``count`` listings, each with a reference of its own in its product data."""
    for number in range(first, first + count):
        listing = GOOD_LISTINGS[number % len(GOOD_LISTINGS)]
        product = dict(listing["product"])
        attributes = dict(product.get("attributes") or {})
        attributes["ref" if listing["language"] == "en" else "référence"] = f"RX-{number:05d}"
        yield {**listing, "product": {**product, "attributes": attributes}}


Case = tuple[str, str, Prepared, CopyOutput]


def cases(count: int, first: int = 0) -> list[Case]:
    """(template, channel, prepared call, answer) for every row, template and channel; a
    channel that requires another language than the row's is skipped."""
    found = []
    for listing in rows(count, first):
        for channel in CHANNELS:
            forced = load_profile(channel).language
            if forced and forced != listing["language"]:
                continue
            for template, answer in TEMPLATES.items():
                prepared = copyassist.prepare(
                    template,
                    listing["product"],
                    language=listing["language"],
                    channel=channel,
                    brand=listing["brand"],
                    keywords=listing["keywords"],
                )
                found.append((template, channel, prepared, answer(listing)))
    return found


def new_row() -> None:
    for module, names in PER_TEXT_CACHES.items():
        for name in names:
            clear = getattr(getattr(module, name, None), "cache_clear", None)
            if clear is not None:  # an earlier version may not cache it
                clear()


def validate_case(prepared: Prepared, answer: CopyOutput, channel: str) -> list[Any]:
    """What the pipeline does to validate one answer: the check context of its row, then the
    checks. (The request sent, whose text the context reads, and the channel's profile are the
    row's rendering, not its validation: made before the clock starts.)"""
    new_row()
    sent = _sent(prepared)
    profile = load_profile(channel)
    started = time.process_time()
    context: CheckContext = check_context(prepared.context, sent, followup_texts(prepared.template.language))
    found = validate_output(answer, profile, context)
    _CLOCK.append(time.process_time() - started)
    return found


_CLOCK: list[float] = []


def _sent(prepared: Prepared) -> list[dict[str, str]]:
    return build_request(prepared.prompt, "json_schema").messages


def timed(all_cases: list[Case], repeats: int = 3) -> dict[str, list[float]]:
    """CPU seconds of each validation, by template: the best of ``repeats`` runs of each (every
    run starts from empty per-text caches, so each is a first sight of its row; the best
    leaves out what other processes on the machine cost it)."""
    best = [float("inf")] * len(all_cases)
    for _ in range(repeats):
        for number, (_template, channel, prepared, answer) in enumerate(all_cases):
            validate_case(prepared, answer, channel)
            best[number] = min(best[number], _CLOCK.pop())
    by_template: dict[str, list[float]] = defaultdict(list)
    for (template, *_), seconds in zip(all_cases, best, strict=True):
        by_template[template].append(seconds)
    return by_template


def split(all_cases: list[Case]) -> tuple[dict[str, float], int]:
    """Seconds under each function the validation roots call directly (cProfile, whole run),
    and the count of Python function calls: a figure the machine's load does not move."""
    profiler = cProfile.Profile()
    profiler.enable()
    for _template, channel, prepared, answer in all_cases:
        validate_case(prepared, answer, channel)
    profiler.disable()
    _CLOCK.clear()
    profiled = pstats.Stats(profiler)
    stats = profiled.stats  # type: ignore[attr-defined]
    shares: dict[str, float] = defaultdict(float)
    for (path, _line, name), (_cc, _nc, _tt, _ct, callers) in stats.items():
        for (_caller_path, _caller_line, caller), edge in callers.items():
            if name in VALIDATION_ROOTS:
                continue
            if caller in VALIDATION_ROOTS or (caller == "validate_case" and name == "check_context"):
                module = Path(path).stem
                shares[f"{module}.{name}"] += edge[3]
    return dict(shares), profiled.total_calls  # type: ignore[attr-defined]


def dump(all_cases: list[Case], path: Path) -> None:
    lines = []
    for number, (template, channel, prepared, answer) in enumerate(all_cases):
        found = [v.as_dict() for v in validate_case(prepared, answer, channel)]
        lines.append(
            json.dumps({"case": number, "template": template, "channel": channel, "violations": found})
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _CLOCK.clear()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", type=int, default=40, help="distinct listings (default 40)")
    parser.add_argument("--top", type=int, default=25, help="checks shown in the split")
    parser.add_argument("--dump", type=Path, help="write every violation found to this file (JSON lines)")
    args = parser.parse_args(argv)
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3]) if Path("/proc/loadavg").exists() else "?"
    # the first pass warms what lasts a whole batch (profiles, word lists, compiled patterns)
    for _template, channel, prepared, answer in cases(1, first=args.rows):
        validate_case(prepared, answer, channel)
    all_cases = cases(args.rows)
    by_template = timed(all_cases)
    total = [t for times in by_template.values() for t in times]
    print(f"validation CPU per output, {len(total)} outputs of {args.rows} distinct rows (load {load})")
    for template, times in by_template.items():
        print(f"  {template:22} {sum(times) / len(times) * 1e6:8.0f} µs  ({len(times)} outputs)")
    print(f"  {'all':22} {sum(total) / len(total) * 1e6:8.0f} µs")
    shares, calls = split(cases(args.rows))
    whole = sum(shares.values())
    print(f"  {calls / len(total):.0f} Python function calls per output")
    print(f"split per check (cProfile, {whole / len(total) * 1e6:.0f} µs per output under the profiler)")
    for name, seconds in sorted(shares.items(), key=lambda item: -item[1])[: args.top]:
        print(f"  {name:48} {seconds / len(total) * 1e6:8.0f} µs  {seconds / whole:6.1%}")
    if args.dump:
        dump(cases(args.rows), args.dump)
        print(f"violations written to {args.dump}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
