"""Text as it is generated: token callbacks from inside a batch turned into per-document text deltas.

Both backends report tokens step by step inside a batched ``generate`` (CTranslate2's ``callback``,
transformers' streamers). A document's output may be several generated parts (a translation's
segments, joined by spaces and newlines), generated side by side in one batch: ``DocumentStream``
emits the document's text in order, a part's text once the parts before it are finished, and holds
back the last, unfinished word of a part (detokenizing and clean-up may still change it). So the
deltas of a document always add up to exactly its final text.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

_LAST_SPACE = re.compile(r"\s(?=\S*$)")


@dataclass(frozen=True)
class Delta:
    """Text to append to output ``index``'s streamed text."""

    index: int  # the input text it belongs to
    text: str
    stage: str = "final"  # "final": the output itself; else the pass it belongs to ("round 1, part 2 of 5")


OnDelta = Callable[[Delta], bool | None]  # answers True when nobody listens any more (generation may stop)
# (input index in the batch, token id, or None once that input is finished): True to stop that input
OnToken = Callable[[int, int | None], bool | None]
OnText = Callable[[int, str, bool], bool | None]  # (input index, its text so far, finished)


class StopSignal(threading.Event):
    """Set to end a batch's generation at its next token. The backend polls it at every token, so it
    also tells the setter which batches are decoding now (past their encoder pass, which no backend can
    stop: a batch stopped there ends only after it)."""

    def __init__(self) -> None:
        super().__init__()
        self.last_poll = float("-inf")  # time.monotonic() of the last token that polled it

    def poll(self) -> bool:
        """Called by the backend for each generated token: whether to stop."""
        self.last_poll = time.monotonic()
        return self.is_set()

    def decoding(self, within: float = 0.5) -> bool:
        """A token was generated in the last ``within`` seconds (a step takes tens of milliseconds)."""
        return time.monotonic() - self.last_poll < within


def stable_prefix(partial: str) -> str:
    """What of a part's text so far can no longer change: up to its last whitespace."""
    match = _LAST_SPACE.search(partial)
    return partial[: match.start()] if match else ""


class DocumentStream:
    """One document's text, assembled from parts generated in any order; ``separators[k]`` goes before
    part ``k`` (``separators[0]`` is ""). ``emit`` receives each new piece of text."""

    def __init__(self, separators: list[str], emit: Callable[[str], bool | None]) -> None:
        self.separators = separators
        self.emit = emit
        self.partial = [""] * len(separators)
        self.finished = [False] * len(separators)
        self.sent = ""
        self.stopped = False

    def update(self, part: int, text: str) -> bool:
        """Part ``part``'s text so far; True when the listener has gone."""
        self.partial[part] = text
        return self._flush(final=False)

    def finish(self, part: int, text: str) -> bool:
        self.partial[part], self.finished[part] = text, True
        return self._flush(final=True)

    def _flush(self, final: bool) -> bool:
        shown = ""
        for part, (separator, text) in enumerate(zip(self.separators, self.partial, strict=True)):
            if self.finished[part]:
                shown += separator + text
                continue
            candidate = stable_prefix(text)
            if candidate:
                shown += separator + candidate
            break
        if shown.startswith(self.sent) and len(shown) > len(self.sent):
            delta, self.sent = shown[len(self.sent) :], shown
            self.stopped = bool(self.emit(delta)) or self.stopped
        return self.stopped
