"""Screening: faces and text found offline in a decoded upright picture, for the reviewer to check.

``screen(picture, settings)`` returns a tuple of ``Flag``; ``engine_version(settings)`` names the
libraries, the model files (by hash) and the settings, for the cache key. The models come from
files inside installed packages (models.py) and are loaded once per process (``load``). The build
runs it in its image workers (gallery/screens.py). Importing this package imports no library.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from . import models
from .models import ScreeningError

if TYPE_CHECKING:  # pragma: no cover
    from PIL import Image

__all__ = ["NEEDED_SIDE", "Flag", "ScreenSettings", "ScreeningError", "engine_version", "load", "needed_side",
           "screen", "working_side"]

ENGINE = 3        # bump when the screening code changes what it finds (2: lines read at text_read_side;
#                   3: faces found by onnxruntime, not OpenCV's dnn: the same heatmaps to ~1e-5)


@dataclass(frozen=True)
class Flag:
    """One finding for the reviewer: a face or text, where it is (fractions of the upright picture)."""

    kind: str                                      # "face" or "text"
    box: tuple[float, float, float, float]         # x, y, w, h as fractions of the picture, in [0, 1]
    score: float
    text: str | None = None                        # the words read, for text


@dataclass(frozen=True)
class ScreenSettings:
    """What to look for and how hard (defaults measured by benchmarks/screening.py)."""

    faces: bool = True
    text: bool = True
    face_threshold: float = 0.35       # CenterFace heatmap score
    text_threshold: float = 0.6        # recognition score of a line's words (0.5 let a cat's eye read as "D")
    text_box_threshold: float = 0.5    # detection score of a text line
    text_single_threshold: float = 0.9  # a line read as one character (a cup's rim read as "O" scored 0.71)
    face_max_side: int = 800           # the picture is reduced to this longer side for each detector
    text_max_side: int = 576
    text_read_side: int = 800          # the lines found are cut out of the picture at this side (or text_max_side)
    face_model: Path | None = None     # None: the files inside the installed packages
    text_detector_model: Path | None = None
    text_recogniser_model: Path | None = None

    def models(self) -> tuple[Path, Path, Path]:
        """The face, text-detector and text-recogniser model files these settings use."""
        return (self.face_model or models.packaged(models.FACE_MODEL),
                self.text_detector_model or models.packaged(models.TEXT_DETECTOR),
                self.text_recogniser_model or models.packaged(models.TEXT_RECOGNISER))


def screen(picture: Image.Image, settings: ScreenSettings, threads: int = 1) -> tuple[Flag, ...]:
    """Every face and text block found in the decoded upright picture (converted to RGB here), on
    threads threads."""
    from . import faces, text  # numpy, OpenCV and PIL: only where a picture is screened
    face_model, detector, recogniser = settings.models()
    if not (settings.faces or settings.text):
        return ()
    rgb = picture if picture.mode == "RGB" else picture.convert("RGB")
    rgb = faces.reduced(rgb, working_side(settings))      # one pass over the pixels
    flags: list[Flag] = []
    if settings.faces:
        found_faces = faces.find(rgb, face_model, settings.face_max_side, settings.face_threshold, threads)
        flags += [Flag("face", clamp(box), round(float(score), 4)) for box, score in found_faces]
    if settings.text:
        found = text.find(rgb, detector, recogniser, (settings.text_max_side, settings.text_read_side),
                          (settings.text_threshold, settings.text_single_threshold), settings.text_box_threshold,
                          threads)
        flags += [Flag("text", clamp(box), round(float(score), 4), words) for box, score, words in found]
    return tuple(flags)


def load(settings: ScreenSettings) -> None:
    """Load the models these settings use now (once per process; the recogniser too, which a screen
    loads only when it first finds a line); raises ScreeningError naming the library to install or
    the model file to reinstall."""
    face_model, detector, recogniser = settings.models()
    if settings.faces:
        models.face_detector(face_model)
    if settings.text:
        models.text_detector(detector)
        models.text_recogniser(recogniser)


def working_side(settings: ScreenSettings) -> int:
    """The longer side the screen reduces every picture to: the largest side a detector that runs needs."""
    sides = [settings.face_max_side] * settings.faces
    sides += [settings.text_max_side, settings.text_read_side] * settings.text
    return max(sides, default=1)


def needed_side(settings: ScreenSettings) -> int:
    """The smallest longer side of a decoded picture that the screen treats as it treats the full photo.

    Twice the working side, measured (benchmarks/screening.py): a 4032 px JPEG decoded in draft mode
    to 2016 px gave the flags of the full decode; decoded to 1008 px (for a working side of 800) it
    lost 2 of the 9 page words read and 1 of the 91 LFW faces found at 120 px.
    """
    return 2 * working_side(settings)


NEEDED_SIDE = needed_side(ScreenSettings())     # the defaults': 1600 (a 12-megapixel JPEG's half scale, 2016 px)


def clamp(box: tuple[float, ...]) -> tuple[float, float, float, float]:
    """An (x, y, w, h) box cut to the picture: every value a fraction in [0, 1], x + w and y + h at most 1."""
    x, y, w, h = (float(v) for v in box)
    x0, y0 = min(max(x, 0.0), 1.0), min(max(y, 0.0), 1.0)
    x1, y1 = min(max(x + w, 0.0), 1.0), min(max(y + h, 0.0), 1.0)
    return (round(x0, 4), round(y0, 4), round(max(0.0, x1 - x0), 4), round(max(0.0, y1 - y0), 4))


def engine_version(settings: ScreenSettings) -> str:
    """The libraries, model files and settings that decide what the screen finds (for the cache key)."""
    libraries = ",".join(f"{name}={models.library_version(name)}" for name in sorted(set(models.LIBRARIES.values())))
    files = ",".join(models.describe(path) for path in settings.models())
    return f"screen{ENGINE};{libraries};{files};{settings!r}"
