"""Precision and recall of ``copyassist check`` on the labelled evaluation set (benchmarks/eval/).

    python benchmarks/check_accuracy.py [--fast] [--details]

Each file ``benchmarks/eval/<kind>.<channel>.jsonl`` is a feed of listings: the product data
columns, the copy (``copy``, checked as ``<kind>`` for ``<channel>``) and its label
(``defect``). The rule ids each defect must raise are in ``benchmarks/eval/defects.json``; the
README there says how they were decided and how the figures are counted. Each file goes through
:func:`copyassist.check` as it is (the path, one call per file), with the facts guard reading
the product columns only: what ``copyassist check FILE --channel CHANNEL -f KIND=copy
--facts-from title,brand,...`` does.

The whole set takes a few seconds, so ``--fast`` measures all of it too; it only skips running
the CLI on each file to confirm that it reports what the library call did. :func:`measure`
returns the figures to a caller.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from copyassist.audit import check
from copyassist.feeds import read_rows
from copyassist.rules.base import Violation

EVAL = Path(__file__).resolve().parent / "eval"
#: Listings written after the checks they measure, never shown to the checks' author: their
#: figures say how the checks do on copy they were not fitted to.
HELDOUT = EVAL / "heldout"
#: The columns that hold the product's data: what the facts guard compares the copy with.
PRODUCT_COLUMNS = ("title", "brand", "category", "attributes", "features", "price", "currency", "condition")
#: Rules that compare rows with each other: the set holds several listings of one product on
#: purpose, so their near-identical titles say nothing about a listing's own copy.
CROSS_ROW_RULES = frozenset({"batch.duplicate_title"})
TARGET = 0.95  # overall precision and recall
RULE_TARGET = 0.85  # each rule's precision and recall


@dataclass
class RuleFigures:
    expected: int = 0  # listings whose label is this rule
    found: int = 0  # of those, listings where it fired
    false_positives: int = 0  # listings where it fired without being in the label

    @property
    def recall(self) -> float | None:
        return self.found / self.expected if self.expected else None

    @property
    def precision(self) -> float | None:
        fired = self.found + self.false_positives
        return self.found / fired if fired else None

    def below(self, target: float) -> bool:
        return any(value is not None and value < target for value in (self.precision, self.recall))


@dataclass(frozen=True)
class Outcome:
    """One listing: what its label expects and allows, and which rules fired (id -> severity)."""

    sku: str
    kind: str
    defect: str
    expected: frozenset[str]
    allowed: frozenset[str]
    fired: Mapping[str, str]
    messages: Mapping[str, str]
    group: str = ""  # the folder the listing comes from (eval, heldout)

    @property
    def missed(self) -> frozenset[str]:
        return self.expected - set(self.fired)

    @property
    def unexpected(self) -> list[str]:
        return sorted(set(self.fired) - self.expected - self.allowed)


@dataclass
class Accuracy:
    outcomes: list[Outcome] = field(default_factory=list)
    rules: dict[str, RuleFigures] = field(default_factory=dict)

    @property
    def expected(self) -> int:
        return sum(r.expected for r in self.rules.values())

    @property
    def found(self) -> int:
        return sum(r.found for r in self.rules.values())

    @property
    def false_positives(self) -> int:
        return sum(r.false_positives for r in self.rules.values())

    @property
    def recall(self) -> float:
        return self.found / self.expected if self.expected else 1.0

    @property
    def precision(self) -> float:
        fired = self.found + self.false_positives
        return self.found / fired if fired else 1.0

    @property
    def below_target(self) -> list[str]:
        """The rules whose precision or recall is under :data:`RULE_TARGET`."""
        return sorted(rule for rule, figures in self.rules.items() if figures.below(RULE_TARGET))

    @property
    def good_listings(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.defect == "good"]

    @property
    def good_without_error(self) -> int:
        return sum("error" not in o.fired.values() for o in self.good_listings)

    def as_dict(self) -> dict[str, Any]:
        """The figures as plain data: overall, per rule, and the rules below target."""
        return {
            "listings": len(self.outcomes),
            "precision": self.precision,
            "recall": self.recall,
            "rules": {
                rule: {"labelled": r.expected, "found": r.found, "false_positives": r.false_positives,
                       "precision": r.precision, "recall": r.recall}
                for rule, r in sorted(self.rules.items())
            },
            "below_target": self.below_target,
        }  # fmt: skip


def load_labels(folder: Path = EVAL) -> dict[str, dict[str, Any]]:
    """The folder's ``defects.json``, else the set's."""
    path = folder / "defects.json" if (folder / "defects.json").exists() else EVAL / "defects.json"
    labels: dict[str, dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
    return labels


def _fired(violations: list[Violation]) -> tuple[dict[str, str], dict[str, str]]:
    """rule id -> its worst severity, and rule id -> its first message, for one listing."""
    fired: dict[str, str] = {}
    messages: dict[str, str] = {}
    for violation in violations:
        if violation.rule in CROSS_ROW_RULES or violation.field == "row":
            continue
        if fired.get(violation.rule) != "error":
            fired[violation.rule] = violation.severity
        messages.setdefault(violation.rule, violation.message)
    return fired, messages


def cli_arguments(path: Path) -> list[str]:
    """``copyassist check`` arguments for one file of the set, as a person would type them."""
    kind, channel = path.stem.split(".", 1)
    return [str(path), "--channel", channel, "-f", f"{kind}=copy", "--facts-from", ",".join(PRODUCT_COLUMNS)]


def _run_file(path: Path, labels: Mapping[str, Mapping[str, Any]]) -> list[Outcome]:
    kind, channel = path.stem.split(".", 1)
    report = check(path, channel=channel, fields={kind: "copy"}, facts_from=PRODUCT_COLUMNS)
    outcomes: list[Outcome] = []
    for row, row_report in zip(read_rows(path), report.rows, strict=True):
        defect = row.data["defect"]
        if defect not in labels:
            raise SystemExit(f"{path.name} row {row.number}: the label {defect!r} is not in defects.json")
        fired, messages = _fired(row_report.violations)
        label = labels[defect]
        outcomes.append(
            Outcome(
                str(row.data["sku"]),
                kind,
                defect,
                frozenset(label["expect"]),
                frozenset(label["also"]),
                fired,
                messages,
                path.parent.name,
            )
        )
    return outcomes


def _cli_rules(path: Path) -> list[set[str]]:
    """The rule ids ``copyassist check --format json`` reports for each row of ``path``."""
    from typer.testing import CliRunner  # the full mode only

    from copyassist.cli import app

    result = CliRunner().invoke(app, ["check", *cli_arguments(path), "--format", "json"])
    if result.exit_code not in (0, 1):
        raise SystemExit(f"copyassist check {path.name} failed: {result.output}")
    rows = json.loads(result.stdout)["rows"]
    return [{v["rule"] for v in row["violations"]} - CROSS_ROW_RULES for row in rows]


def cli_disagreements(accuracy: Accuracy, folders: Sequence[Path] = (EVAL, HELDOUT)) -> list[str]:
    """Listings where the CLI reports other rules than the library call measured: none expected."""
    by_sku = {o.sku: o for o in accuracy.outcomes}
    found: list[str] = []
    for path in sorted(path for folder in folders for path in folder.glob("*.jsonl")):
        for row, rules in zip(read_rows(path), _cli_rules(path), strict=True):
            library = set(by_sku[str(row.data["sku"])].fired)
            if rules != library:
                found.append(f"{row.data['sku']}: CLI {sorted(rules)}, library {sorted(library)}")
    return found


def measure(*folders: Path) -> Accuracy:
    """Run ``copyassist check`` on every file of ``folders`` (default: the set and its held-out
    part) and count what it found."""
    accuracy = Accuracy()
    for folder in folders or (EVAL, HELDOUT):
        labels = load_labels(folder)
        for path in sorted(folder.glob("*.jsonl")):
            accuracy.outcomes.extend(_run_file(path, labels))
    return _count(accuracy)


def _count(accuracy: Accuracy) -> Accuracy:
    for outcome in accuracy.outcomes:
        for rule in outcome.expected:
            figures = accuracy.rules.setdefault(rule, RuleFigures())
            figures.expected += 1
            figures.found += rule in outcome.fired
        for rule in outcome.unexpected:
            accuracy.rules.setdefault(rule, RuleFigures()).false_positives += 1
    return accuracy


def _ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def table(accuracy: Accuracy) -> list[str]:
    lines = [f"{'rule':34} {'labelled':>8} {'found':>6} {'false+':>6} {'precision':>9} {'recall':>6}"]
    for rule, r in sorted(accuracy.rules.items()):
        mark = "  <- below target" if r.below(RULE_TARGET) else ""
        lines.append(
            f"{rule:34} {r.expected:8} {r.found:6} {r.false_positives:6} "
            f"{_ratio(r.precision):>9} {_ratio(r.recall):>6}{mark}"
        )
    lines.append(
        f"{'overall':34} {accuracy.expected:8} {accuracy.found:6} {accuracy.false_positives:6} "
        f"{accuracy.precision:9.2f} {accuracy.recall:6.2f}"
    )
    return lines


def details(accuracy: Accuracy) -> list[str]:
    lines: list[str] = []
    for o in accuracy.outcomes:
        for rule in sorted(o.missed):
            fired = ", ".join(sorted(o.fired)) or "nothing"
            lines.append(f"missed  {o.sku:22} {o.defect:20} {rule}  (fired: {fired})")
        for rule in o.unexpected:
            lines.append(f"false+  {o.sku:22} {o.defect:20} {rule}: {o.messages[rule]}")
    return lines


def report(accuracy: Accuracy, with_details: bool = False) -> str:
    good = accuracy.good_listings
    defects = len(accuracy.outcomes) - len(good)
    lines = [
        f"{len(accuracy.outcomes)} listings: {defects} with one defect each, {len(good)} good "
        f"({accuracy.good_without_error} of them with no error)",
        *table(accuracy),
        f"targets: overall precision and recall >= {TARGET}, each rule >= {RULE_TARGET}",
        "rules below target: " + (", ".join(accuracy.below_target) or "none"),
    ]
    groups = sorted({o.group for o in accuracy.outcomes})
    if len(groups) > 1:
        for group in groups:
            part = _count(Accuracy([o for o in accuracy.outcomes if o.group == group]))
            below = ", ".join(part.below_target) or "none"
            lines.append(
                f"  {group}: {len(part.outcomes)} listings, precision {part.precision:.2f}, "
                f"recall {part.recall:.2f}; rules below target there: {below}"
            )
    if with_details:
        lines += details(accuracy)
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fast", action="store_true", help="skip running the CLI on each file too")
    parser.add_argument("--details", action="store_true", help="list every miss and false positive")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--set", choices=("all", "eval", "heldout"), default="all", help="which listings")
    args = parser.parse_args(argv)
    folders = {"all": (EVAL, HELDOUT), "eval": (EVAL,), "heldout": (HELDOUT,)}[args.set]
    accuracy = measure(*folders)
    print(
        json.dumps(accuracy.as_dict(), indent=2) if args.json else report(accuracy, with_details=args.details)
    )
    if not args.fast:
        disagreements = cli_disagreements(accuracy, folders)
        print("CLI and library agree on every listing" if not disagreements else "\n".join(disagreements))


if __name__ == "__main__":
    main()
