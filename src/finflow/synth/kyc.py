"""KYC customers and institutions files for a generated world (reference data, issue #3/#5).

Written after the three AMLworld-format files, from them and the seed alone, so the output is
deterministic. Besides one customer per account holder, it plants what entity resolution and
the party rules must find, and look-alikes they must not:

* duplicate KYC records of one person (name in another word order or with accents stripped,
  same date of birth, one of the accounts): true merges;
* namesakes (same name, different date of birth): must not merge;
* a second record with the same name and address but no date of birth or account: a merge
  for an investigator to confirm (needs review), not applied;
* shared-identifier rings: 4 holders with different surnames at one address, phone and device
  (HT_SHARED_IDENTIFIERS), drawn from accounts of planted laundering attempts;
* benign look-alikes: families (same surname) at one address, shared flats of 2;
* holders whose names are variants of designations on the shipped sanctions fixture (word
  order, transliteration from Cyrillic, a dropped middle name), with the designated DOB.

What was planted is written to ``truth/{name}_kyc_truth.json`` (a subfolder: not a feed).
"""

from __future__ import annotations

import csv
import json
import logging
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from finflow.casepack.model import entity_kind

log = logging.getLogger(__name__)

STREETS = (
    "High Street",
    "Station Road",
    "Church Lane",
    "Victoria Road",
    "Green Lane",
    "Manor Road",
    "Park Avenue",
    "Mill Lane",
    "Queens Road",
    "King Street",
    "London Road",
    "Albert Street",
)
TOWNS = (
    "Dover",
    "Folkestone",
    "Leeds",
    "Birmingham",
    "Hull",
    "Coventry",
    "Luton",
    "Slough",
    "Bradford",
    "Croydon",
    "Peterborough",
    "Glasgow",
)
COUNTRY_WORDS = {
    "India": "IN",
    "Australia": "AU",
    "Belgium": "BE",
    "Brazil": "BR",
    "Canada": "CA",
    "China": "CN",
    "France": "FR",
    "Germany": "DE",
    "Italy": "IT",
    "Japan": "JP",
    "Mexico": "MX",
    "Netherlands": "NL",
    "Spain": "ES",
    "Switzerland": "CH",
    "Turkey": "TR",
    "Romania": "RO",
    "Vietnam": "VN",
    "Iraq": "IQ",
    "Israel": "IL",
    "Saudi": "SA",
    "Russia": "RU",
    "US": "US",
    "United States": "US",
    "Euro": "FR",
}
NATIONALITIES = ("GB", "GB", "GB", "IE", "PL", "RO", "IN", "PK", "NG", "VN", "AL", "TR", "IQ")
CYRILLIC = {
    "a": "а",
    "b": "б",
    "v": "в",
    "g": "г",
    "d": "д",
    "e": "е",
    "z": "з",
    "i": "и",
    "y": "й",
    "k": "к",
    "l": "л",
    "m": "м",
    "n": "н",
    "o": "о",
    "p": "п",
    "r": "р",
    "s": "с",
    "t": "т",
    "u": "у",
    "f": "ф",
    "h": "х",
}
CUSTOMER_HEADER = (
    "customer_id",
    "name",
    "date_of_birth",
    "addresses",
    "phone",
    "email",
    "nationality",
    "account_ids",
    "device_id",
)


def _to_cyrillic(name: str) -> str | None:
    """A Latin name spelt in Cyrillic letter by letter, when every letter has a counterpart
    that anyascii maps straight back (so the transliteration round-trips)."""
    low = name.lower()
    if any(c.isalpha() and c not in CYRILLIC for c in low):
        return None
    return "".join(CYRILLIC.get(c, c) for c in low).title()


POSTCODE_LETTERS = "ABCDEFGHJKLMNPRSTUWXYZ"


def _home_address(n: int, rng: np.random.Generator) -> str:
    """An ordinary customer's own address, with a postcode.

    Unrelated people rarely share an address: the street, number and postcode leave millions
    of combinations, so chance collisions stay far rarer than the households, flats and rings
    planted on purpose (without the postcode, 16k customers over 29k addresses gave hundreds of
    chance "shared addresses" of three different surnames).
    """
    letters = POSTCODE_LETTERS
    pick = rng.integers(0, len(letters), size=4)
    postcode = (
        f"{letters[pick[0]]}{letters[pick[1]]}{int(rng.integers(1, 30))} "
        f"{int(rng.integers(1, 10))}{letters[pick[2]]}{letters[pick[3]]}"
    )
    return (
        f"{int(rng.integers(1, 400))} {STREETS[n % len(STREETS)]}, "
        f"{TOWNS[int(rng.integers(0, len(TOWNS)))]} {postcode}"
    )


