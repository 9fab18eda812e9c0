"""Forms of the planning reviews: the monthly review's visitor counts, the subtraction
review's filter."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


class VisitorsForm(forms.Form):
    """Staff's visitor count per month for each operating site: one field per site.

    Each field carries the count the page showed (`show_hidden_initial`), so a save writes only
    the counts this person changed, and refuses one that someone else changed meanwhile instead
    of overwriting it.
    """

    def __init__(self, *args, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.sites = {site.pk: site for site in sites}
        for site in sites:
            self.fields[self.field_name(site)] = forms.IntegerField(
                label=_("Visitors per month at %(site)s") % {"site": site.name},
                required=False,
                min_value=0,
                max_value=10_000_000,
                initial=site.visitors_per_month,
                show_hidden_initial=True,
                widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
            )

    @staticmethod
    def field_name(site) -> str:
        return f"visitors_{site.pk}"

    def _shown(self, name: str) -> tuple[bool, int | None]:
        """Whether the page posted the count it showed for this field, and that count."""
        key = self.add_initial_prefix(name)
        if key not in self.data:
            return False, None
        try:
            return True, self.fields[name].to_python(self.data[key])
        except ValidationError:
            return True, None

    def clean(self):
        cleaned = super().clean()
        for name in self.changed_data:
            if name in self.errors:
                continue
            site = self.sites[int(name.removeprefix("visitors_"))]
            posted, shown = self._shown(name)
            if posted and site.visitors_per_month != shown:
                now = site.visitors_per_month
                self.add_error(
                    name,
                    _(
                        "Someone else changed this count to %(now)s while you were editing. "
                        "Save again to replace it with yours."
                    )
                    % {"now": "–" if now is None else now},
                )
                # The page shown again carries the count as it is now, so saving it again is a
                # deliberate overwrite made after reading the message.
                self.data = self.data.copy()
                self.data[self.add_initial_prefix(name)] = "" if now is None else str(now)
        return cleaned

    def visitors(self) -> dict[int, int | None]:
        """The counts this person changed, by site id."""
        return {
            int(name.removeprefix("visitors_")): self.cleaned_data[name]
            for name in self.changed_data
        }


class SubtractionFilterForm(forms.Form):
    min_reasons = forms.TypedChoiceField(
        label=_("At least this many reasons"),
        choices=[(n, n) for n in range(1, 6)],
        coerce=int,
        required=False,
        empty_value=1,
    )
