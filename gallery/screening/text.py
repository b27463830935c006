"""Text: PP-OCR finds text lines and reads them; nearby lines are merged into one flag per block."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image

from . import models


@dataclass(frozen=True)
class Line:
    """One text line read: its box in pixels of the reduced picture (x0, y0, x1, y1), words, score."""

    box: tuple[float, float, float, float]
    words: str
    score: float


def find(picture: Image.Image, detector: Path, recogniser: Path, max_side: int, thresholds: tuple[float, float],
         box_threshold: float) -> list[tuple[tuple[float, ...], float, str]]:
    """Each text block found: (x, y, w, h) as fractions of the picture, its best score, its words.

    thresholds: the recognition score a line needs, and the one a line read as one character needs.
    """
    np = models.need("numpy")
    det, rec = models.text_models(detector, recogniser, box_threshold)
    small = fitted(picture, max_side)
    bgr = np.ascontiguousarray(np.asarray(small)[:, :, ::-1])     # the models were trained on OpenCV's BGR
    quads, _ = det(bgr)
    if quads is None or len(quads) == 0:
        return []
    read, _ = rec([_crop(np, bgr, q) for q in quads])
    lines = [Line(_bounds(q), str(r[0]).strip(), float(r[1])) for q, r in zip(quads, read, strict=True)]
    lines = [line for line in lines if line.words and line.score >= thresholds[len(line.words) == 1]]
    w, h = small.size
    return [((b.box[0] / w, b.box[1] / h, (b.box[2] - b.box[0]) / w, (b.box[3] - b.box[1]) / h), b.score, b.words)
            for b in merge(lines)]


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


def _crop(np: Any, bgr: Any, quad: Any) -> Any:
    """The text line cut out and straightened (a perspective warp of its quadrilateral)."""
    cv2 = models.need("cv2")
    quad = quad.astype(np.float32)
    width = max(1, int(max(np.linalg.norm(quad[0] - quad[1]), np.linalg.norm(quad[2] - quad[3]))))
    height = max(1, int(max(np.linalg.norm(quad[0] - quad[3]), np.linalg.norm(quad[1] - quad[2]))))
    target = np.array([[0, 0], [width, 0], [width, height], [0, height]], dtype=np.float32)
    warped = cv2.warpPerspective(bgr, cv2.getPerspectiveTransform(quad, target), (width, height),
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
