"""Invented people and organisations for the test-set generator.

A `Part` is one name word of a person (given name, patronymic, family name) or an organisation
(distinctive word, generic word, legal form), with every spelling the generator may write it
in; the first spelling is the one the list uses. Two parts are the same name when their
spelling sets intersect, which is how negatives are checked to be truly different people.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from finflow.screen import gen_pools as pools
from finflow.screen.gen_translit import SCHEMES, romanise, strip_accents

RUSSIAN_DIMINUTIVES = {
    "Александр": ("Sasha", "Shura"), "Алексей": ("Alyosha", "Lyosha"), "Дмитрий": ("Dima",),
    "Михаил": ("Misha",), "Николай": ("Kolya",), "Евгений": ("Zhenya",), "Сергей": ("Seryozha",),
    "Владимир": ("Volodya", "Vova"), "Юрий": ("Yura",), "Андрей": ("Andryusha",),
    "Константин": ("Kostya",), "Григорий": ("Grisha",), "Виктор": ("Vitya",),
    "Анатолий": ("Tolya",), "Геннадий": ("Gena",), "Вячеслав": ("Slava",), "Ярослав": ("Slava",),
    "Кирилл": ("Kirya",), "Фёдор": ("Fedya",), "Тимофей": ("Tima",),
}  # fmt: skip
ARABIC_SHORT = {"Muhammad": ("Mohd", "Md", "Muhd"), "Abdullah": ("Abd",), "Ahmad": ("Ahmd",)}

CULTURES = (
    ("arabic", 0.25), ("persian", 0.12), ("kurdish", 0.08), ("russian", 0.20),
    ("chinese", 0.10), ("vietnamese", 0.08), ("english", 0.07), ("albanian", 0.05),
    ("yoruba", 0.05),
)  # fmt: skip


@dataclass(frozen=True)
class Part:
    role: str  # given, patronymic, family, middle, org, generic, form
    spellings: tuple[str, ...]
    script: str = ""  # the name in its own script, if not Latin
    nicknames: tuple[str, ...] = ()

    @property
    def listed(self) -> str:
        return self.spellings[0]

    def same_name(self, other: Part) -> bool:
        mine = {strip_accents(s).lower().replace(" ", "") for s in self.spellings}
        theirs = {strip_accents(s).lower().replace(" ", "") for s in other.spellings}
        return not mine.isdisjoint(theirs)


@dataclass
class Subject:
    """An invented person or organisation."""

    kind: str  # Individual, Entity, Ship
    culture: str
    parts: list[Part]
    dobs: list[str] = field(default_factory=list)  # dd/mm/yyyy with 00 for unknown

    def strong_parts(self) -> list[Part]:
        return [p for p in self.parts if p.role in ("given", "family", "org", "middle")]

    def listed_name(self) -> str:
        return " ".join(p.listed for p in self.parts)


def _pick(rng: random.Random, pool: tuple[tuple[str, ...], ...], role: str) -> Part:
    return Part(role, rng.choice(pool))


def _russian(rng: random.Random) -> list[Part]:
    out = []
    for role, pool in (
        ("given", pools.RUSSIAN_GIVEN),
        ("patronymic", pools.RUSSIAN_PATRONYMIC),
        ("family", pools.RUSSIAN_FAMILY),
    ):
        cyr = rng.choice(pool)
        if role == "family" and rng.random() < 0.8:
            cyr = rng.choice(pools.RUSSIAN_ROOTS) + rng.choice(pools.RUSSIAN_SUFFIXES)
        spellings = tuple(romanise(cyr, s) for s in SCHEMES)  # by scheme, duplicates kept
        nick = RUSSIAN_DIMINUTIVES.get(cyr, ()) if role == "given" else ()
        out.append(Part(role, spellings, cyr, nick))
    return out


def _chinese(rng: random.Random) -> list[Part]:
    chars, pinyin, wade, canto = rng.choice(pools.CHINESE_FAMILY)
    family = Part("family", tuple(dict.fromkeys((pinyin, wade, canto))), chars)
    a, b = rng.sample(pools.CHINESE_GIVEN, 2)
    given_spellings = (
        a[1] + b[1].lower(),
        f"{a[1]}-{b[1].lower()}",
        f"{a[1]} {b[1]}",
        f"{a[2]}-{b[2].lower()}",
    )
    return [family, Part("given", tuple(dict.fromkeys(given_spellings)), a[0] + b[0])]


def _vietnamese(rng: random.Random) -> list[Part]:
    out = []
    for role, pool in (
        ("family", pools.VIETNAMESE_FAMILY),
        ("middle", pools.VIETNAMESE_MIDDLE),
        ("given", pools.VIETNAMESE_GIVEN),
    ):
        word = rng.choice(pool)
        out.append(Part(role, tuple(dict.fromkeys((strip_accents(word), word)))))
    return out


def _with_nicknames(part: Part) -> Part:
    if part.spellings[0] in ARABIC_SHORT:
        return Part(part.role, part.spellings, nicknames=ARABIC_SHORT[part.spellings[0]])
    return part


def make_person(rng: random.Random, culture: str) -> list[Part]:
    """The name parts of an invented person of a culture, in the order the list writes them."""
    if culture == "russian":
        return _russian(rng)
    if culture == "chinese":
        return _chinese(rng)
    if culture == "vietnamese":
        return _vietnamese(rng)
    if culture == "english":
        given = rng.choice(pools.ENGLISH_GIVEN)
        return [
            Part("given", (given[0],), nicknames=given[1:]),
            _pick(rng, pools.ENGLISH_FAMILY, "family"),
        ]
    given_pool, family_pool = {
        "arabic": (pools.ARABIC_GIVEN, pools.ARABIC_FAMILY),
        "persian": (pools.PERSIAN_GIVEN, pools.PERSIAN_FAMILY),
        "kurdish": (pools.KURDISH_GIVEN, pools.KURDISH_FAMILY),
        "albanian": (pools.ALBANIAN_GIVEN, pools.ALBANIAN_FAMILY),
        "yoruba": (pools.YORUBA_GIVEN, pools.YORUBA_FAMILY),
    }[culture]
    parts = [_with_nicknames(_pick(rng, given_pool, "given"))]
    if culture in ("arabic", "persian", "kurdish") and rng.random() < 0.6:
        father = _with_nicknames(_pick(rng, given_pool, "middle"))
        if not father.same_name(parts[0]):
            parts.append(father)
    if culture == "arabic" and rng.random() < 0.6:
        parts.append(Part("family", pools.nisba_family(rng.choice(pools.NISBA_ROOTS))))
    else:
        parts.append(_pick(rng, family_pool, "family"))
    return parts


def org_word(rng: random.Random) -> str:
    """A listed-looking word, or an invented one from two or three syllables."""
    if rng.random() < 0.3:
        return rng.choice(pools.ORG_WORDS)
    return "".join(rng.sample(pools.ORG_SYLLABLES, rng.choice((2, 3)))).capitalize()


def make_org(rng: random.Random) -> list[Part]:
    words = [org_word(rng) for _ in range(2 if rng.random() < 0.3 else 1)]
    parts = [Part("org", (w,)) for w in words]
    if rng.random() < 0.8:
        parts.append(Part("generic", (rng.choice(pools.ORG_GENERIC),)))
    parts.append(Part("form", rng.choice(pools.ORG_FORMS)))
    return parts


def make_ship(rng: random.Random) -> list[Part]:
    first, second = org_word(rng), org_word(rng)
    return [Part("org", (first.upper(),)), Part("org", (second.split()[0].upper(),))]


def make_dobs(rng: random.Random) -> list[str]:
    """0-2 published dates of birth, some with unknown day or month."""
    if rng.random() < 0.15:
        return []
    year = rng.randint(1945, 1995)
    month, day = rng.randint(1, 12), rng.randint(1, 28)
    roll = rng.random()
    first = (
        f"{day:02d}/{month:02d}/{year}"
        if roll < 0.7
        else f"00/{month:02d}/{year}"
        if roll < 0.8
        else f"00/00/{year}"
    )
    if rng.random() < 0.1:
        return [first, f"{day:02d}/{month:02d}/{year + 1}"]
    return [first]


def make_subject(rng: random.Random) -> Subject:
    roll = rng.random()
    if roll < 0.03:
        return Subject("Ship", "", make_ship(rng))
    if roll < 0.25:
        return Subject("Entity", "", make_org(rng))
    cultures, weights = zip(*CULTURES, strict=True)
    culture = rng.choices(cultures, weights)[0]
    return Subject("Individual", culture, make_person(rng, culture), make_dobs(rng))
