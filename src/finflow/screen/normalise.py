"""Name normalisation: one name string in, comparable tokens with evidence weights out.

Steps: transliterate to ASCII (anyascii; CJK names are split into family name + given name),
lower-case, drop apostrophes, split on anything that is not a letter or digit, drop titles and
honorifics (``Dr``, ``Sheikh``, ``Haji``, ``Jr``) and company legal forms (``Ltd``, ``LLC``,
``OOO``), and give particles (``al``, ``bin``, ``van der``) and generic organisation words
(``Trading``, ``Group``) a small weight instead of dropping them, so ``Ben Smith`` keeps its
first name and ``General Trading LLC`` is still a name. The word lists are data:
``data/words.yaml``; name variants and nicknames: ``data/variants.txt``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

import yaml
from anyascii import anyascii

from finflow.errors import ConfigError

WEIGHT_TOKEN = 1.0
WEIGHT_INITIAL = 0.5
WEIGHT_GENERIC = 0.3
WEIGHT_PARTICLE = 0.2

_SPLIT = re.compile(r"[^a-z0-9]+")
_APOSTROPHES = re.compile(r"['`\u2019\u2018\u02bc\u02bb]")
_CAMEL = re.compile(r"[A-Z][a-z]*")
_CJK_OR_HANGUL = re.compile(r"[\u3400-\u9fff\uac00-\ud7af]")


@dataclass(frozen=True, slots=True)
class NormalName:
    """A name ready for comparison: tokens in written order and the weight of each."""

    tokens: tuple[str, ...]
    weights: tuple[float, ...]

    @property
    def strong(self) -> int:
        """How many tokens are real name words (not particles, generic words or initials)."""
        return sum(1 for w in self.weights if w == WEIGHT_TOKEN)

    @property
    def text(self) -> str:
        return " ".join(self.tokens)


@dataclass(frozen=True)
class WordLists:
    titles: frozenset[str]
    particles: frozenset[str]
    legal_forms: frozenset[str]
    generic: frozenset[str]


def _data_text(name: str) -> str:
    return (
        resources.files("finflow.screen")
        .joinpath("data")
        .joinpath(name)
        .read_text(encoding="utf-8")
    )


@cache
def word_lists() -> WordLists:
    """The shipped title, particle, legal-form and generic-word lists."""
    raw = yaml.safe_load(_data_text("words.yaml"))
    try:
        return WordLists(
            *(
                frozenset("".join(_tokens(str(w))) for w in raw[key])
                for key in ("titles", "particles", "legal_forms", "generic_org")
            )
        )
    except (KeyError, TypeError) as exc:
        raise ConfigError(f"screen word lists: missing or malformed section {exc}") from exc


@cache
def variant_groups() -> dict[str, frozenset[int]]:
    """Token -> ids of the equivalence groups (spellings, nicknames) it belongs to."""
    groups: dict[str, set[int]] = {}
    for number, line in enumerate(_data_text("variants.txt").splitlines()):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        for word in line.split():
            for token in _tokens(word):
                groups.setdefault(token, set()).add(number)
    return {token: frozenset(ids) for token, ids in groups.items()}


def to_ascii(text: str) -> str:
    """Transliterate to ASCII; a run of CJK characters becomes family name + given name."""
    if text.isascii():  # most names: nothing to do (NFC and anyascii leave ASCII as it is)
        return text
    text = unicodedata.normalize("NFC", text)
    if not _CJK_OR_HANGUL.search(text):
        return anyascii(text)
    out: list[str] = []
    run: list[str] = []

    def flush() -> None:
        if run:
            syllables = _CAMEL.findall(anyascii("".join(run)))
            if syllables:
                out.append(" " + syllables[0] + " " + "".join(syllables[1:]) + " ")
            run.clear()

    for char in text:
        if "\u3400" <= char <= "\u9fff" or "\uac00" <= char <= "\ud7af":
            run.append(char)
        else:
            flush()
            out.append(char)
    flush()
    return anyascii("".join(out))


def _tokens(text: str) -> list[str]:
    text = _APOSTROPHES.sub("", to_ascii(text).lower())
    return [t for t in _SPLIT.split(text) if t]


@lru_cache(maxsize=200_000)
def normalise(name: str) -> NormalName:
    """Normalise one name (person, organisation or vessel) for comparison."""
    words = word_lists()
    raw = _tokens(name)
    kept = [t for t in raw if t not in words.titles and t not in words.legal_forms]
    if not kept:  # a name made only of such words is still a name
        kept = raw
    weights = []
    for token in kept:
        if len(token) == 1:
            weights.append(WEIGHT_INITIAL)
        elif token in words.particles:
            weights.append(WEIGHT_PARTICLE)
        elif token in words.generic:
            weights.append(WEIGHT_GENERIC)
        else:
            weights.append(WEIGHT_TOKEN)
    if weights and max(weights) < WEIGHT_TOKEN:  # "General Trading": no strong word left
        weights = [WEIGHT_TOKEN if w != WEIGHT_INITIAL else w for w in weights]
    return NormalName(tuple(kept), tuple(weights))


def skeleton(token: str) -> str:
    """The consonant skeleton: vowels dropped (after the first letter), doubles collapsed."""
    if not token:
        return token
    body = [c for c in token[1:] if c not in "aeiouy"]
    out = [token[0]]
    for c in body:
        if c != out[-1]:
            out.append(c)
    return "".join(out)
