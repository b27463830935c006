"""A small but complete gallery project for the page and browser tests.

Covers every kind (original, illustration, reported), a content note, a long description, a
pseudonym credit, portrait/landscape/square pictures, a question nobody answered yet, and an item
without consent that must appear nowhere.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from conftest import Project

CONFIG = """\
title: Link workers in pictures
introduction: |
  Social prescribing link workers help people find support that is not medicine. We asked link
  workers to take pictures about their work and to tell us about them in their own words.
about: |
  ## How the pictures were gathered
  Each participant chose their pictures and talked about them in an interview.

  ## Asking for a picture to be withdrawn {#withdraw}
  Email the research team and we will remove it at the next update.
contact: gallery-team@example.ac.uk
"""

# id: (participant, prompt, kind, size or None, colour, extra YAML)
ITEMS = {
    "lw01-day": ("LW01", "typical-day", "original", (1600, 1200), (196, 150, 96), """\
        title: Paperwork and tea
        order: 1
        """),
    "lw02-day": ("LW02", "typical-day", "illustration", (900, 1200), (92, 128, 160), """\
        credit: pseudonym
        order: 2
        """),
    "lw03-day": ("LW03", "typical-day", "reported", None, None, """\
        title: The phone that never stops
        order: 3
        """),
    "lw01-confidence": ("LW01", "confidence", "original", (1400, 1050), (70, 110, 80), """\
        title: The long corridor
        content_note: This picture shows an empty hospital corridor at night.
        long_description: |
          A long, empty corridor with a shiny floor. Strip lights run along the ceiling and a
          single wheelchair waits beside a closed door at the far end.

          The participant said the corridor reminds them how far people travel to find help.
        """),
    "lw02-confidence": ("LW02", "confidence", "original", (1000, 1000), (170, 80, 90), """\
        title: A bag of leaflets
        """),
}
CAPTIONS = {
    "lw01-day": "The paperwork never stops, but it is *how people get the help they need*.",
    "lw02-day": "Walking to a home visit. I drew this because the street would identify the family.",
    "lw03-day": "I would have photographed my phone, but the screen shows names. It rings all day.",
    "lw01-confidence": "When I walk this corridor I know I can make a difference.",
    "lw02-confidence": "Every leaflet is a door into something: a choir, a lunch club, debt advice.",
}
ALTS = {
    "lw01-day": "A desk covered in forms, a laptop and a mug of tea.",
    "lw02-day": "A drawing of a terraced street in the rain, seen from the pavement.",
    "lw01-confidence": "An empty hospital corridor lit by strip lights.",
    "lw02-confidence": "A canvas bag full of colourful leaflets on a chair.",
}


def make_photo(path: Path, size: tuple[int, int], colour: tuple[int, int, int]) -> None:
    """A photo-like image (gradient, shapes and noise) so that encoders and screenshots see detail."""
    from PIL import Image, ImageDraw, ImageFilter
    w, h = size
    im = Image.linear_gradient("L").resize((w, h)).convert("RGB")
    tint = Image.new("RGB", (w, h), colour)
    im = Image.blend(im, tint, 0.7)
    draw = ImageDraw.Draw(im)
    for n in range(7):
        x, y = (n * 211) % w, (n * 137) % h
        shade = tuple(min(255, c + 40 * (n % 3)) for c in colour)
        draw.ellipse((x, y, x + w // 4, y + h // 5), fill=shade, outline=(30, 30, 30), width=4)
        draw.rectangle((w - x - w // 6, y // 2, w - x, y // 2 + h // 7), fill=tuple(255 - c for c in shade))
    noise = Image.effect_noise((w, h), 28).convert("RGB")
    im = Image.blend(im, noise, 0.12).filter(ImageFilter.SMOOTH)
    im.save(path, quality=92)


def make_project(root: Path) -> Project:
    """Write the project into root (photos/, captions/, gallery.yaml); not yet built."""
    project = Project(root)
    project.config.write_text(CONFIG, encoding="utf-8")
    for item_id, (participant, prompt, kind, size, colour, extra) in ITEMS.items():
        if size:
            make_photo(project.photos / f"{item_id}.jpg", size, colour)
        project.caption(item_id, participant=participant, prompt=prompt, kind=kind,
                        photo=f"{item_id}.jpg" if size else None, caption=json.dumps(CAPTIONS[item_id]),
                        alt=json.dumps(ALTS[item_id]) if item_id in ALTS else None, extra=textwrap.dedent(extra))
    make_photo(project.photos / "lw09-secret.jpg", (800, 600), (200, 30, 30))
    project.caption("lw09-secret", participant="LW09", caption="Not for publication.", publish="false",
                    alt="A secret picture.")
    return project


PUBLISHED = list(ITEMS)
UNPUBLISHED = ["lw09-secret"]


def build(project: Project) -> None:
    """Build with the project's own gallery.yaml (the command line's default is the repository's)."""
    project.build("--config", str(project.config))
