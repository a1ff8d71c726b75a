"""OCDS 1.1.5 release packages for a DPS and for a tender, read from the models.

How our data maps to OCDS (one contracting process per DPS, and one per tender):

* ocid: ``{OCDS_PREFIX}-dps-{reference}`` and ``{OCDS_PREFIX}-tender-{reference}``.
* Parties: the lead authority is ``buyer`` and ``procuringEntity`` (and ``release.buyer``).
  A DPS's partner authorities are ``buyer`` too: they may buy through it. Active members of a
  DPS are ``supplier``: OCDS models the suppliers on a framework (or DPS) as its awards. A
  tender's bidders are ``tenderer``, and its winners will be ``supplier``.
* The DPS: its categories (service types) are ``tender.items``, each classified by the
  category code and with the zones as additional classifications. Zones are not lots: nobody
  competes for them at this stage. Each active membership is an award whose items are the
  categories and zones the member is admitted to. The selection questionnaire is summarised in
  ``tender.eligibilityCriteria``.
* A tender: each lot is a ``tender.lots`` entry (lots extension) with one item (the category
  in the lot's zones, hours a week) and the award criteria: each quality question's share of
  the quality weighting and the price weighting (award criteria breakdown extension). The
  tender points to its DPS through ``techniques`` and ``relatedProcesses``.
* Bid statistics (bid extension) count rows; no bid is ever decrypted. Providers invited per
  lot are published from publication on. Bids per lot, bids from SMEs, all bids and distinct
  bidders (and the bidders' names, as tenderers) only once the closing time has passed and
  the tender has closed, because before then bids can still change.
* Awards and contracts (a later stage) come in as plain data: ``AwardData`` (suppliers,
  ``relatedLots``, date, status) and ``ContractData`` (``awardID``, period, date signed, items
  with the hourly rate, and ``RateChange``s, published as amendments when an uplift changes
  the rate). Pass them to ``tender_release_package(tender, awards, contracts)``; without them
  it reads the tender's approved award and recorded contracts (``dps.ocds.tender_awards``).
"""

from dps.ocds.awards import AwardData, ContractData, RateChange, award_entries, contract_entries
from dps.ocds.dps_release import dps_release, dps_release_package, membership_awards
from dps.ocds.entries import ItemData, Parties, Party
from dps.ocds.packaging import (
    EXTENSION_URLS,
    lot_id,
    ocid,
    package,
    package_path,
    package_uri,
    release_id,
    to_json,
)
from dps.ocds.tender_release import bids_are_final, tender_release, tender_release_package

__all__ = [
    "EXTENSION_URLS",
    "AwardData",
    "ContractData",
    "ItemData",
    "Parties",
    "Party",
    "RateChange",
    "award_entries",
    "bids_are_final",
    "contract_entries",
    "dps_release",
    "dps_release_package",
    "lot_id",
    "membership_awards",
    "ocid",
    "package",
    "package_path",
    "package_uri",
    "release_id",
    "tender_release",
    "tender_release_package",
    "to_json",
]
