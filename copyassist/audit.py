"""Audit existing listings against a channel's rules, with no model call.

``check(path_or_rows, channel=..., fields={"title": "Titre"})`` reads every row, checks the
chosen columns as the chosen kinds of field, compares their claims with the row's other columns
(the facts guard), flags near-duplicate titles across the file, and returns a report.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from copyassist.brand import BrandValue, brand_context
from copyassist.columns import ColumnMapping, copy_columns
from copyassist.errors import InputError
from copyassist.feeds import Row, read_rows
from copyassist.rules.base import FIELD_KINDS, CheckContext, Violation
from copyassist.rules.brand_voice import missing_mentions
from copyassist.rules.duplicates import find_duplicate_titles
from copyassist.rules.keywords import check_keyword_list, split_keywords
from copyassist.rules.profiles import load_profile
from copyassist.rules.text import visible_text
from copyassist.rules.validate import check_text


@dataclass
class RowReport:
    row: int
    id: str | None = None
    violations: list[Violation] = field(default_factory=list)
    error: str | None = None  # the row could not be read

    @property
    def status(self) -> str:
        if self.error:
            return "unreadable"
        if any(v.severity == "error" for v in self.violations):
            return "errors"
        return "warnings" if self.violations else "ok"


@dataclass
class CheckReport:
    channel: str
    fields: dict[str, str]
    rows: list[RowReport] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)  # the file's columns (the first row's)

    def mapping_report(self) -> ColumnMapping:
        """Which column was checked as which kind; the others are the product data."""
        checked = set(self.fields.values())
        return ColumnMapping({kind: (column,) for kind, column in self.fields.items()},
                             unmapped=[c for c in self.columns if c not in checked])  # fmt: skip

    @property
    def error_count(self) -> int:
        return sum(v.severity == "error" for r in self.rows for v in r.violations)

    @property
    def warning_count(self) -> int:
        return sum(v.severity == "warning" for r in self.rows for v in r.violations)

    @property
    def unreadable_count(self) -> int:
        return sum(r.error is not None for r in self.rows)

    @property
    def failed(self) -> bool:
        """An error was found or a row could not be read: what a CI gate fails on."""
        return bool(self.error_count or self.unreadable_count)

    def summary(self) -> list[tuple[str, str, int, int]]:
        """(rule, severity, violations, rows affected), most frequent first."""
        counts: Counter[tuple[str, str]] = Counter()
        rows: dict[tuple[str, str], set[int]] = {}
        for report in self.rows:
            for violation in report.violations:
                key = (violation.rule, violation.severity)
                counts[key] += 1
                rows.setdefault(key, set()).add(report.row)
        return [(rule, sev, n, len(rows[(rule, sev)])) for (rule, sev), n in counts.most_common()]

    def to_json(self) -> str:
        return json.dumps(
            {
                "channel": self.channel,
                "fields": self.fields,
                "errors": self.error_count,
                "warnings": self.warning_count,
                "unreadable": self.unreadable_count,
                "rows": [
                    {"row": r.row, "id": r.id, "status": r.status, "error": r.error,
                     "violations": [v.as_dict() for v in r.violations]}
                    for r in self.rows
                ],
                "summary": [
                    {"rule": rule, "severity": sev, "count": n, "rows": rows}
                    for rule, sev, n, rows in self.summary()
                ],
            },
            ensure_ascii=False,
            indent=2,
        )  # fmt: skip

    def to_csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["row", "id", "field", "severity", "rule", "message", "text"])
        for report in self.rows:
            if report.error:
                writer.writerow(
                    [report.row, report.id or "", "", "error", "row.unreadable", report.error, ""]
                )
            for v in report.violations:
                writer.writerow([report.row, report.id or "", v.field, v.severity, v.rule, v.message, v.text])
        return out.getvalue()


def resolve_fields(columns: Iterable[str], fields: Mapping[str, str] | None) -> dict[str, str]:
    """kind -> column: the caller's choice checked against the columns, else the known names."""
    available = list(columns)
    if fields:
        for kind, column in fields.items():
            if kind not in (*FIELD_KINDS, "keywords"):
                kinds = ", ".join((*FIELD_KINDS, "keywords"))
                raise InputError(f"unknown field kind {kind!r}; choose from {kinds}")
            if column not in available:
                raise InputError(f"no column {column!r} in the file; columns: {', '.join(available)}")
        return dict(fields)
    found = copy_columns(available)  # the names copyassist.columns knows, whatever their spelling
    if not found:
        raise InputError(
            "no column to check was recognised; name them with fields={'title': COLUMN} "
            f"(columns: {', '.join(available)})"
        ).with_hint("fields")
    return found


def _first(data: Mapping[str, Any], names: Iterable[str]) -> str | None:
    lowered = {str(k).casefold(): v for k, v in data.items()}
    for name in names:
        value = lowered.get(name)
        if value not in (None, ""):
            return str(value)
    return None


