"""Length-sorted batch planning under a padded-token budget (shared by every backend)."""

from __future__ import annotations

from collections.abc import Sequence


def plan_batches(lengths: Sequence[int], max_batch_size: int, max_batch_tokens: int) -> list[list[int]]:
    """Group indices into batches, longest first, so that ``len(batch) * longest`` stays within budget.

    Sorting by length keeps padding small; one sequence longer than the budget still forms its own batch.
    """
    order = sorted(range(len(lengths)), key=lambda i: lengths[i], reverse=True)
    batches: list[list[int]] = []
    current: list[int] = []
    for index in order:
        longest = lengths[current[0]] if current else lengths[index]  # longest first: the batch's first
        if current and (len(current) >= max_batch_size or (len(current) + 1) * longest > max_batch_tokens):
            batches.append(current)
            current = []
        current.append(index)
    if current:
        batches.append(current)
    return batches
