"""Spelling transforms for the test-set generator: romanisation schemes and damage.

Russian names are romanised by five schemes a customer record may have used: BGN/PCGN (what
the UK list uses), the ICAO passport scheme, German (Duden), French and scholarly ISO 9 with
its diacritics. Arabic-script names get transcription-rule changes (vowels, doubled letters,
q/k/g, ou/u). Damage: keyboard typos, OCR confusions, transposed letters, truncation, vowels
dropped. None of this reuses the screener's normalisation code.
"""

from __future__ import annotations

import random
import unicodedata

_BGN = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "yo", "ж": "zh", "з": "z",
    "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
}  # fmt: skip
SCHEMES: dict[str, dict[str, str]] = {
    "bgn": _BGN,
    "icao": {**_BGN, "ё": "e", "й": "i", "ю": "iu", "я": "ia", "ъ": "ie", "ы": "y"},
    "german": {
        **_BGN, "в": "w", "ж": "sch", "з": "s", "й": "j", "х": "ch", "ц": "z", "ч": "tsch",
        "ш": "sch", "щ": "schtsch", "ю": "ju", "я": "ja", "ё": "jo", "е": "e", "ы": "y",
    },
    "french": {
        **_BGN, "у": "ou", "ж": "j", "ш": "ch", "ч": "tch", "щ": "chtch", "ю": "iou",
        "я": "ia", "й": "ï", "х": "kh", "ё": "io", "ц": "ts",
    },
    "iso9": {
        **_BGN, "ж": "ž", "х": "h", "ц": "c", "ч": "č", "ш": "š", "щ": "ŝ", "ю": "û",
        "я": "â", "ё": "ë", "й": "j", "ы": "y", "э": "è", "ъ": "ʺ", "ь": "ʹ",
    },
}  # fmt: skip
_VOWELS = set("аеёиоуыэюяьъй")


def romanise(cyrillic: str, scheme: str) -> str:
    """Romanise a Cyrillic name; BGN writes initial/post-vowel е as ye."""
    table = SCHEMES[scheme]
    out: list[str] = []
    previous = ""
    for char in cyrillic:
        lower = char.lower()
        if lower not in table:
            out.append(char)
            previous = ""
            continue
        latin = table[lower]
        if lower == "е" and scheme in ("bgn", "german") and (not previous or previous in _VOWELS):
            latin = "ye" if scheme == "bgn" else "je"
        if scheme == "french" and lower == "с" and previous in _VOWELS and previous:
            latin = "ss"
        if char.isupper() and latin:
            latin = latin[0].upper() + latin[1:]
        out.append(latin)
        previous = lower
    return "".join(out)


# Arabic/Persian transcription changes: pattern -> replacements seen in real records
ARABIC_RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("ou", ("u", "oo")), ("u", ("ou", "o")), ("o", ("u",)), ("ee", ("i",)), ("i", ("ee", "e")),
    ("e", ("a", "i")), ("a", ("e",)), ("q", ("k", "g", "gh")), ("gh", ("q", "g")),
    ("kh", ("h", "ch", "x")), ("dh", ("z", "th", "d")), ("th", ("s", "t")), ("j", ("dj", "g")),
    ("sh", ("ch", "sch")), ("w", ("ou", "v")), ("y", ("i", "ie")), ("aa", ("a",)),
    ("mm", ("m",)), ("ss", ("s",)), ("dd", ("d",)), ("ll", ("l",)), ("bb", ("b",)),
)  # fmt: skip
KEYBOARD = {
    "a": "qswz", "b": "vghn", "c": "xdfv", "d": "serfcx", "e": "wsdr", "f": "drtgvc",
    "g": "ftyhbv", "h": "gyujnb", "i": "ujko", "j": "huikmn", "k": "jiolm", "l": "kop",
    "m": "njk", "n": "bhjm", "o": "iklp", "p": "ol", "q": "wa", "r": "edft", "s": "awedxz",
    "t": "rfgy", "u": "yhji", "v": "cfgb", "w": "qase", "x": "zsdc", "y": "tghu", "z": "asx",
}  # fmt: skip
OCR = (
    ("rn", "m"), ("m", "rn"), ("l", "1"), ("i", "l"), ("o", "0"), ("O", "0"), ("cl", "d"),
    ("d", "cl"), ("e", "c"), ("h", "b"), ("u", "v"), ("S", "5"), ("B", "8"), ("I", "l"),
    ("vv", "w"), ("w", "vv"), ("n", "ri"),
)  # fmt: skip


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def arabic_respell(word: str, rng: random.Random, changes: int = 1) -> str:
    """Apply `changes` transcription-rule changes at random places."""
    for _ in range(changes):
        lower = word.lower()
        options = [(p, r) for p, r in ARABIC_RULES if p in lower[1:]]
        if not options:
            break
        pattern, replacements = rng.choice(options)
        spots = [i for i in range(1, len(lower)) if lower.startswith(pattern, i)]
        at = rng.choice(spots)
        word = word[:at] + rng.choice(replacements) + word[at + len(pattern) :]
    return word


def _letters(word: str) -> list[int]:
    return [i for i, c in enumerate(word) if c.isalpha()]


def typo(word: str, rng: random.Random) -> str:
    """One keyboard slip: a neighbouring key, a letter doubled or a letter lost."""
    spots = [i for i in _letters(word) if i > 0] or _letters(word)
    if len(word) < 4 or not spots:
        return word
    at = rng.choice(spots)
    kind = rng.choice(("neighbour", "double", "drop"))
    if kind == "neighbour" and word[at].lower() in KEYBOARD:
        return word[:at] + rng.choice(KEYBOARD[word[at].lower()]) + word[at + 1 :]
    if kind == "double":
        return word[: at + 1] + word[at] + word[at + 1 :]
    return word[:at] + word[at + 1 :]


def ocr(word: str, rng: random.Random) -> str:
    """One OCR confusion (rn/m, l/1, o/0, cl/d, e/c ...)."""
    options = [(a, b) for a, b in OCR if a in word[1:]]
    if not options:
        return typo(word, rng)
    a, b = rng.choice(options)
    at = rng.choice([i for i in range(1, len(word)) if word.startswith(a, i)])
    return word[:at] + b + word[at + len(a) :]


def transpose(word: str, rng: random.Random) -> str:
    """Two neighbouring letters swapped."""
    spots = [i for i in range(1, len(word) - 1) if word[i] != word[i + 1]]
    if not spots:
        return word
    at = rng.choice(spots)
    return word[:at] + word[at + 1] + word[at] + word[at + 2 :]


def truncate(word: str, rng: random.Random) -> str:
    """The end cut off, as a fixed-width field does (keeps at least 5 letters, 70%)."""
    if len(word) < 7:
        return word
    keep = max(5, round(len(word) * rng.uniform(0.7, 0.85)))
    return word[:keep]


def drop_vowels(word: str) -> str:
    """Vowels dropped after the first letter (abjad-style writing: Mhmd, Hsn)."""
    if len(word) < 4:
        return word
    return word[0] + "".join(c for c in word[1:] if c.lower() not in "aeiou")
