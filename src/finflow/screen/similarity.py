"""How alike two name tokens are, and why: a score in 0..1 and a short reason.

Each kind of agreement has its own score (data in `TOKEN_SCORES`). Fuzzy agreement is bounded
by an edit distance the candidate index can retrieve exactly (see `index.py`): 1 edit for
tokens of 5-8 letters, 2 for 9 or more (two edits turn Mingjian into Dongjian), a
transposition counting as one edit.
"""

from __future__ import annotations

from functools import lru_cache

import jellyfish
from rapidfuzz.distance import OSA

from finflow.screen.normalise import skeleton, variant_groups

TOKEN_SCORES = {
    "exact": 1.0,
    "variant": 0.95,  # the same name in another spelling or a nickname (variants.txt)
    "phonetic": 0.85,  # same Metaphone key
    "no-vowels": 0.85,  # one written without vowels, same consonants (Mhmd / Muhammad)
    "prefix": 0.8,  # truncated: one is the start of the other
    "initial": 0.6,  # a single letter standing for the other
}
MATCH_MIN = 0.7  # below this a token pair is not evidence at all
MIN_FUZZY_LEN = 5  # one edit turns many short names into others (Wang/Yang, Omar/Amar)
MIN_KEY_LEN = 4  # phonetic keys of shorter tokens are too common to mean much (Lee/Lau/Li)
MIN_SKELETON_LEN = 3  # consonant skeletons need three consonants (Hsn for Hassan)
MIN_PREFIX_LEN = 4
FIRST_LETTER = 0.15  # taken off a spelling agreement whose first letters differ
_VOWELS = frozenset("aeiouy")
MIN_PREFIX_RATIO = 0.6


def max_edits(length: int) -> int:
    """Edits allowed between two tokens whose longer one has `length` letters."""
    if length < MIN_FUZZY_LEN:
        return 0
    return 1 if length < 9 else 2


@lru_cache(maxsize=100_000)
def phonetic(token: str) -> str:
    """Metaphone key of a token ('' for tokens too short or with digits)."""
    if len(token) < MIN_KEY_LEN or not token.isalpha():
        return ""
    return str(jellyfish.metaphone(token))


@lru_cache(maxsize=100_000)
def consonants(token: str) -> str:
    key = skeleton(token)
    return key if len(key) >= MIN_SKELETON_LEN and token.isalpha() else ""


def token_similarity(a: str, b: str) -> tuple[float, str]:
    """Similarity of two normalised tokens and the name of the agreement ('' if none)."""
    if a == b:
        return 1.0, "exact"
    if len(a) == 1 or len(b) == 1:
        if a[0] == b[0] and (len(a) > 1 or len(b) > 1):
            return TOKEN_SCORES["initial"], "initial"
        return 0.0, ""
    groups = variant_groups()
    ga, gb = groups.get(a), groups.get(b)
    if ga and gb and not ga.isdisjoint(gb):
        return TOKEN_SCORES["variant"], "variant"
    best, why = 0.0, ""
    longest = max(len(a), len(b))
    allowed = max_edits(longest)
    if allowed:
        edits = OSA.distance(a, b, score_cutoff=allowed)
        if edits <= allowed:  # a different first letter is rarely a slip (Walid / Halid)
            best, why = 1.0 - edits / longest - FIRST_LETTER * (a[0] != b[0]), "spelling"
    pa = phonetic(a)
    if pa and pa == phonetic(b) and TOKEN_SCORES["phonetic"] > best:
        best, why = TOKEN_SCORES["phonetic"], "phonetic"
    sa = consonants(a)
    vowelless = not _VOWELS.intersection(a[1:]) or not _VOWELS.intersection(b[1:])
    if sa and vowelless and sa == consonants(b) and TOKEN_SCORES["no-vowels"] > best:
        best, why = TOKEN_SCORES["no-vowels"], "no-vowels"
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    if (
        len(short) >= MIN_PREFIX_LEN
        and long_.startswith(short)
        and len(short) / len(long_) >= MIN_PREFIX_RATIO
        and TOKEN_SCORES["prefix"] > best
    ):
        best, why = TOKEN_SCORES["prefix"], "prefix"
    if best < MATCH_MIN:
        return 0.0, ""
    return best, why


_INITIALS = ("", "b", "p", "m", "f", "d", "t", "n", "l", "g", "k", "h", "j", "q", "x", "zh", "ch",
             "sh", "r", "z", "c", "s", "y", "w")  # fmt: skip
_FINALS = ("a", "o", "e", "i", "u", "ai", "ei", "ui", "ao", "ou", "iu", "ie", "er", "an", "en",
           "in", "un", "ang", "eng", "ing", "ong", "ia", "iao", "ian", "iang", "iong", "ua", "uo",
           "uai", "uan", "uang", "ue")  # fmt: skip
PINYIN = frozenset(i + f for i in _INITIALS for f in _FINALS)
CHINESE_SURNAMES = frozenset(
    "zhang chang cheung wang wong huang hwang chen chan li lee liu lau zhou chou chow xu hsu tsui "
    "zhao chao chiu yang yeung lin lam guo kuo kwok he ho zheng cheng xie hsieh tse wu ng sun "
    "ma hu gao luo song tang han feng deng cao peng zeng xiao tian dong pan yuan cai jiang yu du "
    "ye wei su lu ding ren shen yao jin fu".split()
)


@lru_cache(maxsize=100_000)
def pinyin_syllables(token: str) -> tuple[str, ...]:
    """A pinyin-looking token split into syllables (fewest first), or () if it does not split."""
    best: list[tuple[str, ...] | None] = [()] + [None] * len(token)
    for end in range(1, len(token) + 1):
        for start in range(max(0, end - 6), end):
            head = best[start]
            if head is not None and token[start:end] in PINYIN:
                candidate = (*head, token[start:end])
                if best[end] is None or len(candidate) < len(best[end] or ()):
                    best[end] = candidate
    return best[-1] or ()


# Wade-Giles and pinyin initials of the same sound (Ch'iang / Qiang, Kuo / Guo, Tung / Dong)
_SAME_INITIAL = frozenset(
    frozenset(p) for p in (("ch", "q"), ("ch", "zh"), ("ch", "j"), ("k", "g"), ("p", "b"),
                           ("t", "d"), ("j", "r"), ("ts", "z"), ("ts", "c"))
)  # fmt: skip


def _split_initial(syllable: str) -> tuple[str, str]:
    for size in (2, 1):
        if syllable[:size] in _INITIALS and syllable[size:] in _FINALS:
            return syllable[:size], syllable[size:]
    return "", syllable


def _same_syllable(a: str, b: str) -> bool:
    if a == b:
        return True
    (ia, fa), (ib, fb) = _split_initial(a), _split_initial(b)
    return fa == fb and frozenset((ia, ib)) in _SAME_INITIAL


def other_syllables(a: str, b: str) -> bool:
    """True when two Chinese given names differ in a whole syllable (Dongjun / Dongjian)."""
    sa, sb = pinyin_syllables(a), pinyin_syllables(b)
    if len(sa) < 2 or len(sa) != len(sb):
        return False
    return not all(_same_syllable(x, y) for x, y in zip(sa, sb, strict=True))
