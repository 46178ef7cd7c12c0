"""Telling a story that turns out to be two apart: a two-way split of its articles.

Two events of one kind (two earthquakes in one country, a rule and its reversal) share most
of their vocabulary, so the first articles of the second can join the story of the first; once
each has several articles, they form two groups that read alike within and apart between.
``two_groups`` finds such a split: 2-means over the articles' TF-IDF vectors, seeded from the
two least similar articles, accepted only when both groups are substantial and the mean
similarity between them is clearly below the mean similarity within each. Pure: vectors in,
groups (or None) out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

Vector = Mapping[int, float]


@dataclass(frozen=True, slots=True)
class SplitParams:
    """When a story is split in two."""

    min_articles: int = 6  # fewer articles say too little about groups
    min_group: int = 3  # each group holds at least this many articles ...
    min_share: float = 0.25  # ... and this share of the story
    separation: float = 0.6  # between-group mean similarity below this share of the within
    rounds: int = 5  # 2-means iterations (it settles in two or three)


@dataclass(frozen=True, slots=True)
class Split:
    """The two groups (indexes into the vectors given) and the similarities that decided."""

    first: tuple[int, ...]
    second: tuple[int, ...]
    within: float
    between: float


def similarities(vectors: Sequence[Vector]) -> list[list[float]]:
    """Cosine of every pair of L2-normalised sparse vectors, as one matrix product over the
    terms they use (48 articles: about a millisecond, a twentieth of pair-by-pair dicts)."""
    columns: dict[int, int] = {}
    rows: list[int] = []
    cols: list[int] = []
    values: list[float] = []
    for row, vector in enumerate(vectors):
        for term, weight in vector.items():
            rows.append(row)
            cols.append(columns.setdefault(term, len(columns)))
            values.append(weight)
    import numpy as np  # on first use: the daemon starts without it (about 0.15 CPU-s)

    matrix = np.zeros((len(vectors), max(len(columns), 1)))
    matrix[rows, cols] = values
    product: list[list[float]] = (matrix @ matrix.T).tolist()
    return product


def two_groups(vectors: Sequence[Vector], params: SplitParams | None = None) -> Split | None:
    """The split of ``vectors`` into two groups that read apart, or None when they do not."""
    params = params or SplitParams()
    count = len(vectors)
    if count < params.min_articles or params.separation <= 0:
        return None
    similarity = similarities(vectors)
    seed_a, seed_b = min(
        ((i, j) for i in range(count) for j in range(i + 1, count)),
        key=lambda pair: (similarity[pair[0]][pair[1]], pair),
    )
    groups = _two_means(similarity, [seed_a], [seed_b], params.rounds)
    if groups is None:
        return None
    first, second = groups
    smallest = max(params.min_group, params.min_share * count)
    if len(first) < smallest or len(second) < smallest:
        return None
    within = min(_mean_within(similarity, first), _mean_within(similarity, second))
    between = _mean_between(similarity, first, second)
    if between >= params.separation * within:
        return None
    return Split(tuple(first), tuple(second), within, between)


def _two_means(
    similarity: list[list[float]], first: list[int], second: list[int], rounds: int
) -> tuple[list[int], list[int]] | None:
    """Assign each item to the group it is more similar to on average; repeat until stable."""
    count = len(similarity)
    for _ in range(rounds):
        new_first: list[int] = []
        new_second: list[int] = []
        for item in range(count):
            to_first = _mean_to(similarity, item, first)
            to_second = _mean_to(similarity, item, second)
            (new_first if to_first >= to_second else new_second).append(item)
        if not new_first or not new_second:
            return None
        if new_first == first and new_second == second:
            break
        first, second = new_first, new_second
    return first, second


def _mean_to(similarity: list[list[float]], item: int, group: list[int]) -> float:
    others = [other for other in group if other != item]
    if not others:
        return similarity[item][group[0]]
    return sum(similarity[item][other] for other in others) / len(others)


def _mean_within(similarity: list[list[float]], group: list[int]) -> float:
    pairs = [(i, j) for n, i in enumerate(group) for j in group[n + 1 :]]
    return sum(similarity[i][j] for i, j in pairs) / len(pairs) if pairs else 1.0


def _mean_between(similarity: list[list[float]], first: list[int], second: list[int]) -> float:
    return sum(similarity[i][j] for i in first for j in second) / (len(first) * len(second))
