"""The planning reviews' addresses: /sites/safety/review/ and /sites/safety/subtraction/,
named "sites:monthly_review" and "sites:subtraction_review" as before they moved to planning.

fenglin/urls.py mounts these patterns inside the "sites" namespace: sites may not import
scenarios, so the project's URLconf joins the two.
"""

from django.urls import path

from scenarios import review_views

urlpatterns: list = [
    path("safety/review/", review_views.MonthlyReviewView.as_view(), name="monthly_review"),
    path(
        "safety/subtraction/",
        review_views.SubtractionReviewView.as_view(),
        name="subtraction_review",
    ),
]
