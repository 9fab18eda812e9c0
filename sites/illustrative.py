"""Whether the data a page's figures rest on are illustrative demo data, and which.

The demo marks what it loads as illustrative (areas, sites, housing estates, the walking network,
the street outline). Any figure built on them is illustrative too: the staff pages say so in one
banner, and exports in a note line.
"""

from django.db.models import CharField, Value
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from sites.models import Area, ResidentialPoint, Site, Street, WalkingNetwork

KINDS = {
    "areas": _("neighbourhood areas and their populations"),
    "sites": _("sites"),
    "estates": _("housing estates"),
    "network": _("the walking network"),
    "street": _("the street outline"),
}


def illustrative_kinds() -> list[str]:
    """The kinds of data in use that are illustrative, in KINDS order: one query."""
    sources = [
        Area.objects.filter(illustrative=True),
        Site.objects.filter(illustrative=True),
        ResidentialPoint.objects.filter(illustrative=True),
        WalkingNetwork.objects.active().filter(illustrative=True),
        Street.objects.filter(illustrative=True),
    ]
    parts = [
        queryset.order_by().values_list(Value(kind, output_field=CharField()))
        for queryset, kind in zip(sources, KINDS, strict=True)
    ]
    found = {kind for (kind,) in parts[0].union(*parts[1:]).order_by()}
    return [kind for kind in KINDS if kind in found]


def illustrative_labels() -> list[str]:
    return [str(KINDS[kind]) for kind in illustrative_kinds()]


def export_note() -> str | None:
    """The line an export starts with when its figures rest on illustrative data, else None."""
    labels = illustrative_labels()
    if not labels:
        return None
    return gettext("Illustrative: built on demo data (%(kinds)s), not on surveyed figures.") % {
        "kinds": pgettext("list separator", ", ").join(labels)
    }