def _institution(bank_id: str, name: str, rng: np.random.Generator) -> dict[str, str]:
    if "Crypto Exchange" in name:
        kind, country = "crypto exchange", "MT"
    elif "Money Transfer" in name:
        kind, country = "MSB", "FR" if name.startswith("Euro") else "GB"
    else:
        kind = "bank"
        first = name.split(" Bank #")[0] if " Bank #" in name else ""
        country = COUNTRY_WORDS.get(first, "GB" if not first else "")
    letters = "".join(c for c in name.upper() if c.isalpha())[:4].ljust(4, "X")
    bic = f"{letters}{country or 'GB'}{int(rng.integers(10, 99))}"
    return {"institution_id": bank_id, "name": name, "bic": bic, "country": country, "type": kind}


def _attempt_accounts(patterns: Path) -> list[str]:
    """Accounts (bank:account) named in the planted attempts, in file order, unique."""
    seen: dict[str, None] = {}
    for line in patterns.read_text(encoding="utf-8").splitlines():
        parts = line.split(",")
        if len(parts) == 11:
            seen.setdefault(f"{parts[1]}:{parts[2]}")
            seen.setdefault(f"{parts[3]}:{parts[4]}")
    return list(seen)


def _designations() -> list[tuple[str, str]]:
    """(name, ISO date of birth) of the individuals on the shipped sanctions fixture."""
    from finflow.screen import default_list_path, load_list

    out = []
    for d in load_list(Path(default_list_path())).designations:
        if d.kind != "Individual" or not d.dobs:
            continue
        day, month, year = (
            [*d.dobs[0].split("/"), "", "", ""][:3] if "/" in d.dobs[0] else ("00", "00", d.dobs[0])
        )
        iso = f"{year}-{month if month != '00' else '01'}-{day if day != '00' else '01'}"
        out.append((d.primary_name, iso))
    return out


def _variants(name: str) -> list[str]:
    tokens = name.replace("-", " ").split()
    reordered = " ".join([tokens[-1].upper(), *tokens[:-1]])
    dropped = " ".join([tokens[0], tokens[-1]]) if len(tokens) > 2 else name.lower()
    out = [reordered, dropped]
    cyr = _to_cyrillic(" ".join([tokens[0], tokens[-1]]))
    if cyr:
        out.append(cyr)
    return out


