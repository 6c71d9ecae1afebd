"""The filters every read of a store takes (:class:`Filters`)."""

from __future__ import annotations

from dataclasses import asdict, dataclass

__all__ = ["Filters"]


@dataclass(frozen=True)
class Filters:
    """Filters that read operations accept; ``None`` means no filter.

    Parameters
    ----------
    year_from, year_to : int, optional
        Inclusive year range. Projects overlap it; events and flows fall in it.
    region : str, optional
        A ``region_id``: organizations based, projects targeting, events held there.
    country : str, optional
        An ISO3 code, with the same meaning.
    sector : str, optional
        Organization sector (organizations; funding flows by donor sector).
    external : bool
        Which funding flows a read counts: the data's own (``False``, the default: every
        figure of the institute) or only the published data about other funders loaded as
        external (``True``: prospecting). Nodes are not filtered by it.
    donors : iterable of str, optional
        Only the funding flows of these donors (organization ids), kept as a sorted tuple:
        an analysis that needs the flows of a few donors (those that leave, those whose
        agreements all end) reads those, not every flow. Nodes are not filtered by it.

    Examples
    --------
    >>> Filters(donors={"b", "a"}).donors, Filters(donors=["a"]).is_empty()
    (('a', 'b'), True)
    """

    year_from: int | None = None
    year_to: int | None = None
    region: str | None = None
    country: str | None = None
    sector: str | None = None
    external: bool = False
    donors: tuple | None = None

    def __post_init__(self):
        if self.donors is not None:  # one key for the same donors, whatever their order
            object.__setattr__(self, "donors", tuple(sorted(set(self.donors))))

    def is_empty(self) -> bool:
        """True when no filter of nodes is set (``external`` and ``donors`` only choose
        flows)."""
        flows_only = ("external", "donors")
        return all(v is None for k, v in asdict(self).items() if k not in flows_only)

    def params(self) -> dict:
        """The filters as query parameters (``donors`` as a list, or None)."""
        out = asdict(self)
        out["donors"] = list(self.donors) if self.donors is not None else None
        return out
