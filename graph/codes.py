"""The code lists of the schema: sectors, organization types, project statuses, event kinds,
flow kinds and types, channels, region schemes and the years a record may hold
(:mod:`graph.schema` builds the record kinds from them).

>>> "un_system" in SECTORS, YEAR_MIN
(True, 1945)
"""

__all__ = [
    "YEAR_MIN",
    "YEAR_MAX",
    "SECTORS",
    "ORG_TYPES",
    "PROJECT_STATUSES",
    "EVENT_KINDS",
    "FLOW_KINDS",
    "CHANNELS",
    "FLOW_TYPES",
    "REGION_SCHEMES",
]

YEAR_MIN = 1945
YEAR_MAX = 2100

#: Donor / partner sectors used by the diversity analyses.
SECTORS = (
    "government",
    "un_system",
    "university",
    "private_company",
    "foundation",
    "ngo",
    "network",
    "pool",
    "other",
)

#: Finer organization types (free of analysis meaning; shown to users).
ORG_TYPES = (
    "un_institute",
    "un_unit",
    "un_field_office",
    "un_agency",
    "un_category2_centre",
    "ministry",
    "national_commission",
    "government_agency",
    "university",
    "school",
    "company",
    "foundation",
    "ngo",
    "association",
    "intergovernmental",
    "donor_pool",
    "other",
)

PROJECT_STATUSES = ("ongoing", "new", "completed", "extended", "planned")
EVENT_KINDS = (
    "conference",
    "forum",
    "webinar",
    "webinar_series",
    "workshop",
    "seminar",
    "meeting",
    "competition",
    "award",
    "study_tour",
    "campaign",
    "other",
)
FLOW_KINDS = ("cash", "in_kind")
CHANNELS = (
    "regular_budget",
    "host_country",
    "decentralized",
    "extrabudgetary",
    "carry_over",
    "interest",
    "special_account",
    "in_kind",
    "other",
)
#: What a flow records. Empty in the bundled data (money received, as the report gives it);
#: IATI transaction types and 360Giving awards map onto these.
FLOW_TYPES = (
    "income",
    "incoming_funds",
    "incoming_commitment",
    "commitment",
    "disbursement",
    "expenditure",
    "grant",
    "other",
)
#: ``dac``: OECD DAC regional buckets of IATI (``dac:298`` Africa, regional); ``iati``: a
#: reporting organisation's own regions in an IATI file (vocabulary 99).
REGION_SCHEMES = ("unesco", "m49", "m49_subregion", "focus", "dac", "iati")
