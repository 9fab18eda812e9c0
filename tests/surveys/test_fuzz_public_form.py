"""Hypothesis fuzzing of every field of the public form: never a 500, never a partial save."""

import uuid

from django.core.cache import cache
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from surveys.models import Answer, Response
from tests.builders import make_area, make_full_survey, valid_post

TEXT = st.text(max_size=60)
VALUE = st.one_of(
    TEXT,
    st.integers(min_value=-(10**12), max_value=10**12).map(str),
    st.decimals(allow_nan=True, allow_infinity=True, places=8).map(str),
    st.sampled_from(["", " ", "0", "1", "5", "1e9", "NaN", "-0", "\x00", "３", "３１.１９"]),
)
FIELD_VALUE = st.one_of(st.none(), VALUE, st.lists(VALUE, max_size=4))


class PublicFormFuzz(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.area = make_area(code="fuzz", name="Fuzz")
        cls.survey, cls.qs = make_full_survey()
        point = cls.qs["point"].field_name
        cls.names = [q.field_name for q in cls.qs.values()] + [
            f"{point}_lat",
            f"{point}_lng",
            "idempotency_key",
            "website",
        ]

    @settings(
        max_examples=80,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    @given(data=st.data())
    def test_any_input_is_answered_without_error_or_partial_save(self, data):
        cache.clear()  # keep the rate limits out of the way
        post = valid_post(self.qs, self.area)
        for name in data.draw(st.lists(st.sampled_from(self.names), unique=True, max_size=6)):
            value = data.draw(FIELD_VALUE)
            if value is None:
                post.pop(name, None)
            else:
                post[name] = value
        if data.draw(st.booleans()):
            post["idempotency_key"] = str(uuid.uuid4())
        before = (Response.objects.count(), Answer.objects.count())
        page = Client().post(self.survey.get_public_url(), post)
        assert page.status_code in (200, 302), page.status_code
        after = (Response.objects.count(), Answer.objects.count())
        if page.status_code == 200:
            assert after == before  # shown again with messages: nothing stored
        else:
            assert after[0] - before[0] in (0, 1)
            if after[0] > before[0]:
                stored = Response.objects.latest("pk")
                assert after[1] - before[1] == stored.answers.count()
