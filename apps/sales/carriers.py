"""Known carriers and their public tracking pages (a link per shipment)."""

from __future__ import annotations

from urllib.parse import quote

CARRIERS: dict[str, tuple[str, str]] = {
    # code: (name, tracking URL with {n} for the tracking number)
    "ups": ("UPS", "https://www.ups.com/track?tracknum={n}"),
    "fedex": ("FedEx", "https://www.fedex.com/fedextrack/?trknbr={n}"),
    "usps": ("USPS", "https://tools.usps.com/go/TrackConfirmAction?tLabels={n}"),
    "dhl": ("DHL", "https://www.dhl.com/en/express/tracking.html?AWB={n}"),
    "royalmail": ("Royal Mail", "https://www.royalmail.com/track-your-item#/tracking-results/{n}"),
    "dpd": ("DPD", "https://tracking.dpd.de/status/en_US/parcel/{n}"),
    "postnl": ("PostNL", "https://jouw.postnl.nl/track-and-trace/{n}"),
    "other": ("Other", ""),
}


def carrier_choices() -> list[tuple[str, str]]:
    return [(code, name) for code, (name, _url) in CARRIERS.items()]


def carrier_name(code: str) -> str:
    return CARRIERS.get(code, (code, ""))[0]


def tracking_url(carrier: str, tracking_number: str) -> str:
    """The carrier's tracking page for this number, or "" for unknown carriers."""
    template = CARRIERS.get((carrier or "").lower(), ("", ""))[1]
    if not template or not tracking_number:
        return ""
    return template.format(n=quote(tracking_number.strip(), safe=""))
