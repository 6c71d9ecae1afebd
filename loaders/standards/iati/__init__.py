"""Read IATI activity files (standard 2.0x, and 1.0x) into the explorer's record kinds.

The file is streamed: the XML parser is fed 64 KiB at a time, each ``iati-activity`` is built
as a small element tree, turned into rows, then dropped — a 100 MB file never sits in memory.
What is read, and what it becomes (the same record kinds the CSV loaders give, so the rows go
through the same validation, batch and stores):

=========================================  =============================================
IATI                                       record
=========================================  =============================================
the file                                   ``sources`` ``iati:<file name>``
``reporting-org``, ``participating-org``,  ``organizations``: ``@ref`` or ``name:<slug>``;
``provider-org``, ``receiver-org``         sector and type from ``@type``
``iati-activity``                          ``projects``: identifier, title, status, years,
                                           budget, description (+ sectors)
``participating-org/@role``                ``partnerships``: 1 → donor, 2 → lead,
                                           3 → coordinator, 4 → implementer
``recipient-country``                      ``targets`` to a ``countries`` row (alpha-2 →
                                           alpha-3), share = ``@percentage``
``recipient-region``                       ``targets`` to a ``regions`` row: ``dac:<code>``,
                                           ``m49:<code>`` or ``iati:<org>:<code>``
``transaction``                            ``funding``: one flow ``<activity>#t<n>``
=========================================  =============================================

Every choice (defaults for a missing provider or receiver, status and role mappings, budgets)
is written out in ``docs/standards.md``; the code tables below are the single source.

Each row carries its provenance: ``source_id`` (the file) and ``quote``, a short literal
description of the element the fact came from, e.g.
``iati-activity XM-DAC-41304-123 / transaction[2] (type 2, value 50000 USD, 2024-03-01)``.

Bad input is reported as :class:`~loaders.records.Problem` items naming the file, the line,
the activity identifier (``Location.item``), the element and the value — every one, in one
pass; a file with any problem loads nothing. A DOCTYPE is refused outright (IATI files never
have one, and it is how entity-expansion attacks start).

Examples
--------
>>> xml = b'''<iati-activities version="2.03">
...  <iati-activity default-currency="EUR">
...   <iati-identifier>XM-EX-1</iati-identifier>
...   <reporting-org ref="XM-EX" type="40"><narrative>Example Agency</narrative></reporting-org>
...   <title><narrative>Schools online</narrative></title>
...   <participating-org role="1" ref="GB-GOV-1" type="10"><narrative>UK</narrative></participating-org>
...   <activity-status code="2"/>
...   <recipient-country code="KZ"/>
...   <transaction><transaction-type code="1"/><transaction-date iso-date="2024-03-01"/>
...    <value>50000</value></transaction>
...  </iati-activity></iati-activities>'''
>>> import io
>>> items = list(read_iati(io.BytesIO(xml), name="ex.xml"))
>>> [i.kind for i in items]  # doctest: +NORMALIZE_WHITESPACE
['sources', 'projects', 'partnerships', 'targets', 'funding', 'organizations',
 'organizations', 'countries', 'countries']
>>> flow = items[4].values
>>> flow["donor_id"], flow["recipient_id"], flow["flow_type"], flow["amount"], flow["currency"]
('GB-GOV-1', 'XM-EX', 'incoming_funds', '50000', 'EUR')
>>> flow["quote"]
'iati-activity XM-EX-1 / transaction[1] (type 1, value 50000 EUR, 2024-03-01)'
>>> from loaders.records import Problem
>>> bad = xml.replace(b'code="KZ"', b'code="QQ"')
>>> print([p for p in read_iati(io.BytesIO(bad), name="ex.xml") if isinstance(p, Problem)][0])
ex.xml, line 8, XM-EX-1, column 'recipient-country[1]/@code', value 'QQ': unknown ISO 3166-1 alpha-2 country code. Fix: use the two-letter code IATI uses, e.g. KZ for Kazakhstan
"""

from loaders.standards.iati.codelists import (
    ACTIVITY_STATUS,
    DAC_REGIONS,
    DATE_TYPES,
    INCOMING_TYPES,
    M49_REGIONS,
    ORGANISATION_TYPES,
    ROLE_TO_PARTNERSHIP,
    ROLES,
    TRANSACTION_TYPES,
    TRANSACTION_TYPES_1X,
)
from loaders.standards.iati.reader import read_iati

__all__ = [
    "read_iati",
    "ROLES",
    "ROLE_TO_PARTNERSHIP",
    "TRANSACTION_TYPES",
    "TRANSACTION_TYPES_1X",
    "INCOMING_TYPES",
    "ACTIVITY_STATUS",
    "DATE_TYPES",
    "ORGANISATION_TYPES",
    "DAC_REGIONS",
    "M49_REGIONS",
]
