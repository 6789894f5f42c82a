"""How names cross between Vietnamese and English: which a translation must keep, which it may put in,
which of its names render a source's and which replace one. The rules behind the name flags of
``check``; docs/quality.md says what each was measured to find and to cost."""

from __future__ import annotations

import difflib
import itertools
import re
import unicodedata

from tomtat.models.facts.acronyms import acronym_kept_as_is, keeps_acronym
from tomtat.models.facts.bodies import body_left_out, body_left_out_of_english
from tomtat.models.facts.extract import Fact
from tomtat.models.facts.names import (
    VI_SURNAMES_MARKED,
    equivalents,
    is_city,
    is_known_place,
    is_province,
    is_word_too,
    is_written_alike,
    unmatchable,
    variant_of,
    vietnamese_person,
    vietnamese_syllable,
)
from tomtat.models.facts.places import country_languages, language_countries
from tomtat.models.facts.plain import plain
from tomtat.models.facts.source import Source
from tomtat.models.facts.written import vocative, written_as_is, written_foreign


def matchable(fact: Fact, output: Source, source: Source) -> bool:
    """An output name that can be told from a rendering of a source name: in English a place, or a name
    of two words or more that is no body's and no variant of a source name (one-word names are too
    often words: "Mom", "Peace"); in Vietnamese only a Vietnamese person's name ("Trần Minh Khôi"), as
    Vietnamese renders other names too freely to tell (transliterated, translated: checking every name
    flagged held-out PhoMT en->vi pairs 4.3% -> 8.3% for a quarter of swaps found)."""
    assert isinstance(fact.value, tuple)
    if output.lang == "vi":
        return marked_person(fact)
    if len(fact.value) < 2 and not is_known_place(fact.value):
        return False
    return not (unmatchable(fact.text, fact.value, output.lang) or variant_of(fact.value, source.name_words))


def named_place(fact: Fact, output: Source) -> bool:
    """A country or province that an output names: any in English, in Vietnamese one of two syllables
    or more that is no common word (``Quảng Ngãi``, ``Trung Quốc``; not ``Đức``: virtue)."""
    assert isinstance(fact.value, tuple)
    if not is_known_place(fact.value):
        return False
    return output.lang == "en" or _no_word_in_vietnamese(fact.value)


def _no_word_in_vietnamese(place: tuple[str, ...]) -> bool:
    """A known place whose Vietnamese name is no common word: two syllables or more (``Đức``: virtue),
    and not one of the provinces that are words (``Hoà Bình``: peace)."""
    return len(place) > 1 and not is_word_too(place)


def keeps_rare_words(fact: Fact, output: Source, source: Source) -> bool:
    """An English name (no place) whose words no dictionary has are all in the Vietnamese source, the
    other words translated ("Saint Paul" for ``Thánh Paul``, "Team Rocket" for ``Đội Rocket``): a
    rendering of a source name, not another name."""
    assert isinstance(fact.value, tuple)
    if is_known_place(fact.value):
        return False
    if output.lang == "vi":
        # the same the other way: Vietnamese heads, then a source name's words written as they are, its
        # other words translated ("Quỹ Aether" for "Aether Foundation", "Kênh Discovery"; not "Phạm
        # Darwin" for Charles Darwin, "New Phạm" for New Orleans: a swap)
        foreign = set(written_foreign(fact))
        return _vietnamese_head(fact, foreign) and any(
            foreign <= set(name.value)
            and len(foreign) < len(name.value)
            and set(written_as_is(name, source.text)) <= foreign
            for name in source.facts
            if isinstance(name.value, tuple)
        )
    return has_words(source, written_as_is(fact, output.text))


def _vietnamese_head(fact: Fact, foreign: set[str]) -> bool:
    """A Vietnamese name's generic words before or after its foreign words, as one run (``Quỹ Aether``: a
    foundation; ``Brodie Kẻ trộm``: the thief), none a family name (``Trần Express``, ``New Phạm``)."""
    words = fact.text.split()
    is_foreign = [plain(word) in foreign for word in words]
    runs = [kind for kind, _ in itertools.groupby(is_foreign)]
    vietnamese = [unicodedata.normalize("NFC", w.lower()) for w, f in zip(words, is_foreign, strict=True) if not f]
    return len(runs) == 2 and bool(foreign) and not any(word in VI_SURNAMES_MARKED for word in vietnamese)


