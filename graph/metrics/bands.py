"""The HHI's bands under the US merger guidelines (2023 and 2010).

>>> hhi_band(1800).band, hhi_band(1800.5).band, hhi_band(2500, guideline="2010").band
('moderately concentrated', 'highly concentrated', 'moderately concentrated')
"""

from __future__ import annotations

from dataclasses import dataclass

from graph.errors import AnalysisError

__all__ = ["HHIBand", "hhi_band"]


@dataclass(frozen=True)
class HHIBand:
    """Where an HHI value falls under one set of US merger guidelines.

    Attributes
    ----------
    band : str
        ``"unconcentrated"``, ``"moderately concentrated"`` or ``"highly concentrated"``.
    guideline : str
        The guideline's name, to show next to the band.
    thresholds : tuple of float
        ``(low, high)``: below ``low`` unconcentrated, above ``high`` highly concentrated.
    """

    band: str
    guideline: str
    thresholds: tuple[float, float]


_GUIDELINES: dict[str, tuple[str, tuple[float, float]]] = {
    "2023": ("2023 US merger guidelines", (1_000.0, 1_800.0)),
    "2010": ("2010 US Horizontal Merger Guidelines", (1_500.0, 2_500.0)),
}


def hhi_band(value: float, *, guideline: str = "2023") -> HHIBand:
    """The concentration band of an HHI value under the 2023 or 2010 US guidelines.

    2023: above 1,800 highly concentrated, 1,000 to 1,800 moderately, below 1,000
    unconcentrated. 2010: above 2,500 highly, 1,500 to 2,500 moderately, below 1,500
    unconcentrated. Boundaries follow the guidelines' wording ("above", "between",
    "below"): a value exactly on a threshold is *moderately concentrated*, so 1,800 and
    1,000 are moderate under 2023, and 2,500 and 1,500 under 2010.

    Parameters
    ----------
    value : float
        An HHI on 0-10,000.
    guideline : {"2023", "2010"}, default "2023"

    Returns
    -------
    HHIBand

    Examples
    --------
    >>> hhi_band(3450)
    HHIBand(band='highly concentrated', guideline='2023 US merger guidelines', thresholds=(1000.0, 1800.0))
    >>> hhi_band(1800).band, hhi_band(1800.5).band, hhi_band(999.9).band
    ('moderately concentrated', 'highly concentrated', 'unconcentrated')
    >>> hhi_band(2000, guideline="2010").band
    'moderately concentrated'
    """  # noqa: E501
    key = str(guideline)
    if key not in _GUIDELINES:
        raise AnalysisError(f"unknown guideline {guideline!r}; use '2023' or '2010'")
    try:
        v = float(value)
    except (TypeError, ValueError) as e:
        raise AnalysisError(f"HHI must be a number on 0-10,000, not {value!r}") from e
    if not -1e-6 <= v <= 10_000 + 1e-6:
        raise AnalysisError(f"HHI must be a number on 0-10,000, not {value!r}")
    name, (low, high) = _GUIDELINES[key]
    if v > high:
        band = "highly concentrated"
    elif v >= low:
        band = "moderately concentrated"
    else:
        band = "unconcentrated"
    return HHIBand(band=band, guideline=name, thresholds=(low, high))


# ------------------------------------------------------------------------------ summary
