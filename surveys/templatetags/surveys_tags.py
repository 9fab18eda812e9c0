"""Template tags other apps use to show survey facts: `{% load surveys_tags %}`."""

from django import template

from fenglin.access import scope_for
from surveys.selectors import area_panel

register = template.Library()


@register.inclusion_tag("surveys/_area_panel.html", takes_context=True)
def area_survey_panel(context, area) -> dict:
    """Field visits and survey response counts of an area, for the area's page.

    Shows only what the viewing user may see: nothing of another area to committee staff.
    """
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    empty = {"area": area, "show_visits": False, "show_responses": False}
    if user is None or not user.is_authenticated or area is None:
        return empty
    if not scope_for(user).allows(area):
        return empty
    show_visits = user.has_perm("surveys.view_fieldvisit")
    show_responses = user.has_perm("surveys.view_response")
    data = area_panel(area) if show_visits or show_responses else {}
    return {
        "area": area,
        "visits": data.get("visits", []),
        "surveys": data.get("surveys", []),
        "show_visits": show_visits,
        "show_responses": show_responses,
        "can_add_visit": user.has_perm("surveys.add_fieldvisit"),
        "can_view_results": user.has_perm("surveys.view_survey"),
    }