def names_missing(source: Source, output: Source) -> list[Fact]:
    """The source's names that the output (in the other language) neither has nor renders as a variant."""
    words = output.name_words
    return [
        fact
        for fact in source.facts
        if isinstance(fact.value, tuple)
        and not output.supports(fact, across_languages=True)
        and not unmatchable(fact.text, fact.value, source.lang)
        and not variant_of(fact.value, words)
    ]


def dropped_from_english(fact: Fact, output: Source, source: Source) -> bool:
    """A name of a Vietnamese source that an English translation must keep and lacks: one written in a
    foreign spelling, a province of Vietnam (English writes it without diacritics: ``Quang Nam``), or a
    country or region of two syllables or more (``Trung Quốc``, ``Tây Phi``; one syllable is often a
    word: ``Đức``, virtue, but
    not after a word that says it is a place, a people or a language: ``ở Mỹ``, ``tiếng Nga``),
    unless the English has its people or adjective (``người Triều Tiên``: "North Koreans"); or a
    Vietnamese person's full name, unless the English has its given name."""
    assert isinstance(fact.value, tuple)
    if (
        is_province(fact.value)
        or (is_known_place(fact.value) and _no_word_in_vietnamese(fact.value))
        or _marked_country(fact, source)
    ):
        return not (output.has_name(fact) or output.has_demonym(fact.value))
    if acronym_kept_as_is(fact, "vi"):
        # an international acronym stays ("DNA", "UNESCO", "GDP"); Vietnam's own are translated ("UBND")
        return not keeps_acronym(output, fact)
    kept = written_foreign(fact)
    if kept:
        return not unmatchable(fact.text, fact.value, "vi") and not renders(output, fact, kept)
    spelled = [_sounded(word) for word in _HYPHENATED.findall(fact.text)]
    if spelled:
        # a transliteration (``Nhân Chứng Giê-hô-va``): English writes the name it spells ("Jehovah"),
        # as a name or a sentence's first word
        names = [f for f in output.facts if isinstance(f.value, tuple)]
        return not any(_alike(word, name) for word in spelled for name in names) and not any(
            abs(len(word) - len(other)) <= 2 and difflib.SequenceMatcher(None, word, other).ratio() >= TRANSLITERATED
            for word in spelled
            for other in output.support.words[:3]
        )
    if _classified_place(fact, source):
        # English keeps a district's, an island's, a bridge's name without marks ("Lac Duong District")
        return not (output.has_name(fact) or has_words(output, list(fact.value)))
    if body_left_out_of_english(fact, output, source):
        return True
    # kept whole or by the given name ("Mr. Khoi")
    given = fact.value[-1]
    return vietnamese_person_kept(fact) and not output.support.has_word(given) and not output.has_name(fact)


# the words before a Vietnamese place's name that say what it is (``huyện Lạc Dương``: Lac Duong District,
# ``đảo Phú Quý``: Phu Quy Island): English keeps the name and translates the word. Not rivers, lakes,
# mountains (``sông Dương Tử``: the Yangtze, translated), nor words that end compounds (``văn bản``, text)
PLACE_CLASSIFIERS = frozenset(
    ("huyện", "quận", "xã", "phường", "thị xã", "thị trấn", "tỉnh", "thành phố", "đảo", "cầu", "cảng", "làng")
)
# compounds that end in one of them: "yêu cầu" (to ask), "toàn cầu" (global), "tư cảng"...
_NOT_CLASSIFIERS = frozenset(("yêu cầu", "nhu cầu", "toàn cầu", "địa cầu", "bán cầu", "khẩn cầu", "cầu cầu"))


