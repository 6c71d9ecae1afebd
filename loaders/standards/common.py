"""What the IATI and 360Giving readers share: countries from codes and identifiers, slugs for
organisations with no identifier, and the registry that turns every organisation, country and
region a file mentions into one record each.

>>> slug("Fundación Niños (FN)")
'fundacion-ninos-fn'
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field

from loaders.records import (
    RawRow,
)


def country_from_alpha2(code: str) -> tuple[str, str] | None:
    """``(iso3, name)`` for an ISO 3166-1 alpha-2 code, or ``None``.

    >>> country_from_alpha2("KZ"), country_from_alpha2("kz"), country_from_alpha2("QQ")
    (('KAZ', 'Kazakhstan'), ('KAZ', 'Kazakhstan'), None)
    """
    import pycountry

    code = (code or "").strip().upper()
    if not re.fullmatch(r"[A-Z]{2}", code):
        return None
    c = pycountry.countries.get(alpha_2=code)
    return (c.alpha_3, c.name) if c else None


def country_of_identifier(org_id: str) -> tuple[str, str] | None:
    """The country of an organisation identifier's registration agency prefix, if any.

    Organisation identifiers (org-id.guide, used by IATI and 360Giving) start with the
    agency's country: ``GB-CHC-…`` is England and Wales' Charity Commission. International
    prefixes (``XM-DAC``, ``XI-IATI``, ``360G``) name no country.

    >>> country_of_identifier("GB-CHC-1234567"), country_of_identifier("XM-DAC-41304")
    (('GBR', 'United Kingdom'), None)
    """
    m = re.match(r"^([A-Z]{2})-[A-Za-z0-9]", org_id or "")
    return country_from_alpha2(m[1]) if m else None


def slug(name: str) -> str:
    """A lower-case ASCII slug of a name, for ids of organisations that have no identifier.

    >>> slug("  Fundación Niños del Sur (FNS) ")
    'fundacion-ninos-del-sur-fns'
    """
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "unnamed"


def norm_name(name: str) -> str:
    return " ".join(name.lower().split())


@dataclass
class Registry:
    """Organizations, countries and regions met in one file, each yielded once at the end.

    The first mention of an id gives its name and provenance; a later mention may add an
    organization type the first one lacked. Organizations based in a country (from their
    identifier prefix) get that country too.
    """

    name: str
    source_id: str
    orgs: dict = field(default_factory=dict)
    countries: dict = field(default_factory=dict)
    regions: dict = field(default_factory=dict)

    def org(self, org_id, name, sector, org_type, *, typed, quote, location) -> None:
        """Note an organization."""
        seen = self.orgs.get(org_id)
        if seen is None:
            self.orgs[org_id] = {
                "values": {
                    "org_id": org_id,
                    "name": name or org_id,
                    "sector": sector,
                    "org_type": org_type,
                    "source_id": self.source_id,
                    "quote": quote,
                },
                "typed": typed,
                "location": location,
            }
        elif typed and not seen["typed"]:
            seen["values"].update(sector=sector, org_type=org_type)
            seen["typed"] = True

    def country(self, iso3, name, *, quote, location) -> None:
        """Note a country."""
        self.countries.setdefault(
            iso3,
            (
                {"iso3": iso3, "name": name, "source_id": self.source_id, "quote": quote},
                location,
            ),
        )

    def region(self, region_id, name, scheme, *, quote, location) -> None:
        """Note a region."""
        self.regions.setdefault(
            region_id,
            (
                {
                    "region_id": region_id,
                    "name": name,
                    "scheme": scheme,
                    "source_id": self.source_id,
                    "quote": quote,
                },
                location,
            ),
        )

    def merge(self, other: Registry) -> None:
        """Add what ``other`` met (a registry of one activity or grant that had no problem)."""
        for org_id, o in other.orgs.items():
            v = o["values"]
            self.org(
                org_id,
                v["name"],
                v["sector"],
                v["org_type"],
                typed=o["typed"],
                quote=v["quote"],
                location=o["location"],
            )
        for k, v in other.countries.items():
            self.countries.setdefault(k, v)
        for k, v in other.regions.items():
            self.regions.setdefault(k, v)

    def rows(self) -> Iterator[RawRow]:
        """``organizations``, then ``countries`` (with those the organizations are based in),
        then ``regions``."""
        for org_id, o in self.orgs.items():
            values = dict(o["values"])
            home = country_of_identifier(org_id)
            if home:
                values["country"] = home[0]
                self.country(
                    home[0],
                    home[1],
                    quote=f"country prefix {org_id[:2]} of organisation identifier {org_id}",
                    location=o["location"],
                )
            yield RawRow("organizations", values, o["location"], published=True)
        for values, loc in self.countries.values():
            yield RawRow("countries", values, loc, published=True)
        for values, loc in self.regions.values():
            yield RawRow("regions", values, loc, published=True)
