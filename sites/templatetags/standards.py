"""Where a catalogue number comes from, beside it: {% standard_source st "threshold_m" %}."""

from django import template

from sites.catalogue import PremisesType, ServiceType

register = template.Library()


@register.inclusion_tag("sites/includes/standard_source.html")
def standard_source(service_type: ServiceType, number: str) -> dict:
    return {"entry": service_type.source_for(number)}


@register.inclusion_tag("sites/includes/threshold.html")
def threshold(service_type: ServiceType) -> dict:
    """The threshold in metres, as minutes at both walking speeds, and its source."""
    return {"service_type": service_type, "entry": service_type.source_for("threshold_m")}


@register.filter
def premises_label(value: str) -> str:
    """A premises type's label, for pages that keep only its value (a run's summary)."""
    return str(dict(PremisesType.choices).get(value, value))