def _classified_place(fact: Fact, source: Source) -> bool:
    """A Vietnamese name of two syllables or more after a word that says it is a place (``huyện Lạc
    Dương``), or that opens with one (``Cầu Bình Triệu``); one syllable is often translated (``sông
    Hồng``: the Red River)."""
    assert isinstance(fact.value, tuple)
    words = fact.text.split()
    if len(words) != len(fact.value) or not all(map(vietnamese_syllable, fact.value)):
        return False
    if len(words) >= 3 and unicodedata.normalize("NFC", words[0].lower()) in PLACE_CLASSIFIERS:
        return True
    before = unicodedata.normalize("NFC", source.text[max(0, fact.start - 16) : fact.start]).split()
    last, last_two = " ".join(before[-1:]), " ".join(before[-2:])
    classified = last_two in PLACE_CLASSIFIERS or (last in PLACE_CLASSIFIERS and last_two not in _NOT_CLASSIFIERS)
    return len(words) >= 2 and classified


def vietnamese_person_kept(fact: Fact) -> bool:
    """A Vietnamese person's full name, which English keeps without marks (``Trần Minh Khôi``: "Tran Minh
    Khoi", then "Khoi"): a family name as Vietnamese writes it and two or three syllables more (a family
    name and one syllable may be words: ``Hoàng Yến``, a canary). Other Vietnamese names were measured
    too: two syllables or more that make no compound of underthesea's Viet74K dictionary (``Cầu Bình
    Triệu``: the Binh Trieu Bridge) found 1-2 points more dropped names on the tuning quarters of PhoMT,
    none on the held-out one, and flagged 0.8 points more of its faithful pairs (Sino-Vietnamese
    renderings: ``Minh Trị``, Meiji; names cut short: ``Đảng Liên`` of ``Đảng Liên minh``)."""
    assert isinstance(fact.value, tuple)
    return len(fact.value) >= 3 and marked_person(fact)


def marked_person(fact: Fact) -> bool:
    """A Vietnamese person's name in a Vietnamese text: a family name with its marks, then one to three
    syllables (``Trần Minh Khôi``; not ``Vụ Thảm``, ``Đảng Phong``: a department, a party)."""
    assert isinstance(fact.value, tuple)
    syllables = fact.text.split()
    if len(syllables) != len(fact.value) or not vietnamese_person(fact.value):
        return False
    return unicodedata.normalize("NFC", syllables[0].lower()) in VI_SURNAMES_MARKED


# words before a one-syllable country that make it one (``ở Mỹ``: in America; ``tiếng Nga``: Russian)
_PLACE_MARKERS = frozenset("ở tại nước người tiếng sang khắp từ đến tới về châu".split())


def _marked_country(fact: Fact, source: Source) -> bool:
    """A one-syllable country after a word that makes it one (``ở Mỹ``, ``nước Pháp``, ``tiếng Anh``)."""
    assert isinstance(fact.value, tuple)
    if len(fact.value) != 1 or not is_known_place(fact.value):
        return False
    before = source.text[max(0, fact.start - 12) : fact.start].split()
    after = source.text[fact.end : fact.end + 12].split()[:1]
    if after and after[0].islower() and len(equivalents((*fact.value, plain(after[0])))) > 1:
        return False  # a word with the next one ("tại Trung tâm": at the Center), no country
    return bool(before) and before[-1].lower() in _PLACE_MARKERS


def put_in_vietnamese(fact: Fact, output: Source, source: Source) -> bool:
    """A name of a Vietnamese translation that its English source cannot explain: a Vietnamese person's
    ("Trần Minh Khôi"), or one whose foreign words the source lacks ("Kenji Watanabe")."""
    assert isinstance(fact.value, tuple)
    if vocative(output.text, fact) or unmatchable(fact.text, fact.value, "vi"):
        return False
    if source.has_acronym_of(fact.value):
        return False  # "đại học New York" for "NYU"
    foreign = written_foreign(fact)
    return marked_person(fact) or (bool(foreign) and not has_words(source, foreign))


