"""Language detection with langdetect, made deterministic (it samples randomly unless seeded)."""

from __future__ import annotations

import threading
from dataclasses import dataclass

_lock = threading.Lock()


@dataclass(frozen=True)
class Detection:
    language: str  # ISO 639-1 code as langdetect gives it ("vi", "en", ...) or "und"
    probability: float


def detect_language(text: str, candidates: tuple[str, ...] | None = None) -> Detection:
    """Most probable language of ``text``; ``und`` with probability 0 when it has no letters.

    ``candidates`` restricts the answer to those languages (langdetect's prior map), which keeps a
    short English sentence from being taken for Norwegian when only vi/en matter.
    """
    from langdetect import DetectorFactory, detector_factory
    from langdetect.lang_detect_exception import LangDetectException

    with _lock:  # langdetect's factory is a shared global
        DetectorFactory.seed = 0
        detector_factory.init_factory()  # loads the profiles once, a no-op afterwards
        try:
            detector = detector_factory._factory.create()
            detector.set_max_text_length(2000)  # the first 2,000 chars decide; more only costs time
            if candidates:
                detector.set_prior_map(dict.fromkeys(candidates, 1.0))
            detector.append(text)
            best = detector.get_probabilities()[0]
        except LangDetectException:
            return Detection("und", 0.0)
    return Detection(best.lang, round(best.prob, 4))
