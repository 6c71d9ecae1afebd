"""An independent parse of the real published files under ``tests/fixtures/real/``: plain
``xml.etree``, ``json`` and ``openpyxl``, none of the project's code, so the loaders can be
checked against it.

``python -m tests.independent_parse`` prints the figures of every file as JSON (that output
is kept as ``tests/fixtures/real/expected.json``).

>>> figures_of(REAL / "iati" / "aet-activities.xml")["activities"]
1
"""

from __future__ import annotations

import csv
import io
import json
import sys
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from decimal import Decimal
from pathlib import Path

REAL = Path(__file__).resolve().parent / "fixtures" / "real"

#: IATI 1.0x transaction type text codes → the 2.0x numeric codes (IATI's upgrade table).
TEXT_CODES = {"IF": "1", "C": "2", "D": "3", "E": "4", "IR": "5", "LR": "6", "R": "7"}
TEXT_CODES |= {"QP": "8", "QS": "9", "CG": "10"}


def iati_figures(path: Path) -> dict:
    """Activities, transactions by type, sums by type and currency, funders and receivers."""
    root = ET.parse(path).getroot()
    acts = [root] if root.tag == "iati-activity" else root.findall("iati-activity")
    by_type: Counter = Counter()
    sums: dict = defaultdict(Decimal)
    providers, receivers = set(), set()
    for act in acts:
        default = (act.get("default-currency") or "").strip()
        for tx in act.findall("transaction"):
            tt = tx.find("transaction-type")
            code = (tt.get("code") or "").strip() if tt is not None else ""
            code = TEXT_CODES.get(code, code)
            v = tx.find("value")
            by_type[code] += 1
            if v is not None and (v.text or "").strip():
                cur = (v.get("currency") or "").strip() or default
                sums[f"{code} {cur}"] += Decimal(v.text.strip())
            for tag, seen in (("provider-org", providers), ("receiver-org", receivers)):
                el = tx.find(tag)
                if el is not None and (el.get("ref") or "").strip():
                    seen.add(el.get("ref").strip())
    return {
        "activities": len(acts),
        "transactions": dict(sorted(by_type.items())),
        "sums": {k: str(v) for k, v in sorted(sums.items())},
        "providers": len(providers),
        "receivers": len(receivers),
    }


def grants_figures(grants: list[dict]) -> dict:
    """Grants, amount awarded by currency, distinct funders, recipients and individuals."""
    sums: dict = defaultdict(Decimal)
    funders, recipients = set(), set()
    individuals = 0
    for g in grants:
        sums[str(g.get("currency"))] += Decimal(str(g.get("amountAwarded")))
        for f in g.get("fundingOrganization") or []:
            funders.add(f.get("id"))
        orgs = g.get("recipientOrganization") or []
        for r in orgs:
            recipients.add(r.get("id"))
        if not orgs and g.get("recipientIndividual"):
            individuals += 1
    return {
        "grants": len(grants),
        "sums": {k: str(v) for k, v in sorted(sums.items())},
        "funders": len(funders),
        "recipients": len(recipients),
        "individuals": individuals,
    }


def xlsx_grants(path: Path) -> list[dict]:
    """The grants of a 360Giving spreadsheet's first sheet, by its column titles."""
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    rows = wb.worksheets[0].iter_rows(values_only=True)
    header = [str(h).strip() if h is not None else "" for h in next(rows)]
    out = []
    for row in rows:
        cell = dict(zip(header, row, strict=False))
        if cell.get("Identifier") is None:
            continue
        out.append(_grant_of_titles(cell))
    return out


def _grant_of_titles(cell: dict) -> dict:
    """A grant's figures from a row keyed by the spreadsheet column titles."""
    funder = cell.get("Funding Org:Identifier")
    recipient = cell.get("Recipient Org:Identifier")
    return {
        "currency": cell.get("Currency"),
        "amountAwarded": cell.get("Amount Awarded"),
        "fundingOrganization": [{"id": funder}] if funder else [],
        "recipientOrganization": [{"id": recipient}] if recipient else [],
        "recipientIndividual": cell.get("Recipient Ind:Identifier"),
    }


def csv_grants(path: Path) -> list[dict]:
    """The grants of a 360Giving CSV by its column titles (UTF-8, else Windows-1252)."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    out = []
    for cell in csv.DictReader(io.StringIO(text, newline="")):
        out.append(_grant_of_titles({k.strip(): v.strip() for k, v in cell.items() if k}))
    return out


def figures_of(path: Path) -> dict:
    if path.suffix == ".xml":
        return iati_figures(path)
    if path.suffix == ".json":
        return grants_figures(json.loads(path.read_text(encoding="utf-8"))["grants"])
    if path.suffix == ".csv":
        return grants_figures(csv_grants(path))
    return grants_figures(xlsx_grants(path))


def main() -> int:
    out = {
        f"{p.parent.name}/{p.name}": figures_of(p)
        for p in sorted([*REAL.glob("iati/*"), *REAL.glob("giving360/*")])
        if p.suffix in (".xml", ".json", ".xlsx", ".csv")
    }
    json.dump(out, sys.stdout, indent=1, sort_keys=True)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
