"""Inspection photos as stored: upright, at most 1600 px on the longer side, JPEG.

Phones take photos of 4000 px and more, several megabytes each, turned by an EXIF tag rather
than in the pixels. Storing them as they come fills the disk and makes the pages slow on a phone
connection; re-encoding also drops the EXIF data (GPS position, device) the office need not keep.
"""

from io import BytesIO
from pathlib import Path

from django.core.files.base import ContentFile
from django.utils.text import get_valid_filename
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_SIDE_PX = 1600
JPEG_QUALITY = 85


class NotAnImage(ValueError):
    """The file is not an image Pillow can read (or too large to decode safely)."""


def normalised_photo(upload, *, max_side: int = MAX_SIDE_PX) -> ContentFile:
    """The upload decoded, turned upright, shrunk to `max_side` and saved as a JPEG.

    Raises NotAnImage for anything that does not decode, including decompression bombs.
    """
    upload.seek(0)
    try:
        with Image.open(upload) as image:
            image.load()
            image = ImageOps.exif_transpose(image)
            image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
            if image.mode != "RGB":
                image = _flatten(image)
            out = BytesIO()
            image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError) as error:
        raise NotAnImage(str(error)) from error
    finally:
        upload.seek(0)
    stem = get_valid_filename(Path(upload.name or "photo").stem)[:60] or "photo"
    return ContentFile(out.getvalue(), name=f"{stem}.jpg")


def _flatten(image: Image.Image) -> Image.Image:
    """RGB on white: JPEG has no transparency, and a transparent background would turn black."""
    rgba = image.convert("RGBA")
    background = Image.new("RGB", rgba.size, "white")
    background.paste(rgba, mask=rgba.getchannel("A"))
    return background
