"""language: the banned-word check used on generated prose."""

from __future__ import annotations

from finflow.casepack.language import BANNED_WORDS, check_neutral


def test_banned_words_cover_the_domain_list() -> None:
    expected = {"guilty", "launderer", "criminal", "smuggler", "trafficker", "fraudster"}
    assert expected | {"proven", "confirms"} <= set(BANNED_WORDS)


def test_check_neutral_finds_whole_words_case_insensitively() -> None:
    assert check_neutral("The Smuggler paid; CRIMINALS and a launderer.") == [
        "criminal",
        "launderer",
        "smuggler",
    ]
    assert check_neutral("This confirms it is proven") == ["confirms", "proven"]


def test_check_neutral_ignores_parts_of_other_words() -> None:
    assert (
        check_neutral("incriminating confirmation; activity consistent with, requires enquiry")
        == []
    )


def test_the_shipped_rules_describe_behaviour_in_neutral_words() -> None:
    from finflow.detect.rules import load_rules
    from finflow.score.config import all_rules, load_party_config

    rules = load_rules()
    for rule in all_rules(rules, load_party_config(rules)).values():
        texts = [rule.description, *rule.benign_explanations]
        assert check_neutral(" ".join(texts)) == [], rule.id
