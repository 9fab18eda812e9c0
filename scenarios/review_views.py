"""The planning reviews' pages: the monthly review (staff who may change sites enter the
visitor counts there) and the subtraction review.

They keep their addresses under /sites/safety/ and their names in the "sites" namespace
(mounted by fenglin/urls.py, since sites may not import scenarios). Readers of inspections
may open them; everyone else gets 403.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from fenglin.access import StaffRequiredMixin
from scenarios import reviews
from scenarios.review_forms import SubtractionFilterForm, VisitorsForm
from sites import services as site_services
from sites.models import Site
from sites.network import walking_model

VIEW = "sites.view_inspection"


class MonthlyReviewView(StaffRequiredMixin, TemplateView):
    """Per operating site: visitors, satisfaction, open findings, overdue checks, coverage.

    Staff who may change sites enter the visitor counts here.
    """

    permission_required = VIEW
    template_name = "scenarios/review_monthly.html"

    def can_edit(self) -> bool:
        return self.request.user.has_perm("sites.change_site")

    def get_context_data(self, form=None, **kwargs):
        site_reviews = reviews.monthly_review()
        if self.can_edit():
            form = form or VisitorsForm(sites=[r.site for r in site_reviews])
            for review in site_reviews:
                name = VisitorsForm.field_name(review.site)
                review.visitors_field = form[name] if name in form.fields else None
        return super().get_context_data(
            reviews=site_reviews,
            form=form,
            walking=walking_model(),
            totals={
                "visitors": sum(r.site.visitors_per_month or 0 for r in site_reviews),
                "open_findings": sum(r.open_findings_total for r in site_reviews),
                "overdue": sum(r.overdue_checks for r in site_reviews),
            },
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        if not self.can_edit():
            raise PermissionDenied
        sites = Site.objects.operating().order_by("name", "pk")
        form = VisitorsForm(request.POST, sites=sites)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        changed = site_services.record_visitors(visitors=form.visitors())
        messages.success(
            request, _("Visitor counts saved (%(count)s changed).") % {"count": changed}
        )
        return HttpResponseRedirect(reverse("sites:monthly_review"))


class SubtractionReviewView(StaffRequiredMixin, TemplateView):
    """Sites worth closing or merging, each with its reasons."""

    permission_required = VIEW
    template_name = "scenarios/review_subtraction.html"

    def get_context_data(self, **kwargs):
        form = SubtractionFilterForm(self.request.GET or None)
        min_reasons = (form.cleaned_data["min_reasons"] or 1) if form.is_valid() else 1
        return super().get_context_data(
            filter_form=form,
            reviews=reviews.subtraction_review(min_reasons=min_reasons),
            thresholds={
                "low_satisfaction": reviews.LOW_SATISFACTION,
                "min_ratings": reviews.MIN_RATINGS,
                "small_coverage": reviews.SMALL_COVERAGE_RESIDENTS,
                "merge_walk_m": reviews.MERGE_WALK_M,
            },
            **kwargs,
        )
