"""Duplicate and near-duplicate titles across a batch."""

from __future__ import annotations

import random
import time
from difflib import SequenceMatcher

import pytest

from copyassist.rules.duplicates import DuplicateTitle, find_duplicate_titles, normalise_title


def pairs(found: list[DuplicateTitle]) -> list[tuple[int, int]]:
    return [(d.index, d.other) for d in found]


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Montre connectée Kairos S2 – Noir", "montre connectee kairos s2 noir"),
        ("Casque Bluetooth sans fil, réduction de bruit", "CASQUE BLUETOOTH SANS FIL RÉDUCTION DE BRUIT"),
        ("Wireless headphones, noise cancelling", "Wireless   headphones - noise-cancelling!"),
    ],
)
def test_same_title_once_normalised(first: str, second: str) -> None:
    found = find_duplicate_titles(["Tapis de yoga épais 6 mm", first, second])
    assert pairs(found) == [(2, 1)]
    assert found[0].exact
    assert found[0].similarity == 1.0
    assert found[0].message == "the same title as another row"


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Montre connectée Kairos S2 noire, GPS intégré", "Montre connectée Kairos S3 noire, GPS intégré"),
        (
            "Chaise de bureau ergonomique avec support lombaire",
            "Chaises de bureau ergonomiques avec support lombaire",
        ),
        ("Men's running shoes Nike Air Zoom Pegasus 40", "Men's running shoe Nike Air Zoom Pegasus 41"),
        ("Stainless steel water bottle, 750 ml, BPA free", "Stainless steel water bottle, 500 ml, BPA free"),
    ],
)
def test_near_duplicates_are_flagged(first: str, second: str) -> None:
    found = find_duplicate_titles([first, "Lampe de bureau LED", second])
    assert pairs(found) == [(2, 0)]
    record = found[0]
    assert 0.9 <= record.similarity < 1.0
    assert record.text == second and record.other_text == first
    assert record.rule == "batch.duplicate_title" and record.severity == "warning"
    assert "alike" in record.message


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Montre connectée Kairos S2 noire", "Casque Bluetooth Kairos noir"),
        ("Tapis de yoga antidérapant 6 mm", "Tapis de course pliable 12 km/h"),
        ("Wireless gaming mouse", "Wireless gaming keyboard with RGB lighting"),
        ("Dixit board game for the whole family", "Dixit card game expansion: Harmonies"),
    ],
)
def test_different_titles_are_not_flagged(first: str, second: str) -> None:
    assert find_duplicate_titles([first, second]) == []


def test_a_title_repeated_k_times_gives_k_minus_one_records() -> None:
    titles = ["Gourde inox 750 ml"] * 4 + ["", "  ", "Lampe LED"]
    assert pairs(find_duplicate_titles(titles)) == [(1, 0), (2, 0), (3, 0)]


def test_threshold() -> None:
    titles = ["Montre Kairos S2 noire", "Montre Kairos S2 noir"]
    assert pairs(find_duplicate_titles(titles)) == [(1, 0)]
    assert find_duplicate_titles(titles, threshold=1.0) == []
    assert pairs(find_duplicate_titles(titles, threshold=0.5)) == [(1, 0)]
    with pytest.raises(ValueError):
        find_duplicate_titles(titles, threshold=0)
    with pytest.raises(ValueError):
        find_duplicate_titles(titles, threshold=1.5)


def test_records_name_both_rows() -> None:
    record = find_duplicate_titles(["Montre Kairos S2 noire", "x", "Montre Kairos S2 noir"])[0]
    violation = record.as_violation()
    assert violation.rule == "batch.duplicate_title" and violation.severity == "warning"
    assert "title 2" in violation.message and "title 0" in violation.message
    data = record.as_dict()
    assert data["index"] == 2 and data["other"] == 0 and data["text"] == "Montre Kairos S2 noir"


def test_normalise_title() -> None:
    assert normalise_title("  Éco-Gourde « Inox » 750ml!! ") == "eco gourde inox 750ml"


WORDS = [
    "montre", "casque", "chaise", "lampe", "poele", "tapis", "gourde", "coque", "clavier", "souris",
    "tente", "veste", "noir", "blanc", "rouge", "bleu", "sans", "fil", "bio", "coton", "inox",
    "homme", "femme", "enfant", "sport", "compact", "pliable", "etanche", "premium", "portable",
]  # fmt: skip


def catalogue(size: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    titles = [
        " ".join(rng.sample(WORDS, 5)) + f" {rng.choice(['Kairos', 'Bosch', 'Tefal'])} {rng.randint(1, 9999)}"
        for _ in range(size)
    ]
    for i in range(0, 40, 4):  # planted near-duplicates: a changed digit, a plural
        titles.append(titles[i][:-1] + ("0" if titles[i][-1] != "0" else "1"))
        titles.append(titles[i + 1].replace(" ", "s ", 1))
    for i in range(40, 80, 4):  # and looser ones: a word dropped, two words swapped
        words = titles[i].split()
        titles.append(" ".join(words[:2] + words[3:]))
        words = titles[i + 1].split()
        titles.append(" ".join([words[1], words[0], *words[2:]]))
    return titles


def full_scan(titles: list[str]) -> tuple[set[tuple[int, int]], list[tuple[int, int, float]]]:
    """Every equal pair, and every other pair with its ratio, by brute force."""
    first: dict[str, int] = {}
    equal: set[tuple[int, int]] = set()
    for row, title in enumerate(titles):
        key = normalise_title(title)
        if key in first:
            equal.add((row, first[key]))
        elif key:
            first[key] = row
    keys = list(first)
    scored: list[tuple[int, int, float]] = []
    for a in range(len(keys)):
        for b in range(a + 1, len(keys)):
            short, long = (keys[a], keys[b]) if len(keys[a]) <= len(keys[b]) else (keys[b], keys[a])
            early, late = sorted((first[keys[a]], first[keys[b]]))
            scored.append((late, early, SequenceMatcher(None, short, long, autojunk=False).ratio()))
    return equal, scored


def test_the_filters_miss_nothing_a_full_scan_finds() -> None:
    titles = catalogue(160, seed=7)
    equal, scored = full_scan(titles)
    for threshold in (0.95, 0.9, 0.85, 0.75):
        expected = equal | {(late, early) for late, early, ratio in scored if ratio >= threshold}
        assert set(pairs(find_duplicate_titles(titles, threshold))) == expected
        assert len(expected) >= 20


def test_thousands_of_titles_in_reasonable_time() -> None:
    titles = catalogue(3000, seed=3)
    started = time.perf_counter()
    found = find_duplicate_titles(titles)
    elapsed = time.perf_counter() - started
    assert len(found) >= 20  # the planted pairs
    assert elapsed < 20, f"{elapsed:.1f} s for {len(titles)} titles"
