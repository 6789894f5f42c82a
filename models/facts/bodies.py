"""The names of bodies, institutions and documents, which a translation renders word by word ("Supreme
Court" -> ``Toà Tối Cao``, "Department of State" -> ``Bộ Ngoại giao``, "the Constitution" -> ``Hiến
pháp``): their words are in every dictionary, so no word of them is written as it is, but their head
word has a few fixed renderings. A translation that has none of its head's renderings left the body
out. The glossary below is this project's (no maintained English-Vietnamese glossary of institutions
is packaged); docs/quality.md says what it was measured to find and to cost.
"""

from __future__ import annotations

import functools
import re
import unicodedata

from tomtat.models.facts.extract import Fact
from tomtat.models.facts.names import is_known_place, vietnamese_syllable
from tomtat.models.facts.plain import plain
from tomtat.models.facts.source import Source

# an English head word (its singular) -> the Vietnamese words a translation renders it with; several,
# as translators pick by context ("Department" of a ministry is ``Bộ``, of a city ``Sở``, of a school
# ``Khoa``), and the generic ones too (``cơ quan``, ``tổ chức``) that stand for any body
HEADS: dict[str, tuple[str, ...]] = {
    head.strip(): tuple(form.strip() for form in forms.split(","))
    for head, forms in (
        line.split(":")
        for line in """
        court: toà, toà án, toà tối cao, pháp đình, pháp viện
        ministry: bộ
        department: bộ, sở, ban, khoa, phòng, cục, vụ, ngành
        constitution: hiến pháp
        committee: uỷ ban, ban, hội đồng, uỷ hội
        commission: uỷ ban, ban, hội đồng, uỷ hội, cao uỷ
        council: hội đồng, uỷ ban, hội, uỷ hội
        board: hội đồng, ban, uỷ ban
        office: văn phòng, phòng, cục, sở, vụ, nha, bộ, uỷ ban
        center: trung tâm, viện, cơ quan, trụ sở
        centre: trung tâm, viện, cơ quan, trụ sở
        foundation: quỹ, tổ chức, hội
        institute: viện, học viện
        university: đại học, trường
        college: trường, cao đẳng, đại học, học viện
        academy: học viện, viện, trường
        association: hiệp hội, hội, liên hiệp, liên đoàn
        agency: cơ quan, cục, hãng, sở
        parliament: quốc hội, nghị viện
        senate: thượng viện, thượng nghị viện
        congress: quốc hội, hạ viện, đại hội, hội nghị
        chamber: viện, phòng, hạ viện
        hospital: bệnh viện, viện
        bank: ngân hàng
        museum: bảo tàng
        library: thư viện
        law: luật, đạo luật, bộ luật
        act: đạo luật, luật
        convention: công ước, hội nghị
        declaration: tuyên ngôn, tuyên bố
        treaty: hiệp ước, hiệp định
        police: cảnh sát, công an
        army: quân, lục quân, quân đội
        navy: hải quân
        party: đảng
        church: nhà thờ, giáo hội, hội thánh
        hall: phòng, hội trường, sảnh, nhà
        organization: tổ chức
        organisation: tổ chức
        company: công ty, hãng, tập đoàn
        corporation: tập đoàn, công ty, tổng công ty
        """.strip().splitlines()
    )
}

# heads that name a body standing alone too ("the Constitution", "the Court"); "Hall", "Office" are
# rooms as often
ALONE = frozenset("court constitution parliament senate congress ministry treaty declaration".split())


def _key(word: str) -> str:
    """A Vietnamese word in one spelling whatever its tone's place (``toà`` = ``tòa``, ``uỷ`` = ``ủy``)."""
    decomposed = unicodedata.normalize("NFD", word.lower())
    tones = "".join(ch for ch in decomposed if ch in _TONES)
    return unicodedata.normalize("NFC", "".join(ch for ch in decomposed if ch not in _TONES)) + tones


_TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")  # grave, acute, tilde, hook above, dot below
_WORD = re.compile(r"\w+")


@functools.cache
def _renderings(head: str) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(_key(w) for w in form.split()) for form in HEADS[head])


def _head(token: str) -> str | None:
    for word in (token, token[:-1] if token.endswith("s") else token):
        if word in HEADS:
            return word
    return None


def body_left_out(fact: Fact, output: Source) -> bool:
    """An English source's body of two words or more ("Supreme Court"; one word is too often a common
    noun capitalised: "Hall", "Minister") that a Vietnamese translation neither keeps as it is ("New
    Court", by its acronym: "OSCE Office" -> ``phòng OSCE``) nor renders by its head word."""
    assert isinstance(fact.value, tuple)
    heads = [head for token in fact.value if (head := _head(token)) is not None]
    if not heads or (len(fact.value) < 2 and heads[0] not in ALONE) or output.support.contains(fact.value):
        return False
    if any(word in output.acronyms for word in fact.text.split()):
        return False
    words = vietnamese_words(output.text)
    return any(not renders_head(words, head) for head in heads)


@functools.lru_cache(maxsize=8)
def vietnamese_words(text: str) -> tuple[tuple[str, bool], ...]:
    """Each word's key and whether it is capitalised."""
    return tuple((_key(word), word[0].isupper()) for word in _WORD.findall(text))


