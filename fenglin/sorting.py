"""Sorting a list page by a column the user picks, kept in the URL (`?sort=name`, `?sort=-name`).

The sort sits in the query string beside the filters and the page, so a sorted, filtered page
can be bookmarked, shared and paged through; headers link with Django's `{% querystring %}`.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db.models import F, QuerySet
from django.db.models.expressions import OrderBy
from django.http import HttpRequest


@dataclass(frozen=True)
class SortColumn:
    """One sortable header: how the list is sorted by it now and the link's next `sort` value."""

    key: str
    direction: str  # "ascending", "descending" or "" when the list is sorted by another column
    next_value: str

    @property
    def aria_sort(self) -> str:
        return self.direction or "none"


class Sorting:
    """The sort a request asks for among `fields` (a URL key -> model fields to order by).

    An unknown or missing `sort` falls back to `default`, never to an error: a mistyped URL
    still shows the list. Empty values sort last in either direction, and the primary key
    breaks ties so that paging never shows a row twice.
    """

    def __init__(self, value: str | None, fields: Mapping[str, Sequence[str]], default: str):
        self.fields = fields
        value = (value or "").strip()
        key = value.removeprefix("-")
        if key not in fields:
            value, key = default, default.removeprefix("-")
        self.key = key
        self.descending = value.startswith("-")
        self.value = value

    def order_by(self) -> list[OrderBy]:
        orders = [
            F(name).desc(nulls_last=True) if self.descending else F(name).asc(nulls_last=True)
            for name in self.fields[self.key]
        ]
        return [*orders, F("pk").asc()]

    def apply(self, queryset: QuerySet) -> QuerySet:
        return queryset.order_by(*self.order_by())

    @property
    def columns(self) -> dict[str, SortColumn]:
        """Each sortable header by key: its current direction and where a click takes it (the
        sorted column flips; another starts ascending)."""
        columns = {}
        for key in self.fields:
            if key == self.key:
                direction = "descending" if self.descending else "ascending"
                next_value = key if self.descending else f"-{key}"
            else:
                direction, next_value = "", key
            columns[key] = SortColumn(key=key, direction=direction, next_value=next_value)
        return columns


class SortedListMixin:
    """For a ListView: `sort_fields` and `default_sort` name the sortable columns; the template
    gets `sorting` (its `columns` for the headers). Call `sort(queryset)` in get_queryset."""

    sort_fields: Mapping[str, Sequence[str]] = {}
    default_sort = ""

    @property
    def sorting(self) -> Sorting:
        if not hasattr(self, "_sorting"):
            self._sorting = Sorting(
                self.request.GET.get("sort"), self.sort_fields, self.default_sort
            )
        return self._sorting

    def sort(self, queryset: QuerySet) -> QuerySet:
        return self.sorting.apply(queryset)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["sorting"] = self.sorting
        return context


def sorted_page(
    request: HttpRequest,
    queryset: QuerySet,
    *,
    fields: Mapping[str, Sequence[str]],
    default: str,
    per_page: int = 25,
) -> dict:
    """For a function view: the context a ListView would give (`page_obj`, `paginator`,
    `is_paginated`, the page's rows as `rows`) plus `sorting`. A page number past the end
    shows the last page rather than an error."""
    sorting = Sorting(request.GET.get("sort"), fields, default)
    paginator = Paginator(sorting.apply(queryset), per_page)
    page = paginator.get_page(request.GET.get("page"))
    return {
        "sorting": sorting,
        "paginator": paginator,
        "page_obj": page,
        "is_paginated": page.has_other_pages(),
        "rows": page.object_list,
    }