def dropped_from_vietnamese(fact: Fact, output: Source, source: Source) -> bool:
    """A name of an English source that a Vietnamese translation lacks: a country, a place both write
    alike ("Afghanistan", "Quang Nam"), a city CLDR names a time zone after ("Berlin"), or a name whose
    words no dictionary has ("Chris Anderson", "Mr. Hardy"), which
    Vietnamese writes as it is, in a call to the listener too ("I'm sorry, Cami." -> ``Tôi rất tiếc,
    Cami.``: measured on PhoMT, leaving calls out cost 5-15 points of dropped names for 0.2 of flags)."""
    assert isinstance(fact.value, tuple)
    if is_written_alike(fact.value) or is_known_place(fact.value) or is_city(fact.value):
        return not output.has_name(fact)
    if acronym_kept_as_is(fact, "en"):
        # an acronym: Vietnamese writes most as they are ("GDP", "DVD", "IGN"), some by a known form ("UN"),
        # also at their head ("UNHCR": ``Cao Uỷ Tỵ Nạn Liên Hiệp Quốc``)
        return not keeps_acronym(output, fact)
    kept = written_as_is(fact, source.text)
    if kept:
        return not renders(output, fact, kept)
    return body_left_out(fact, output)


def written_put_in(fact: Fact, output: Source, source: Source) -> bool:
    """An output name with a word written as it is (no Vietnamese syllable in a Vietnamese output, no
    dictionary word in an English one) that the source lacks."""
    assert isinstance(fact.value, tuple)
    if unmatchable(fact.text, fact.value, output.lang):
        return False
    kept = _written_as_they_are(fact, output)
    return bool(kept) and not has_words(source, kept)


def _written_as_they_are(fact: Fact, side: Source) -> list[str]:
    """The words of a name that the other language writes as they are: a Vietnamese text's foreign
    spellings, an English text's words no dictionary has."""
    return written_foreign(fact) if side.lang == "vi" else written_as_is(fact, side.text)


def written_names_gone(source: Source, output: Source) -> list[Fact]:
    """The source's names written as they are in the other language (foreign spellings of a Vietnamese
    text, an English text's words no dictionary has), a call to the listener included, that the output
    does not render."""
    gone = []
    for fact in source.facts:
        if not isinstance(fact.value, tuple) or unmatchable(fact.text, fact.value, source.lang):
            continue
        kept = _written_as_they_are(fact, source)
        if kept and not renders(output, fact, kept):
            gone.append(fact)
    return gone


def names_unsupported(output: Source, source: Source) -> list[Fact]:
    """The output's names the source (in the other language) does not support."""
    return [f for f in output.facts if isinstance(f.value, tuple) and not source.supports(f, across_languages=True)]


def renderings_possible(side: Source, unexplained: list[Fact]) -> bool:
    """``side`` may hold renderings of the other text's names: a transliteration (``Anh-xtanh``), or a
    name written in Vietnamese that the other text does not explain (``Luân Đôn`` for "London",
    ``Tập Cận Bình`` for "Xi Jinping")."""
    return (
        any("-" in f.text for f in side.facts if isinstance(f.value, tuple))
        or renderings_in_vietnamese(unexplained) > 0
    )


def renderings_in_vietnamese(unexplained: list[Fact]) -> int:
    """How many of a Vietnamese text's names that the other text does not explain are written in
    Vietnamese syllables (each may render one of the other text's names: ``Tập Cận Bình``, Xi Jinping)."""
    return sum(
        bool(f.value) and all(map(vietnamese_syllable, f.value)) and not unmatchable(f.text, f.value, "vi")
        for f in unexplained
        if isinstance(f.value, tuple)
    )


def sino_vietnamese_renderable(fact: Fact) -> bool:
    """A name Vietnamese may write in its own syllables: a known place or city (``Luân Đôn``, London), or
    one whose every word is romanized Chinese or Korean syllables (``Tập Cận Bình`` for Xi Jinping,
    ``Kim Chính Ân`` for Kim Jong-un); not "Gorce", "Watanabe" (Japanese keeps its sounds)."""
    assert isinstance(fact.value, tuple)
    if is_known_place(fact.value) or is_city(fact.value):
        return True
    return all(_ROMANIZED.fullmatch(word) for word in fact.value)


# a word of pinyin or Korean romanization syllables (initial, then final): "jinping", "zedong", "jong"
_ROMANIZED = re.compile(
    r"(?:(?:[bpmfdtnlgkhjqxrzcsyw]|zh|ch|sh)?"
    r"(?:iang|iong|uang|ueng|yeong|eong|yeon|ang|eng|ing|ong|ian|iao|uai|uan|eun|eon|oon|ai|ei|ao|ou|an|en|in|un"
    r"|im|ik|ak|ok|uk|ul|il|ol|ia|ie|iu|ua|uo|ui|eo|ae|oe|ye|yo|yu|a|o|e|i|u))+"
)


