"""HTML to PDF with WeasyPrint: tagged PDF/UA-1, fonts embedded, nothing fetched but our own pictures.

WeasyPrint needs the Pango library of the operating system, and Pango needs at least one font
(with none it crashes the process): both are checked first and named in a one-line message.
"""

from __future__ import annotations

import functools
import logging
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import GalleryError

PANGO = "sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0 (Debian and Ubuntu; see README: Print)"
FONTS = "sudo apt-get install fonts-dejavu-core (Debian and Ubuntu)"


class PrintError(GalleryError):
    """The PDFs cannot be made (a missing library or font, a template asking for another file)."""


@functools.cache
def load():
    """The weasyprint module, checked once per process; raises PrintError when it or Pango cannot be
    loaded, or no font is there."""
    from PIL import ImageFile
    truncated = ImageFile.LOAD_TRUNCATED_IMAGES
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")       # "no fonts" is checked below, by asking Fontconfig
            import weasyprint
    except ImportError as exc:
        raise PrintError(f"printing needs the Python package weasyprint ({exc}); install the dependencies: "
                         ". .venv/bin/activate && pip install -r requirements.txt") from None
    except OSError as exc:                        # cffi could not open Pango (or a library it needs)
        raise PrintError(f"printing needs the Pango library, which cannot be loaded ({_first_line(exc)}); "
                         f"install it with: {PANGO}") from None
    finally:   # importing WeasyPrint makes Pillow accept truncated images in the whole process: never ours
        ImageFile.LOAD_TRUNCATED_IMAGES = truncated
    if not _have_fonts():
        raise PrintError(f"printing needs at least one font and Fontconfig finds none; install one with: {FONTS}")
    return weasyprint


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _have_fonts() -> bool:
    from weasyprint.text.ffi import ffi, fontconfig  # pinned version (requirements.txt)
    config = ffi.gc(fontconfig.FcInitLoadConfigAndFonts(), fontconfig.FcConfigDestroy)
    fonts = fontconfig.FcConfigGetFonts(config, fontconfig.FcSetSystem)
    return fonts != ffi.NULL and fonts.nfont > 0


def write(html: str, target: Path, allowed: dict[str, Path]) -> list[str]:
    """Write html as a tagged PDF/UA-1 file at target; returns WeasyPrint's warnings.

    allowed: the only addresses it may read (our own pictures, as file: URLs); any other (a font
    or style sheet on the web in a template override) stops the print: nothing goes on the network.
    Raises PrintError."""
    weasyprint = load()
    from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

    class OwnFiles(URLFetcher):
        def fetch(self, url, headers=None):
            path = allowed.get(url)
            if path is None:
                raise FatalURLFetchingError(url)
            return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": "image/jpeg"})

    with _captured() as said:
        try:
            weasyprint.HTML(string=html, base_url=str(target.parent), url_fetcher=OwnFiles()).write_pdf(
                target, pdf_variant="pdf/ua-1", pdf_tags=True)
        except FatalURLFetchingError as exc:
            raise PrintError(f"a print template asks for {exc}; a printed pack may show only its own pictures "
                             "(remove that address from your templates/print/ overrides)") from None
    errors = [m for level, m in said if level >= logging.ERROR]
    if errors:
        raise PrintError(f"the PDF writer failed: {errors[0]}")
    return [m for level, m in said if level < logging.ERROR]


@contextmanager
def _captured() -> Iterator[list[tuple[int, str]]]:
    """WeasyPrint's log messages while it writes (not printed as it goes: the caller decides)."""
    said: list[tuple[int, str]] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            said.append((record.levelno, record.getMessage()))

    logger = logging.getLogger("weasyprint")
    handler, propagate = Keep(logging.WARNING), logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield said
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate
