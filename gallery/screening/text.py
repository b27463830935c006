"""Text: PP-OCR finds text lines and reads them; nearby lines are merged into one flag per block.

The detector runs on the picture reduced to a small side (its cost grows with the area); each line
it finds is cut out of a larger reduction and read there (the recogniser's cost grows with the
number of lines, and small print needs the pixels). The pre- and post-processing are PP-OCR's (as
rapidocr_onnxruntime does them), written here with numpy and OpenCV so that none of rapidocr's
modules (and their imports: shapely, pyclipper, yaml) is loaded: only its model files are used.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image

from . import models

STRIDE = 32                    # the detector's input sides are multiples of 32
BINARY = 0.3                   # a pixel of the detector's map above this is text
MIN_SIDE = 3                   # a detected box narrower than this (pixels of the map) is noise
UNCLIP = 1.6                   # PP-OCR's DB boxes are grown by area * UNCLIP / perimeter
MAX_BOXES = 1000
LINE_HEIGHT = 48               # the recogniser reads lines scaled to this height,
LINE_WIDTH = 320               # padded to at least this width (and to the widest line of a batch)
BATCH = 6                      # lines read together, sorted by width (PP-OCR's batching)


@dataclass(frozen=True)
class Line:
    """One text line read: its box in pixels of the reduced picture (x0, y0, x1, y1), words, score."""

    box: tuple[float, float, float, float]
    words: str
    score: float


def find(picture: Image.Image, detector: Path, recogniser: Path, sides: tuple[int, int],
         thresholds: tuple[float, float], box_threshold: float, threads: int = 1
         ) -> list[tuple[tuple[float, ...], float, str]]:
    """Each text block found: (x, y, w, h) as fractions of the picture, its best score, its words.

    sides: the longer side the detector sees, and the one the lines are read at (never below the first).
    thresholds: the recognition score a line needs, and the one a line read as one character needs.
    """
    np = models.need("numpy")
    det = models.text_detector(detector, threads)
    small = fitted(picture, sides[0])
    quads = detect(np, det, _bgr(np, small), box_threshold)
    if not quads:
        return []
    rec, characters = models.text_recogniser(recogniser, threads)
    large = fitted(picture, max(sides))
    scale = large.width / small.width
    read = recognise(np, rec, characters, [_cut(np, large, q * scale) for q in quads])
    lines = [Line(_bounds(q * scale), words.strip(), score) for q, (words, score) in zip(quads, read, strict=True)]
    lines = [line for line in lines if line.words and line.score >= thresholds[len(line.words) == 1]]
    w, h = large.size
    return [((b.box[0] / w, b.box[1] / h, (b.box[2] - b.box[0]) / w, (b.box[3] - b.box[1]) / h), b.score, b.words)
            for b in merge(lines)]


def _bgr(np: Any, picture: Image.Image) -> Any:
    """The picture as a BGR array (the models were trained on OpenCV's channel order)."""
    return np.ascontiguousarray(np.asarray(picture)[:, :, ::-1])


def detect(np: Any, session: Any, bgr: Any, box_threshold: float) -> list[Any]:
    """Each text line's quadrilateral (4 x 2 float32, clockwise from the top left) in pixels of bgr."""
    cv2 = models.need("cv2")
    h, w = bgr.shape[:2]
    size = (round(w / STRIDE) * STRIDE, round(h / STRIDE) * STRIDE)
    if min(size) == 0:
        return []
    net_input = cv2.resize(bgr, size).astype(np.float32) * np.float32(2 / 255) - np.float32(1)
    heat = session.run(None, {session.get_inputs()[0].name: net_input.transpose(2, 0, 1)[np.newaxis]})[0][0, 0]
    mask = cv2.dilate((heat > BINARY).astype(np.uint8), np.ones((2, 2), np.uint8))
    contours = cv2.findContours(mask * 255, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)[-2]
    quads = []
    for contour in contours[:MAX_BOXES]:
        quad = _db_box(np, cv2, heat, contour, box_threshold)
        if quad is not None:
            quad[:, 0] = np.clip(np.round(quad[:, 0] / size[0] * w), 0, w - 1)
            quad[:, 1] = np.clip(np.round(quad[:, 1] / size[1] * h), 0, h - 1)
            quad = _clockwise(np, quad)
            if min(np.linalg.norm(quad[0] - quad[1]), np.linalg.norm(quad[0] - quad[3])) >= MIN_SIDE + 1:
                quads.append(quad)
    return quads


def _db_box(np: Any, cv2: Any, heat: Any, contour: Any, box_threshold: float) -> Any:
    """A contour's box grown as PP-OCR's DB post-processing grows it, or None for noise or a weak box."""
    (cx, cy), (bw, bh), angle = cv2.minAreaRect(contour)
    if min(bw, bh) < MIN_SIDE or _score(np, cv2, heat, cv2.boxPoints(((cx, cy), (bw, bh), angle))) < box_threshold:
        return None
    grow = bw * bh * UNCLIP / (2 * (bw + bh))     # the offset a rectangle's unclip adds on each side
    if min(bw, bh) + 2 * grow < MIN_SIDE + 2:
        return None
    return _clockwise(np, cv2.boxPoints(((cx, cy), (bw + 2 * grow, bh + 2 * grow), angle)))


def _score(np: Any, cv2: Any, heat: Any, points: Any) -> float:
    """The mean of the detector's map inside a box (PP-OCR's "fast" box score)."""
    h, w = heat.shape
    x0, x1 = (int(np.clip(v, 0, w - 1)) for v in (np.floor(points[:, 0].min()), np.ceil(points[:, 0].max())))
    y0, y1 = (int(np.clip(v, 0, h - 1)) for v in (np.floor(points[:, 1].min()), np.ceil(points[:, 1].max())))
    mask = np.zeros((y1 - y0 + 1, x1 - x0 + 1), dtype=np.uint8)
    cv2.fillPoly(mask, (points - np.array([x0, y0], dtype=points.dtype)).reshape(1, -1, 2).astype(np.int32), 1)
    return float(cv2.mean(heat[y0:y1 + 1, x0:x1 + 1], mask)[0])


def _clockwise(np: Any, points: Any) -> Any:
    """The four corners ordered top left, top right, bottom right, bottom left."""
    by_x = points[np.argsort(points[:, 0], kind="stable")]
    left, right = by_x[:2], by_x[2:]
    top_left, bottom_left = left[np.argsort(left[:, 1], kind="stable")]
    top_right, bottom_right = right[np.argsort(right[:, 1], kind="stable")]
    return np.array([top_left, top_right, bottom_right, bottom_left], dtype=np.float32)


def recognise(np: Any, session: Any, characters: list[str], crops: list[Any]) -> list[tuple[str, float]]:
    """The words of each straightened line and their score (the mean probability of the characters read)."""
    cv2 = models.need("cv2")
    order = sorted(range(len(crops)), key=lambda i: crops[i].shape[1] / crops[i].shape[0])
    read: list[tuple[str, float]] = [("", 0.0)] * len(crops)
    for start in range(0, len(order), BATCH):
        batch = order[start:start + BATCH]
        ratio = max([LINE_WIDTH / LINE_HEIGHT] + [crops[i].shape[1] / crops[i].shape[0] for i in batch])
        width = int(LINE_HEIGHT * ratio)
        net_input = np.zeros((len(batch), 3, LINE_HEIGHT, width), dtype=np.float32)
        for row, i in enumerate(batch):
            h, w = crops[i].shape[:2]
            fit = min(width, int(np.ceil(LINE_HEIGHT * w / h)))
            line = cv2.resize(crops[i], (fit, LINE_HEIGHT)).astype(np.float32) * np.float32(2 / 255) - np.float32(1)
            net_input[row, :, :, :fit] = line.transpose(2, 0, 1)
        probabilities = session.run(None, {session.get_inputs()[0].name: net_input})[0]
        for row, i in enumerate(batch):
            read[i] = _decode(np, characters, probabilities[row])
    return read


def _decode(np: Any, characters: list[str], probabilities: Any) -> tuple[str, float]:
    """CTC decoding: repeated classes collapsed, the blank (class 0) dropped."""
    best = probabilities.argmax(axis=1)
    keep = np.ones(len(best), dtype=bool)
    keep[1:] = best[1:] != best[:-1]
    keep &= best != 0
    if not keep.any():
        return "", 0.0
    return "".join(characters[c] for c in best[keep]), float(probabilities.max(axis=1)[keep].mean())


def fitted(picture: Image.Image, max_side: int) -> Image.Image:
    """The picture with its longer side at max_side: reduced, or enlarged (small text needs pixels)."""
    scale = max_side / max(picture.size)
    if scale == 1:
        return picture
    size = (max(1, round(picture.width * scale)), max(1, round(picture.height * scale)))
    if scale > 1:
        return picture.resize(size, Image.Resampling.BICUBIC)
    return picture.resize(size, Image.Resampling.BILINEAR, reducing_gap=2.0)


def _bounds(quad: Any) -> tuple[float, float, float, float]:
    """The axis-aligned bounds of a detected quadrilateral."""
    return (float(quad[:, 0].min()), float(quad[:, 1].min()), float(quad[:, 0].max()), float(quad[:, 1].max()))


def _cut(np: Any, picture: Image.Image, quad: Any) -> Any:
    """A text line cut out of the picture and straightened (a perspective warp of its quadrilateral)."""
    cv2 = models.need("cv2")
    quad = quad.astype(np.float32)
    x0, y0 = (max(0, int(v) - 2) for v in np.floor(quad.min(axis=0)))      # 2 pixels more: the cubic warp's reach
    x1, y1 = (int(v) + 3 for v in np.ceil(quad.max(axis=0)))
    region = _bgr(np, picture.crop((x0, y0, min(x1, picture.width), min(y1, picture.height))))
    quad -= np.array([x0, y0], dtype=np.float32)
    width = max(1, int(max(np.linalg.norm(quad[0] - quad[1]), np.linalg.norm(quad[2] - quad[3]))))
    height = max(1, int(max(np.linalg.norm(quad[0] - quad[3]), np.linalg.norm(quad[1] - quad[2]))))
    target = np.array([[0, 0], [width, 0], [width, height], [0, height]], dtype=np.float32)
    warped = cv2.warpPerspective(region, cv2.getPerspectiveTransform(quad, target), (width, height),
                                 borderMode=cv2.BORDER_REPLICATE, flags=cv2.INTER_CUBIC)
    return np.rot90(warped) if height >= 1.5 * width else warped      # a vertical line, read sideways


def near(a: Line, b: Line) -> bool:
    """Two lines of one block: the gap between them is under a line's height, across or down."""
    reach = 0.8 * min(a.box[3] - a.box[1], b.box[3] - b.box[1])
    return (a.box[0] - reach <= b.box[2] and b.box[0] - reach <= a.box[2]
            and a.box[1] - reach <= b.box[3] and b.box[1] - reach <= a.box[3])


def merge(lines: list[Line]) -> list[Line]:
    """Lines joined into blocks (a letter, a sign, a screen), each block's words in reading order."""
    groups: list[list[Line]] = []
    for line in lines:
        touching = [g for g in groups if any(near(line, other) for other in g)]
        merged = [line] + [other for g in touching for other in g]
        groups = [g for g in groups if not any(g is t for t in touching)] + [merged]
    return [_block(g) for g in sorted(groups, key=lambda g: min(x.box[1] for x in g))]


def _block(group: list[Line]) -> Line:
    """One block: the union of its lines' boxes, its best score, its words top to bottom, left to right."""
    ordered: list[Line] = []
    for row in _rows(group):
        ordered += sorted(row, key=lambda x: x.box[0])
    box = (min(x.box[0] for x in group), min(x.box[1] for x in group),
           max(x.box[2] for x in group), max(x.box[3] for x in group))
    return Line(box, " ".join(x.words for x in ordered), max(x.score for x in group))


def _rows(group: list[Line]) -> list[list[Line]]:
    """Lines grouped into rows, top to bottom: a line whose middle is within the row's first line."""
    rows: list[list[Line]] = []
    for line in sorted(group, key=lambda x: (x.box[1] + x.box[3]) / 2):
        middle = (line.box[1] + line.box[3]) / 2
        if rows and rows[-1][0].box[1] <= middle <= rows[-1][0].box[3]:
            rows[-1].append(line)
        else:
            rows.append([line])
    return rows
