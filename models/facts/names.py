"""Proper names: runs of capitalised words (``Lê Trí Thanh``, ``Văn phòng UBND``, ``TP.HCM``), compared
without diacritics and across the two languages (``Le Tri Thanh``, ``Hà Nội`` = ``Hanoi``, ``Nhật Bản`` =
``Japan``).

A capitalised word that starts a sentence is a name only when the text also writes it capitalised
mid-sentence, or it starts a longer run (``Hà Nội``) that is not a common opening word plus a name.
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata
from collections.abc import Collection, Iterator
from dataclasses import dataclass

from tomtat.models.facts.dates import MONTHS, WEEKDAYS
from tomtat.models.facts.english import common_english, english_given_name, given_name
from tomtat.models.facts.places import (
    city_groups,
    country_groups,
    known_cities,
    known_places,
    places_written_alike,
    provinces,
)
from tomtat.models.facts.plain import plain

# a word; inner dots only before a capital (TP.HCM, U.S), hyphens before any letter (Il-Sung)
_UPPER = "".join(re.escape(chr(c)) for c in [*range(0x41, 0x250), *range(0x1E00, 0x1F00)] if chr(c).isupper())
_TOKEN = re.compile(rf"[^\W\d_](?:\w|['’](?=\w)|\.(?=[{_UPPER}])|-(?=[^\W\d_]))*")
_CONTRACTION = re.compile(r"['’](?:s|ve|re|ll|d|m|t)$", re.IGNORECASE)
_OPENING_MARKS = " \t\"'“‘([«-–"
_ENDS = ".!?:…;\n"
_CLOSING = "\"'”’)]»"


def opens_sentence(text: str, start: int) -> bool:
    """Whether the word at ``start`` is the first of its sentence (looking back over quotes and spaces)."""
    i = start
    quoted = False
    while i > 0 and text[i - 1] in _OPENING_MARKS:
        quoted = quoted or text[i - 1] in '"“‘«'
        i -= 1
    if i > 0 and text[i - 1] == "." and _TITLE_BEFORE.search(text, 0, i):
        return False  # "Dr. Haas", "Mr. Smith": the dot ends a title, not a sentence
    if i == 0 or text[i - 1] in _ENDS or quoted:  # a quotation starts a sentence: ", " Wow, ..."
        return True
    while i > 0 and text[i - 1] in _CLOSING + " ":
        i -= 1
    return i > 0 and text[i - 1] in ".!?…"


# titles written abbreviated before a name, in both languages ("Dr. Haas", "TS. Lê Văn")
_TITLE_BEFORE = re.compile(
    r"(?<![^\W\d_])(?:Mr|Mrs|Ms|Mx|Dr|Prof|St|Sr|Jr|Gen|Sen|Rep|Gov|Capt|Col|Lt|Sgt|Rev|Fr|TS|PGS|ThS|GS|BS)\.$"
)


# words that open sentences or precede names, never names themselves
OPENERS = frozenset(
    """ông bà anh chị cô chú bác thầy em ngài cháu cậu cụ các những một theo trong khi tại ngày sau trước
    với này đây đó tuy nhưng vì do để hiện năm tháng và cũng còn nếu thì là có không đã đang sẽ bởi từ
    đến về cho như mỗi hai ba tôi chúng ta họ nó ai gì vậy rồi lúc nhiều tất ở qua bên dù riêng vào ra
    the a an and but or so if when while in on at of for to from with by as this that these those it
    its he she they we you i my our your his her their there here what who why how where which after
    before during then now yes no not one two all some many most every each mr mrs ms dr người bọn dưới
    trên giữa hoan cảm xin chào vâng dạ ồ à ờ nào sao thưa kính gửi tiếng liệu hãy""".split()
)
OPENERS_CONTRACTED = frozenset({"we", "you", "they", "it", "that", "what", "there", "here", "let", "he", "she", "who"})
PRONOUNS = frozenset({"i", "ok", "okay", "tv", "ceo"})
# what a family calls its own, capitalised as a name ("Mom, ...", "with Mama"): translated ("má", "mẹ")
FAMILY_WORDS = frozenset("mom mum mama mamma mommy mummy ma dad daddy papa pa grandma grandpa granny nana".split())
PRONOUNS_VI = frozenset({"chúng", "tôi", "họ", "nó", "mình"})  # never a name's last word

# one class per place or body, the same in Vietnamese and English (names written without diacritics)
EQUIVALENTS: list[frozenset[str]] = [
    frozenset(form.strip() for form in group.split("|"))
    for group in """my|mi|hoa ky|hoa ki|america|american|us|usa|united states|u.s|u.s.a|nuoc my
    trung quoc|trung|trung hoa|china|chinese
    trung|trung tam|central
    tay|west|western|tay phuong
    dong|east|eastern|dong phuong
    nhat ban|nhat|japan|japanese
    han quoc|nam trieu tien|nam han|south korea|south korean|korea|korean
    trieu tien|bac trieu tien|bac han|north korea|north korean|korea|korean
    anh|britain|uk|united kingdom|england|english|british|tieng anh
    phap|france|french
    duc|germany|german
    nga|russia|russian
    an do|india|indian
    uc|australia|australian
    thai lan|thailand|thai
    campuchia|cambodia|cambodian
    lao|laos|lao pdr
    ha lan|netherlands|holland|dutch
    viet nam|vietnam|vietnamese|viet
    chau a|asia|asian
    dong nam a|southeast asia|south east asia|asean
    chau au|au|europe|european|eu|e.u
    chau phi|africa|african
    trung dong|middle east
    bac|north|northern
    nam|south|southern
    lien hop quoc|lien hiep quoc|united nations|un
    tp hcm|tphcm|ho chi minh city|hcmc|sai gon|saigon|thanh pho ho chi minh|tp ho chi minh|ho chi minh
    ha noi|hanoi
    da nang|danang
    bac kinh|beijing
    luan don|london
    ba le|paris
    la ma|rome|roman
    vu han|wuhan
    washington|washington dc|washington d.c|dc|d.c
    ai cap|egypt|egyptian
    y|italy|italian
    tay ban nha|spain|spanish
    hy lap|greece|greek
    thuy dien|sweden|swedish
    ba lan|poland|polish
    canada|ca na da|canadian
    mexico|mehico|mexican
    brazil|braxin|brazilian
    israel|ixraen|israeli
    chua|chua troi|god|thuong de|jesus|chua gie su|gie su|giesu|christ|jesus christ
    hoi giao|islam|islamic|muslim|muslims|dao hoi
    nam a|south asia
    tay phi|west africa
    nam phi|south africa
    bac my|north america
    nam my|south america|latin america
    trai dat|earth
    tay nguyen|central highlands
    bac cuc|north pole|arctic
    nam cuc|south pole|antarctic
    a rap|arab|arabic|arabian|arabia
    tho nhi ky|turkey|turkiye
    sec|czech republic|czechia
    bac macedonia|macedonia|north macedonia
    bo bien nga|ivory coast|cote d'ivoire|cote divoire
    la tinh|latin|latino
    internet|mang
    doi|team
    vua|king
    trung si|sergeant
    kito giao|kito|co doc giao|thien chua giao|christianity|christ
    cong giao|catholic|catholicism|catholics
    phat giao|buddhism|buddhist|dao phat
    do thai giao|judaism
    the van hoi|olympics|olympic games|olympic
    the van hoi mua he|summer olympics|summer olympic games
    the van hoi mua dong|winter olympics|winter olympic games
    truoc cong nguyen|tcn|bc|b.c|bce
    cong nguyen|sau cong nguyen|ad|a.d|ce""".split("\n")
]


def name_tokens(text: str) -> tuple[str, ...]:
    """``TP.HCM`` -> (tp, hcm); ``Il-Sung`` -> (il, sung); ``Lê Trí Thanh`` -> (le, tri, thanh);
    ``BắcTriều Tiên`` -> (bac, trieu, tien): Vietnamese syllables run together are cut apart."""
    return tuple(t for word in re.split(r"[\s.\-'’]+", text) for t in _syllables(word) if t)


def run_together(word: str) -> list[str]:
    """``BắcTriều`` -> Bắc, Triều: a word cut where a capital follows a small letter."""
    cuts = [0] + [i for i in range(1, len(word)) if word[i].isupper() and word[i - 1].islower()] + [len(word)]
    return [word[a:b] for a, b in itertools.pairwise(cuts)]


def _syllables(word: str) -> list[str]:
    """A word's plain form, or its Vietnamese syllables where they were run together ("BắcTriều")."""
    if not any(ch.isupper() for ch in word[1:]):
        return [plain(word)]  # most words: no capital inside
    parts = [plain(part) for part in run_together(word)]
    if len(parts) > 1 and all(map(vietnamese_syllable, parts)):
        return parts
    return [plain(word)]


