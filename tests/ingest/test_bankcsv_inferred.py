"""Bank CSV exports that no shipped profile describes: the layout is inferred from the header and
the values (`finflow.ingest.csvinfer`).

Each layout below is a real bank's export format: the header as the bank writes it (spelling,
quoting, delimiter, preamble, encoding) with made-up rows in its notation. The real files the
headers were taken from are named in the comments; none is copied here.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
import pytest
import yaml
from statement_samples import BANK_CSV, SHA, fx_table

from finflow.cli import main
from finflow.errors import ConfigError, FeedFormatError
from finflow.ingest.bankcsv import describe_layout, ingest_bank_csv, match_profile
from finflow.ingest.csvinfer import infer_profile
from finflow.ingest.csvprofile import PROFILES_ENV, load_profile, shipped_profiles
from finflow.ingest.sniff import sniff
from finflow.schema import QUARANTINE_SCHEMA, TRANSACTION_SCHEMA

HOLDER = f"STATEMENT:{SHA[:16]}"


@dataclass(frozen=True)
class Layout:
    text: str
    accepted: int
    first: dict[str, Any]
    """Fields of the first accepted row (by source row)."""
    quarantined: tuple[str, ...] = ()
    encoding: str = "utf-8"


LAYOUTS = {
    # bank2ynab test-data 20180226_12345678.csv: first direct (UK), no currency anywhere.
    "first_direct": Layout(
        "Date,Description,Amount,Balance\n"
        '10/02/2024,"CAFE NERO@12:34",-5.00,995.00\n'
        '11/02/2024,"ACME LTD SALARY",1000.00,1995.00\n',
        2,
        {"booked_at": dt.datetime(2024, 2, 10, tzinfo=dt.UTC), "payer_account": HOLDER,
         "payee_account": "NAME:CAFE NERO@12:34", "amount_paid": 5.0, "currency_paid": "GBP"},
    ),
    # Barclays: sort code and account in one column, signed amount, Subcategory as type.
    "barclays": Layout(
        "Number,Date,Account,Amount,Subcategory,Memo\n"
        ",31/10/2024,20-23-97 70176931,-21.57,Debit,DELIVEROO ON 30 OCT CPM\n"
        ",01/11/2024,20-23-97 70176931,2500.00,Counter Credit,ACME LTD SALARY\n",
        2,
        {"payer_account": "20-23-97 70176931", "amount_paid": 21.57, "currency_paid": "GBP",
         "reference": "DELIVEROO ON 30 OCT CPM"},
    ),
    # NatWest/RBS: spaces after the commas, apostrophe guards, a trailing comma on every row,
    # several accounts in one file separated by a blank line.
    "natwest": Layout(
        "Date, Type, Description, Value, Balance, Account Name, Account Number\n"
        "25/12/2024,POS,\"'4658 24DEC24 , TESCO STORES\",-100.00,-200.05,\"'MR J SMITH\","
        "\"'601613-31926819\",\n"
        "02/01/2025,BAC,\"'ACME LTD , SALARY\",50.04,-150.01,\"'MR J SMITH\","
        "\"'601613-31926819\",\n"
        "\n"
        "01/01/2025,TFR,\"'FROM SAVINGS\",100.00,450.00,\"'SAVINGS\",\"'601613-99999999\",\n",
        3,
        {"payer_account": "601613-31926819", "channel": "card", "amount_paid": 100.0,
         "currency_paid": "GBP"},
    ),
    # Starling: currency in the amount column's name.
    "starling": Layout(
        "Date,Counter Party,Reference,Type,Amount (GBP),Balance (GBP),Spending Category,Notes\n"
        "01/10/2024,An Employer,SALARY,FASTER PAYMENT,1500.00,5500.00,INCOME,\n"
        "02/10/2024,Landlord,Rent,FASTER PAYMENT,-1000.00,4500.00,PAYMENTS,\n",
        2,
        {"payer_account": "NAME:An Employer", "payer_name": "An Employer",
         "payee_account": HOLDER, "amount_paid": 1500.0, "reference": "SALARY",
         "channel": "wire"},
    ),
    # Monzo (2019+): date and time in two columns, Money Out negative, local amount abroad.
    "monzo_2019": Layout(
        "Transaction ID,Date,Time,Type,Name,Emoji,Category,Amount,Currency,Local amount,"
        "Local currency,Notes and #tags,Address,Receipt,Description,Category split,Money Out,"
        "Money In\n"
        "tx_01,24/02/2024,17:44:34,Faster payment,Jane Doe,,Transfers,100.00,GBP,100.00,GBP,"
        "Rent share,,,Rent share,,,100.00\n"
        "tx_02,01/03/2024,15:24:03,Card payment,Cafe Roma,\N{CREDIT CARD},Eating out,-12.40,"
        "GBP,-14.50,EUR,,Rome,,CAFE ROMA ROMA ITA,,-12.40,\n",
        2,
        # 17:44:34 London time in February is 17:44:34 UTC
        {"booked_at": dt.datetime(2024, 2, 24, 17, 44, 34, tzinfo=dt.UTC),
         "payer_account": "NAME:Jane Doe", "amount_paid": 100.0},
    ),
    # Nationwide midata: one signed column headed "Debit/Credit" with +£/-£, and a footer.
    "nationwide_midata": Layout(
        '"Account Number:","****12345"\n\n'
        '"Date","Type","Merchant/Description","Debit/Credit","Balance"\n'
        '"19/07/2025","Visa purchase","A COFFEE SHOP GB","-£52.00","£13.00"\n'
        '"18/07/2025","Bank credit SOME MERCHANT","REFUND","+£5.00","£65.00"\n'
        '\n"Arranged Overdraft Limit","20/08/2025","£100.00"\n',
        2,
        {"amount_paid": 52.0, "currency_paid": "GBP", "channel": "card",
         "payee_account": "NAME:A COFFEE SHOP GB"},
        ("BALANCE_LINE",),
    ),
    # Revolut 2018-19: " ; " delimiters, "Paid Out (EUR)"/"Paid In (EUR)", "Apr 8, 2024".
    "revolut_2018": Layout(
        "Completed Date ; Reference ; Paid Out (EUR) ; Paid In (EUR) ; Exchange Out; "
        "Exchange In; Balance (EUR); Category\n"
        "Apr 8, 2024 ; Shop A  ; 11.00 ;  ;  ;  ; 189.10; utilities\n"
        "Apr 2, 2024 ; Top-Up by *1234  ;  ; 200.00 ;  ;  ; 200.10; general\n",
        2,
        {"booked_at": dt.datetime(2024, 4, 8, tzinfo=dt.UTC), "amount_paid": 11.0,
         "currency_paid": "EUR", "payer_account": HOLDER},
    ),
    # Wise: payer and payee name columns (the other side depends on the direction).
    "wise": Layout(
        '"TransferWise ID",Date,"Date Time",Amount,Currency,Description,"Payment Reference",'
        '"Running Balance","Exchange From","Exchange To","Exchange Rate","Payer Name",'
        '"Payee Name","Payee Account Number",Merchant,"Card Last Four Digits",'
        '"Card Holder Full Name",Attachment,Note,"Total fees","Exchange To Amount",'
        '"Transaction Type","Transaction Details Type"\n'
        'TRANSFER-1,24-08-2024,"24-08-2024 13:43:54.496",-357.38,GBP,"Sent money to John Doe",'
        '"Moving",787.62,GBP,EUR,1.17,,"John Doe","LT21 1000 0111 0100 1000",,,,,,1.35,,'
        "DEBIT,TRANSFER\n"
        'TRANSFER-2,25-08-2024,"25-08-2024 19:27:05.726",125.00,GBP,"Received money",,912.62,'
        ',,,"Friend Name",,,,,,,,0.00,,CREDIT,DEPOSIT\n',
        2,
        {"payee_account": "LT211000011101001000", "payee_bank": "LT1000",
         "payee_name": "John Doe", "amount_paid": 357.38},
    ),
    # ING (NL): yyyymmdd, unsigned amounts with an "Af Bij" direction column.
    "ing_nl": Layout(
        '"Datum","Naam / Omschrijving","Rekening","Tegenrekening","Code","Af Bij",'
        '"Bedrag (EUR)","MutatieSoort","Mededelingen"\n'
        '"20240112","J DE VRIES","NL20INGB0001234567","NL91ABNA0417164300","OV","Bij",'
        '"1.020,00","Overschrijving","Naam: J DE VRIES Omschrijving: huur"\n'
        '"20240213","Kosten Pakket","NL20INGB0001234567","","DV","Af","1,25","Diversen",'
        '"1 jan t/m 31 jan ING BANK N.V."\n',
        2,
        {"booked_at": dt.datetime(2024, 1, 12, tzinfo=dt.UTC),
         "payer_account": "NL91ABNA0417164300", "payer_bank": "NLABNA",
         "payee_account": "NL20INGB0001234567", "payee_bank": "NLINGB",
         "amount_paid": 1020.0, "currency_paid": "EUR", "channel": "wire"},
    ),
    # Knab (NL): a preamble line, trailing semicolons, C/D direction, "2500" without decimals.
    "knab": Layout(
        "KNAB EXPORT;;;;;;;;;;;;;;;;\n"
        "Rekeningnummer;Transactiedatum;Valutacode;CreditDebet;Bedrag;Tegenrekeningnummer;"
        "Tegenrekeninghouder;Valutadatum;Betaalwijze;Omschrijving;Type betaling;"
        "Machtigingsnummer;Incassant ID;Adres;Referentie;Boekdatum;\n"
        '"NL02KNAB0123456789";"21-06-2024";"EUR";"D";"827,75";"FR7630006000011234567890189";'
        '"Jean Martin";"21-06-2024";"Overboeking";"Kosten";"";"";"";"";"B9F21";"21-06-2024";\n'
        '"NL02KNAB0123456789";"22-06-2024";"EUR";"C";"2500";"12345678";"Piet Jansen";'
        '"22-06-2024";"Ontvangen betaling";"";"";"";"";"";"B9F22";"22-06-2024";\n',
        2,
        {"payer_account": "NL02KNAB0123456789", "payee_name": "Jean Martin",
         "payee_account": "FR7630006000011234567890189", "amount_paid": 827.75},
    ),
    # Rabobank (NL): "+" on credits, holder IBAN and BIC, Omschrijving-1..3.
    "rabobank": Layout(
        '"IBAN/BBAN","Munt","BIC","Volgnr","Datum","Rentedatum","Bedrag","Saldo na trn",'
        '"Tegenrekening IBAN/BBAN","Naam tegenpartij","Naam uiteindelijke partij",'
        '"Naam initiërende partij","BIC tegenpartij","Code","Batch ID","Transactiereferentie",'
        '"Machtigingskenmerk","Incassant ID","Betalingskenmerk","Omschrijving-1",'
        '"Omschrijving-2","Omschrijving-3","Reden retour","Oorspr bedrag","Oorspr munt","Koers"\n'
        '"NL60RABO0330370596","EUR","RABONL2U","014705","2026-01-19","2026-01-19","-4,99",'
        '"+936,35","LU89751000135104200E","PayPal Europe","","","PPLXLUL2","ei","","10476",'
        '"5W5J2","LU96ZZZ0000000000000000058","","10476/PAYPAL"," ","","","","",""\n'
        '"NL60RABO0330370596","EUR","RABONL2U","014706","2026-01-20","2026-01-20","+2.500,00",'
        '"+3436,35","NL91ABNA0417164300","Werkgever BV","","","ABNANL2A","cb","","","","","",'
        '"Salaris januari"," ","","","","",""\n',
        2,
        {"payer_bank": "RABONL2U", "payee_bank": "PPLXLUL2",
         "payee_account": "LU89751000135104200E", "amount_paid": 4.99},
    ),
    # bunq (NL) 2018: decimal comma, holder IBAN gives the currency.
    "bunq": Layout(
        '"Datum","Bedrag","Rekening","Tegenrekening","Naam","Omschrijving"\n'
        '"2024-03-01","-2,56","NL47BUNQ2025181418","NL89BUNQ2025105584","bunq","invoice 4104"\n'
        '"2024-03-09","750,00","NL47BUNQ2025181418","NL77RABO0311467415","W. KOELEWIJN",'
        '"Naar Bunq"\n',
        2,
        {"payee_name": "bunq", "amount_paid": 2.56, "currency_paid": "EUR",
         "payer_bank": "NLBUNQ"},
    ),
    # KBC (BE): fields padded with spaces, "Valuta" is the value date, "Munt" the currency,
    # "Naam" the holder's name (constant) beside "Naam tegenpartij".
    "kbc": Layout(
        "Rekeningnummer;Rubrieknaam;Naam;Munt;Afschriftnummer;Datum;Omschrijving;Valuta;Bedrag;"
        "Saldo;credit;debet;rekeningnummer tegenpartij;BIC tegenpartij;Naam tegenpartij;"
        "Adres tegenpartij;gestructureerde mededeling;Vrije mededeling\n"
        "BE68539007547034;      ;SMITH JOHN;EUR;  02018038;28/02/2024;BIJDRAGE   KBC-PLUS;"
        "28/02/2024;-3,40;219,95;      ;-3,40;      ;     ;      ;      ;      ;      \n"
        "BE68539007547034;      ;SMITH JOHN;EUR;  02018039;29/02/2024;OVERSCHRIJVING;"
        "29/02/2024;100,00;319,95;100,00;      ;BE71096123456769;GKCCBEBB;JANSSENS P;"
        "      ;      ;huur maart\n",
        2,
        {"payer_account": "BE68539007547034", "payer_name": "SMITH JOHN", "amount_paid": 3.4,
         "booked_at": dt.datetime(2024, 2, 28, tzinfo=dt.UTC)},
    ),
    # Commerzbank (DE), Windows-1252: the holder's own account columns, no counterparty.
    "commerzbank": Layout(
        "Buchungstag;Wertstellung;Umsatzart;Buchungstext;Betrag;Währung;Auftraggeberkonto;"
        "Bankleitzahl Auftraggeberkonto;IBAN Auftraggeberkonto\n"
        '02.03.2024;02.03.2024;Lastschrift;"Kartenzahlung REWE 41400673//Hamburg";-17,22;EUR;'
        "538917600;20040000;DE44200400000538917600\n",
        1,
        {"payer_account": "DE44200400000538917600", "payer_bank": "DE2004",
         "amount_paid": 17.22, "channel": "ach"},
        encoding="cp1252",
    ),
    # DKB (DE) 2023+: preamble with the holder IBAN, payer/payee names by direction, pending
    # rows, "-1.001" (a thousands dot), dd.mm.yy.
    "dkb_2023": Layout(
        '"Girokonto";"DE02 1203 0000 0000 2020 51"\n'
        '"Zeitraum:";"01.12.2024 - 31.12.2024"\n'
        '"Kontostand vom 31.12.2024:";"1.234,50 €"\n""\n'
        '"Buchungsdatum";"Wertstellung";"Status";"Zahlungspflichtige*r";"Zahlungsempfänger*in";'
        '"Verwendungszweck";"Umsatztyp";"IBAN";"Betrag (€)";"Gläubiger-ID";"Mandatsreferenz";'
        '"Kundenreferenz"\n'
        '"11.12.24";"11.12.24";"Gebucht";"Max Holder";"Anna Schmidt";"Miete Dezember";'
        '"Ausgang";"DE89370400440532013000";"-1.001";"";"";""\n'
        '"12.12.24";"12.12.24";"Gebucht";"Firma GmbH";"Max Holder";"Gehalt 12/2024";"Eingang";'
        '"DE75512108001245126199";"2.987,5";"";"";"REF123"\n'
        '"14.12.24";"";"Vorgemerkt";"Max Holder";"Netto";"Kartenzahlung";"Ausgang";'
        '"DE15651651561266347791";"-7,02";"";"";""\n',
        2,
        {"payer_account": "DE02120300000000202051", "payer_bank": "DE1203",
         "payee_name": "Anna Schmidt", "amount_paid": 1001.0, "currency_paid": "EUR"},
        ("NOT_BOOKED",),
    ),
    # ING-DiBa (DE), Windows-1252: 13 preamble lines, the holder IBAN among them, the
    # currency column written twice.
    "ing_de": Layout(
        "Umsatzanzeige;Datei erstellt am: 28.12.2024 16:57\n\n"
        "IBAN;DE12 5001 0517 0648 4898 90\nKontoname;Girokonto\nBank;ING\nKunde;Max Muster\n"
        "Zeitraum;28.12.2023 - 28.12.2024\nSaldo;150,00;EUR\n\nSortierung;Datum absteigend\n\n"
        "In der CSV-Datei finden Sie alle bereits gebuchten Umsätze.\n\n"
        "Buchung;Valuta;Auftraggeber/Empfänger;Buchungstext;Verwendungszweck;Saldo;Währung;"
        "Betrag;Währung\n"
        "28.12.2024;28.12.2024;PayDude Europe;Lastschrift;PP.1234 Blumen;150,00;EUR;-5,50;EUR\n"
        "27.12.2024;27.12.2024;Karl Karlsen;Gutschrift;Monatlich;155,5;EUR;50,00;EUR\n",
        2,
        {"payer_account": "DE12500105170648489890", "payee_name": "PayDude Europe",
         "amount_paid": 5.5},
        encoding="cp1252",
    ),
    # Volksbank (DE) Umsatzanzeige: padded preamble, S/H direction, balance lines at the end.
    "volksbank_sh": Layout(
        ";;;;;;;;;;;;;\nUmsatzanzeige;;;;;;;;;;;;;\nBLZ:;10517962;;Datum:;12.03.2024;;;;;;;;;\n"
        ";;;;;;;;;;;;;\n"
        "Buchungstag;Valuta;Textschlüssel;Primanota;Zahlungsempfänger;ZahlungsempfängerKto;"
        "ZahlungsempfängerIBAN;ZahlungsempfängerBLZ;ZahlungsempfängerBIC;"
        "Vorgang/Verwendungszweck;Kundenreferenz;Währung;Umsatz;Soll/Haben\n"
        "09.03.2024;09.03.2024;Überweisung;801;Test GmbH;0;DE92500105174132432988;58629112;"
        "GENODES1VBH;Rechnung 20219862;;EUR;24,15;S\n"
        "10.03.2024;10.03.2024;Gutschrift;931;Max Muster;0;DE62500105176261449571;10517962;"
        "SOLADES1FDS;22-1423;;EUR;1.027,00;H\n"
        ";;;;;;;;;;;;;\n"
        "01.03.2024;;;;;;;;;;Anfangssaldo;EUR;10.000,00;H\n"
        "12.03.2024;;;;;;;;;;Endsaldo;EUR;11.002,85;H\n",
        2,
        {"payee_bank": "GENODES1VBH", "payee_account": "DE92500105174132432988",
         "amount_paid": 24.15, "payer_account": HOLDER},
        ("BALANCE_LINE", "BALANCE_LINE"),
    ),
    # comdirect (DE): "offen" for pending, counterparty named inside the description.
    "comdirect": Layout(
        ';\n"Umsätze Girokonto";"Zeitraum: 30 Tage";\n"Neuer Kontostand";"16,94 EUR";\n\n'
        '"Buchungstag";"Wertstellung (Valuta)";"Vorgang";"Buchungstext";"Umsatz in EUR";\n'
        '"offen";"03.04.2024";"Lastschrift / Belastung";" Auftraggeber: Shop GmbH ";"-19,98";\n'
        '"01.04.2024";"01.04.2024";"Gutschrift";" Zahlungspflichtiger: John DoeKto/IBAN: '
        'DE84100110012626835902 BLZ/BIC: NTSBDEB1XXX Buchungstext: Sparplan ";"1.180,00";\n'
        '\n"Alter Kontostand";"16,89 EUR";\n',
        1,
        {"payer_account": "NAME:John Doe", "payer_name": "John Doe", "amount_paid": 1180.0,
         "currency_paid": "EUR"},
        ("NOT_BOOKED", "BALANCE_LINE"),
        encoding="cp1252",
    ),
    # N26 2023+: partner name and IBAN, "Amount (EUR)", an unsigned original amount.
    "n26_2023": Layout(
        '"Booking Date","Value Date","Partner Name","Partner Iban",Type,"Payment Reference",'
        '"Account Name","Amount (EUR)","Original Amount","Original Currency","Exchange Rate"\n'
        '2024-12-12,2024-12-11,"Some bakery",,Presentment,,"Main Account",-5.95,5.95,EUR,1\n'
        '2024-12-27,2024-12-27,"Somebody",DE89370400440532013000,"Credit Transfer",Earnings,'
        '"Main Account",1234.54,,,\n',
        2,
        {"payee_account": "NAME:Some bakery", "amount_paid": 5.95, "currency_paid": "EUR",
         "channel": "card"},
    ),
    # Boursorama (FR): a space between thousands, French decimal comma, English-looking names.
    "boursorama": Layout(
        "dateOp;dateVal;label;category;categoryParent;supplierFound;amount;comment;accountNum;"
        "accountLabel;accountbalance\n"
        '2024-09-12;2024-09-12;"CARTE 11/09/24 CARREFOUR CB*1234";"Alimentation";"Vie";'
        '"carrefour";-23,45;;00012345678;Compte;1 234,56\n'
        '2024-09-13;2024-09-13;"VIR SEPA EMPLOYEUR SA";"Salaire";"Revenus";"employeur";'
        '"2 480,45";;00012345678;Compte;3 715,01\n',
        2,
        {"payer_account": "00012345678", "payee_name": "carrefour", "amount_paid": 23.45,
         "currency_paid": "EUR"},
    ),
    # Nordea (SE): Swedish names, account numbers under sender/receiver, names under "Namn".
    "nordea": Layout(
        "Bokföringsdag;Belopp;Avsändare;Mottagare;Namn;Rubrik;Saldo;Valuta\n"
        "2024-05-02;-250,00;1234 56 78901;;ICA Maxi;Kortköp;10 250,00;SEK\n"
        "2024-05-03;25 000,00;;1234 56 78901;Arbetsgivare AB;Lön;35 250,00;SEK\n",
        2,
        {"payee_account": "NAME:ICA Maxi", "amount_paid": 250.0, "currency_paid": "SEK"},
    ),
    # Raiffeisenbank CZ (bank2ynab Movements_*.csv): Czech names in Windows-1250, the header
    # ending in a stray comma, the booked amount in its own column beside the original one.
    "raiffeisen_cz": Layout(
        "Datum provedení;Datum zaúčtování;Číslo účtu;Název účtu;Kategorie transakce;"
        "Číslo protiúčtu;Název protiúčtu;Typ transakce;Zpráva;Poznámka;VS;KS;SS;"
        "Zaúčtovaná částka;Měna účtu;Původní částka a měna;Původní částka a měna;Poplatek;"
        "Id transakce,\n"
        '27.05.2018;"27.05.2018";"123456789/5500";"Jan Novák";"Platba";"987654321/0100";'
        '"Petr Dvořák";"Jednorázová platba";"Nájem květen";" ";"";"";"";"-1 200,00";"CZK";'
        '"";"";"";3228446118\n'
        '28.05.2018;"28.05.2018";"123456789/5500";"Jan Novák";"Příjem";"111222333/0300";'
        '"Zaměstnavatel s.r.o.";"Příchozí platba";"Mzda";" ";"";"";"";"35 000,00";"CZK";'
        '"";"";"";3228446119\n',
        2,
        {"payer_account": "123456789/5500", "payee_account": "987654321/0100",
         "payee_name": "Petr Dvořák", "amount_paid": 1200.0, "currency_paid": "CZK"},
        encoding="cp1250",
    ),
    # Česká spořitelna (bank2ynab TH_*_strana_1.csv): Windows-1250, the currency in the amount
    # column's name, year-first dates with slashes.
    "ceska_sporitelna": Layout(
        '"Položka";"Datum zaúčtování";"Částka CZK";"Bankovní spojení";"Datum provedení";'
        '"Variabilní symbol 1";"Storno";"Název protiúčtu";"Konstantní symbol";'
        '"Specifický symbol";"Zpráva pro příjemce";"Zpráva pro mě"\n'
        '"Platba kartou";"2018/01/11";"-311,50";"";"2018/01/10";"";;"Albert Praha";"";"";;\n'
        '"Příchozí úhrada";"2018/01/12";"5 000,00";"123456/0800";"2018/01/12";"2018";;'
        '"Jana Malá";"0308";"";"Vrácení";\n',
        2,
        {"payee_account": "NAME:Albert Praha", "amount_paid": 311.5, "currency_paid": "CZK"},
        encoding="cp1250",
    ),
    # OTP Bank (HU; bank2ynab W80844_EBH_*.csv): Hungarian names, dates "2019.04.19.", an
    # income/expense column beside signed amounts, the balance after each row.
    "otp_hu": Layout(
        "Tranzakció dátuma,Partner neve,Partner számlaszáma,Számla neve,Számlaszám,"
        "Tranzakció típusa,Tranzakció összege,Tranzakció devizaneme,Bevétel/Kiadás,Kártyaszám,"
        "Értéknap,Közlemény,Megbízás azonosító,Részletek,Egyenleg,Devizanem\n"
        "2019.04.17.,Munkaadó Kft,11773016-11111111,Kovács Anna,11773016-22222222,"
        "Jóváírás,2345,HUF,Bevétel,,2019.04.17.,Bér,,,2345,HUF\n"
        "2019.04.19.,Bolt Zrt,11600006-33333333,Kovács Anna,11773016-22222222,"
        "Kártyás vásárlás,-350,HUF,Kiadás,1234,2019.04.19.,,,,1995,HUF\n",
        2,
        {"payer_account": "11773016-11111111", "payer_name": "Munkaadó Kft",
         "payee_account": "11773016-22222222", "amount_paid": 2345.0, "currency_paid": "HUF"},
    ),
    # Alior Bank (PL; header from bank2ynab's config): Polish names, no currency anywhere but
    # the language; payer and payee name columns.
    "alior_pl": Layout(
        "Data transakcji;Data księgowania;Nazwa nadawcy;Nazwa odbiorcy;Szczegóły transakcji;"
        "Kwota operacji;Waluta operacji;Kwota w walucie rachunku;Waluta rachunku;"
        "Numer rachunku nadawcy;Numer rachunku odbiorcy\n"
        "20-05-2023;20-05-2023;Jan Kowalski;Biedronka;Zakupy;-45,30;PLN;-45,30;PLN;;\n"
        "21-05-2023;21-05-2023;Pracodawca Sp. z o.o.;Jan Kowalski;Wynagrodzenie;5200,00;PLN;"
        "5200,00;PLN;;\n",
        2,
        {"payee_account": "NAME:Biedronka", "amount_paid": 45.3, "currency_paid": "PLN"},
    ),
    # mBank (PL): tab-separated, every name starting with "#".
    "mbank_pl": Layout(
        "#Data operacji\t#Data księgowania\t#Opis operacji\t#Tytuł\t#Nadawca/Odbiorca\t"
        "#Numer konta\t#Kwota\t#Saldo po operacji\n"
        "2019-08-01\t2019-08-01\tZAKUP PRZY UŻYCIU KARTY\tBiedronka\t\t\t-45,30\t1 954,70\n"
        "2019-08-02\t2019-08-02\tPRZELEW PRZYCHODZĄCY\tWynagrodzenie\tPracodawca\t"
        "98765432109876543210987654\t5 200,00\t7 154,70\n",
        2,
        {"payer_account": HOLDER, "amount_paid": 45.3, "currency_paid": "PLN"},
    ),
    # Danske Bank (DK): Danish names, the currency nowhere but the language.
    "danske_dk": Layout(
        '"Dato";"Kategori";"Underkategori";"Tekst";"Beløb";"Saldo";"Status";"Afstemt"\n'
        '"02.05.2024";"Dagligvarer";"Supermarked";"Netto";"-245,50";"10.254,50";"Udført";"Nej"\n'
        '"03.05.2024";"Indtægter";"Løn";"Løn";"25.000,00";"35.254,50";"Udført";"Nej"\n',
        2,
        {"payee_account": "NAME:Netto", "amount_paid": 245.5, "currency_paid": "DKK"},
    ),
    # Nordea's older Swedish export: "Datum" is also German and Czech; "Belopp" settles it.
    "nordea_se_old": Layout(
        'Datum,Transaktion,Kategori,Belopp,Saldo\n2020-05-04,ICA Maxi,Mat,"-245,50","10254,50"\n'
        '2020-05-05,Lön,Inkomst,"25000,00","35254,50"\n',
        2,
        {"payee_account": "NAME:ICA Maxi", "amount_paid": 245.5, "currency_paid": "SEK"},
    ),
    # UBS (CH): an Einzelbetrag column empty beside Belastung and Gutschrift, a time column.
    "ubs_ch": Layout(
        "Abschlussdatum;Abschlusszeit;Buchungsdatum;Valutadatum;Währung;Belastung;Gutschrift;"
        "Einzelbetrag;Saldo;Transaktions-Nr.;Beschreibung1;Beschreibung2;Beschreibung3;"
        "Fussnoten\n"
        "2024-05-02;10:15:00;2024-05-02;2024-05-02;CHF;-45.30;;;1954.70;9930;Coop;Zürich;;\n"
        "2024-05-03;08:00:00;2024-05-03;2024-05-03;CHF;;5200.00;;7154.70;9931;Lohn AG;;;\n",
        2,
        {"payee_account": "NAME:Coop", "amount_paid": 45.3, "currency_paid": "CHF"},
    ),
    # Caisse d'Épargne (FR; OCA's importer test layouts): the account number and the currency in
    # "label : value" preamble fields, "Débit"/"Crédit" (English once folded: the preamble's
    # "Devise : EUR" says the currency), and the period's balances as lines of the table.
    "caisse_epargne": Layout(
        "Code de la banque : 10101;Code de l'agence : 00100;Date de début de téléchargement : "
        "01/01/2024;Date de fin de téléchargement : 31/01/2024;;\n"
        "Numéro de compte : 01234567890;Nom du compte : MONSIEUR DUPONT;Devise : EUR;;;\n\n"
        "Solde en fin de période;;;;655,25;\n"
        "Date;Numéro d'opération;Libellé;Débit;Crédit;Détail\n"
        "05/01/2024;0123456789;VIREMENT RECU DUPUIS;;250,50;Salaire\n"
        "10/01/2024;9876543210;PAIEMENT CB CARREFOUR;-75,25;;Achat supermarché\n"
        "Solde en début de période;;;;500,00;\n",
        2,
        {"payer_account": "NAME:VIREMENT RECU DUPUIS", "payee_account": "01234567890",
         "amount_paid": 250.5, "currency_paid": "EUR"},
        quarantined=("BALANCE_LINE",),
    ),
    # Caisse d'Épargne's later layout: the booking date before the operation date.
    "caisse_epargne_d": Layout(
        "Date comptable;Libelle simplifie;Reference;Informations complementaires;Type operation;"
        "Debit;Credit;Date operation;Date de valeur;Pointage\n"
        "02/05/2026;VIR SEPA FOURNISSEUR;2614900;FA2026-001;Remise virement;-500,00;;01/05/2026;"
        "02/05/2026;Non\n"
        "05/05/2026;DPT ESPECES;;;Depot especes;;+8640,00;04/05/2026;05/05/2026;Non\n",
        2,
        {"booked_at": dt.datetime(2026, 5, 2, tzinfo=dt.UTC),
         "payee_account": "NAME:VIR SEPA FOURNISSEUR", "currency_paid": "EUR"},
    ),
    # Swisscard: unsigned amounts with a Debit/Credit column.
    "swisscard": Layout(
        "Transaction date,Description,Merchant,Card number,Currency,Amount,Foreign Currency,"
        "Amount in foreign currency,Debit/Credit,Status,Merchant Category,Registered Category\n"
        "15.03.2024,COOP ZURICH,Coop,XXXX1234,CHF,45.20,,,Debit,Posted,Groceries,\n"
        "16.03.2024,PAYMENT THANK YOU,,XXXX1234,CHF,500.00,,,Credit,Posted,,\n",
        2,
        {"payee_account": "NAME:Coop", "amount_paid": 45.2, "currency_paid": "CHF"},
    ),
    # ING-DiBa Austria (ofxstatement-austrian's tests): Kontonummer is the holder's own account
    # on every row (DKB's Kontonummer is the counterparty's), Soll/Haben both filled.
    "ing_diba_at": Layout(
        "Kontonummer;Text;Datum;Währung;Soll;Haben\n"
        "23456789012;Habenzinsen;31.12.2025;EUR;0,00;3,21\n"
        "23456789012;Kapitalertragsteuer;31.12.2025;EUR;0,88;0,00\n"
        "23456789012;Auszahlung - Girokonto;15.12.2025;EUR;2.000,00;0,00\n",
        3,
        {"payer_account": "NAME:Habenzinsen", "payee_account": "23456789012",
         "amount_paid": 3.21, "currency_paid": "EUR"},
    ),
    # Oberbank (AT; ofxstatement-austrian's tests): both sides' names (Auftraggebername,
    # Empfängername), one of them the holder's: the other side is taken by direction.
    "oberbank": Layout(
        "Buchungsdatum;Wertstellung;Betrag;Währung;Auftraggebername;Auftraggeber IBAN/Kto.Nr.;"
        "Auftraggeber BIC/BLZ;Empfängername;Empfänger IBAN/Kto.Nr.;Empfänger BIC/BLZ;Text;"
        "Verwendungszweck\n"
        "03.03.2025;03.03.2025;-850,00;EUR;Max Muster;AT611904300234573201;BKAUATWW;"
        "Hausverwaltung KG;AT483200000012345864;RLNWATWW;Miete März, Hausverwaltung KG;Miete\n"
        "05.03.2025;05.03.2025;2.100,00;EUR;Firma GmbH;AT026000000001349870;OPSKATWW;Max Muster;"
        "AT611904300234573201;BKAUATWW;Gehalt, Firma GmbH;Gehalt März\n",
        2,
        {"payee_account": "NAME:Hausverwaltung KG", "payee_name": "Hausverwaltung KG",
         "amount_paid": 850.0, "currency_paid": "EUR"},
    ),
    # C24 Bank (DE; csv2ofx's test data): Kontonummer and Kontoname are the holder's account
    # (pocket) on each row; IBAN and BIC, empty on transfers between pockets, the payee's.
    "c24": Layout(
        "Transaktionstyp,Buchungsdatum,Karteneinsatz,Betrag,Zahlungsempfänger,IBAN,BIC,"
        "Verwendungszweck,Beschreibung,Kontonummer,Kontoname,Kategorie,Unterkategorie,"
        "Bargeldabhebung\n"
        'SEPA-Lastschrift,03.02.2026,,"-42,00 €",Stadtwerke Nord,DE89370400440532013000,'
        "COBADEFFXXX,Abschlag Februar,,1000123456,Hauptkonto,Wohnen,Energie,\n"
        'Pocket-Umbuchung,04.02.2026,,"-100,00 €",Sparpocket,,,Sparen,,1000123456,Hauptkonto,'
        "Umbuchung,Umbuchung,\n"
        'Pocket-Umbuchung,04.02.2026,,"100,00 €",Hauptkonto,,,Sparen,,1000654321,Sparpocket,'
        "Umbuchung,Umbuchung,\n",
        3,
        {"payer_account": "1000123456", "payee_account": "DE89370400440532013000",
         "payee_bank": "COBADEFF", "payee_name": "Stadtwerke Nord", "amount_paid": 42.0,
         "currency_paid": "EUR"},
    ),
    # GLS Bank (DE; csv2ofx's test data): the purpose in fourteen columns VWZ1 to VWZ14.
    "gls": Layout(
        "Kontonummer;Buchungstag;Wertstellung;Auftraggeber/Empfänger;Buchungstext;VWZ1;VWZ2;"
        "VWZ3;VWZ4;VWZ5;VWZ6;VWZ7;VWZ8;VWZ9;VWZ10;VWZ11;VWZ12;VWZ13;VWZ14;Betrag;Kontostand;"
        "Währung\n"
        "4000111222;02.03.2026;02.03.2026;Telefon AG;SEPA-Basislastschrift;Rechnung 4711;"
        "Kunde 99;;;;;;;;;;;;;-19,99;980,01;EUR\n"
        "4000111222;03.03.2026;03.03.2026;Firma GmbH;Gutschrift;Gehalt März;;;;;;;;;;;;;;"
        "2.000,00;2.980,01;EUR\n"
        "4000111222;04.03.2026;04.03.2026;Bäckerei Korn;Kartenzahlung;Einkauf;;;;;;;;;;;;;;"
        "-3,50;2.976,51;EUR\n",
        3,
        {"payer_account": "4000111222", "payee_account": "NAME:Telefon AG",
         "reference": "Rechnung 4711 Kunde 99", "channel": "ach", "amount_paid": 19.99},
    ),
    # Outbank (DE aggregator; csv2ofx's test data): the other side's IBAN and BIC under the
    # names Number and Bank, the purpose under Reason, month-first dates.
    "outbank": Layout(
        "#;Account;Date;Value Date;Amount;Currency;Name;Number;Bank;Reason;Category;Subcategory;"
        "Tags;Note;Ultimate Receiver Name;Original Amount;Compensation Amount;Exchange Rate;"
        "Posting Key;Posting Text;Purpose Code;SEPA Reference;Client Reference;"
        "Mandate Identification;Originator Identifier\n"
        '1;DE44500105175407324931;3/14/26;3/14/26;-80,00;EUR;"Gas AG";"DE02120300000000202051";'
        '"BYLADEM1001";"Abschlag März";"Household";"Energy";;;;;;;"005";"Lastschrifteinzug";;;;;\n'
        '2;DE44500105175407324931;3/2/26;3/2/26;1.500,00;EUR;"Firma GmbH";'
        '"DE89370400440532013000";"COBADEFFXXX";"Gehalt";;;;;;;;;"052";"Gutschrift";;;;;\n',
        2,
        {"booked_at": dt.datetime(2026, 3, 14, tzinfo=dt.UTC),
         "payer_account": "DE44500105175407324931", "payee_account": "DE02120300000000202051",
         "payee_bank": "BYLADEM1001", "reference": "Abschlag März", "amount_paid": 80.0,
         "channel": "ach"},
    ),
    # UBS (CH) in French (csv2ofx's test data): thousands grouped with an apostrophe
    # (1'250.00), the product's name in a Description column on every row.
    "ubs_ch_fr": Layout(
        "Produit;Monn.;Description;Date de comptabilisation;Description 1;Description 2;"
        "Description 3;N° de transaction;Débit;Crédit;Solde\n"
        "0111 22233344.01A;CHF;Compte personnel UBS;02.05.2024;Ordre e-banking;Garage Muster SA;"
        "1200 Genève;A0001;1'250.00;;10'750.00\n"
        "0111 22233344.01A;CHF;Compte personnel UBS;03.05.2024;Virement postal;Employeur SA;"
        "Salaire;A0002;;5'000.00;15'750.00\n"
        "0111 22233344.01A;CHF;Compte personnel UBS;04.05.2024;Paiement carte;Migros;Lausanne;"
        "A0003;45.10;;15'704.90\n",
        3,
        {"booked_at": dt.datetime(2024, 5, 2, tzinfo=dt.UTC), "amount_paid": 1250.0,
         "currency_paid": "CHF", "payee_account": "NAME:Ordre e-banking"},
    ),
    # SumUp business account (DE; csv2ofx's test data): date and time in one cell with a comma,
    # money out and in columns, the other side as its name followed by its IBAN.
    "sumup": Layout(
        "Datum der Transaktion,Transaktions-ID,Art der Transaktion,Referenz,Zahlungsreferenz,"
        "Status,Rechnungsbetrag ausgehend,Rechnungsbetrag eingehend,Währung der Karte,"
        "Zahlungsbetrag ausgehend,Zahlungsbetrag eingehend,Zahlungswährung,Wechselkurs,Gebühr,"
        "Verfügbares Guthaben\n"
        '"05.01.26, 09:30",TX0001,Ausgehende Banküberweisung,Erika Muster '
        "DE89370400440532013000,Miete,Genehmigt,700.00,0.00,EUR,700.00,0.00,EUR,1.00,0.00,"
        "300.00\n"
        '"02.01.26, 14:05",TX0002,Eingehende Banküberweisung,Max Kunde DE02120300000000202051,'
        "Rechnung 12,Genehmigt,0.00,1000.00,EUR,0.00,1000.00,EUR,1.00,0.00,1000.00\n",
        2,
        {"booked_at": dt.datetime(2026, 1, 5, 8, 30, tzinfo=dt.UTC),
         "payee_account": "DE89370400440532013000", "payee_name": "Erika Muster",
         "amount_paid": 700.0, "currency_paid": "EUR"},
    ),
    # Belfius (BE; ofxstatement-be-belfius's column list): a preamble of the query's filters,
    # Windows-1252/Latin-1, "Rekening tegenpartij" and "Naam tegenpartij bevat" for the other
    # side, "Devies" for the currency, the bank's text under "Transactie".
    "belfius": Layout(
        "Boekingsdatum vanaf;01/01/2024\r\nBoekingsdatum tot en met;31/01/2024\r\n"
        "Rekeningnummer;BE68 5390 0754 7034\r\nNaam tegenpartij bevat;\r\n;\r\n"
        "Rekening;Boekingsdatum;Afschriftnummer;Transactienummer;Rekening tegenpartij;"
        "Naam tegenpartij bevat;Straat en nummer;Postcode en plaats;Transactie;Valutadatum;"
        "Bedrag;Devies;BIC;Landcode;Mededelingen\r\n"
        '"BE68 5390 0754 7034";"03/01/2024";"00001";"B4A03";"BE71 0961 2345 6769";"PEETERS AN";'
        '"KERKSTRAAT 1";"1000 BRUSSEL";"EUROPESE OVERSCHRIJVING NAAR BE71 0961 2345 6769";'
        '"03/01/2024";"-1.250,00";"EUR";"GKCCBEBB";"BE";"Huur januari"\r\n'
        '"BE68 5390 0754 7034";"06/01/2024";"00001";"B4A06";"";"";"";"";"BETALING MET '
        'DEBETKAART DELHAIZE";"06/01/2024";"-45,20";"EUR";"";"";""\r\n',
        2,
        {"payer_account": "BE68539007547034", "payee_account": "BE71096123456769",
         "payee_name": "PEETERS AN", "payee_bank": "GKCCBEBB", "amount_paid": 1250.0,
         "currency_paid": "EUR"},
        encoding="latin-1",
    ),
    # SEB (EE; ofxstatement-ee-seb's tests): the other side under "Beneficiary's name",
    # "Beneficiary's account" and "BIC/SWIFT" whichever way the money goes, unsigned amounts
    # with a (D/C) column.
    "seb_ee": Layout(
        "Account;Document No.;Date;Beneficiary's account;\"Beneficiary's name\";BIC/SWIFT;Type;"
        "(D/C);Amount;Reference no.;Archive ID;\"Description\";Commission fee;Currency;"
        "ID code/Registry code \n"
        '"EE382200221020145685";"";"06.07.2022";"EE471000001020145685";"MARI TAMM";"HABAEE2X";'
        '"MK";"C";30,00;"";"RO0001";"Laen";0;"EUR";"49001010000"\n'
        '"EE382200221020145685";"12";"07.07.2022";"EE961700017000000000";"ELEKTER AS";'
        '"EEUHEE2X";"MK";"D";45,10;"1234";"RO0002";"Arve 77";0;"EUR";\n',
        2,
        {"payer_account": "EE471000001020145685", "payer_name": "MARI TAMM",
         "payer_bank": "HABAEE2X", "payee_account": "EE382200221020145685",
         "amount_paid": 30.0, "currency_paid": "EUR", "reference": "Laen"},
    ),
    # Fintro (BE) card export (ofxstatement-be-fintro's tests): each purchase on two lines, the
    # merchant on the second, which has neither date nor amount.
    "fintro_visa": Layout(
        "Uitvoeringsdatum;Valutadatum;Bedrag;Valuta rekening;Details;Wisselkoers;"
        "Gerelateerde kost\n"
        "30/01/2026;31/01/2026;-39,28;EUR;;;\n"
        ";;;;Bergbahn Kiosk          CH - 00000  WENGEN;Wisselkoers##1,05;Gerelateerde kost##\n"
        "07/01/2026;08/01/2026;+1,50;EUR;;;\n"
        ";;;;WEBSHOP REFUND          NL - 00000  AMSTERDAM;Wisselkoers##;Gerelateerde kost##\n",
        2,
        {"payee_account": "NAME:Bergbahn Kiosk", "amount_paid": 39.28, "currency_paid": "EUR",
         "booked_at": dt.datetime(2026, 1, 30, tzinfo=dt.UTC)},
    ),
    # Swedbank (LT; ofxstatement-lithuanian's tests): the opening balance, the turnover totals
    # (Apyvarta, one per direction) and the closing balance are lines of the table with an
    # amount and a D/K flag; only the lines of type 20 are transactions.
    "swedbank_lt": Layout(
        '"Sąskaitos Nr.","","Data","Gavėjas","Paaiškinimai","Suma","Valiuta","D/K","Įrašo Nr.",'
        '"Kodas","Įmokos kodas","Dok. Nr.","Kliento kodas mokėtojo IS","Kliento kodas",'
        '"Pradinis mokėtojas","Galutinis gavėjas",\n'
        '"LT601010012345678901","10","2024-03-01","","Likutis pradžiai","500.00","EUR","K","",'
        '"AS","","",\n'
        '"LT601010012345678901","20","2024-03-02","Maxima LT","PIRKINYS 2024.03.01 Maxima LT '
        'Vilnius","23.40","EUR","D","2024030200000001","K","","","",\n'
        '"LT601010012345678901","20","2024-03-05","UAB Darbdavys","Atlyginimas","1200.00","EUR",'
        '"K","2024030500000002","MK","","77","",\n'
        '"LT601010012345678901","82","2024-03-31","","Apyvarta","23.40","EUR","D","","K2","","",\n'
        '"LT601010012345678901","82","2024-03-31","","Apyvarta","1200.00","EUR","K","","K2","","",'
        "\n"
        '"LT601010012345678901","86","2024-03-31","","Likutis pabaigai","1676.60","EUR","K","",'
        '"LS","","",\n',
        2,
        {"payer_account": "LT601010012345678901", "payee_account": "NAME:Maxima LT",
         "amount_paid": 23.4, "currency_paid": "EUR",
         "booked_at": dt.datetime(2024, 3, 2, tzinfo=dt.UTC)},
        quarantined=("BALANCE_LINE",) * 4,
    ),
    # Sparda-Bank (DE; ofxstatement-spardabank's tests): the account number in a one-row table
    # of the preamble, the other side's name written straight before its SEPA booking text.
    "sparda": Layout(
        '"Kontoumsätze SpardaGiro Online"\n\n"Kontoinhaber:";"Erika Muster"\n'
        '"Kundennummer:";"7654321"\n\n'
        '"Umsätze ab";"Enddatum";"Kontonummer";"Saldo";"Währung"\n'
        '"01.03.2024";"31.03.2024";"1002003004";"1.000,00";"EUR"\n'
        '"Weitere gewählte Suchoptionen:";"keine"\n\n\n'
        '"Buchungstag";"Wertstellungstag";"Verwendungszweck";"Umsatz";"Währung"\n'
        '"04.03.2024";"04.03.2024";"Stadtwerke Nord GmbHSEPA-BASISLASTSCHRIFT SVWZ+ Abschlag '
        'März EREF+ 4711 MREF+ M-1 CRED+ DE01ZZZ00000000001";"-61,00";"EUR";""\n'
        '"05.03.2024";"05.03.2024";"Firma AGSEPA-LOHN/GEHALT SVWZ+ Gehalt März";"2.100,00";'
        '"EUR";""\n'
        '"* noch nicht ausgeführte Umsätze"\n',
        2,
        {"payer_account": "1002003004", "payee_account": "NAME:Stadtwerke Nord GmbH",
         "amount_paid": 61.0, "currency_paid": "EUR"},
        quarantined=("BAD_DATE",),
    ),
    # ING España (its Movimientos sheet saved as CSV; csv2ofx's ingesp test data has the same
    # columns renamed): the value date "F. VALOR" is the only date, the euro in the amount's name.
    "ing_es": Layout(
        "F. VALOR,CATEGORÍA,SUBCATEGORÍA,DESCRIPCIÓN,COMENTARIO,IMAGEN,IMPORTE (€),SALDO (€)\n"
        "02/04/2024,Compras,Supermercados,Pago en MERCADO CENTRAL,,No,-45.20,954.80\n"
        "03/04/2024,Nómina y otras prestaciones,Nómina o Pensión,Nomina recibida EMPRESA SL,,"
        "No,1500.00,2454.80\n",
        2,
        {"booked_at": dt.datetime(2024, 4, 2, tzinfo=dt.UTC),
         "payee_account": "NAME:Pago en MERCADO CENTRAL", "amount_paid": 45.2,
         "currency_paid": "EUR"},
    ),
    # ING Belgium (header as other importers' tests write it): the other side's account in
    # "Rekening tegenpartij", the currency in "Munteenheid", text in three columns.
    "ing_be": Layout(
        "Rekeningnummer;Naam van de rekening;Rekening tegenpartij;Omzetnummer;Boekingsdatum;"
        "Valutadatum;Bedrag;Munteenheid;Omschrijving;Detail van de omzet;Bericht\n"
        "BE68 5390 0754 7034;An Peeters;BE71 0961 2345 6769;001;02/04/2024;02/04/2024;-250,00;"
        "EUR;Europese overschrijving naar Huisbaas BV;Huisbaas BV huur april;huur april\n"
        "BE68 5390 0754 7034;An Peeters;;002;03/04/2024;03/04/2024;-12,40;EUR;Betaling Bancontact;"
        "Bakkerij Brugge 03/04;\n",
        2,
        {"payer_account": "BE68539007547034", "payee_account": "BE71096123456769",
         "amount_paid": 250.0, "currency_paid": "EUR",
         "reference": "Europese overschrijving naar Huisbaas BV Huisbaas BV huur april huur april"},
        encoding="latin-1",
    ),
    # A Dutch-language export with money out and in as "Afschrijving" and "Bijschrijving" (an
    # older ING layout, as other importers describe it).
    "afschrijving_bijschrijving": Layout(
        "Datum;Naam;Rekening;Tegenrekening;Code;Afschrijving;Bijschrijving;Mededeling\n"
        "02/04/2024;Huisbaas BV;BE68539007547034;BE71096123456769;OV;250,00;;huur april\n"
        "03/04/2024;Werkgever NV;BE68539007547034;BE43068999999501;OV;;2100,00;loon maart\n",
        2,
        {"payer_account": "BE68539007547034", "payee_account": "BE71096123456769",
         "payee_name": "Huisbaas BV", "amount_paid": 250.0, "currency_paid": "EUR"},
    ),
    # PostFinance (CH) 2023+ (as other importers' tests write it): the preamble's values under
    # Excel's text guard (Konto:;="CH93 ..."), debits written negative in "Lastschrift in CHF",
    # the text in "Avisierungstext", a disclaimer after the table.
    "postfinance": Layout(
        '\ufeffDatum von:;="01.09.2026"\r\nDatum bis:;="30.09.2026"\r\nKategorie:;="Alle"\r\n'
        'Konto:;="CH93 0076 2011 6238 5295 7"\r\nWährung:;="CHF"\r\n\r\n'
        "Datum;Bewegungstyp;Avisierungstext;Gutschrift in CHF;Lastschrift in CHF;Label;"
        "Kategorie\r\n"
        '30.09.2026;Belastung;"Einkauf Karten-Nr. XXXX1234 Quartierladen Bern";;-23.40;;\r\n'
        '29.09.2026;Gutschrift;"Gutschrift Muster Arbeitgeber AG";5200.00;;;Lohn\r\n'
        '\r\nDisclaimer:\r\n"Dieser Auszug dient nur zur Information."\r\n',
        2,
        {"payer_account": "CH9300762011623852957", "amount_paid": 23.4, "currency_paid": "CHF",
         "reference": "Einkauf Karten-Nr. XXXX1234 Quartierladen Bern"},
        quarantined=("BAD_DATE", "BAD_DATE"),
    ),
    # BNP Paribas Fortis (BE; header as other importers' tests write it, with their note that
    # real exports mix "-12,05" and "2750.00"): the point in 2750.00 is a decimal point, the
    # refused payment ("Geweigerd") is not booked.
    "bnp_fortis": Layout(
        "\ufeffVolgnummer;Uitvoeringsdatum;Valutadatum;Bedrag;Valuta rekening;Rekeningnummer;"
        "Type verrichting;Tegenpartij;Naam van de tegenpartij;Mededeling;Details;Status;"
        "Reden van weigering\n"
        "2026-00003;15/06/2026;15/06/2026;2750.00;EUR;BE68539007547034;Overschrijving in euro;"
        "BE43068999999501;WERKGEVER NV;LOON;LOON JUNI;Geaccepteerd;\n"
        "2026-00002;16/06/2026;16/06/2026;-45,00;EUR;BE68539007547034;Kaartbetaling;;;;"
        "BETALING MET DEBETKAART BAKKERIJ;Geaccepteerd;\n"
        "2026-00001;17/06/2026;17/06/2026;-12,05;EUR;BE68539007547034;Kaartbetaling;;;;"
        "BETALING MET DEBETKAART APOTHEEK;Geaccepteerd;\n"
        "2026-00004;14/06/2026;14/06/2026;-99,00;EUR;BE68539007547034;Overschrijving in euro;"
        "BE71096123456769;VERHUURDER;HUUR;;Geweigerd;Onvoldoende saldo\n",
        3,
        {"payer_account": "BE43068999999501", "payer_name": "WERKGEVER NV",
         "payee_account": "BE68539007547034", "amount_paid": 2750.0, "currency_paid": "EUR"},
        quarantined=("NOT_BOOKED",),
    ),
    # Nordea Finland (header as Finnish importers' tests write it): Maksaja and Maksunsaaja hold
    # the payer's and the payee's IBANs, the holder's own in one of them on every row, so
    # neither is the counterparty's account; "Varaus" in the date column is a reservation.
    "nordea_fi": Layout(
        "Kirjauspäivä;Määrä;Maksaja;Maksunsaaja;Nimi;Otsikko;Viesti;Viitenumero;Saldo;Valuutta;\n"
        "2026/04/24;4500,00;;FI21 1234 5600 0007 85;TYONANTAJA OY;TYONANTAJA OY;palkka;;4500,35;"
        "EUR;\n"
        "2026/04/15;-60,10;FI21 1234 5600 0007 85;FI49 5000 9420 0287 30;KAUPPA OY;KAUPPA OY;"
        "lasku 7;260414;440,25;EUR;\n"
        "Varaus;-12,00;FI21 1234 5600 0007 85;;KIOSKI;KIOSKI;;;;EUR;\n",
        2,
        {"payer_account": "NAME:TYONANTAJA OY", "payer_name": "TYONANTAJA OY",
         "amount_paid": 4500.0, "currency_paid": "EUR",
         "booked_at": dt.datetime(2026, 4, 24, tzinfo=dt.UTC)},
        quarantined=("NOT_BOOKED",),
    ),
    # Nordea in English: the same layout; "Recipient" holds the holder's IBAN on money in.
    "nordea_en": Layout(
        "Booking date;Amount;Sender;Recipient;Name;Title;Message;Reference number;Balance;"
        "Currency;\n"
        "2026/04/24;4500,00;;FI21 1234 5600 0007 85;EMPLOYER OY;EMPLOYER OY;salary;;4500,35;EUR;\n"
        "2026/04/15;-60,10;FI21 1234 5600 0007 85;FI49 5000 9420 0287 30;SHOP OY;SHOP OY;bill 7;"
        "260414;440,25;EUR;\n",
        2,
        {"payer_account": "NAME:EMPLOYER OY", "payee_account": HOLDER, "amount_paid": 4500.0},
    ),
}  # fmt: skip

NOT_STATEMENTS = {
    "ing_daily_balances": (
        '"Datum","Boeksaldo","Valutair saldo"\n"2024-05-30","13,20","13,20"\n',
        "no header row naming a date and an amount",
    ),
    "no_header": ("10.02.2024;CAFE;-5,00\n11.02.2024;SHOP;-7,00\n", "no header row"),
    # Italian names: a euro-area bank or a Swiss one? Nothing says.
    "no_currency": (
        "Data;Importo;Descrizione\n02/05/2024;-250,00;Negozio\n",
        "states no currency",
    ),
    # Barclaycard Business (bank2ynab's config): spending written positive, no balance.
    "unsigned_card": (
        "Cardholder Name,Account Number,Transaction Date,Merchant Name,Amount,Currency,"
        "Original Amount,Original Currency,Conversion Rate,Posted Date,Transaction Time\n"
        "MR A SMITH,****9940,10/04/2019,FOOD WORKS,10.50,GBP,10.50,GBP,1,12/04/2019,182500\n",
        "carry no sign",
    ),
    # Viseca (CH) card export (fjacquet/camt-csv's test data): purchases positive, refunds
    # negative, no balance, no payment line: refused rather than read as money in.
    "card_without_sign_clues": (
        "TransactionId,CardId,Date,ValutaDate,Amount,Currency,OriginalAmount,OriginalCurrency,"
        "MerchantName,MerchantPlace,MerchantCountry,StateType,Details,Type,Exchange Rate\n"
        "TRX1,0000XXXX,2025-03-01 15:12:22,2025-03-03 00:00:00,29.000,CHF,29.000,CHF,"
        "Bergrestaurant AG,Davos,CHE,BOOKED,Bergrestaurant AG,merchant,1.000000\n"
        "TRX2,0000XXXX,2025-05-28 00:00:00,2025-05-24 00:00:00,-80.000,CHF,-80.000,CHF,,,,"
        "BOOKED,WEBSHOP REFUND,merchant,1.000000\n",
        "a card export (column 'CardId')",
    ),
    "dates_without_year": (
        "Completed Date;Reference;Paid Out (EUR);Paid In (EUR);Balance (EUR)\n"
        "September 15;Shop A;21.97;;139.78\nAugust 30;Shop E;7.95;;161.75\n",
        "holds dates in no format",
    ),
}


def write(tmp_path: Path, name: str, layout: Layout) -> Path:
    path = tmp_path / f"{name}.csv"
    path.write_bytes(layout.text.encode(layout.encoding))
    return path


def read(path: Path) -> tuple[pl.DataFrame, pl.DataFrame, dict[str, Any]]:
    accepted, quarantined, checks = ingest_bank_csv(path, SHA, "run-1", fx_table())
    assert accepted.schema == pl.Schema(TRANSACTION_SCHEMA)
    assert quarantined.schema == pl.Schema(QUARANTINE_SCHEMA)
    assert checks["rows_read"] == accepted.height + quarantined.height
    return accepted, quarantined, checks


@pytest.mark.parametrize("name", list(LAYOUTS))
def test_each_layout_is_recognised_and_read_without_a_profile(tmp_path: Path, name: str) -> None:
    layout = LAYOUTS[name]
    path = write(tmp_path, name, layout)
    assert match_profile(path.read_bytes()) is None  # no shipped profile describes it
    assert (sniff(path).format, sniff(path).profile) == ("bankcsv", "inferred")
    accepted, quarantined, checks = read(path)
    assert accepted.height == layout.accepted
    assert tuple(quarantined["reason"]) == layout.quarantined
    assert set(accepted["source_format"]) == {"bankcsv.inferred"}
    first = accepted.sort("source_row").row(0, named=True)
    assert {k: first[k] for k in layout.first} == layout.first
    inferred = checks["inferred"]
    assert inferred["columns"]["date"] and inferred["header_line"] >= 1
    assert all(isinstance(note, str) for note in inferred["notes"])


@pytest.mark.parametrize("name", list(NOT_STATEMENTS))
def test_what_cannot_be_read_is_refused_with_the_reason(tmp_path: Path, name: str) -> None:
    text, reason = NOT_STATEMENTS[name]
    path = tmp_path / f"{name}.csv"
    path.write_text(text, encoding="utf-8")
    assert reason in infer_profile(text).reason
    if sniff(path).format == "bankcsv":  # looks like one in its first lines
        with pytest.raises(FeedFormatError, match=reason):
            read(path)
    else:
        assert reason in sniff(path).reason


def test_money_in_and_out_directions_and_amounts_of_every_row(tmp_path: Path) -> None:
    accepted, _, _ = read(write(tmp_path, "ing_nl", LAYOUTS["ing_nl"]))
    rows = accepted.sort("source_row").select("payer_account", "payee_account", "amount_paid")
    assert rows.rows() == [
        ("NL91ABNA0417164300", "NL20INGB0001234567", 1020.0),
        ("NL20INGB0001234567", "NAME:Kosten Pakket", 1.25),
    ]
    accepted, _, _ = read(write(tmp_path, "dkb", LAYOUTS["dkb_2023"]))
    second = accepted.sort("source_row").row(1, named=True)
    # money in: the payer column names the other side, the holder is paid
    assert (second["payer_name"], second["payee_account"]) == (
        "Firma GmbH",
        "DE02120300000000202051",
    )
    assert second["amount_paid"] == 2987.5 and second["end_to_end_id"] == "REF123"


def test_a_reference_column_of_numbers_before_the_description_does_not_name_the_counterparty(
    tmp_path: Path,
) -> None:
    # the Lloyds Banking Group credit card header (shipped as lloyds_card; read here without
    # it): the card transaction number in Reference comes before the padded Description
    path = tmp_path / "card.csv"
    path.write_text(
        "Date,Date entered,Reference,Description,Amount,\n"
        "13/07/2020,14/07/2020,40000189,CLARKS.CO.UK            ,39.95,\n"
        "10/07/2020,10/07/2020,40000150,PAYMENT RECEIVED - THANK YOU,-250.00,\n",
        encoding="utf-8",
    )
    accepted, _, checks = read(path)
    assert checks["inferred"]["columns"]["description"] == ["Description", "Reference"]
    others = [
        {r["payer_account"], r["payee_account"]} - {HOLDER}
        for r in accepted.sort("source_row").iter_rows(named=True)
    ]
    assert others == [{"NAME:CLARKS.CO.UK"}, {"NAME:PAYMENT RECEIVED - THANK YOU"}]


def test_an_export_writing_spending_positive_is_read_by_its_running_balance(
    tmp_path: Path,
) -> None:
    text = (
        "Date,Description,Amount,Balance\n"
        "01/03/2024,OPENING,0.00,100.00\n"
        "02/03/2024,SHOP ONE,40.00,60.00\n"
        "03/03/2024,SHOP TWO,10.00,50.00\n"
        "04/03/2024,PAYMENT RECEIVED,-150.00,200.00\n"
    )
    inference = infer_profile(text)
    assert inference.profile is not None
    assert inference.profile.amount_sign == "debit_positive"
    assert any("positive is money out" in note for note in inference.notes)
    path = tmp_path / "card.csv"
    path.write_text(text, encoding="utf-8")
    accepted, quarantined, checks = read(path)
    shop = accepted.filter(pl.col("source_row") == 2).row(0, named=True)
    assert shop["payer_account"] == f"STATEMENT:{SHA[:16]}" and shop["amount_paid"] == 40.0
    assert checks["balance_walk"]["reconciles"] is True
    assert tuple(quarantined["reason"]) == ("ZERO_AMOUNT",)


def test_ambiguous_dates_are_read_day_first_and_say_so() -> None:
    inference = infer_profile("Date,Description,Amount\n02/03/2024,A,-1.00\n04/05/2024,B,2.00\n")
    assert inference.profile is not None
    assert inference.profile.date_formats == ("%d/%m/%Y",)
    assert any("month-first" in note for note in inference.notes)
    inference = infer_profile("Date,Description,Amount\n02/13/2024,A,-1.00\n04/05/2024,B,2.00\n")
    assert inference.profile is not None and inference.profile.date_formats == ("%m/%d/%Y",)


def test_the_decimal_mark_is_read_from_the_amounts() -> None:
    comma = infer_profile('Date;Text;Amount\n01.02.2024;A;"1.234,56"\n02.02.2024;B;-7,5\n')
    dot = infer_profile('Date,Text,Amount\n01/02/2024,A,"1,234.56"\n02/02/2024,B,-7.5\n')
    assert comma.profile is not None and dot.profile is not None
    assert (comma.profile.decimal, comma.profile.thousands) == (",", ".")
    assert (dot.profile.decimal, dot.profile.thousands) == (".", ",")


def test_a_row_after_the_sample_that_does_not_fit_is_quarantined(tmp_path: Path) -> None:
    path = tmp_path / "late.csv"
    path.write_text(
        "Date,Description,Amount (GBP)\n01/02/2024,A,-1.00\n02/02/2024,B,2.00\n"
        "2024-02-03,C,3.00\n04/02/2024,D,abc\n",
        encoding="utf-8",
    )
    accepted, quarantined, _ = read(path)
    assert accepted.height == 2
    assert sorted(quarantined["reason"]) == ["BAD_AMOUNT", "BAD_DATE"]


def test_inferred_files_go_through_finflow_run_with_the_shipped_ones(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    feeds = tmp_path / "feeds"
    feeds.mkdir()
    for name in ("first_direct", "ing_nl", "dkb_2023", "wise"):
        write(feeds, name, LAYOUTS[name])
    for shipped in sorted(BANK_CSV.glob("*.csv"))[:2]:
        (feeds / shipped.name).write_bytes(shipped.read_bytes())
    out = tmp_path / "out"
    assert main(["run", "--input", str(feeds), "--out", str(out), "--pdf-top", "0"]) == 0
    assert "note: ing_nl.csv: bank CSV layout inferred" in capsys.readouterr().out
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    profiles = {e["file"]: e.get("profile") for e in run["files"]}
    assert profiles["ing_nl.csv"] == "inferred"
    assert all(e["status"] == "ingested" for e in run["files"])
    ing = next(e for e in run["files"] if e["file"] == "ing_nl.csv")
    assert ing["checks"]["inferred"]["direction"] == {
        "column": "Af Bij",
        "credit": ["BIJ"],
        "debit": ["AF"],
    }


def test_finflow_profile_prints_a_profile_that_reads_the_file_the_same_way(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path, "knab", LAYOUTS["knab"])
    assert main(["profile", str(path), "--name", "knab"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("# inferred by finflow from the header on line 2")
    site = tmp_path / "profiles"
    site.mkdir()
    (site / "knab.yaml").write_text(text, encoding="utf-8")
    monkeypatch.setenv(PROFILES_ENV, str(site))
    profile = load_profile(site / "knab.yaml")
    assert yaml.safe_load(text)["columns"]["marker"] == "CreditDebet"
    matched = match_profile(path.read_bytes())
    assert matched is not None and matched.name == "knab"
    assert sniff(path).profile == "knab"
    by_profile, _, _ = ingest_bank_csv(path, SHA, "run-1", fx_table(), profile)
    inferred, _, _ = read(path)
    assert by_profile.drop("source_format").equals(inferred.drop("source_format"))
    assert main(["profile", str(path)]) == 0
    assert "matches the profile 'knab'" in capsys.readouterr().out


def test_site_profiles_must_not_reuse_a_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "profiles"
    site.mkdir()
    (site / "x.yaml").write_text(
        "name: monzo\nbank: X\nheader: [a]\ncolumns: {date: a, amount: a}\ndate_formats: ['%Y']\n"
        "currency: GBP\n",
        encoding="utf-8",
    )
    monkeypatch.setenv(PROFILES_ENV, str(site))
    with pytest.raises(ConfigError, match="also the name of"):
        shipped_profiles()
    monkeypatch.setenv(PROFILES_ENV, str(tmp_path / "nowhere"))
    with pytest.raises(ConfigError, match="not a folder"):
        shipped_profiles()


def test_the_shipped_sample_exports_still_use_their_profiles() -> None:
    for path in sorted(BANK_CSV.glob("*.csv")):
        assert match_profile(path.read_bytes()[: 64 * 1024]) is not None, path.name


def test_describe_layout_refuses_what_is_not_a_statement(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("a,b,c\n1,2,3\n", encoding="utf-8")
    with pytest.raises(FeedFormatError, match="not readable as a bank statement"):
        describe_layout(path)


def test_a_currency_in_a_column_name_wins_over_the_language(tmp_path: Path) -> None:
    """OCBC (SG) writes English names with the currency in brackets: never read as GBP. SGD has
    no rate in the packaged FX table, so its rows are quarantined as NO_FX_RATE, not dropped.
    The line under the purchase, with neither date nor amount, is its second line (one row)."""
    path = tmp_path / "ocbc.csv"
    path.write_text(
        "Account details for:,Account 666-666666-666\n\nTransaction History \n"
        "Transaction date,Value date,Description,Withdrawals (SGD),Deposits (SGD)\n"
        "18/04/2018,18/04/2018,DEBIT PURCHASE,6.66,\n"
        ",,15/04/18  UBER EATS\n",
        encoding="utf-8",
    )
    accepted, quarantined, checks = read(path)
    assert checks["inferred"]["currency"] == {
        "fixed": "SGD",
        "from": "the column name 'Withdrawals (SGD)'",
    }
    assert accepted.height == 0 and checks["rows_read"] == 1
    assert quarantined["reason"].to_list() == ["NO_FX_RATE"]
    assert quarantined["raw"][0].endswith("\n,,15/04/18  UBER EATS")


@pytest.mark.parametrize("sample", sorted(p.name for p in BANK_CSV.glob("*.csv")))
def test_each_real_sample_inferred_without_its_profile_reads_as_its_profile_does(
    sample: str,
) -> None:
    """The real exports in shared/samples, read with the layout inferred as if no profile
    existed: the same rows, dates, amounts, currencies, directions and names as the bank's
    shipped profile gives (times may differ by the time zone, which the notes state)."""
    path = BANK_CSV / sample
    profile = match_profile(path.read_bytes())
    assert profile is not None
    text = path.read_bytes().decode("utf-8-sig")
    inference = infer_profile(text)
    assert inference.profile is not None, inference.reason
    by_profile, q_profile, _ = ingest_bank_csv(path, SHA, "run-1", fx_table(), profile)
    inferred, q_inferred, _ = ingest_bank_csv(path, SHA, "run-1", fx_table(), inference.profile)

    def facts(frame: pl.DataFrame) -> list[tuple[Any, ...]]:
        return (
            frame.sort("source_row")
            .select(
                "source_row",
                pl.col("booked_at").dt.date(),
                "amount_paid",
                "currency_paid",
                pl.col("payer_account").str.starts_with("NAME:").alias("paid_in"),
                "payer_name",
                "payee_name",
            )
            .rows()
        )

    assert facts(inferred) == facts(by_profile)
    assert q_inferred["reason"].to_list() == q_profile["reason"].to_list()
    if any("%H" in f and "%z" not in f for f in inference.profile.date_formats):
        assert any("carry no UTC offset" in note for note in inference.notes)


COMDIRECT = (  # comdirect's export: the current account, then the card, each under its header
    ";\n"
    '"Umsätze Girokonto";"Zeitraum: 30 Tage";\n'
    '"Neuer Kontostand";"1.187,66 EUR";\n'
    ";\n"
    '"Buchungstag";"Wertstellung (Valuta)";"Vorgang";"Buchungstext";"Umsatz in EUR";\n'
    '"01.02.2024";"01.02.2024";"Lastschrift / Belastung";"Auftraggeber: Stadtwerke '
    'Buchungstext: Strom Ref. 123";"-62,34";\n'
    '"02.02.2024";"02.02.2024";"Übertrag / Überweisung";"Auftraggeber: Arbeitgeber GmbH '
    'Buchungstext: Gehalt Ref. 124";"1.250,00";\n'
    '"Alter Kontostand";"0,00 EUR";\n'
    ";\n"
    '"Umsätze Visa-Karte (Kreditkarte)";"Zeitraum: 30 Tage";\n'
    '"Neuer Kontostand";"-70,40 EUR";\n'
    ";\n"
    '"Buchungstag";"Umsatztag";"Vorgang";"Referenz";"Buchungstext";"Umsatz in EUR";\n'
    '"03.02.2024";"02.02.2024";"Visa-Umsatz";"5401";"AMAZON EU";"-50,40";\n'
    '"04.02.2024";"03.02.2024";"Visa-Umsatz";"5402";"BAHN";"-20,00";\n'
    '"Alter Kontostand";"0,00 EUR";\n'
)


def test_an_export_of_several_tables_is_read_table_by_table(tmp_path: Path) -> None:
    path = tmp_path / "umsaetze.csv"
    path.write_text(COMDIRECT, encoding="utf-8")
    assert (sniff(path).format, sniff(path).profile) == ("bankcsv", "inferred")
    assert infer_profile(COMDIRECT).profile is not None  # sampled from the first table only
    accepted, quarantined, checks = read(path)
    rows = accepted.sort("source_row").select(
        "source_row", "payer_account", "payee_account", "amount_paid"
    )
    card = f"{HOLDER}:2"  # the card is another account than the current account
    assert rows.rows() == [
        (1, HOLDER, "NAME:Stadtwerke", 62.34),
        (2, "NAME:Arbeitgeber GmbH", HOLDER, 1250.0),
        (4, card, "NAME:AMAZON EU", 50.4),
        (5, card, "NAME:BAHN", 20.0),
    ]
    assert quarantined.sort("source_row")["reason"].to_list() == ["BALANCE_LINE"] * 2
    sections = checks["sections"]
    assert [s["inferred"]["header_line"] for s in sections] == [5, 13]
    assert [s["rows_read"] for s in sections] == [3, 3] and checks["rows_read"] == 6
    # the card's Referenz (numbers) comes after the Buchungstext that names the merchant
    assert sections[1]["inferred"]["columns"]["description"] == ["Buchungstext", "Referenz"]
    # one table: no sections listed
    _, _, single = read(write(tmp_path, "knab", LAYOUTS["knab"]))
    assert "sections" not in single


SPARKASSE_CAMT = (  # Sparkasse's CSV-CAMT export (ofxstatement-sparkasse-freiburg's tests)
    '"Auftragskonto";"Buchungstag";"Valutadatum";"Buchungstext";"Verwendungszweck";'
    '"Glaeubiger ID";"Mandatsreferenz";"Kundenreferenz (End-to-End)";"Sammlerreferenz";'
    '"Lastschrift Ursprungsbetrag";"Auslagenersatz Ruecklastschrift";'
    '"Beguenstigter/Zahlungspflichtiger";"Kontonummer/IBAN";"BIC (SWIFT-Code)";"Betrag";'
    '"Waehrung";"Info"\n'
    '"DE44500105175407324931";"02.04.24";"02.04.24";"GUTSCHRIFT";"Lohn April";"";"";"";"";"";"";'
    '"Firma GmbH";"DE02120300000000202051";"BYLADEM1001";"2500,00";"EUR";"Umsatz gebucht"\n'
    '"DE44500105175407324931";"03.04.24";"03.04.24";"FOLGELASTSCHRIFT";"Miete";"";"";"";"";"";'
    '"";"Hausverwaltung KG";"DE89370400440532013000";"COBADEFFXXX";"-900,00";"EUR";'
    '"Umsatz gebucht"\n'
)


def test_a_bic_column_named_with_its_qualifier_is_only_the_counterpartys(tmp_path: Path) -> None:
    """``BIC (SWIFT-Code)`` is the counterparty's BIC (Sparkasse): it is not also read as the
    holder's bank, which would book the holder's side of every row to the other bank."""
    path = tmp_path / "sparkasse-camt.csv"
    path.write_text(SPARKASSE_CAMT, encoding="utf-8")
    accepted, _, checks = ingest_bank_csv(path, SHA, "run-1", fx_table(), None)
    columns = checks["inferred"]["columns"]
    assert columns["counterparty_bank"] == "BIC (SWIFT-Code)" and "holder_bank" not in columns
    rows = accepted.sort("source_row").select(
        "payer_bank", "payer_account", "payee_bank", "payee_account"
    )
    assert rows.rows() == [
        ("BYLADEM1001", "DE02120300000000202051", "DE5001", "DE44500105175407324931"),
        ("DE5001", "DE44500105175407324931", "COBADEFF", "DE89370400440532013000"),
    ]


def test_a_card_export_without_a_balance_is_signed_by_its_payment_lines(tmp_path: Path) -> None:
    """A card export (Amex-like, no profile) writes spending positive and its payment negative;
    with no balance, the negative 'PAYMENT RECEIVED - THANK YOU' line says which way round."""
    text = (
        "Date,Description,Card Member,Account #,Amount\n"
        "03/02/2024,TESCO STORES 2345 LONDON,MR A SMITH,-71002,45.30\n"
        "05/02/2024,PAYMENT RECEIVED - THANK YOU,MR A SMITH,-71002,-500.00\n"
        "06/02/2024,AMAZON MARKETPLACE,MR A SMITH,-71002,12.99\n"
    )
    inference = infer_profile(text)
    assert inference.profile is not None and inference.profile.amount_sign == "debit_positive"
    path = tmp_path / "card.csv"
    path.write_text(text, encoding="utf-8")
    accepted, _, _ = read(path)
    rows = accepted.sort("source_row").select("payer_account", "payee_account", "amount_paid")
    card = "-71002"  # the card account, as the export writes it
    assert rows.rows() == [
        (card, "NAME:TESCO STORES 2345 LONDON", 45.3),
        ("NAME:PAYMENT RECEIVED - THANK YOU", card, 500.0),
        (card, "NAME:AMAZON MARKETPLACE", 12.99),
    ]
    # a current account's incoming "payment received" (positive) keeps money in positive
    current = (
        "Date,Description,Amount\n03/02/2024,PAYMENT RECEIVED JOHN,250.00\n04/02/2024,SHOP,-5.00\n"
    )
    assert infer_profile(current).profile.amount_sign == "credit_positive"  # type: ignore[union-attr]


def test_a_line_under_a_booking_that_holds_its_own_amount_is_not_taken_for_its_second_line(
    tmp_path: Path,
) -> None:
    """ZKB (CH) lists the payments of a collective booking under it, without a date, each with
    its own amount in "Betrag Detail": they are not text continuing the booking above (as
    Fintro's merchant line is), so they are not joined to it; they stay rows of their own."""
    path = tmp_path / "zkb.csv"
    path.write_text(
        '"Datum";"Buchungstext";"Whg";"Betrag Detail";"ZKB-Referenz";"Referenznummer";'
        '"Belastung CHF";"Gutschrift CHF";"Valuta";"Saldo CHF";"Zahlungszweck"\n'
        '"30.01.2024";"Belastungen eBanking (2)";"CHF";"";"Z1";"";"400.00";"";"30.01.2024";'
        '"600.00";""\n'
        '"";"Zahlung an Vermieter AG";"CHF";"300.00";"";"";"";"";"";"";"Miete"\n'
        '"";"Zahlung an Versicherung AG";"CHF";"100.00";"";"";"";"";"";"";"Praemie"\n',
        encoding="utf-8",
    )
    accepted, quarantined, checks = read(path)
    assert checks["rows_read"] == 3
    assert accepted["amount_paid"].to_list() == [400.0]
    assert quarantined["source_row"].to_list() == [2, 3]


def test_a_bare_iban_column_is_the_holders_when_it_holds_one_value_on_most_rows(
    tmp_path: Path,
) -> None:
    """An IBAN column left empty on a pending row but holding one IBAN on the others is the
    holder's; C24's, filled only on payments to others (one of three rows), is not."""
    path = tmp_path / "pending.csv"
    path.write_text(
        "Date,Description,Amount,Currency,IBAN,Status\n"
        "01/03/2026,Shop A,-10.00,EUR,DE89370400440532013000,Booked\n"
        "02/03/2026,Shop B,-20.00,EUR,DE89370400440532013000,Booked\n"
        "03/03/2026,Shop C,-5.00,EUR,,Pending\n",
        encoding="utf-8",
    )
    accepted, quarantined, _ = read(path)
    assert set(accepted["payer_account"]) == {"DE89370400440532013000"}
    assert quarantined["reason"].to_list() == ["NOT_BOOKED"]


def test_a_bare_iban_column_beside_a_named_holder_account_is_the_counterpartys(
    tmp_path: Path,
) -> None:
    """C24 names the holder's account in Kontonummer (beside Kontoname): its IBAN column is
    the payee's, even when most rows pay the same payee."""
    path = tmp_path / "c24.csv"
    path.write_text(
        LAYOUTS["c24"].text.replace(",,,Sparen,", ",DE89370400440532013000,COBADEFFXXX,Sparen,", 1),
        encoding="utf-8",
    )
    accepted, _, _ = read(path)
    rows = accepted.sort("source_row").select("payer_account", "payee_account").rows()
    assert rows[:2] == [
        ("1000123456", "DE89370400440532013000"),
        ("1000123456", "DE89370400440532013000"),
    ]