def write_kyc(out_dir: Path, name: str, seed: int) -> dict[str, Any]:
    """Write `customers.csv`, `institutions.csv` and `{name}_kyc_truth.json` to `out_dir`."""
    rng = np.random.Generator(np.random.PCG64([seed, 0x4B5943]))
    accounts = pl.read_csv(out_dir / f"{name}_accounts.csv", infer_schema=False)
    banks = accounts.select("Bank ID", "Bank Name").unique().sort("Bank ID")
    institutions = [_institution(b, n, rng) for b, n in banks.iter_rows()]
    holders = (
        accounts.with_columns(key=pl.col("Bank ID") + ":" + pl.col("Account Number"))
        .group_by("Entity ID")
        .agg(pl.col("Entity Name").first(), pl.col("key").sort())
        .sort("Entity ID")
    )
    customers: list[dict[str, Any]] = []
    by_key: dict[str, dict[str, Any]] = {}
    for n, (eid, ename, keys) in enumerate(holders.iter_rows()):
        person = entity_kind({"entity_name": ename}) != "Company" and "#" not in ename
        dob = ""
        if person:
            dob = str(np.datetime64("1950-01-01") + int(rng.integers(0, 20000)))
        rec = {
            "customer_id": f"K{n + 1:07d}",
            "name": ename,
            "date_of_birth": dob,
            "addresses": _home_address(n, rng),
            "phone": f"+44 7{int(rng.integers(100, 999))} {int(rng.integers(100000, 999999))}",
            "email": f"c{n + 1}@mail.example" if person else "",
            "nationality": NATIONALITIES[int(rng.integers(0, len(NATIONALITIES)))],
            "account_ids": ";".join(keys),
            "device_id": "",
            "_eid": eid,
            "_person": person,
        }
        customers.append(rec)
        for k in keys:
            by_key[k] = rec
    persons = [c for c in customers if c["_person"]]
    order = rng.permutation(len(persons))
    pick = iter(int(i) for i in order)
    truth: dict[str, Any] = {
        "duplicates": [],
        "namesakes": [],
        "rings": [],
        "families": [],
        "flats": [],
        "sanctions_variants": [],
        "for_review": [],
    }
    used: set[str] = set()

    def take(pool: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        for i in pick if pool is None else (int(j) for j in rng.permutation(len(pool))):
            c = (persons if pool is None else pool)[i]
            if c["customer_id"] not in used:
                used.add(c["customer_id"])
                return c
        raise StopIteration

    extra = len(customers)

    def add(rec: dict[str, Any]) -> dict[str, Any]:
        nonlocal extra
        extra += 1
        new = rec | {"customer_id": f"K{extra:07d}"}
        customers.append(new)
        return new

    n_plant = max(2, min(20, len(persons) // 200))
    try:
        for _ in range(n_plant):  # second onboarding of one person
            c = take()
            tokens = c["name"].split()
            other = " ".join([tokens[-1].upper(), *tokens[:-1]])
            dup = add(
                c
                | {
                    "name": other,
                    "account_ids": c["account_ids"].split(";")[0],
                    "email": "",
                    "addresses": "",
                }
            )
            truth["duplicates"].append([c["customer_id"], dup["customer_id"]])
        for _ in range(max(1, n_plant // 2)):  # same name and address, no DOB: for review
            c = take()
            twin = add(c | {"date_of_birth": "", "phone": "", "email": "", "account_ids": ""})
            truth["for_review"].append([c["customer_id"], twin["customer_id"]])
        for _ in range(n_plant):  # namesake: same name, another person
            c, d = take(), take()
            d["name"] = c["name"]
            d["date_of_birth"] = str(np.datetime64(c["date_of_birth"]) + 400)
            truth["namesakes"].append([c["customer_id"], d["customer_id"]])
        attempt = [
            by_key[k]
            for k in _attempt_accounts(out_dir / f"{name}_Patterns.txt")
            if k in by_key and by_key[k]["_person"]
        ]
        for r in range(max(2, n_plant // 2)):  # shared-identifier rings
            ring: list[dict[str, Any]] = []
            surnames: set[str] = set()
            for c in [*attempt, *persons]:
                s = c["name"].split()[-1].lower()
                if c["customer_id"] in used or s in surnames:
                    continue
                used.add(c["customer_id"])
                surnames.add(s)
                ring.append(c)
                if len(ring) == 4:
                    break
            address = f"Flat {r + 1}, {int(rng.integers(1, 90))} Mill Lane, Luton"
            phone = f"+44 7700 9{r:05d}"
            for c in ring:
                c["addresses"] = address
                c["phone"] = phone
                c["device_id"] = f"DEV-RING-{r + 1:03d}"
            truth["rings"].append([c["customer_id"] for c in ring])
        for f in range(n_plant):  # benign: families share an address and a surname
            members = [take() for _ in range(3)]
            surname = members[0]["name"].split()[-1]
            address = f"{int(rng.integers(1, 90))} Family Close, {TOWNS[f % len(TOWNS)]}"
            for c in members:
                c["name"] = " ".join([*c["name"].split()[:-1], surname])
                c["addresses"] = address
            truth["families"].append([c["customer_id"] for c in members])
        for f in range(n_plant):  # benign: shared flats of two
            pair = [take(), take()]
            for c in pair:
                c["addresses"] = f"Flat {f + 2}, {f + 10} Student Row, Leeds"
            truth["flats"].append([c["customer_id"] for c in pair])
        chosen = [take(attempt) for _ in range(3)]
        for i, ((dname, dob), c) in enumerate(zip(_designations(), chosen, strict=False)):
            variants = _variants(dname)
            variant = variants[i % len(variants)]
            c["name"], c["date_of_birth"] = variant, dob
            truth["sanctions_variants"].append(
                {"customer_id": c["customer_id"], "name": variant, "designation": dname}
            )
    except StopIteration:
        log.info("kyc: population too small for every planted pattern")
    customers_path = out_dir / "customers.csv"
    with customers_path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(CUSTOMER_HEADER)
        for c in sorted(customers, key=lambda c: c["customer_id"]):
            writer.writerow([c[k] for k in CUSTOMER_HEADER])
    institutions_path = out_dir / "institutions.csv"
    with institutions_path.open("w", encoding="utf-8", newline="") as fh:
        table = csv.DictWriter(fh, fieldnames=list(institutions[0]), lineterminator="\n")
        table.writeheader()
        table.writerows(institutions)
    truth_path = out_dir / "truth" / f"{name}_kyc_truth.json"  # a subfolder: not a feed
    truth_path.parent.mkdir(exist_ok=True)
    truth_path.write_text(json.dumps(truth, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    log.info("kyc: %d customers, %d institutions", len(customers), len(institutions))
    return {
        "customers_file": str(customers_path),
        "institutions_file": str(institutions_path),
        "kyc_truth_file": str(truth_path),
        "customers": len(customers),
        "institutions": len(institutions),
    }
