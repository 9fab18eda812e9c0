"""QR codes of a survey's public link, as inline SVG: no image request, no script and no style
attribute, so the strict Content-Security-Policy holds, and the page stylesheet sizes it."""

import io

import segno
from django.utils.safestring import SafeString, mark_safe


def qr_svg(url: str, *, title: str, description: str = "") -> SafeString:
    """The link as a QR code (error correction M: readable when a printed poster is creased).

    Without width and height the SVG scales to its container (`viewBox` only); segno escapes
    the title and description it writes into the markup.
    """
    code = segno.make(url, error="m", micro=False)
    out = io.BytesIO()
    code.save(
        out,
        kind="svg",
        xmldecl=False,
        svgns=True,
        omitsize=True,
        border=4,
        title=title,
        desc=description or url,
        svgclass="qr-code",
        lineclass="qr-code-line",
    )
    return mark_safe(out.getvalue().decode())  # noqa: S308 - segno's own escaped markup