def transliterates(side: Source, fact: Fact, other: Source) -> bool:
    """``side`` has a transliteration that may render the name: one spelt like it or like one of its
    words (``Ác-hen-ti-na``: Argentina; ``Nhân Chứng Giê-hô-va``: Jehovah's Witnesses), or one spelt
    like no name of ``other`` (``Anh-xtanh``: Einstein, ``Ép-phen``: Eiffel). One spelt like another
    name explains none: "Kazakhstan" is missing beside ``Ác-hen-ti-na``."""
    words = [
        _sounded(word)
        for f in side.facts
        if isinstance(f.value, tuple) and "-" in f.text  # a name's, not a date's ("17-7-2017")
        for word in _HYPHENATED.findall(f.text)
    ]
    return any(_alike(word, fact) or not any(_alike(word, name) for name in other.facts) for word in words)


def _sounded(transliteration: str) -> str:
    """A Vietnamese transliteration's letters as a Latin spelling writes their sounds (``Ép-phen`` ->
    "epfen", Eiffel; ``Anh-xtanh`` -> "anhstanh", Einstein)."""
    return plain(transliteration.replace("-", "")).replace("ph", "f").replace("x", "s")


def _alike(transliteration: str, fact: Fact) -> bool:
    if not isinstance(fact.value, tuple):
        return False
    spellings = {"".join(fact.value), *(t for t in fact.value if len(t) >= 4)}
    return any(difflib.SequenceMatcher(None, transliteration, s).ratio() >= TRANSLITERATED for s in spellings)


_HYPHENATED = re.compile(r"\w+(?:-\w+)+")
TRANSLITERATED = 0.5  # the share of letters a transliteration keeps ("oasinhton", "washington": 0.74)


def renders(other: Source, fact: Fact, foreign: list[str]) -> bool:
    """The other text has the name, a variant of it, or each of its ``foreign`` words, or a word made
    from one ("Tweeter" -> "tweet", "Magellan Lớn" -> "Large Magellanic Cloud")."""
    assert isinstance(fact.value, tuple)
    if other.supports(fact, across_languages=True) or has_words(other, foreign):
        return True
    # a variant renders a name of one word written as it is ("Zambians"); one of more keeps them all
    # ("Anderson" alone drops Chris Anderson's given name)
    return (len(foreign) < 2 and variant_of(fact.value, other.name_words)) or other.has_acronym_of(fact.value)


def _names_country_of(text: Source, word: str) -> bool:
    """``word`` is a people's language or its man ("finnish", "irishman"), and ``text`` names the
    country it is spoken in (``Phần Lan``, Ireland); or ``word`` is the country and ``text`` has its
    language ("Irishman" for Ireland)."""
    countries = language_countries().get(re.sub(r"(?:wo)?m[ae]n$", "", word), frozenset())
    return any(text.support.contains(tuple(form.split())) for form in countries) or any(
        text.support.has_prefix(language) for language in country_languages().get(word, ())
    )


# a saint's title in the languages whose place names English and Vietnamese borrow
SAINTS = ("st", "saint", "sainte", "santo", "santa", "san", "sao")


def has_words(text: Source, words: list[str]) -> bool:
    """Each of ``words`` is a word of ``text``, or a word made from one of them or one of them from it
    ("tweet", "Tweeter"), or, for a word no Vietnamese syllable is, one spelt alike ("Connor", "Conor";
    "Kafl", "Kalf": a Vietnamese name written in English keeps its letters, and "Binh" is not "Minh")."""
    support = text.support
    return all(
        support.has_word(word)
        or support.has_word(word + "s")  # "Star War" for "Star Wars"
        or (word in SAINTS and any(map(support.has_word, SAINTS)))  # "Santo Domingo", "St Domingue"
        or _names_country_of(text, word)
        or (
            len(word) >= 4
            and (support.has_prefix(word) or any(support.has_word(word[:k]) for k in range(4, len(word))))
        )
        or (
            not vietnamese_syllable(word)
            and (variant_of((word,), text.name_words) or support.spelt_alike(word, unlike=vietnamese_syllable))
        )
        for word in words
    )