@dataclass(frozen=True)
class NameMatch:
    start: int
    end: int
    tokens: tuple[str, ...]


def _capitalised(token: str) -> bool:
    return token[0].isupper()


def find_names(text: str, lang: str) -> Iterator[NameMatch]:
    vietnamese = lang == "vi"
    tokens = list(_TOKEN.finditer(text))
    mid_sentence_capitals = {
        m.group().lower() for m in tokens if _capitalised(m.group()) and not opens_sentence(text, m.start())
    }
    run: list[re.Match[str]] = []

    def close() -> Iterator[NameMatch]:
        words = list(run)
        run.clear()
        # "Am I South Korean": a pronoun inside a run separates two runs
        pieces: list[list[re.Match[str]]] = [[]]
        for word in words:
            bare = _CONTRACTION.sub("", word.group()).lower()
            if word.group().lower() in PRONOUNS or bare in PRONOUNS or (not vietnamese and bare in FAMILY_WORDS):
                pieces.append([])
            else:
                pieces[-1].append(word)
        for piece in pieces:
            yield from _name(piece)

    def _name(words: list[re.Match[str]]) -> Iterator[NameMatch]:
        while words:
            first = words[0].group()
            bare = _CONTRACTION.sub("", first).lower()
            opening = opens_sentence(text, words[0].start())
            # an opening word is a name when the text also capitalises it mid-sentence; in Vietnamese
            # also when it starts a longer run (Hà Nội), English openers (Although, Today) are not
            if (
                bare in OPENERS
                or (_CONTRACTION.search(first) and bare in OPENERS_CONTRACTED)
                or (
                    opening
                    and bare not in mid_sentence_capitals
                    and (len(words) == 1 or not vietnamese)
                    and (_vietnamese_word(bare) if vietnamese else not _opens_with_name(bare, len(words)))
                )
            ) and not _place_opening(words):  # "Ai Cập", "Ba Lan": a place whose first word opens (who, three)
                words = words[1:]
                continue
            break
        while vietnamese and len(words) > 1 and words[-1].group().lower() in PRONOUNS_VI:
            words = words[:-1]  # "tại Ấn Độ Chúng đã": a sentence that lost its full stop starts with "They"
        words = [w for w in words if w.group().lower().rstrip(".") not in MONTHS and w.group().lower() not in WEEKDAYS]
        if words:
            start, end = words[0].start(), words[-1].end()
            suffix = _CONTRACTION.search(text[start:end])  # "Lady Gaga's" -> "Lady Gaga"
            end -= len(suffix.group()) if suffix else 0
            tokens = name_tokens(text[start:end])
            if tokens:
                yield NameMatch(start, end, tokens)

    previous_end = None
    for match in tokens:
        # "US$", "HK$": a currency's prefix, no name
        capitalised = match.group()[0].isupper() and not text.startswith("$", match.end())
        if capitalised and (not run or text[previous_end : match.start()] in (" ", "-")):
            run.append(match)
        else:
            if run:  # most words are lower case: nothing to close
                yield from close()
            if capitalised:
                run.append(match)
        previous_end = match.end()
    yield from close()


