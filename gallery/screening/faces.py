"""Faces: CenterFace on the picture reduced to a maximum side, boxes as fractions of the picture."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PIL import Image

from . import models

STRIDE = 32                                   # CenterFace's input sides are multiples of 32
INPUT = "input.1"
OUTPUTS = ["537", "538", "539", "540"]        # heatmap, scale, offset, landmarks
OVERLAP = 0.3                                 # boxes overlapping more than this are one face
GAP = 2.0          # reduce by a whole factor (a box filter) first, then bilinear; measured: a smaller gap is
#                    cheaper from 4032 px (1.5 by 0.009 s) but lost LFW faces (1.0: 3 of the 120 px ones at 800;
#                    1.5: 5 of the 180 px ones at 480)


def reduced(picture: Image.Image, max_side: int) -> Image.Image:
    """The picture with its longer side at most max_side pixels (never enlarged)."""
    scale = max_side / max(picture.size)
    if scale >= 1:
        return picture
    size = (max(1, round(picture.width * scale)), max(1, round(picture.height * scale)))
    return picture.resize(size, Image.Resampling.BILINEAR, reducing_gap=GAP)


def find(picture: Image.Image, model: Path, max_side: int, threshold: float, threads: int = 1
         ) -> list[tuple[tuple[float, ...], float]]:
    """Each face found: (x, y, w, h) as fractions of the picture, and the detector's score."""
    np = models.need("numpy")
    session = models.face_detector(model, threads)
    small = reduced(picture, max_side)
    w, h = small.size
    padded = np.zeros((-(-h // STRIDE) * STRIDE, -(-w // STRIDE) * STRIDE, 3), dtype=np.float32)
    padded[:h, :w] = np.asarray(small, dtype=np.float32)
    heatmap, scale, offset, _ = session.run(OUTPUTS, {INPUT: padded.transpose(2, 0, 1)[np.newaxis]})
    boxes, scores = _decode(np, heatmap[0, 0], scale[0], offset[0], threshold)
    keep = _suppress(np, boxes, scores)
    return [((boxes[i, 0] / w, boxes[i, 1] / h, boxes[i, 2] / w, boxes[i, 3] / h), float(scores[i])) for i in keep]


def _decode(np: Any, heatmap: Any, scale: Any, offset: Any, threshold: float) -> tuple[Any, Any]:
    """Boxes (x, y, w, h in pixels of the network's input) and scores where the heatmap passes threshold."""
    ys, xs = np.nonzero(heatmap > threshold)
    height = np.exp(scale[0, ys, xs]) * 4
    width = np.exp(scale[1, ys, xs]) * 4
    cy = (ys + offset[0, ys, xs] + 0.5) * 4
    cx = (xs + offset[1, ys, xs] + 0.5) * 4
    boxes = np.stack([cx - width / 2, cy - height / 2, width, height], axis=1).astype(np.float64)
    return boxes, heatmap[ys, xs].astype(np.float64)


def _suppress(np: Any, boxes: Any, scores: Any) -> list[int]:
    """Non-maximum suppression: the best box of each group of overlapping ones."""
    order = list(np.argsort(-scores))
    keep: list[int] = []
    for i in order:
        if all(_overlap(boxes[i], boxes[j]) <= OVERLAP for j in keep):
            keep.append(int(i))
    return keep


def _overlap(a: Any, b: Any) -> float:
    """Intersection over union of two (x, y, w, h) boxes."""
    iw = max(0.0, min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0]))
    ih = max(0.0, min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]))
    inter = iw * ih
    union = a[2] * a[3] + b[2] * b[3] - inter
    return float(inter / union) if union > 0 else 0.0