def renders_head(words: tuple[tuple[str, bool], ...], head: str) -> bool:
    """The Vietnamese ``words`` hold one of ``head``'s renderings; one of a single syllable capitalised
    (``Bộ``, ``Sở``: as words they are in ``toàn bộ``, ``bộ phim``)."""
    keys = [key for key, _ in words]
    for form in _renderings(head):
        n = len(form)
        for i in range(len(words) - n + 1):
            if tuple(keys[i : i + n]) == form and (n > 1 or words[i][1]):
                return True
    return False


# the Vietnamese renderings that open a body's name and are no common word (``Bộ``, ``Toà án``,
# ``Uỷ ban``; not ``Ban``, ``Phòng``, ``Hội``, ``Tổ chức``: as words they open sentences, "to organise"),
# and the compounds a head opens that are no body (``Bộ trưởng``: a minister, ``Toà nhà``: a building)
VIETNAMESE_HEADS = frozenset(
    """toà|toà án|pháp đình|bộ|sở|cục|uỷ ban|hội đồng|uỷ hội|cao uỷ|văn phòng|trung tâm|viện|học viện|quỹ|
    đại học|cao đẳng|hiệp hội|liên đoàn|quốc hội|nghị viện|thượng viện|hạ viện|bệnh viện|ngân hàng|bảo tàng|
    thư viện|luật|đạo luật|bộ luật|công ước|tuyên ngôn|hiệp ước|hiệp định|hiến pháp|cảnh sát|công an|
    hải quân|đảng|giáo hội|hội thánh|công ty|tập đoàn|tổng công ty""".replace("\n", "").split("|")
)
NOT_BODIES = frozenset(
    """bộ trưởng|bộ phim|bộ đội|toà nhà|toà soạn|toà bạch ốc|sở hữu|viện trợ|viện dẫn|đảng viên|luật sư|
    quỹ đạo|cục diện|cục bộ|công an viên|cảnh sát viên|cảnh sát trưởng|trung tâm điểm""".replace("\n", "").split("|")
)


@functools.cache
def _english_heads() -> dict[tuple[str, ...], frozenset[str]]:
    """Each Vietnamese head (its keys) -> the English heads it renders."""
    inverse: dict[tuple[str, ...], set[str]] = {}
    for head in HEADS:
        for form in _renderings(head):
            inverse.setdefault(form, set()).add(head)
    return {
        tuple(_key(w) for w in form.split()): frozenset(inverse.get(tuple(_key(w) for w in form.split()), ()))
        for form in VIETNAMESE_HEADS
    }


@functools.cache
def _not_bodies() -> frozenset[tuple[str, ...]]:
    return frozenset(tuple(_key(w) for w in form.split()) for form in NOT_BODIES)


def vietnamese_head(text: str, start: int) -> frozenset[str]:
    """The English heads a Vietnamese name at ``start`` of ``text`` opens with (``Bộ Ngoại giao``:
    ministry, department, office), the longest Vietnamese head first; none for a compound that is no body."""
    words = [_key(w) for w in _WORD.findall(text[start : start + 40])][:3]
    for n in (3, 2, 1):
        if tuple(words[:n]) in _not_bodies():
            return frozenset()
    for n in (3, 2, 1):
        heads = _english_heads().get(tuple(words[:n]))
        if heads:
            return heads
    return frozenset()


# what English also calls a body by, or its head ("Bộ trưởng Bộ Tư pháp": "Minister of Justice")
ENGLISH_ALSO = {
    "ministry": ("minister", "secretary"),
    "department": ("secretary",),
    "council": ("society", "body"),
    "police": ("marshal",),
}


def body_left_out_of_english(fact: Fact, output: Source, source: Source) -> bool:
    """A Vietnamese source's body (``Toà Tối Cao``, ``Bộ Ngoại giao``) that an English translation
    neither renders by its head word ("Supreme Court", "Foreign Ministry", "congressional"), nor names by
    its foreign words (``Công ty Apple``: "Apple") or by an acronym the source lacks (``Cao Uỷ Tỵ Nạn
    Liên Hiệp Quốc``: "UNHCR")."""
    assert isinstance(fact.value, tuple)
    heads = vietnamese_head(source.text, fact.start)
    if not heads or output.support.contains(fact.value) or output.acronyms - source.acronyms:
        return False
    following = _WORD.findall(source.text[fact.start : fact.start + 60])[1:6]
    if any(not vietnamese_syllable(plain(w)) and output.support.has_word(plain(w)) for w in following):
        return False
    english = {word for head in heads for word in (head, *ENGLISH_ALSO.get(head, ()))}
    if any(output.support.has_prefix(word[:-1] if word.endswith("y") else word) for word in english):
        return False
    # a name of the body's other words, its head left out (``Đảng Liên minh Dân chủ``: "the Democratic
    # Alliance"): a name of two words or more that is no place and none of whose words the source has
    return not any(
        isinstance(name.value, tuple)
        and len(name.value) > 1
        and not is_known_place(name.value)
        and not any(source.support.has_word(plain(word)) for word in name.value)
        for name in output.facts
    )