def _place_opening(words: list[re.Match[str]]) -> bool:
    """The run opens with a known place of two words or more (``Ai Cập``: Egypt; ``Ba Lan``: Poland)."""
    if len(words) < 2:
        return False
    return any(is_known_place(name_tokens(" ".join(w.group() for w in words[:n]))) for n in (2, 3))


# sounds that open a Vietnamese line written in Latin letters and no syllable ("Oh, ...", "Wow")
SOUNDS = frozenset("oh ah uh uhm um umm hmm hm mm wow ok okay yeah hey hi huh oops whoa ooh aha yo eh ugh".split())


def _vietnamese_word(word: str) -> bool:
    """An opening word of a Vietnamese sentence that may be a word, not a name: a Vietnamese syllable
    or a sound ("Samuel 16 tuổi", "Conor tin tôi": a foreign spelling opening a line is a name)."""
    bare = plain(word)
    return vietnamese_syllable(bare) or bare in SOUNDS or not word.isalpha()


def _opens_with_name(word: str, run: int) -> bool:
    """An English sentence opening with a place ("Kenya is going to", "Berlin was") or a given name:
    one no dictionary has ("Olivia has two"), or an English-speaking country's before a family name
    ("Bill Masters has yet to")."""
    if run == 1 and len(word) > 3 and (is_known_place((word,)) or is_city((word,))):
        return True  # not "Us": the United States only when written "US"
    if common_english(word):
        return run > 1 and english_given_name(word)
    # or a word no dictionary has that ends like no derived English word ("Ramanujan", "Euler"; not
    # "Returnees", "Archeology": words the 1934 list lacks)
    return given_name(word) or (len(word) > 3 and word.isalpha() and not _DERIVED_ENDING.search(word))


