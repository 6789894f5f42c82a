"""Language detection with langdetect, made deterministic (it samples randomly unless seeded)."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

_lock = threading.Lock()

# letters no other language written in Latin script uses (ă, đ, ơ, ư and the tone-marked vowels of
# U+1EA0–U+1EF9): langdetect is pure Python (~6 ms an article) and only ever refused texts where they
# were under 7% of the first 2,000 characters' letters (4,000 English/Vietnamese mixes), while a
# Vietnews article has 14% or more, so above SURELY_VIETNAMESE_SHARE the answer is known without it
_VIETNAMESE_ONLY = re.compile("[ăĂđĐơƠưƯ\u1ea0-\u1ef9]")
_LETTER = re.compile(r"[^\W\d_]")
DETECTED_PREFIX = 2000  # the characters langdetect reads: the first ones decide, more only cost time
SURELY_VIETNAMESE_SHARE = 0.10


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
            detector.set_max_text_length(DETECTED_PREFIX)
            if candidates:
                detector.set_prior_map(dict.fromkeys(candidates, 1.0))
            detector.append(text)
            best = detector.get_probabilities()[0]
        except LangDetectException:
            return Detection("und", 0.0)
    return Detection(best.lang, round(best.prob, 4))


def surely_vietnamese(text: str) -> bool:
    """Whether the part of ``text`` that langdetect reads holds so many letters only Vietnamese uses
    (``SURELY_VIETNAMESE_SHARE``) that it could only be detected as Vietnamese."""
    prefix = text[:DETECTED_PREFIX]
    letters = len(_LETTER.findall(prefix))
    return letters > 0 and len(_VIETNAMESE_ONLY.findall(prefix)) >= SURELY_VIETNAMESE_SHARE * letters
