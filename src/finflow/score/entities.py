"""Entity resolution: accounts grouped into parties (people and organisations), with evidence.

Deterministic, explainable linkage (see docs/entities.md for why not splink):

* links given by the sources, confidence 1: an account and the AMLworld ``Entity ID`` it is
  listed with; an account and the one KYC customer that lists it;
* merges of two KYC customers found by comparing normalised attributes within blocks (same
  name key, email, phone or address), scored by which attributes agreed. A merge at or above
  ``apply_at`` is applied; one between ``review_at`` and ``apply_at`` is recorded with
  ``needs_review`` and NOT applied: an investigator confirms it. Dates of birth that are both
  known and differ veto a merge; a name alone never merges;
* an account listed by two or more customers (a joint account) does not merge them: the pair
  is recorded for review and the account goes with the first customer id.

Parties are the connected components of the applied links, found with polars joins (label
propagation), so the cost grows with the number of links, never with pairs of all records.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from finflow.detect.unionfind import smallest_roots
from finflow.ingest.reference import CUSTOMER_SCHEMA
from finflow.score.names import (
    address_key,
    email_key,
    name_key,
    phone_key,
    surname,
    transliterate,
)

log = logging.getLogger(__name__)

CONTACTS = ("email", "phone", "address")
EDGE_SCHEMA = {"a": pl.String, "b": pl.String}


@dataclass(frozen=True)
class Resolution:
    """Who holds which account, the parties, and every merge with its evidence."""

    account_party: pl.DataFrame
    """account_key -> party_id, how (``entity_id``, ``kyc``, ``account only``)."""
    customer_party: pl.DataFrame
    """customer_id -> party_id."""
    parties: pl.DataFrame
    """party_id, name, date_of_birth, customer_ids, entity_ids, account_keys, surname."""
    merges: pl.DataFrame
    """left, right (customer ids), evidence, confidence, status, party_id."""
    customer_keys: pl.DataFrame
    """The KYC customers with their normalised keys (`customer_keys`), for the party rules."""

    def party_of(self) -> dict[str, str]:
        return dict(
            zip(self.account_party["account_key"], self.account_party["party_id"], strict=True)
        )


def customer_keys(customers: pl.DataFrame) -> pl.DataFrame:
    """The customers with normalised comparison keys (name, surname, phone, email, addresses).

    Each key is a function of one value, so the name keys are computed once per distinct name
    and the address keys once per distinct address (at 5M rows: 62k distinct names among
    409k customers), then joined back in the customers' order.
    """
    names = customers.select(pl.col("name").unique(maintain_order=True))
    names = names.with_columns(ascii_name=transliterate(names["name"])).with_columns(
        name_key=name_key(pl.col("ascii_name")), surname=surname(pl.col("ascii_name"))
    )
    addresses = (
        customers.select("customer_id", "addresses").explode("addresses").drop_nulls("addresses")
    )
    distinct = addresses.select(pl.col("addresses").unique(maintain_order=True))
    distinct = distinct.with_columns(ascii=transliterate(distinct["addresses"])).select(
        "addresses", address=address_key(pl.col("ascii"))
    )
    address_lists = (
        addresses.join(distinct, on="addresses", how="left", maintain_order="left")
        .drop_nulls("address")
        .group_by("customer_id")
        .agg(pl.col("address").unique().sort())
    )
    return (
        customers.join(names, on="name", how="left", nulls_equal=True, maintain_order="left")
        .with_columns(phone_n=phone_key(pl.col("phone")), email_n=email_key(pl.col("email")))
        .join(address_lists, on="customer_id", how="left")
        .with_columns(pl.col("address").fill_null([]))
    )


def _blocks(keys: pl.DataFrame, max_block: int) -> pl.DataFrame:
    """(customer_id, block) rows for every blocking key; oversized blocks dropped."""
    parts = [
        keys.select("customer_id", block=pl.lit("n:") + pl.col("name_key")),
        keys.select("customer_id", block=pl.lit("e:") + pl.col("email_n")),
        keys.select("customer_id", block=pl.lit("p:") + pl.col("phone_n")),
        keys.select("customer_id", pl.col("address").alias("block"))
        .explode("block")
        .with_columns(block=pl.lit("a:") + pl.col("block")),
    ]
    blocks = pl.concat(parts).drop_nulls().unique()
    # Block sizes counted once, on a group-by (not twice with a window over every row).
    sizes = blocks.group_by("block").len()
    oversized = sizes.filter(pl.col("len") > max_block).height
    if oversized:
        log.info("%d blocking keys with more than %d members not compared", oversized, max_block)
    kept = sizes.filter((pl.col("len") >= 2) & (pl.col("len") <= max_block))
    return blocks.join(kept, on="block", how="semi")


def compare_customers(keys: pl.DataFrame, cfg: dict[str, Any]) -> pl.DataFrame:
    """Candidate pairs of customers with the attributes that agreed and a confidence."""
    conf = cfg["confidence"]
    blocks = _blocks(keys, int(cfg["max_block"]))
    pairs = (
        blocks.join(blocks, on="block", suffix="_r")
        .filter(pl.col("customer_id") < pl.col("customer_id_r"))
        .select(left="customer_id", right="customer_id_r")
        .unique()
    )
    attrs = keys.select("customer_id", "name_key", "date_of_birth", "email_n", "phone_n", "address")
    both = pairs.join(attrs, left_on="left", right_on="customer_id").join(
        attrs, left_on="right", right_on="customer_id", suffix="_r"
    )
    name = pl.col("name_key") == pl.col("name_key_r")
    dob_known = pl.col("date_of_birth").is_not_null() & pl.col("date_of_birth_r").is_not_null()
    dob = dob_known & (pl.col("date_of_birth") == pl.col("date_of_birth_r"))
    email = (pl.col("email_n") == pl.col("email_n_r")).fill_null(False)
    phone = (pl.col("phone_n") == pl.col("phone_n_r")).fill_null(False)
    address = pl.col("address").list.set_intersection(pl.col("address_r")).list.len() > 0
    contact = email | phone | address
    confidence = (
        pl.when((dob_known & ~dob) | ~name.fill_null(False))
        .then(0.0)
        .when(dob & contact)
        .then(float(conf["name_dob_contact"]))
        .when(dob)
        .then(float(conf["name_dob"]))
        .when(email | phone)
        .then(float(conf["name_contact"]))
        .when(address)
        .then(float(conf["name_address"]))
        .otherwise(0.0)
    )
    evidence = pl.concat_list(
        pl.when(name).then(pl.lit("name")),
        pl.when(dob).then(pl.lit("date_of_birth")),
        pl.when(email).then(pl.lit("email")),
        pl.when(phone).then(pl.lit("phone")),
        pl.when(address).then(pl.lit("address")),
    ).list.drop_nulls()
    scored = both.select(
        "left",
        "right",
        evidence=evidence,
        confidence=confidence,
        dob_conflict=dob_known & ~dob,
    )
    return (
        scored.filter(pl.col("confidence") >= float(cfg["review_at"]))
        .with_columns(
            status=pl.when(pl.col("confidence") >= float(cfg["apply_at"]))
            .then(pl.lit("applied"))
            .otherwise(pl.lit("needs_review")),
            method=pl.lit("attributes"),
        )
        .drop("dob_conflict")
    )


def components(nodes: pl.Series, edges: pl.DataFrame) -> pl.DataFrame:
    """node -> label (the smallest node id of its connected component).

    Nodes are numbered in sorted order, then connected by `smallest_roots` (numpy union-find:
    a few passes over the edges, whatever the component sizes).
    """
    ordered = nodes.unique().sort()
    index = pl.DataFrame({"node": ordered}).with_row_index("i")
    pairs = (
        edges.join(index, left_on="a", right_on="node")
        .join(index, left_on="b", right_on="node", suffix="_b")
        .select("i", "i_b")
    )
    a = pairs["i"].to_numpy().astype(np.int64)
    b = pairs["i_b"].to_numpy().astype(np.int64)
    labels = smallest_roots(a, b, len(ordered))
    return pl.DataFrame({"node": ordered, "label": ordered.gather(labels)})


def _party_id(label: pl.Expr) -> pl.Expr:
    """``P-`` and 12 hex digits of the SHA-256 of the component's label, hashed once per
    label (a party's accounts and customers share it: 921k nodes, 409k parties at 5M rows)."""

    def ids(labels: pl.Series) -> pl.Series:
        distinct = labels.unique()
        hashed = ["P-" + hashlib.sha256(v.encode()).hexdigest()[:12] for v in distinct.to_list()]
        return labels.replace_strict(distinct, pl.Series(hashed, dtype=pl.String))

    return label.map_batches(ids, return_dtype=pl.String)


def resolve(
    accounts: pl.DataFrame, customers: pl.DataFrame | None, cfg: dict[str, Any]
) -> Resolution:
    """Resolve `accounts` (bank, account, entity_id, entity_name) and KYC `customers`."""
    customers = customers if customers is not None else pl.DataFrame(schema=CUSTOMER_SCHEMA)
    acc = accounts.select(
        account_key=pl.col("bank") + ":" + pl.col("account"),
        entity_id=pl.col("entity_id").fill_null(""),
        entity_name=pl.col("entity_name").fill_null(""),
    ).unique("account_key", keep="first", maintain_order=True)
    keys = customer_keys(customers)
    listed = keys.select("customer_id", account_key="account_keys").explode("account_key")
    listed = listed.drop_nulls("account_key").unique()
    holders = listed.group_by("account_key").agg(pl.col("customer_id").sort())
    joint = holders.filter(pl.col("customer_id").list.len() > 1)
    joint_pairs = (
        joint.select(
            "account_key",
            left=pl.col("customer_id").list.first(),
            right=pl.col("customer_id").list.slice(1),
        )
        .explode("right")
        .group_by("left", "right")
        .agg(pl.col("account_key").sort())
        .select(
            "left",
            "right",
            evidence=pl.col("account_key").list.eval(pl.lit("joint account ") + pl.element()),
            confidence=pl.lit(float(cfg["review_at"])),
            status=pl.lit("needs_review"),
            method=pl.lit("joint account"),
        )
    )
    compared = compare_customers(keys, cfg)
    joint_pairs = joint_pairs.join(  # holders already merged on their attributes
        compared.filter(pl.col("status") == "applied").select("left", "right"),
        on=["left", "right"],
        how="anti",
    )
    merges = pl.concat([compared, joint_pairs], how="vertical_relaxed").sort("left", "right")
    owner = holders.select("account_key", customer_id=pl.col("customer_id").list.first())

    edges = pl.concat(
        [
            acc.filter(pl.col("entity_id") != "").select(
                a=pl.lit("A:") + pl.col("account_key"), b=pl.lit("E:") + pl.col("entity_id")
            ),
            owner.select(
                a=pl.lit("A:") + pl.col("account_key"), b=pl.lit("C:") + pl.col("customer_id")
            ),
            merges.filter(pl.col("status") == "applied").select(
                a=pl.lit("C:") + pl.col("left"), b=pl.lit("C:") + pl.col("right")
            ),
        ]
    )
    nodes = pl.concat(
        [
            acc.select(n=pl.lit("A:") + pl.col("account_key"))["n"],
            owner.select(n=pl.lit("A:") + pl.col("account_key"))["n"],
            keys.select(n=pl.lit("C:") + pl.col("customer_id"))["n"],
            edges["b"],
        ]
    )
    labels = components(nodes, edges).with_columns(party_id=_party_id(pl.col("label")))
    account_party = (
        labels.filter(pl.col("node").str.starts_with("A:"))
        .select(account_key=pl.col("node").str.slice(2), party_id="party_id")
        .join(acc.select("account_key", "entity_id"), on="account_key", how="left")
        .join(owner, on="account_key", how="left")
        .select(
            "account_key",
            "party_id",
            how=pl.when(pl.col("customer_id").is_not_null())
            .then(pl.lit("listed in the KYC file by customer ") + pl.col("customer_id"))
            .when(pl.col("entity_id").fill_null("") != "")
            .then(pl.lit("Entity ID ") + pl.col("entity_id") + pl.lit(" in the accounts file"))
            .otherwise(pl.lit("account only: holder not identified")),
        )
        .sort("account_key")
    )
    customer_party = labels.filter(pl.col("node").str.starts_with("C:")).select(
        customer_id=pl.col("node").str.slice(2), party_id="party_id"
    )
    parties = _parties(account_party, customer_party, keys, acc)
    merges = merges.join(
        customer_party.rename({"customer_id": "left"}), on="left", how="left"
    ).sort("left", "right")
    log.info(
        "entity resolution: %d accounts, %d customers -> %d parties; merges: %d applied, "
        "%d for review",
        acc.height,
        keys.height,
        parties.height,
        merges.filter(pl.col("status") == "applied").height,
        merges.filter(pl.col("status") == "needs_review").height,
    )
    return Resolution(account_party, customer_party, parties, merges, keys)


def _parties(
    account_party: pl.DataFrame,
    customer_party: pl.DataFrame,
    keys: pl.DataFrame,
    acc: pl.DataFrame,
) -> pl.DataFrame:
    """One row per party: the first KYC record's name and DOB, else the entity name."""
    kyc = (
        customer_party.join(keys, on="customer_id")
        .sort("customer_id")
        .group_by("party_id")
        .agg(
            customer_ids=pl.col("customer_id"),
            kyc_name=pl.col("name").first(),
            date_of_birth=pl.col("date_of_birth").drop_nulls().first(),
            surname=pl.col("surname").first(),
            names=pl.col("name").unique().sort(),
        )
    )
    accts = (
        account_party.join(acc, on="account_key", how="left")
        .sort("account_key")
        .group_by("party_id")
        .agg(
            account_keys=pl.col("account_key"),
            entity_ids=pl.col("entity_id").filter(pl.col("entity_id") != "").unique().sort(),
            entity_name=pl.col("entity_name").filter(pl.col("entity_name") != "").first(),
        )
    )
    return (
        accts.join(kyc, on="party_id", how="full", coalesce=True)
        .with_columns(
            name=pl.coalesce("kyc_name", "entity_name"),
            customer_ids=pl.col("customer_ids").fill_null([]),
            account_keys=pl.col("account_keys").fill_null([]),
            entity_ids=pl.col("entity_ids").fill_null([]),
            names=pl.col("names").fill_null([]),
        )
        .drop("kyc_name", "entity_name")
        .sort("party_id")
    )
