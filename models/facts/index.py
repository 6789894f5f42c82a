"""Lookups into a source's support that cost about the size of the answer, not of the source: a
100k-character article checked against a 100k-character output stays seconds, not minutes (every
output fact used to scan every source number, date, name and word)."""

from __future__ import annotations

import bisect
import difflib
from collections import defaultdict
from collections.abc import Callable, Iterator

from tomtat.models.facts.dates import DateValue
from tomtat.models.facts.extract import Support
from tomtat.models.facts.numbers import Quantity

# the share of letters two spellings of one name have in common (difflib's ratio)
SPELT_ALIKE = 0.75


class SupportIndex:
    """A source's support, indexed once: numbers by value, dates by their parts, words by position,
    names by the words they hold."""

    def __init__(self, support: Support) -> None:
        self.support = support
        ordered = sorted(support.quantities, key=lambda q: q.value)
        self._quantities = ordered
        self._values = [q.value for q in ordered]
        self.years = set(self._values)
        self._date_parts = [date.parts() for date in support.dates]
        self._dates_with: dict[tuple[str, int], list[int]] = defaultdict(list)
        for index, parts in enumerate(self._date_parts):
            for part, number in parts.items():
                self._dates_with[(part, number)].append(index)
        self._positions: dict[str, list[int]] = defaultdict(list)
        for position, word in enumerate(support.words):
            self._positions[word].append(position)
        self._sorted_words = sorted(self._positions)
        self._by_initial: dict[str, list[tuple[str, list[int]]]] = defaultdict(list)
        for word, positions in self._positions.items():
            self._by_initial[word[0]].append((word, positions))
        self._names_with: dict[str, list[tuple[str, ...]]] = defaultdict(list)
        for name in support.names:
            for token in set(name):
                self._names_with[token].append(name)

    @property
    def words(self) -> list[str]:
        return self.support.words

    @property
    def neighbours(self) -> dict[float, set[str]]:
        return self.support.neighbours

    def quantities_near(self, value: float, tolerance: float) -> Iterator[Quantity]:
        """The source's numbers within ``tolerance`` of ``value`` (and a hair more, for float error:
        the caller applies its exact test)."""
        margin = tolerance * (1 + 1e-8) + 1e-8 * abs(value) + 1e-9  # covers the caller's 1e-9 of the source
        start = bisect.bisect_left(self._values, value - margin)
        end = bisect.bisect_right(self._values, value + margin)
        return iter(self._quantities[start:end])

    def date_candidates(self, value: DateValue) -> Iterator[dict[str, int]]:
        """The parts of the source dates that have every part of ``value`` but its year (a year may be
        absent from the source date and written elsewhere): the caller checks the year."""
        mine = [(part, number) for part, number in value.parts().items() if part != "year"]
        if not mine:
            return iter(self._date_parts)
        lists = sorted((self._dates_with.get(key, []) for key in mine), key=len)
        found = set(lists[0]).intersection(*lists[1:])
        return (self._date_parts[index] for index in sorted(found))

    def contains(self, tokens: tuple[str, ...]) -> bool:
        """``tokens`` appear one after the other among the source's words."""
        if not tokens:
            return True
        words, n = self.support.words, len(tokens)
        return any(tuple(words[i : i + n]) == tokens for i in self._positions.get(tokens[0], ()))

    def has_word(self, word: str) -> bool:
        return word in self._positions

    def names_with(self, token: str) -> list[tuple[str, ...]]:
        return self._names_with.get(token, [])

    def has_prefix(self, prefix: str) -> bool:
        """A source word starts with ``prefix`` ("Libyan" for "Liby")."""
        at = bisect.bisect_left(self._sorted_words, prefix)
        return at < len(self._sorted_words) and self._sorted_words[at].startswith(prefix)

    def phrase_then_prefix(self, tokens: tuple[str, ...], prefix: str) -> bool:
        """``tokens``, then a word starting with ``prefix`` ("South Sudanese" for south, "suda")."""
        if not tokens:
            return self.has_prefix(prefix)
        words, n = self.support.words, len(tokens)
        return any(
            tuple(words[i : i + n]) == tokens and i + n < len(words) and words[i + n].startswith(prefix)
            for i in self._positions.get(tokens[0], ())
        )

    def spelt_alike(self, word: str, unlike: Callable[[str], bool]) -> bool:
        """A word of four letters or more spelt close to ``word``: the same first letter, at most two
        letters longer or shorter, three quarters of their letters in common ("Kafl", "Kalf"; "Timothy",
        "Timony"; "brahms", "Brhams"): a translator's or a subtitle's spelling of the same name. Words
        for which ``unlike`` holds (Vietnamese syllables: "binh", "biet") are never taken for another."""
        if len(word) < 4 or unlike(word):
            return False
        for other, _ in self._by_initial.get(word[0], ()):
            if len(other) < 4 or abs(len(other) - len(word)) > 2 or unlike(other):
                continue
            matcher = difflib.SequenceMatcher(None, word, other)
            if matcher.quick_ratio() >= SPELT_ALIKE and matcher.ratio() >= SPELT_ALIKE:
                return True
        return False

    def initials(self, letters: str) -> bool:
        """Consecutive source words whose first letters spell ``letters`` ("WHO": World Health Organization)."""
        words, n = self.support.words, len(letters)
        starts = (i for word, positions in self._by_initial.get(letters[0], ()) for i in positions)
        return any("".join(w[0] for w in words[i : i + n]) == letters for i in starts if i + n <= len(words))