def _facts_columns(columns: Iterable[str], facts_from: Iterable[str]) -> list[str]:
    """The columns named by ``facts_from`` (each entry one column, or several split on commas)."""
    available = list(columns)
    chosen: list[str] = []
    for entry in facts_from:
        names = [entry] if entry in available else [n.strip() for n in entry.split(",") if n.strip()]
        for name in names:
            if name not in available:
                raise InputError(
                    f"facts_from: no column {name!r} in the file; columns: {', '.join(available)}"
                ).with_hint("facts_from")
            chosen.append(name)
    return list(dict.fromkeys(chosen))


def facts_data(
    data: Mapping[str, Any], facts_from: list[str] | None, facts: bool = True
) -> dict[str, Any] | None:
    """What a listing's claims are compared with: the listing itself (every filled cell), or
    only the ``facts_from`` columns; None when the facts guard is off."""
    if not facts:
        return None
    columns = facts_from if facts_from is not None else list(data)
    product = {k: data[k] for k in columns if data.get(k) not in (None, "")}
    return product or None


def check(
    source: str | Path | Iterable[Mapping[str, Any]],
    *,
    channel: str = "generic",
    fields: Mapping[str, str] | None = None,
    language: str | None = None,
    keywords: Iterable[str] = (),
    facts_from: Iterable[str] | None = None,
    facts: bool = True,
    brand_voice: BrandValue = None,
) -> CheckReport:
    """Audit listings (a file path, or rows as dicts) for ``channel``; nothing is called.

    The language the copy must be in: ``language``, else the one the channel requires, else a
    ``language`` column. The facts guard compares each listing's figures, labels and model names
    with the listing itself (so the seller's own data never fails it), or, with ``facts_from``,
    with those columns only (a supplier's data next to the copy); ``facts=False`` turns it off.
    ``brand_voice``: the brand file the copy is held to (``copyassist.brand``; None: the user
    folder's, if any; False: none).
    """
    profile = load_profile(channel)
    brand = brand_context(brand_voice)
    wanted = list(facts_from) if facts_from else None
    facts_columns: list[str] | None = None
    rows: Iterable[Row]
    if isinstance(source, str | Path):
        rows = read_rows(source)
    else:
        rows = (Row(n, dict(r)) for n, r in enumerate(source, start=1))
    report: CheckReport | None = None
    titles: list[tuple[int, str]] = []
    for row in rows:
        if report is None:
            report = CheckReport(profile.name, resolve_fields(row.data.keys(), fields) if row.data else {},
                                 columns=[str(c) for c in row.data])  # fmt: skip
        if row.error:
            report.rows.append(RowReport(row.number, error=row.error))
            continue
        reading = [Violation("row.reading", "warning", "row", note) for note in row.notes]
        if not report.fields:
            report.fields = resolve_fields(row.data.keys(), fields)
        if wanted is not None and facts_columns is None:
            facts_columns = _facts_columns(row.data.keys(), wanted)
        product = facts_data(row.data, facts_columns, facts)
        maker = _first(row.data, ("brand", "marque", "vendor"))
        context = CheckContext(
            language=language or profile.language or _first(row.data, ("language", "langue", "lang")),
            brand=maker,
            keywords=tuple(keywords),
            product=product,
            known_words=(maker,) if maker else (),
            brand_voice=brand,
        )
        row_report = RowReport(row.number, id=_first(row.data, ("sku", "id", "handle", "ean", "gtin")),
                               violations=reading)  # fmt: skip
        for kind, column in report.fields.items():
            text = str(row.data.get(column) or "")
            if text and kind == "keywords":
                row_report.violations.extend(check_keyword_list(kind, split_keywords(text), context))
            elif text:
                rules = profile.rules_for(kind)
                row_report.violations.extend(check_text(kind, text, rules, context, profile))
                if kind == "title":
                    titles.append((row.number, text))
        if brand:
            places = [(k, k, visible_text(str(row.data.get(c) or ""))) for k, c in report.fields.items()]
            row_report.violations.extend(missing_mentions([p for p in places if p[2]], brand))
        report.rows.append(row_report)
    if report is None:
        raise InputError("the file holds no rows to check")
    _add_duplicate_titles(report, titles)
    return report


def _add_duplicate_titles(report: CheckReport, titles: list[tuple[int, str]]) -> None:
    by_row = {r.row: r for r in report.rows}
    for duplicate in find_duplicate_titles([text for _, text in titles]):
        row_number = titles[duplicate.index][0]
        other = titles[duplicate.other][0]
        by_row[row_number].violations.append(
            Violation(
                "batch.duplicate_title",
                "warning",
                "title",
                f"{duplicate.message} (row {other})",
                duplicate.text,
            )
        )
