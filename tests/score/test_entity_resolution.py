"""Entity resolution: true merges, near-misses that must not merge, transliteration, order."""

from __future__ import annotations

from party_samples import PARTY, accounts, customers

from finflow.score.entities import resolve

CFG = PARTY.resolution


def _same(res, a: str, b: str) -> bool:  # type: ignore[no-untyped-def]
    parties = dict(
        zip(res.customer_party["customer_id"], res.customer_party["party_id"], strict=True)
    )
    return bool(parties[a] == parties[b])


def test_accounts_of_one_entity_id_form_one_party_with_the_source_as_evidence() -> None:
    res = resolve(
        accounts(
            ("1", "a", "E1", "Ann Lee"), ("2", "b", "E1", "Ann Lee"), ("3", "c", "E2", "Bo Li")
        ),
        None,
        CFG,
    )
    party = res.party_of()
    assert party["1:a"] == party["2:b"] != party["3:c"]
    how = dict(zip(res.account_party["account_key"], res.account_party["how"], strict=True))
    assert "Entity ID E1" in how["1:a"]


def test_word_order_and_transliteration_merge_with_the_agreeing_attributes_as_evidence() -> None:
    kyc = customers(
        ("C1", "Ahmed Karimi", "1990-01-01", [], None, None, ["1:a"]),
        ("C2", "KARIMI, Ahmed", "1990-01-01", [], None, None, ["2:b"]),
        ("C3", "Ахмед Каримов", None, [], "07700 900001", None, []),
        ("C4", "Akhmed Karimov", None, [], "+44 7700 900001", None, []),
        ("C5", "José Álvarez", "1970-05-05", ["1 High Street"], None, None, []),
        ("C6", "Alvarez Jose", "1970-05-05", ["1 high st"], None, None, []),
    )
    res = resolve(accounts(("1", "a", "", ""), ("2", "b", "", "")), kyc, CFG)
    assert _same(res, "C1", "C2") and _same(res, "C3", "C4") and _same(res, "C5", "C6")
    assert res.party_of()["1:a"] == res.party_of()["2:b"]
    merges = {(m["left"], m["right"]): m for m in res.merges.to_dicts()}
    assert merges[("C1", "C2")]["evidence"] == ["name", "date_of_birth"]
    assert merges[("C3", "C4")]["evidence"] == ["name", "phone"]
    assert merges[("C5", "C6")]["confidence"] == CFG["confidence"]["name_dob_contact"]
    assert {m["status"] for m in merges.values()} == {"applied"}


def test_near_misses_do_not_merge() -> None:
    kyc = customers(
        ("C1", "Ahmed Karimi", "1990-01-01", ["12 High St"], "07700900001", "a@x.org", []),
        # same name and address and phone, different date of birth: another person
        ("C2", "Ahmed Karimi", "1991-01-01", ["12 High St"], "07700900001", "a@x.org", []),
        # same address, different surname
        ("C3", "Sara Popescu", "1990-01-01", ["12 High St"], None, None, []),
        # same date of birth and phone, different name
        ("C4", "Omid Rahimi", "1990-01-01", [], "07700900001", None, []),
    )
    res = resolve(accounts(), kyc, CFG)
    assert res.parties.height == 4
    assert res.merges.filter(res.merges["status"] == "applied").is_empty()


def test_a_weak_merge_is_recorded_for_review_and_not_applied() -> None:
    kyc = customers(
        ("C1", "Ana Pop", None, ["9 Mill Lane"], None, None, ["1:a"]),
        ("C2", "Ana Pop", None, ["9 Mill Lane"], None, None, ["1:b"]),
    )
    res = resolve(accounts(), kyc, CFG)
    assert not _same(res, "C1", "C2")
    (merge,) = res.merges.to_dicts()
    assert merge["status"] == "needs_review"
    assert merge["evidence"] == ["name", "address"]
    assert CFG["review_at"] <= merge["confidence"] < CFG["apply_at"]


def test_a_joint_account_does_not_merge_its_holders() -> None:
    kyc = customers(
        ("C1", "Ann Lee", "1980-01-01", [], None, None, ["1:a"]),
        ("C2", "Tom Lee", "1979-01-01", [], None, None, ["1:a"]),
    )
    res = resolve(accounts(), kyc, CFG)
    assert not _same(res, "C1", "C2")
    (merge,) = res.merges.to_dicts()
    assert (merge["method"], merge["status"]) == ("joint account", "needs_review")


def test_resolution_is_deterministic_whatever_the_row_order() -> None:
    rows = [
        ("C1", "Ahmed Karimi", "1990-01-01", [], None, None, ["1:a"]),
        ("C2", "KARIMI Ahmed", "1990-01-01", [], None, None, ["2:b"]),
        ("C3", "Bo Li", None, [], None, None, ["3:c"]),
    ]
    acc = [("1", "a", "E1", "X"), ("2", "b", "E2", "Y"), ("3", "c", "", "")]
    one = resolve(accounts(*acc), customers(*rows), CFG)
    two = resolve(accounts(*reversed(acc)), customers(*reversed(rows)), CFG)
    assert one.party_of() == two.party_of()
    assert one.parties.to_dicts() == two.parties.to_dicts()
    assert one.merges.to_dicts() == two.merges.to_dicts()


def test_components_agree_with_networkx_on_a_random_graph() -> None:
    import random

    import networkx as nx
    import polars as pl

    from finflow.score.entities import components

    rng = random.Random(5)
    nodes = [f"n{i:03d}" for i in range(300)]
    edges = [(rng.choice(nodes), rng.choice(nodes)) for _ in range(250)]
    frame = pl.DataFrame({"a": [a for a, _ in edges], "b": [b for _, b in edges]})
    got = dict(components(pl.Series(nodes), frame).iter_rows())
    graph: nx.Graph[str] = nx.Graph(edges)
    graph.add_nodes_from(nodes)
    for comp in nx.connected_components(graph):
        assert {got[n] for n in comp} == {min(comp)}
