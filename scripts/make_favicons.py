"""Writes static/images/favicon.ico and favicon-180.png: the same house as favicon.svg, drawn with
Pillow (no download). Run again after changing the drawing: `.venv/bin/python scripts/make_favicons.py`."""

from pathlib import Path

from PIL import Image, ImageDraw

IMAGES = Path(__file__).resolve().parent.parent / "static" / "images"
BLACK, WHITE = "#0b0c0c", "#ffffff"
# favicon.svg's house on its 32 x 32 grid: roof, walls and the door cut out of them.
HOUSE = [
    (16, 5),
    (28, 15),
    (25, 15),
    (25, 27),
    (18, 27),
    (18, 20),
    (14, 20),
    (14, 27),
    (7, 27),
    (7, 15),
    (4, 15),
]


def draw(size: int, rounded: bool = True) -> Image.Image:
    scale = size / 32
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    pen.rounded_rectangle((0, 0, size - 1, size - 1), radius=round(4 * scale) if rounded else 0, fill=BLACK)
    pen.polygon([(x * scale, y * scale) for x, y in HOUSE], fill=WHITE)
    return image


if __name__ == "__main__":
    draw(256).save(IMAGES / "favicon.ico", sizes=[(16, 16), (32, 32), (48, 48)])
    draw(180, rounded=False).save(IMAGES / "favicon-180.png")
