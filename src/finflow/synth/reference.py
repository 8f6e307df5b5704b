"""Fixed reference tables of the synthetic world: currencies, rates, formats, countries, names.

Codes are small integers (indexes into the tuples below) so that the generator can work on
numpy arrays; the writer turns them into AMLworld's spellings at the very end. Exchange rates
are fixed for the whole generated period and mirror finflow's packaged FX table (units of the
currency -> pounds), so an amount converted by the pipeline lands where the generator put it.
"""

from __future__ import annotations

from typing import Final

import numpy as np

CURRENCIES: Final = (
    "US Dollar",
    "Euro",
    "UK Pound",
    "Yuan",
    "Yen",
    "Rupee",
    "Ruble",
    "Canadian Dollar",
    "Australian Dollar",
    "Swiss Franc",
    "Mexican Peso",
    "Brazil Real",
    "Shekel",
    "Saudi Riyal",
    "Bitcoin",
)
"""Currency names exactly as AMLworld writes them; the index is the code used internally."""

USD, EUR, GBP, CNY, JPY, INR, RUB, CAD, AUD, CHF, MXN, BRL, ILS, SAR, XBT = range(15)

RATE_TO_GBP: Final = np.array(
    [
        *(0.87, 0.87, 1.0, 0.125, 0.0061, 0.0109, 0.0145, 0.66, 0.59, 0.90, 0.043, 0.167),
        *(0.255, 0.232, 17000.0),
    ],
    dtype=np.float64,
)
"""Pounds per one unit of each currency (same order as CURRENCIES)."""

MINOR_UNITS: Final = np.array([100] * 14 + [1_000_000], dtype=np.int64)
"""Smallest written unit per currency: cents for fiat, 1e-6 for Bitcoin."""

FORMATS: Final = ("Reinvestment", "Cheque", "Credit Card", "ACH", "Cash", "Wire", "Bitcoin")
"""Payment formats exactly as AMLworld writes them; the index is the code used internally."""

REINVESTMENT, CHEQUE, CARD, ACH, CASH, WIRE, BITCOIN = range(7)

# (country, currency code, share of account holders, how its banks are named)
COUNTRIES: Final = (
    ("UK", GBP, 0.640, "uk"),
    ("Germany", EUR, 0.050, "plain"),
    ("France", EUR, 0.045, "plain"),
    ("Italy", EUR, 0.030, "plain"),
    ("Spain", EUR, 0.030, "plain"),
    ("Netherlands", EUR, 0.020, "plain"),
    ("Ireland", EUR, 0.020, "plain"),
    ("Portugal", EUR, 0.010, "plain"),
    ("Belgium", EUR, 0.010, "plain"),
    ("US", USD, 0.050, "us"),
    ("China", CNY, 0.012, "plain"),
    ("Japan", JPY, 0.006, "plain"),
    ("India", INR, 0.020, "plain"),
    ("Russia", RUB, 0.004, "plain"),
    ("Canada", CAD, 0.008, "plain"),
    ("Australia", AUD, 0.008, "plain"),
    ("Switzerland", CHF, 0.008, "plain"),
    ("Mexico", MXN, 0.010, "plain"),
    ("Brazil", BRL, 0.008, "plain"),
    ("Israel", ILS, 0.004, "plain"),
    ("Saudi Arabia", SAR, 0.007, "plain"),
)
"""Where account holders bank. UK-focused: about two thirds of accounts hold pounds."""

UK_TOWNS: Final = (
    "Leeds", "Bristol", "York", "Dover", "Hull", "Kent", "Norwich", "Bath", "Derby", "Exeter",
    "Chester", "Carlisle", "Durham", "Ipswich", "Luton", "Preston", "Reading", "Swansea",
    "Stirling", "Perth", "Lincoln", "Wigan", "Oxford", "Salford", "Truro", "Wells", "Ely",
    "Bangor", "Armagh", "Newry",
)  # fmt: skip
UK_BANK_STYLES: Final = (
    "First Bank of {}",
    "{} Building Society",
    "Bank of {}",
    "{} Savings Bank",
    "{} Trust Bank",
)
US_BANK_STYLES: Final = ("National Bank of {}", "First Bank of {}", "Savings Bank of {}")
US_TOWNS: Final = (
    "Springfield", "Phoenix", "Laramie", "Montpelier", "Huntington", "Arkadelphia",
    "Pittsburgh", "Dayton", "Boise", "Fresno", "Tulsa", "Omaha",
)  # fmt: skip

FIRST_NAMES: Final = (
    "James", "Olivia", "Mohammed", "Amelia", "Oliver", "Isla", "Harry", "Ava", "Jack", "Mia",
    "Noah", "Sophie", "George", "Grace", "Leo", "Freya", "Arthur", "Chloé", "Zoë", "Siân",
    "Aoife", "Seán", "Niamh", "Rhys", "Eilidh", "Ayşe", "Emre", "Zeynep", "Łukasz", "Agnieszka",
    "Małgorzata", "Jiří", "Tomás", "José", "Inês", "João", "Björn", "Søren", "Åsa", "François",
    "Hélène", "Jürgen", "Günther", "Ioana", "Andrei", "Priya", "Arjun", "Ananya", "Wei", "Mei",
    "Minh", "Thảo", "Fatima", "Omar", "Aisha", "Yusuf", "Amara", "Chinedu", "Ngozi", "Kwame",
    "Dawit", "Selam", "Ahmad", "Zahra", "Elena", "Dmitri", "Ana", "Mateus", "Kofi", "Leila",
)  # fmt: skip
LAST_NAMES: Final = (
    "Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson", "Thomas",
    "Roberts", "Johnson", "Walker", "Wright", "Robinson", "Khan", "Ali", "Patel", "Shah",
    "Begum", "Hussain", "O'Brien", "Ó Súilleabháin", "MacLeòid", "Nowak", "Wiśniewski",
    "Kowalczyk", "Dvořák", "Novák", "Müller", "Schäfer", "Weiß", "Lefèvre", "Dubois", "García",
    "Fernández", "Gonçalves", "Şahin", "Yılmaz", "Öztürk", "Nguyễn", "Trần", "Lê", "Popescu",
    "Ionescu", "Petrović", "Jovanović", "Ólafsdóttir", "Andersson", "Sørensen", "Chen", "Wang",
    "Li", "Okafor", "Adeyemi", "Mensah", "Tesfaye", "Haile", "Rahimi", "Karimi", "Haddad",
)  # fmt: skip

COMPANY_KINDS: Final = ("Corporation", "Sole Proprietorship", "Partnership")
CORPORATION, SOLE_PROPRIETORSHIP, PARTNERSHIP = range(3)

HOSTILE_SCRIPT_SUFFIX: Final = "<script>alert(1)</script>"
HOSTILE_FORMULA_NAME: Final = '=HYPERLINK("http://example.invalid/statement","Open statement")'
"""Deliberately hostile holder names, placed on background accounts to exercise escaping."""
