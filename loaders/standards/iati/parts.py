"""The parts of an IATI activity read element by element: budgets, sectors, partnerships,
places (countries and regions with their percentages) and transactions."""

from __future__ import annotations

from loaders.currency import NOTICES_KEY, Notice, missing_rate_hint, missing_rate_message
from loaders.records import (
    DATE_HINT,
    is_number,
    number_text,
    parse_date,
)
from loaders.standards.common import country_from_alpha2
from loaders.standards.iati.codelists import (
    DAC_REGIONS,
    INCOMING_TYPES,
    M49_REGIONS,
    ROLE_TO_PARTNERSHIP,
    TRANSACTION_TYPES,
    TRANSACTION_TYPES_1X,
)
from loaders.standards.iati.elements import OrgMention, text_of

PERCENT_TOLERANCE = 1.0


class ActivityParts:
    """Methods of :class:`~loaders.standards.iati.activity.Activity` that read one kind of
    element each (budgets, sectors, partnerships, places, transactions)."""

    def _budget_entry(self, k: int, b):
        """``(period, kind, (amount, currency, year, k))`` of one budget, or None."""
        col = f"budget[{k}]"
        v = b.find("value")
        if v is None:
            self.missing(b, f"{col}/value", "value", "add <value> to the budget")
            return None
        amount = self.amount_of(v, f"{col}/value")
        cur = self.currency_of(v, f"{col}/value")
        ps, pe = b.find("period-start"), b.find("period-end")
        start = self.date_of(ps, f"{col}/period-start") if ps is not None else None
        end = self.date_of(pe, f"{col}/period-end") if pe is not None else None
        year = self.value_date_of(v, col) or start
        if amount is None or cur is None:
            return None
        revised = (b.get("type") or "1").strip().lower() in ("2", "revised")
        return (start, end), "revised" if revised else "original", (float(amount), cur, year, k)

    def _budget(self) -> dict:
        """Sum of the budgets, per period the revised one (type 2) over the original."""
        by_period: dict[tuple, dict[str, list]] = {}
        for k, b in enumerate(self.act.findall("budget"), 1):
            entry = self._budget_entry(k, b)
            if entry is not None:
                period, kind, item = entry
                by_period.setdefault(period, {}).setdefault(kind, []).append(item)
        chosen = []
        for kinds in by_period.values():
            chosen.extend(kinds.get("revised") or kinds.get("original") or [])
        if not chosen:
            return {}
        return self._budget_total(chosen)

    def _budget_total(self, chosen: list) -> dict:
        """The project budget of the chosen budgets: their sum in one currency, or in USD
        when they are in several, with notices for what could not be converted."""
        currencies = sorted({c for _, c, _, _ in chosen})
        quotes = [self.f.rates.quote(c, y) if y or c == "USD" else None for _, c, y, _ in chosen]
        usd = [
            round(a * q.usd_per_unit, 2) if q else None
            for (a, _, _, _), q in zip(chosen, quotes, strict=True)
        ]
        convertible = all(u is not None for u in usd)
        notes = []
        out: dict = {}
        if len(currencies) == 1:
            out = {
                "budget": number_text(sum(a for a, _, _, _ in chosen)),
                "currency": currencies[0],
            }
            if currencies[0] == "USD":
                out["budget_usd"] = out["budget"]
            elif convertible:
                out["budget_usd"] = number_text(sum(usd))
        elif convertible:
            out = {"budget": number_text(sum(usd)), "currency": "USD"}
            out["budget_usd"] = out["budget"]
            notes.append(
                Notice(
                    self.loc(self.act),
                    "budget/value/@currency",
                    ", ".join(currencies),
                    "budgets in several currencies: the project budget is their sum in USD, each "
                    "at the rate of its value date (else its period start)",
                )
            )
        if "budget_usd" in out and currencies != ["USD"]:
            out["budget_rate_source"] = _sources(
                {q.source for (_, c, _, _), q in zip(chosen, quotes, strict=True) if c != "USD"}
            )
        if not convertible:
            notes.append(self._missing_budget_rates(chosen, usd, len(currencies)))
        if notes:
            out[NOTICES_KEY] = tuple(notes)
        return out

    def _missing_budget_rates(self, chosen: list, usd: list, n_currencies: int) -> Notice:
        missing = sorted({(c, y) for (_, c, y, _), u in zip(chosen, usd, strict=True) if u is None})
        shown = ", ".join(f"{c} {y}" for c, y in missing)
        return Notice(
            self.loc(self.act),
            "budget/value/@currency",
            shown,
            f"no exchange rate to USD for {shown}: "
            + (
                "the budget has no USD figure"
                if n_currencies == 1
                else "budgets in several currencies cannot be added up, so the project "
                "budget is left empty"
            ),
            missing_rate_hint(*missing[0]),
        )

    def _sectors(self) -> str:
        parts = []
        for s in self.act.findall("sector"):
            code = (s.get("code") or "").strip() or (s.text or "").strip()
            if not code:
                continue
            vocab = (s.get("vocabulary") or "1").strip()
            pct = (s.get("percentage") or "").strip()
            label = code if vocab in ("1", "DAC") else f"{code} (vocabulary {vocab})"
            parts.append(label + (f" {pct}%" if pct else ""))
        return "IATI sectors: " + ", ".join(parts) if parts else ""

    def _themes(self) -> str | None:
        """The activity's sector codes as ``vocabulary:code`` with the percentage the
        publisher gives (``dac:11220 40%``), joined by "; ": ``dac`` for the DAC 5-digit
        purpose codes (vocabulary 1, the default; ``DAC`` in IATI 1.0x), ``dac3`` for the
        3-digit categories (2, ``DAC-3``), ``v<N>`` for any other vocabulary. Sectors are
        given for the activity or, instead, for each transaction (then without shares)."""
        own = self.act.findall("sector")
        sectors = own or self.act.findall("transaction/sector")
        found = []
        for s in sectors:
            code = (s.get("code") or "").strip() or (s.text or "").strip()
            if not code:
                continue
            vocab = (s.get("vocabulary") or "1").strip().upper()
            prefix = {"1": "dac", "DAC": "dac", "2": "dac3", "DAC-3": "dac3"}.get(vocab)
            pct = (s.get("percentage") or "").strip() if own else ""
            word = f"{prefix or 'v' + vocab.lower()}:{code}"
            found.append(f"{word} {pct}%" if is_number(pct) else word)
        return "; ".join(dict.fromkeys(found)) or None

    def _partnership(self, role: str, m: OrgMention, k: int) -> None:
        quote = self.where(
            f"participating-org[{k}] (role {m.element.get('role')}"
            + (f", type {m.type}" if m.type else "")
            + f", {m.org_id})"
        )
        self.register(m, quote)
        if not self.aid:
            return
        role_name = ROLE_TO_PARTNERSHIP[role]
        key = (m.org_id, role_name)
        if key in self.partners:
            return
        self.partners.add(key)
        self.row(
            "partnerships",
            {"org_id": m.org_id, "project_id": self.aid, "role": role_name, "quote": quote},
            m.element,
        )

    def _places(self) -> None:
        act = self.act
        targets = []  # (target_id, pct or None, element, quote)
        for k, rc in enumerate(act.findall("recipient-country"), 1):
            col = f"recipient-country[{k}]"
            code = (rc.get("code") or "").strip()
            hit = country_from_alpha2(code)
            pct = self._percentage(rc, col)
            if hit is None:
                self.problem(
                    rc,
                    f"{col}/@code",
                    code or None,
                    "unknown ISO 3166-1 alpha-2 country code" if code else "missing @code",
                    "use the two-letter code IATI uses, e.g. KZ for Kazakhstan",
                )
                targets.append((None, pct, rc, ""))
                continue
            quote = self.where(f"recipient-country {code}" + (f" ({pct}%)" if pct else ""))
            self.registry.country(hit[0], hit[1], quote=quote, location=self.loc(rc))
            targets.append((hit[0], pct, rc, quote))
        for k, rr in enumerate(act.findall("recipient-region"), 1):
            col = f"recipient-region[{k}]"
            region = self._region(rr, col)
            pct = self._percentage(rr, col)
            if region is None:
                targets.append((None, pct, rr, ""))
                continue
            region_id, rname, scheme = region
            quote = self.where(
                f"recipient-region {rr.get('code')} vocabulary {rr.get('vocabulary') or '1'}"
                + (f" ({pct}%)" if pct else "")
            )
            self.registry.region(region_id, rname, scheme, quote=quote, location=self.loc(rr))
            targets.append((region_id, pct, rr, quote))
        given = [t for t in targets if t[1] is not None]
        if given and len(given) < len(targets):
            targets = self._fill_percentages(targets, given)
        elif given:
            total = sum(float(p) for _, p, _, _ in given)
            if abs(total - 100) > PERCENT_TOLERANCE:
                self.problem(
                    self.act,
                    "recipient-country/@percentage + recipient-region/@percentage",
                    number_text(total),
                    f"percentages of recipient-country and recipient-region add up to "
                    f"{number_text(total)}, not 100",
                    "make them add up to 100 (±1)",
                )
        seen = set()
        for target_id, pct, el, quote in targets:
            if target_id is None or not self.aid or target_id in seen:
                continue
            seen.add(target_id)
            self.row(
                "targets",
                {
                    "project_id": self.aid,
                    "target_id": target_id,
                    "share": f"{pct}%" if pct is not None else None,
                    "quote": quote,
                },
                el,
            )

    def _fill_percentages(self, targets: list, given: list) -> list:
        """Percentages on some targets only: those without one share what the others leave
        of 100 evenly (IATI sums only the percentages given)."""
        if self.f.strict:
            for _, pct, el, _ in targets:
                if pct is None:
                    self.problem(
                        el,
                        f"{el.tag}/@percentage",
                        None,
                        "percentage missing while other recipient countries or regions have one",
                        "give every recipient-country and recipient-region a percentage",
                    )
            return targets
        rest = max(0.0, 100 - sum(float(p) for _, p, _, _ in given))
        missing = [t for t in targets if t[1] is None]
        each = number_text(rest / len(missing))
        self.lenient(
            self.act,
            "recipient-country/@percentage + recipient-region/@percentage",
            f"{len(given)} of {len(targets)} given",
            f"percentages on some recipient countries and regions only: the {len(missing)} "
            f"without one share the remaining {number_text(rest)}% evenly ({each}% each)",
            "give every recipient-country and recipient-region a percentage",
        )
        return [(tid, each if pct is None else pct, el, q) for tid, pct, el, q in targets]

    def _percentage(self, el, col) -> str | None:
        raw = (el.get("percentage") or "").strip()
        if not raw:
            return None
        if not is_number(raw, exponent=False) or not 0 <= float(raw) <= 100:
            self.problem(
                el,
                f"{col}/@percentage",
                raw,
                "not a percentage between 0 and 100",
                "write a number such as 40 or 12.5",
            )
            return None
        return raw

    def _region(self, rr, col) -> tuple[str, str, str] | None:
        code = (rr.get("code") or "").strip()
        vocab = (rr.get("vocabulary") or "1").strip()
        if not code:
            self.problem(rr, f"{col}/@code", None, "missing @code", "give the region code")
            return None
        if vocab == "1":
            if code not in DAC_REGIONS:
                self.problem(
                    rr,
                    f"{col}/@code",
                    code,
                    "unknown OECD DAC region code",
                    "use a code of IATI's Region codelist, e.g. 298 Africa, regional",
                )
                return None
            return f"dac:{code}", DAC_REGIONS[code], "dac"
        if vocab == "2":
            key = code.zfill(3)
            if key not in M49_REGIONS:
                self.problem(
                    rr,
                    f"{col}/@code",
                    code,
                    "unknown UN M49 region code",
                    "use an M49 region or sub-region code, e.g. 002 Africa or 143 Central Asia",
                )
                return None
            rname, scheme = M49_REGIONS[key]
            return f"m49:{key}", rname, scheme
        if vocab == "99":
            owner = self.reporting.org_id if self.reporting else "reporting-org"
            return f"iati:{owner}:{code}", text_of(rr) or f"{owner} region {code}", "iati"
        self.problem(
            rr,
            f"{col}/@vocabulary",
            vocab,
            "unknown RegionVocabulary code",
            "use 1 (OECD DAC), 2 (UN M49) or 99 (the reporting organisation's own)",
        )
        return None

    # -- transactions ----------------------------------------------------------------------
    def _tx_type(self, col: str, tx) -> tuple[str, str | None]:
        """The transaction's type code as written and as a 2.0x code (None if unknown)."""
        tt = tx.find("transaction-type")
        raw = (tt.get("code") or "").strip() if tt is not None else ""
        code = raw if raw in TRANSACTION_TYPES else TRANSACTION_TYPES_1X.get(raw)
        if tt is None:
            self.missing(
                tx,
                f"{col}/transaction-type",
                "transaction-type",
                'add <transaction-type code="…"/> (1 incoming funds, 2 commitment, 3 '
                "disbursement, 4 expenditure, 11 incoming commitment…)",
            )
        elif code is None:
            self.problem(
                tt,
                f"{col}/transaction-type/@code",
                raw or None,
                "unknown TransactionType code",
                "use 1–13 (2.0x) or IF, C, D, E, IR, LR, R, QP, QS, CG (1.0x)",
            )
        return raw, code

    def _tx_date(self, col: str, tx) -> str | None:
        td = tx.find("transaction-date")
        if td is None:
            self.missing(
                tx,
                f"{col}/transaction-date",
                "transaction-date",
                'add <transaction-date iso-date="YYYY-MM-DD"/>',
            )
            return None
        return self.date_of(td, f"{col}/transaction-date")

    def _tx_value(self, col: str, tx):
        """``(value element, amount, currency, value date)`` of the transaction."""
        v = tx.find("value")
        if v is None:
            self.missing(tx, f"{col}/value", "value", 'add <value currency="…">amount</value>')
            return None, None, None, None
        amount = self.amount_of(v, f"{col}/value")
        cur = self.currency_of(v, f"{col}/value")
        return v, amount, cur, self.value_date_of(v, col)

    def value_date_of(self, v, col: str) -> str | None:
        """``value/@value-date`` as ``YYYY-MM-DD`` (the date the value's currency was fixed),
        or None when it is not given or not a date (a problem)."""
        raw = (v.get("value-date") or "").strip()
        if not raw:
            return None
        try:
            return parse_date(raw)
        except ValueError as e:
            self.problem(v, f"{col}/value/@value-date", raw, str(e), DATE_HINT)
            return None

    def _tx_parties(self, col: str, tx, code, provider, receiver, participants):
        """Donor and recipient of the flow: the provider and receiver, or for incoming
        money the funding participant and the reporter, otherwise the reporter and the
        implementing participant."""
        incoming = code in INCOMING_TYPES
        first = {r: m for r, m, _ in reversed(participants)}
        donor = provider or (first.get("1") if incoming else self.reporting)
        recipient = receiver or (self.reporting if incoming else first.get("4"))
        found = []
        for who, what, role in (
            (donor, "provider-org", "funding"),
            (recipient, "receiver-org", "implementing"),
        ):
            if code is not None and who is None and not self.f.strict:
                who = self._unpublished(tx, col, what, role)
            elif code is not None and who is None:
                self.problem(
                    tx,
                    f"{col}/{what}",
                    None,
                    f"no {what}, and the activity names no {role} participating-org to "
                    "stand for it",
                    f'add <{what} ref="…"> to the transaction',
                )
            found.append(who)
        return found[0], found[1]

    def _unpublished(self, tx, col: str, what: str, role: str) -> OrgMention:
        """The one node that stands for an organisation the publisher did not name."""
        side = "provider" if what == "provider-org" else "recipient"
        m = OrgMention(
            f"unpublished:{side}", f"{side.capitalize()} not published", None, tx, f"{col}/{what}"
        )
        m.org_id = m.ref
        self.lenient(
            tx,
            f"{col}/{what}",
            None,
            f"no {what}, and the activity names no {role} participating-org: the flow's "
            f"{side} is recorded as '{m.org_id}' (the standard makes {what} optional)",
            f'add <{what} ref="…"> to the transaction',
        )
        self.registry.org(
            m.org_id,
            m.name,
            "other",
            "other",
            typed=True,
            quote=self.where(f"{col} names no {what}"),
            location=self.loc(tx),
        )
        return m

    def _activity_start(self) -> str | None:
        for ad in self.act.findall("activity-date"):
            raw = (ad.get("iso-date") or "").strip()
            if (ad.get("type") or "").strip() in (
                "1",
                "2",
                "start-planned",
                "start-actual",
            ) and raw:
                return raw[:10]
        return None

    def _tx_notices(self, values: dict, v, col: str, cur, year) -> None:
        """The USD rate of the flow at ``year`` (its value date, else its date), or a notice
        that there is none."""
        notes = ()
        if cur != "USD":
            rate = self.f.rates.quote(cur, year)
            if rate is not None:
                values["usd_rate"] = repr(rate.usd_per_unit)
                values["rate_source"] = rate.source
            else:
                notes = (
                    Notice(
                        self.loc(v),
                        f"{col}/value/@currency",
                        f"{cur} {year}",
                        missing_rate_message(cur, year),
                        missing_rate_hint(cur, year),
                    ),
                )
        values[NOTICES_KEY] = notes

    def _transaction(self, k, tx, provider, receiver, participants) -> None:
        col = f"transaction[{k}]"
        before = len(self.problems)
        raw_type, code = self._tx_type(col, tx)
        date = self._tx_date(col, tx)
        v, amount, cur, value_date = self._tx_value(col, tx)
        if date is None and len(self.problems) == before:
            date = value_date or self._activity_start()
            if date is None:
                self.problem(
                    tx,
                    f"{col}/transaction-date",
                    None,
                    "no usable date: neither the transaction, its value nor the activity has one",
                    'add <transaction-date iso-date="YYYY-MM-DD"/>',
                )
        donor, recipient = self._tx_parties(col, tx, code, provider, receiver, participants)
        if len(self.problems) > before or not self.aid:
            return
        _type_name, flow_type = TRANSACTION_TYPES[code]
        quote = self.where(f"{col} (type {raw_type}, value {amount} {cur}, {date})")
        for m, what in ((provider, "provider-org"), (receiver, "receiver-org")):
            if m is not None:
                self.register(m, self.where(f"{col}/{what} ({m.org_id})"))
        values = {
            "flow_id": f"{self.aid}#t{k}",
            "donor_id": donor.org_id,
            "recipient_id": recipient.org_id,
            "project_id": self.aid,
            "year": date[:4],
            "amount": amount,
            "currency": cur,
            "kind": "cash",
            "channel": "extrabudgetary",
            "flow_type": flow_type,
            "date": date,
            "value_date": value_date,
            "quote": quote,
            "source_id": self.f.source_id,
        }
        self._tx_notices(values, v, col, cur, value_date or date)
        if code in INCOMING_TYPES:
            pid = (provider.element.get("provider-activity-id") or "").strip() if provider else ""
            if pid and pid != self.aid:
                values["provider_project_id"] = pid
        else:
            rid = (receiver.element.get("receiver-activity-id") or "").strip() if receiver else ""
            if rid and rid != self.aid:
                self.pending.append((values, rid, self.loc(tx)))
                return
        self.row("funding", values, tx)


def _sources(sources: set) -> str:
    """One text for the sources of several rates."""
    named = sorted(s for s in sources if s)
    if len(named) <= 3:
        return "; ".join(named)
    return f"{len(named)} rates, e.g. " + "; ".join(named[:2])
