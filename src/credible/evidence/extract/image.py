"""Images: text by OCR, EXIF metadata as written (camera, times, GPS), and a perceptual
hash that survives resizing and recompression (``imagehash.phash``)."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any

from PIL import ExifTags, Image, ImageOps

from credible.evidence.extract.ocr import ocr_image, tesseract_version
from credible.evidence.extract.result import Extraction, library_version


def _plain(value: Any) -> Any:
    """An EXIF value as JSON can hold it: rationals as floats (their text would lose
    nothing a reader needs), bytes as text when they are text, else their length."""
    if isinstance(value, bytes):
        stripped = value.rstrip(b"\x00")
        try:
            return stripped.decode("ascii") if stripped.isascii() else f"<{len(value)} bytes>"
        except UnicodeDecodeError:  # pragma: no cover - isascii guards it
            return f"<{len(value)} bytes>"
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, Fraction) or type(value).__name__ == "IFDRational":
        f = float(value)
        return f if f == f else None  # 0/0 in a damaged EXIF
    if isinstance(value, int | float | str) or value is None:
        return value
    return str(value)


def _degrees(dms: Any, ref: Any) -> float | None:
    try:
        d, m, s = (float(x) for x in dms)
    except (TypeError, ValueError):
        return None
    value = d + m / 60 + s / 3600
    return -value if str(ref).upper() in ("S", "W") else value


def exif_metadata(image: Image.Image) -> dict[str, Any]:
    """EXIF tags by name, GPS in its own block (with decimal degrees added beside the
    values as written)."""
    exif = image.getexif()
    if not exif:
        return {}
    out: dict[str, Any] = {}
    for tag, value in exif.items():
        out[ExifTags.TAGS.get(tag, str(tag))] = _plain(value)
    for ifd_id in (ExifTags.IFD.Exif,):
        for tag, value in exif.get_ifd(ifd_id).items():
            name = ExifTags.TAGS.get(tag, str(tag))
            if name not in ("MakerNote", "UserComment") or isinstance(value, str):
                out[name] = _plain(value)
    gps_raw = exif.get_ifd(ExifTags.IFD.GPSInfo)
    out.pop("GPSInfo", None)
    out.pop("ExifOffset", None)
    if gps_raw:
        gps = {ExifTags.GPSTAGS.get(t, str(t)): _plain(v) for t, v in gps_raw.items()}
        lat = _degrees(gps_raw.get(2), gps_raw.get(1))
        lon = _degrees(gps_raw.get(4), gps_raw.get(3))
        if lat is not None and lon is not None:
            gps["latitude"], gps["longitude"] = round(lat, 7), round(lon, 7)
        out["GPS"] = gps
    return out


def perceptual_hash(image: Image.Image) -> str:
    import imagehash

    return str(imagehash.phash(ImageOps.exif_transpose(image)))


def extract_image(path: Path, ocr_lang: str, *, ocr: bool = True) -> Extraction:
    with Image.open(path) as image:
        image.load()
        metadata: dict[str, Any] = {
            "image": {"format": image.format, "width": image.width, "height": image.height}
        }
        exif = exif_metadata(image)
        if exif:
            metadata["exif"] = exif
        tools = {"Pillow": library_version("pillow"), "imagehash": library_version("imagehash")}
        phash = perceptual_hash(image)
        version = tesseract_version() if ocr else None
        if version is None:
            why = "Tesseract is not installed" if ocr else None
            return Extraction(None, "none", tools, metadata, phash, problem=why)
        tools["tesseract"] = version
        text = ocr_image(ImageOps.exif_transpose(image), ocr_lang)
    return Extraction(text.strip(), "ocr", tools, metadata, phash, ocr_pages=1, ocr_lang=ocr_lang)
