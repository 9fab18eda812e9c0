"""Hostile values and a small form reader, shared by the fuzz tests of public and staff forms.

A page's own HTML says which fields its form posts (hidden ones included), so the fuzz tests
need no list of field names that could fall behind the forms: they read the form, fill it in
validly, then replace one field (or every field) with each hostile value.
"""

from html.parser import HTMLParser
from urllib.parse import urlencode, urlsplit

POLYGON = "[[121.45, 31.19], [121.46, 31.19], [121.46, 31.20], [121.45, 31.19]]"


def _polygon(ring: str = POLYGON, **extra: str) -> str:
    members = "".join(f', "{key}": {value}' for key, value in extra.items())
    return f'{{"type": "Polygon", "coordinates": [{ring}]{members}}}'


# Values a broken phone, a bot or an attacker might send for any field. Lone surrogates cannot
# travel as UTF-8: they are sent as the bytes a careless client would produce (see `encode`).
HOSTILE: dict[str, str] = {
    "nul": "\x00",
    "control": "a\x01\x08\x0b\x1b\x7fb",
    "lone_surrogate": "\ud800",
    "surrogate_pair_halves": "x\udfff\ud83dy",
    "nan": "NaN",
    "infinity": "Infinity",
    "minus_infinity": "-Infinity",
    "1e309": "1e309",
    "5000_digits": "9" * 5000,
    "minus_5000_digits": "-" + "7" * 5000,
    "superscript_two": "²",
    "fullwidth": "３１．１９",
    "negative_id": "-1",
    "huge_id": "99999999999999999999999",
    "int64_plus_one": "9223372036854775808",
    "deep_json_array": "[" * 50_000 + "]" * 50_000,
    "deep_json_object": '{"a": ' * 3000 + "1" + "}" * 3000,
    "long": "长" * 20_000,
    "json_nan": _polygon(POLYGON.replace("121.45, 31.19]]", "NaN, 31.19]]")),
    "json_infinity": _polygon(POLYGON.replace("[121.46, 31.19]", "[Infinity, 31.19]")),
    "json_1e309": _polygon(POLYGON.replace("[121.46, 31.19]", "[1e309, 31.19]")),
    "json_5000_digits": _polygon(POLYGON.replace("[121.46, 31.20]", f"[{'1' * 5000}, 31.20]")),
    "json_nul": _polygon(name='"\\u0000"'),
    "json_lone_surrogate": _polygon(name='"\\ud800"'),
    "json_control_key": _polygon(**{"\\u0001": "1"}),
    "json_deep_coordinates": _polygon("[" * 2000 + "]" * 2000),
    "json_number": "5",
    "json_string": '"Polygon"',
}

# The values a field may accept and pass on to the model, a service or the database (a text
# field takes them all; an integer field without bounds takes the huge id): also sent in each
# field alone, with the other fields valid, so that they get that far.
PER_FIELD = ["5000_digits", "huge_id", "superscript_two", "long", "json_nul"]

# A few of each kind, for the same form posted by another role (the fields are the same).
SAMPLE = ["nul", "lone_surrogate", "nan", "5000_digits", "superscript_two", "huge_id"]


def encode(data: dict[str, str | list[str]]) -> bytes:
    """A form body as a client sends it; lone surrogates become the (invalid) bytes that
    UTF-8 encoders without checks write for them."""
    return urlencode(data, doseq=True, encoding="utf-8", errors="surrogatepass").encode("ascii")


def post_form(client, url: str, data: dict):
    return client.generic(
        "POST", url, encode(data), content_type="application/x-www-form-urlencoded"
    )


def get_query(client, url: str, data: dict):
    return client.get(f"{url}?{encode(data).decode('ascii')}")


class _FormReader(HTMLParser):
    """The fields of the page's own forms (posting back to the page, not e.g. the language
    switcher) of one method, with their current values."""

    def __init__(self, method: str, path: str) -> None:
        super().__init__(convert_charrefs=True)
        self.method = method
        self.path = path
        self.in_form = False
        self.fields: dict[str, list[str]] = {}
        self.names: list[str] = []
        self._select: str | None = None
        self._select_first: str | None = None
        self._select_chosen = False
        self._option_value: str | None = None
        self._textarea: str | None = None
        self._text: list[str] = []

    def _add_name(self, name: str) -> None:
        if name and name not in self.names and name != "csrfmiddlewaretoken":
            self.names.append(name)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = {key: (value if value is not None else "") for key, value in attrs}
        if tag == "form":
            target = urlsplit(a.get("action", "")).path
            self.in_form = a.get("method", "get").lower() == self.method and target in (
                "",
                self.path,
            )
            return
        if not self.in_form:
            return
        name = a.get("name", "")
        if tag == "input":
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "reset", "image") or not name:
                return
            self._add_name(name)
            if kind == "file":
                return
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.fields.setdefault(name, []).append(a.get("value", "on"))
                return
            self.fields.setdefault(name, []).append(a.get("value", ""))
        elif tag == "select" and name:
            self._add_name(name)
            self._select, self._select_first, self._select_chosen = name, None, False
        elif tag == "option" and self._select:
            self._option_value = a.get("value")
            value = self._option_value or ""
            if self._select_first is None and value:
                self._select_first = value
            if "selected" in a:
                self.fields.setdefault(self._select, []).append(value)
                self._select_chosen = True
        elif tag == "textarea" and name:
            self._add_name(name)
            self._textarea, self._text = name, []

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.in_form = False
        elif tag == "select" and self._select:
            if not self._select_chosen and self._select_first is not None:
                self.fields.setdefault(self._select, []).append(self._select_first)
            self._select = None
        elif tag == "textarea" and self._textarea:
            self.fields.setdefault(self._textarea, []).append("".join(self._text).lstrip("\n"))
            self._textarea = None


def read_form(
    html: str, path: str, method: str = "post"
) -> tuple[list[str], dict[str, str | list[str]]]:
    """(every field name, the values a browser would submit) of the forms of the page at
    `path` that send to the page itself."""
    reader = _FormReader(method, path)
    reader.feed(html)
    values = {k: v[0] if len(v) == 1 else v for k, v in reader.fields.items()}
    return reader.names, values
