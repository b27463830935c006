"""The desk's pictures: a photo upright at screen size, and as it will be published (redactions painted).

Made from the photo's pixels (images.decode_upright: a JPEG is decoded in draft mode near the size
shown), encoded as a metadata-free JPEG and kept in the image cache's desk/ folder under the photo's
SHA-256, so that an item page never sends, or decodes again, a 12-megapixel original. Pictures of a
photo no item shows any more (withdrawn, replaced, deleted) are removed (prune).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
from pathlib import Path

from .. import images
from ..cache import write_atomic
from ..config import ImageSettings
from ..imagecache import read_photo
from ..images import ImageError

SIDE = 1280          # the longer side shown (the gallery's largest default size)
QUALITY = 85
FOLDER = "desk"


def name(digest: str, regions: tuple[tuple[float, float, float, float], ...] = ()) -> str:
    """The cached file's name: the photo's hash, and for a redacted preview a digest of its regions."""
    if not regions:
        return f"{digest}.jpg"
    shape = hashlib.sha256(json.dumps(sorted(list(r) for r in regions)).encode()).hexdigest()[:16]
    return f"{digest}-{shape}.jpg"


def picture(photo: Path, photos: Path, cache: Path, settings: ImageSettings,
            regions: tuple[tuple[float, float, float, float], ...] = (), redacted: bool = False) -> bytes:
    """The photo upright at screen size as JPEG bytes (painted with regions when redacted); raises ImageError."""
    with read_photo(str(photo), str(photos)) as (data, digest):
        path = cache / FOLDER / name(digest, regions if redacted else ())
        try:
            return path.read_bytes()
        except OSError:
            pass
        im = images.decode_upright(photo, settings, data, regions if redacted else (), least=SIDE)
    if redacted:
        images.redact(im, regions)
    im.thumbnail((SIDE, SIDE), reducing_gap=2.0)
    out = io.BytesIO()
    im.save(out, "JPEG", quality=QUALITY, optimize=False)
    made = out.getvalue()
    write_atomic(path, made)
    return made


def prune(cache: Path, keep: set[str]) -> None:
    """Remove the desk's pictures of every photo whose SHA-256 is not in keep."""
    folder = cache / FOLDER
    if not folder.is_dir():
        return
    for entry in os.scandir(folder):
        if entry.name.split(".")[0].split("-")[0] not in keep:
            Path(entry.path).unlink(missing_ok=True)


__all__ = ["SIDE", "ImageError", "picture", "prune"]