_DERIVED_ENDING = re.compile(
    r"(?:ing|ed|ly|logy|tion|sion|ness|ment|ees|ers|ism|ist|ity|ous|ful|less|able|ible|ize|ise)$"
)


@functools.cache
def _equivalence_index() -> dict[str, frozenset[str]]:
    """Every form (and its form without spaces) -> the union of the groups that hold it: the hand list's
    variants ("mỹ", "hoa kỳ", "america"), CLDR's country and city names in both languages."""
    index: dict[str, set[str]] = {}
    for group in (*EQUIVALENTS, *country_groups(), *city_groups()):
        for form in group:
            for key in {form, form.replace(" ", "")}:
                index.setdefault(key, set()).update(group)
    return {key: frozenset(forms) for key, forms in index.items()}


def equivalents(tokens: tuple[str, ...]) -> set[str]:
    """The name's other written forms (``nhat ban`` -> japan, japanese, ...), spaces kept."""
    joined = " ".join(tokens)
    found = {joined}
    singular = {joined, joined[:-1]} if joined.endswith("s") else {joined}  # "North Koreans"
    index = _equivalence_index()
    for form in singular:
        for key in (form, form.replace(" ", "")):
            found |= index.get(key, frozenset())
    return found


@functools.lru_cache(maxsize=8192)
def is_known_place(tokens: tuple[str, ...]) -> bool:
    """A country, territory, region or Vietnamese province (either language): never a free rendering.
    ``tỉnh Quảng Nam``, ``Quang Nam Province``: the generic word around the name is not needed. Other
    forms of one count too ("Bắc Triều Tiên", "Hanoi", "America"), not its people's or adjective
    ("Korean", "French": the words of dishes and languages)."""
    places = known_places()
    if _named_in(tokens, places):
        return True
    if not tokens or (not all(map(vietnamese_syllable, tokens)) and _PEOPLE_ENDING.search(tokens[-1])):
        return False
    return any(form in places for form in equivalents(tokens))


_PEOPLE_ENDING = re.compile(r"(?:an|ans|ese|ish|i|ch|[^u]s)$")  # "korean", "chinese", "thai", "french"


