"""FICTIONAL pages of text as images, with the text they hold: ground truth for OCR tests
and the OCR benchmark. Rendered with Debian's Noto fonts (fonts-noto-core,
fonts-noto-cjk) by Pillow, whose HarfBuzz/Raqm layout shapes and orders Arabic script.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

FONT_DIRS = (Path("/usr/share/fonts/truetype/noto"), Path("/usr/share/fonts/opentype/noto"))
#: Per script: the fonts tried in turn, the language code for layout, and the direction.
FONTS = {
    "Arab": (("NotoNaskhArabic-Regular.ttf", "NotoSansArabic-Regular.ttf"), "ug", "rtl"),
    "Hans": (("NotoSansCJK-Regular.ttc", "NotoSerifCJK-Regular.ttc"), "zh-Hans", "ltr"),
    "Cyrl": (("NotoSans-Regular.ttf", "NotoSerif-Regular.ttf"), "ru", "ltr"),
    "Latn": (("NotoSans-Regular.ttf", "NotoSerif-Regular.ttf"), "en", "ltr"),
}

#: FICTIONAL sentences (invented witnesses; places named only as towns), per Tesseract
#: language code, with the script they are written in.
SAMPLES: dict[str, tuple[str, list[str]]] = {
    "uig": (
        "Arab",
        [
            "ئۇيغۇر تىلىدىكى سىناق تېكىست",
            "بۇ ئويدۇرما گۇۋاھلىق",
            "ئايگۈل تۇرسۇن ئاقسۇ لاگېرىدا ساقلانغان",
            "ئۇ ئىككى يىل قامالدى",
            "گۇۋاھچى ئابدۇرېھىم مەمەت",
            "خوتەن ۋىلايىتىدىكى يېزا",
            "ئائىلىسى بىلەن ئالاقە ئۈزۈلدى",
        ],
    ),
    "chi_sim": (
        "Hans",
        [
            "这是一份虚构的证词",
            "阿依古丽在阿克苏的营地被关押",
            "她被关押了两年",
            "证人阿不都热依木",
            "和田地区的一个村庄",
            "家人与她失去了联系",
        ],
    ),
    "rus": (
        "Cyrl",
        [
            "Это вымышленное свидетельство",
            "Айгуль Турсун содержалась в лагере в Аксу",
            "Её держали там два года",
            "Свидетель Абдурехим Мемет",
            "Деревня в округе Хотан",
            "Связь с семьёй была потеряна",
        ],
    ),
    "kaz": (
        "Cyrl",
        [
            "Бұл ойдан шығарылған куәлік",
            "Әйгүл Тұрсын Ақсу лагерінде ұсталды",
            "Ол екі жыл қамауда болды",
            "Куәгер Әбдірахым Мемет",
            "Отбасымен байланыс үзілді",
        ],
    ),
}


def font_path(name: str) -> Path | None:
    for folder in FONT_DIRS:
        if (folder / name).exists():
            return folder / name
    return None


def missing_fonts() -> list[str]:
    """The scripts none of whose fonts is installed."""
    return [s for s, (names, _, _) in FONTS.items() if not any(font_path(n) for n in names)]


def render_page(
    lines: list[str], script: str, *, size: int = 48, width: int = 1800, font_index: int = 0
) -> Image.Image:
    """``lines`` as a white greyscale page, ``size`` pixels high (48 px is a 12-point
    line scanned at 300 dpi), right-aligned for a right-to-left script."""
    names, language, direction = FONTS[script]
    found = [p for p in (font_path(n) for n in names) if p is not None]
    if not found:
        raise FileNotFoundError(f"no Noto font for {script}: install fonts-noto-core/-cjk")
    font = ImageFont.truetype(str(found[font_index % len(found)]), size)
    step = int(size * 2)
    page = Image.new("L", (width, step * len(lines) + 2 * size), 255)
    draw = ImageDraw.Draw(page)
    margin = size
    for i, line in enumerate(lines):
        y = size + i * step
        if direction == "rtl":
            draw.text(
                (width - margin, y), line, font=font, fill=0, direction="rtl",
                language=language, anchor="ra",
            )  # fmt: skip
        else:
            draw.text((margin, y), line, font=font, fill=0, language=language)
    return page


def render_scene(seed: int, size: tuple[int, int] = (640, 480)) -> Image.Image:
    """A FICTIONAL photo-like picture: smooth random colour fields from a seeded
    generator, upscaled so it has a photo's low-frequency structure, with sensor-like
    noise. Different seeds give unrelated pictures."""
    import numpy as np

    rng = np.random.default_rng(seed)
    coarse = rng.integers(0, 256, size=(12, 16, 3), dtype=np.uint8)
    image = Image.fromarray(coarse, "RGB").resize(size, Image.Resampling.BICUBIC)
    noise = rng.normal(0, 6, size=(size[1], size[0], 3))
    return Image.fromarray(np.clip(np.asarray(image) + noise, 0, 255).astype(np.uint8))
