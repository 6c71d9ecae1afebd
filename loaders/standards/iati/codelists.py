"""IATI codelists: the code tables every IATI reader shares (checked against the published 2.03
lists), and how a 1.0x text code is looked up.

>>> by_name("Funding", ROLES)
'1'
"""

from __future__ import annotations

# -- code tables (IATI codelists, checked against the published 2.03 lists) -----------------

#: OrganisationRole: code → name; 1.0x used the names themselves as codes.
ROLES = {"1": "Funding", "2": "Accountable", "3": "Extending", "4": "Implementing"}
#: Role of a participating organisation → ``partnerships.role``.
ROLE_TO_PARTNERSHIP = {"1": "donor", "2": "lead", "3": "coordinator", "4": "implementer"}

#: TransactionType: code → (name, ``funding.flow_type``).
TRANSACTION_TYPES = {
    "1": ("Incoming Funds", "incoming_funds"),
    "2": ("Outgoing Commitment", "commitment"),
    "3": ("Disbursement", "disbursement"),
    "4": ("Expenditure", "expenditure"),
    "5": ("Interest Payment", "other"),
    "6": ("Loan Repayment", "other"),
    "7": ("Reimbursement", "disbursement"),
    "8": ("Purchase of Equity", "other"),
    "9": ("Sale of Equity", "other"),
    "10": ("Credit Guarantee", "other"),
    "11": ("Incoming Commitment", "incoming_commitment"),
    "12": ("Outgoing Pledge", "other"),
    "13": ("Incoming Pledge", "other"),
}
#: IATI 1.0x transaction type codes → 2.0x codes (IATI's 2.01 upgrade table).
TRANSACTION_TYPES_1X = {
    "IF": "1",
    "C": "2",
    "D": "3",
    "E": "4",
    "IR": "5",
    "LR": "6",
    "R": "7",
    "QP": "8",
    "QS": "9",
    "CG": "10",
}
#: Transaction types that bring money *into* the reporting activity.
INCOMING_TYPES = frozenset({"1", "11", "13"})

#: ActivityStatus: code → (name, ``projects.status``). Cancelled counts as completed (the
#: schema has no "cancelled"), suspended as ongoing; the IATI name stays in the quote.
ACTIVITY_STATUS = {
    "1": ("Pipeline/identification", "planned"),
    "2": ("Implementation", "ongoing"),
    "3": ("Finalisation", "completed"),
    "4": ("Closed", "completed"),
    "5": ("Cancelled", "completed"),
    "6": ("Suspended", "ongoing"),
}
STATUS_NAMES = {
    "pipeline/identification": "1",
    "pipeline": "1",
    "identification": "1",
    "implementation": "2",
    "finalisation": "3",
    "completion": "3",
    "closed": "4",
    "post-completion": "4",
    "cancelled": "5",
    "suspended": "6",
}

#: ActivityDateType: code → name; 1.0x used the names as codes.
DATE_TYPES = {"1": "start-planned", "2": "start-actual", "3": "end-planned", "4": "end-actual"}

#: OrganisationType: code → (name, ``organizations.sector``, ``organizations.org_type``).
ORGANISATION_TYPES = {
    "10": ("Government", "government", "government_agency"),
    "11": ("Local Government", "government", "government_agency"),
    "15": ("Other Public Sector", "government", "government_agency"),
    "21": ("International NGO", "ngo", "ngo"),
    "22": ("National NGO", "ngo", "ngo"),
    "23": ("Regional NGO", "ngo", "ngo"),
    "24": ("Partner Country based NGO", "ngo", "ngo"),
    "30": ("Public Private Partnership", "other", "other"),
    "40": ("Multilateral", "un_system", "intergovernmental"),
    "60": ("Foundation", "foundation", "foundation"),
    "70": ("Private Sector", "private_company", "company"),
    "71": ("Private Sector in Provider Country", "private_company", "company"),
    "72": ("Private Sector in Aid Recipient Country", "private_company", "company"),
    "73": ("Private Sector in Third Country", "private_company", "company"),
    "80": ("Academic, Training and Research", "university", "university"),
    "90": ("Other", "other", "other"),
}

#: Region codelist (RegionVocabulary 1, OECD DAC): code → name. Regional buckets, never
#: countries.
DAC_REGIONS = {
    "88": "States Ex-Yugoslavia unspecified",
    "89": "Europe, regional",
    "189": "North of Sahara, regional",
    "289": "South of Sahara, regional",
    "298": "Africa, regional",
    "380": "West Indies, regional",
    "389": "Caribbean & Central America, regional",
    "489": "South America, regional",
    "498": "America, regional",
    "589": "Middle East, regional",
    "619": "Central Asia, regional",
    "679": "South Asia, regional",
    "689": "South & Central Asia, regional",
    "789": "Far East Asia, regional",
    "798": "Asia, regional",
    "889": "Oceania, regional",
    "998": "Developing countries, unspecified",
    "1027": "Eastern Africa, regional",
    "1028": "Middle Africa, regional",
    "1029": "Southern Africa, regional",
    "1030": "Western Africa, regional",
    "1031": "Caribbean, regional",
    "1032": "Central America, regional",
    "1033": "Melanesia, regional",
    "1034": "Micronesia, regional",
    "1035": "Polynesia, regional",
}

#: UN M49 regions (RegionVocabulary 2): code → (name, scheme). Ids ``m49:<code>`` match the
#: bundled ``data/regions.csv``.
M49_REGIONS = {
    "001": ("World", "m49"),
    "002": ("Africa", "m49"),
    "009": ("Oceania", "m49"),
    "019": ("Americas", "m49"),
    "142": ("Asia", "m49"),
    "150": ("Europe", "m49"),
    "005": ("South America", "m49_subregion"),
    "011": ("Western Africa", "m49_subregion"),
    "013": ("Central America", "m49_subregion"),
    "014": ("Eastern Africa", "m49_subregion"),
    "015": ("Northern Africa", "m49_subregion"),
    "017": ("Middle Africa", "m49_subregion"),
    "018": ("Southern Africa", "m49_subregion"),
    "021": ("Northern America", "m49_subregion"),
    "029": ("Caribbean", "m49_subregion"),
    "030": ("Eastern Asia", "m49_subregion"),
    "034": ("Southern Asia", "m49_subregion"),
    "035": ("South-eastern Asia", "m49_subregion"),
    "039": ("Southern Europe", "m49_subregion"),
    "053": ("Australia and New Zealand", "m49_subregion"),
    "054": ("Melanesia", "m49_subregion"),
    "057": ("Micronesia", "m49_subregion"),
    "061": ("Polynesia", "m49_subregion"),
    "143": ("Central Asia", "m49_subregion"),
    "145": ("Western Asia", "m49_subregion"),
    "151": ("Eastern Europe", "m49_subregion"),
    "154": ("Northern Europe", "m49_subregion"),
    "155": ("Western Europe", "m49_subregion"),
    "202": ("Sub-Saharan Africa", "m49_subregion"),
    "419": ("Latin America and the Caribbean", "m49_subregion"),
}


ROLE_HINT = (
    "use 1 Funding, 2 Accountable, 3 Extending or 4 Implementing (1.0x: the names themselves)"
)


def by_name(raw: str, table: dict) -> str | None:
    low = raw.strip().lower()
    for code, name in table.items():
        if name.lower() == low:
            return code
    return None