@functools.cache
def place_words() -> frozenset[str]:
    """The words of every known place's names and of the hand list's forms of them, of four letters or
    more ("korea", "zambia", "egypt", "english")."""
    places = known_places()
    forms = {*places, *(form for group in EQUIVALENTS if group & places for form in group)}
    return frozenset(word for form in forms for word in form.split() if len(word) >= 4)


def is_written_alike(tokens: tuple[str, ...]) -> bool:
    """A place both languages write alike (``Afghanistan``, ``Quảng Nam``: "Quang Nam"), no common word."""
    return _place_core(tokens) in places_written_alike() and not is_word_too(tokens)


def is_city(tokens: tuple[str, ...]) -> bool:
    """A city CLDR names a time zone after ("Berlin", "New York City", ``Thượng Hải``: Shanghai)."""
    return _named_in(tokens, known_cities())


def _named_in(tokens: tuple[str, ...], forms: frozenset[str]) -> bool:
    """The name, or its core without the place words around it, is one of ``forms``."""
    core = _place_core(tokens)
    return " ".join(tokens) in forms or (bool(core) and core in forms)


# provinces whose names are also words, which a translation renders ("vì Hoà Bình": "for Peace")
PROVINCES_ALSO_WORDS = frozenset({"hoa binh", "thai binh", "hai duong"})


def is_word_too(tokens: tuple[str, ...]) -> bool:
    """A place whose Vietnamese name is also a common word (``Hoà Bình``: peace)."""
    return _place_core(tokens) in PROVINCES_ALSO_WORDS


def is_province(tokens: tuple[str, ...]) -> bool:
    """A province or centrally governed city of Vietnam, old or merged (``Quảng Nam``, ``tỉnh Quảng Nam``),
    whose name is no common word."""
    core = _place_core(tokens)
    return bool(core) and core in provinces() and core not in PROVINCES_ALSO_WORDS


# words before a place's name that are not part of it ("tỉnh Quảng Nam", "Province of ...")
PLACE_WORDS = frozenset("tinh thanh pho tp province city nuoc".split())


def _place_core(tokens: tuple[str, ...]) -> str:
    """The place's name without the words around it: ``tinh quang nam`` -> ``quang nam``."""
    return " ".join(t for t in tokens if t not in PLACE_WORDS)


# one Vietnamese syllable written without its marks: onset, then a rhyme Vietnamese spelling has (its
# vowels, and a final consonant where they take one): "sean", "ian", "ea" are no Vietnamese syllable
_VI_ONSET = r"(?:ngh|ng|gh|gi|kh|nh|ph|qu|th|tr|ch|[bcdghklmnprstvx])?"
_VI_OPEN_VOWELS = r"(?:oai|oay|oeo|uay|uoi|uya|uyu|ieu|yeu|uou|ai|ao|au|ay|eo|eu|ia|iu|oi|ui|uu)"
_VI_CLOSED_VOWELS = r"(?:uye|ie|ye|uo|oa|oe|ua|ue|uy|oo|a|e|i|o|u|y)"
_VI_SYLLABLE = re.compile(rf"^{_VI_ONSET}(?:{_VI_OPEN_VOWELS}|{_VI_CLOSED_VOWELS}(?:ng|nh|ch|[cmnpt])?)$")


# a body's name is translated word by word ("Tổ Chức Y Tế Thế Giới" = "World Health Organization"):
# without a dictionary no name of the other language can be told apart from its translation
BODY_WORDS_EN = frozenset(
    """organization organisation court department committee commission company corporation hospital center
    centre convention council ministry office agency association union federation conference institute
    university college school academy bank party army navy fleet chamber assembly congress parliament
    government foundation fund programme program project award awards prize church congregation tower
    bridge street road avenue square district province county city state republic kingdom empire age
    ages day festival war revolution movement platform initiative act law treaty constitution declaration
    board bureau service police witnesses chairman president minister spokesperson director""".split()
)
# the first words of a Vietnamese body's name (Bộ Ngoại giao, Sở Y tế, Uỷ ban Nhân dân, Toà án ...);
# none is a family or given name written without marks (not "le": Lê, nor "thanh": Thanh)
BODY_OPENINGS_VI = frozenset(
    opening.strip()
    for opening in """to chuc|toa|toa an|hoi dong|bo|so|uy ban|benh vien|cong ty|trung tam|vien|hoi|quoc hoi|chinh phu|
    dai hoc|cao dang|hoc vien|giai|giai thuong|thap|cau|cong vien|lien bang|lien hiep|lien minh|cao uy|
    cong uoc|hien phap|nhan chung|tap doan|ngan hang|quan doi|cuc|chi cuc|chien tranh|cach mang|kinh|thoi|ngay|pho chu|
    chu tich|thu tuong|bo truong|giam doc|thong doc|tong thong|dai|nha|mien|su""".split("|")
)


def unmatchable(text: str, tokens: tuple[str, ...], lang: str) -> bool:
    """A name no name of the other language can be told apart from a rendering of: a short acronym, a
    body's name (its words are translated), and in Vietnamese one syllable that names no country or
    province (the capitalised first word of a title: ``Công viên``, ``Uỷ ban``) or a hyphenated
    transliteration (``Anh-xtanh``: Einstein)."""
    letters = text.replace(".", "").replace(" ", "")
    if letters.isupper() and len(letters) <= 4:
        return True  # a short acronym is its own language's (UN: LHQ, TW: "central")
    if lang != "vi":
        return any(token in BODY_WORDS_EN for token in tokens)
    if tokens[0] in BODY_OPENINGS_VI or " ".join(tokens[:2]) in BODY_OPENINGS_VI:
        return True
    # one syllable may name a country or province (Nga, Mỹ: Russia, America), else it is a word
    one_syllable = len(tokens) == 1 and bool(_VI_SYLLABLE.match(tokens[0]))
    if one_syllable and any(is_known_place(tuple(form.split())) for form in equivalents(tokens)):
        return False
    return one_syllable or "-" in text


def _one_edit_apart(a: str, b: str) -> bool:
    if abs(len(a) - len(b)) > 1 or min(len(a), len(b)) < 5:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) <= 1
    short, long = sorted((a, b), key=len)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


def _common_prefix(a: str, b: str) -> int:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return n


def variant_of(tokens: tuple[str, ...], words: Collection[str]) -> bool:
    """A name derived from a word of ``words`` (``Libyan``, ``Zambians``, ``Portuguese`` from Portugal)
    or spelt one letter apart from one (``Connor`` for ``Conor``): a rendering of it, not another name."""
    joined = "".join(tokens)
    for word in words:
        if len(tokens) == 1 and len(word) >= 4 and _common_prefix(joined, word) >= max(4, len(word) - 3):
            return True
        if any(_one_edit_apart(token, word) for token in tokens):
            return True
    return False


# the family names most Vietnamese carry (Nguyễn alone ~40%), as Vietnamese writes them (with its marks,
# "Đảng", party, or "Đường", road, is none) and without marks
VI_SURNAMES_MARKED = frozenset(
    unicodedata.normalize("NFC", name)
    for name in """nguyễn trần lê phạm hoàng huỳnh phan vũ võ đặng bùi đỗ hồ ngô dương lý đinh trịnh mai lâm
    trương""".split()
)
VI_SURNAMES = frozenset(map(plain, VI_SURNAMES_MARKED))


def vietnamese_syllable(token: str) -> bool:
    """``khoi``, ``nguyen``: a word written without marks that Vietnamese spelling allows (``max``, ``ghana`` no)."""
    return bool(_VI_SYLLABLE.match(token))


def vietnamese_person(tokens: tuple[str, ...]) -> bool:
    """``Trần Minh Khôi``: a family name, then one to three syllables."""
    return 2 <= len(tokens) <= 4 and tokens[0] in VI_SURNAMES and all(map(vietnamese_syllable, tokens))
