"""One PDF, object by object: anything but pages, pixels, fonts and the title is a finding (pypdf).

Every object of the file is read (those in object streams too, reachable or not): the document
info may hold only the title and the generator, the document's XMP only their mirror, images are
JPEGs walked by their container (containers.check_jpeg) or raw pixels, and attachments, scripts,
actions that launch or submit anything, forms, multimedia and metadata streams attached to
anything but the document are findings. What it returns besides the findings is every text the
file holds (strings, names, decompressed streams, each page's text as pypdf extracts it), for
the caller to search for source metadata. Never raises on a damaged file: that is a finding.
"""

from __future__ import annotations

import io
import logging
import os
import re
import struct
import xml.etree.ElementTree as ET
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NamedTuple

from .pdfparts import REPRINT, check_dictionary, check_image_stream, check_inline_images, filters_of, texts_of

INFO_ALLOWED = ("/Title", "/Producer", "/Creator")
XMP_ALLOWED = {"http://purl.org/dc/elements/1.1/": {"title"}, "http://ns.adobe.com/pdf/1.3/": {"Producer"},
               "http://ns.adobe.com/xap/1.0/": {"CreatorTool"},
               "http://www.aiim.org/pdfua/ns/id/": {"part", "conformance", "rev"}}
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
MAX_DEPTH = 64
MAX_INFLATED = 256 * 1024 * 1024     # bytes one stream may inflate to (a picture at 300 dpi is ~30 MB)
_INLINE = re.compile(rb"(?:^|\s)BI\s")
# a number operand of a drawing instruction (a coordinate, a size, a colour): not text anyone reads,
# and so many of them that a short numeric needle (a GPS value such as 3.733) matches one by chance
_OPERAND = re.compile(r"(?<![\w.])[-+]?(?:\d+\.?\d*|\.\d+)(?![\w.])")
FONT_FILES = ("/FontFile", "/FontFile2", "/FontFile3")
_OBJECT = re.compile(rb"[\r\n](\d{1,10})\s+\d{1,5}\s+obj\Z")     # in the bytes up to an `obj`
_HEADER = re.compile(rb"(\d{1,10})\s+\d{1,5}\s+obj\b")


class Checked(NamedTuple):
    found: list[tuple[str, str]]        # (where, what)
    texts: list[tuple[str, str]]        # (where, text) to be searched for source metadata


def _damaged_errors() -> tuple[type[BaseException], ...]:
    """What pypdf raises on a damaged file (anything else is a bug, and raised)."""
    from pypdf.errors import PyPdfError
    return (PyPdfError, ValueError, TypeError, KeyError, IndexError, AssertionError, struct.error,
            zlib.error, RecursionError, EOFError, OverflowError, ZeroDivisionError, NotImplementedError)


def check_pdf(data: bytes) -> Checked:
    """The findings in one PDF file's bytes, and its texts (see the module's docstring)."""
    from pypdf import PdfReader
    checked = Checked(_file_checks(data), [])
    damaged = _damaged_errors()
    read_errors: tuple[type[BaseException], ...] = (*damaged, AttributeError)
    with _pypdf_warnings() as warned:
        try:
            reader = PdfReader(io.BytesIO(data), strict=True)
            if reader.is_encrypted:
                checked.found.append(("document", f"it is encrypted, so the privacy audit cannot read it; {REPRINT}"))
                return checked
            _Walk(reader, checked, damaged).run(data)
        except read_errors as exc:
            if isinstance(exc, AttributeError) and not _inside_pypdf(exc):
                raise       # ours: a bug, shown as one
            checked.found.append(("document", f"cannot be read as a PDF ({type(exc).__name__}: {exc}); the file "
                                              f"is damaged or truncated, so the audit cannot say what it holds; "
                                              f"{REPRINT}"))
    if warned:      # pypdf read past damage (a stream it could not inflate in full...): not checked, so not clean
        more = f" and {len(warned) - 1} more" if len(warned) > 1 else ""
        checked.found.append(("document", f"is damaged: pypdf reports '{warned[0]}'{more}; the audit cannot say what "
                                          f"the damaged parts hold; {REPRINT}"))
    return checked


def _inside_pypdf(exc: BaseException) -> bool:
    """True when exc was raised inside pypdf (which raises AttributeError on some damaged files)."""
    import pypdf
    frame = exc.__traceback__
    while frame is not None and frame.tb_next is not None:
        frame = frame.tb_next
    return frame is not None and frame.tb_frame.f_code.co_filename.startswith(os.path.dirname(pypdf.__file__))


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def _pypdf_warnings() -> Iterator[list[str]]:
    """What pypdf logs while it reads (each a damage it read past), kept from the terminal and returned."""
    logger, handler = logging.getLogger("pypdf"), _Collect()
    propagate, logger.propagate = logger.propagate, False
    logger.addHandler(handler)
    try:
        yield handler.messages
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate


def _file_checks(data: bytes) -> list[tuple[str, str]]:
    found = []
    if not data.rstrip().endswith(b"%%EOF"):
        found.append(("end of file", "the PDF does not end with %%EOF (truncated, or data after its end)"))
    if data.count(b"startxref") > 1:
        found.append(("document", "it holds earlier revisions (incremental updates): what they replaced is "
                                  f"still in the file, where a reader cannot see it; {REPRINT}"))
    return found


def _objects_written(data: bytes) -> set[int]:
    """The numbers of the objects written in the file's bytes (not inside object streams), except the
    cross-reference stream at startxref (not listed in itself by every writer). Each `obj` is found at C
    speed and only the few bytes before it are matched: a regular expression over a 60 MB file takes 3 s."""
    numbers, at = set(), data.find(b"obj")
    while at >= 0:
        header = _OBJECT.search(data[at - 32:at + 3] if at >= 32 else b"\n" + data[:at + 3])
        if header and not data[at + 3:at + 4].isalnum():
            numbers.add(int(header.group(1)))
        at = data.find(b"obj", at + 3)
    offset = re.search(rb"startxref\s+(\d+)\s+%%EOF\s*\Z", data)
    xref = _HEADER.match(data, int(offset.group(1))) if offset else None
    return numbers - ({int(xref.group(1))} if xref else set())


class _Walk:
    """Every object of one PDF, checked once."""

    def __init__(self, reader, checked: Checked, damaged: tuple[type[BaseException], ...]):
        self.reader, self.checked, self.damaged = reader, checked, damaged
        self.labels: dict[int, str] = {}
        self.drawing: set[int] = set()     # pages' content streams: their words are searched as the page text
        self.fonts: set[int] = set()       # font programs: binary, checked as fonts are in a site (not as text)

    def run(self, data: bytes) -> None:
        self._label_known()
        numbers = self._numbers()
        self._find_fonts(numbers)
        hidden = sorted(_objects_written(data) - numbers)
        if hidden and data.count(b"startxref") == 1:      # several: a finding already (_file_checks)
            self.found("document", f"objects {hidden[:5]} are in the file but not in its cross-reference table "
                                   f"(left from an earlier version, or hidden); {REPRINT}")
        self._info()
        for num in sorted(numbers):
            self._object(num)
        self._strings("document trailer", self.reader.trailer)
        for index, page in enumerate(self.reader.pages, 1):
            self._page_text(index, page)

    def found(self, where: str, what: str) -> None:
        self.checked.found.append((where, what))

    def _numbers(self) -> set[int]:
        numbers = {num for objects in self.reader.xref.values() for num in objects}
        return (numbers | set(self.reader.xref_objStm)) - {0}

    def _label_known(self) -> None:
        from pypdf.generic import IndirectObject
        trailer = self.reader.trailer
        catalog = trailer["/Root"]
        for where, key, label in ((trailer, "/Root", "document catalog"), (trailer, "/Info", "document info"),
                                  (catalog, "/Metadata", "XMP metadata")):
            reference = where.raw_get(key) if key in where else None
            if isinstance(reference, IndirectObject):
                self.labels[reference.idnum] = label
        for index, page in enumerate(self.reader.pages, 1):
            if page.indirect_reference is not None:
                self.labels[page.indirect_reference.idnum] = f"page {index}"
            contents = page.raw_get("/Contents") if "/Contents" in page else None
            if isinstance(contents, IndirectObject) and not hasattr(contents.get_object(), "get_data"):
                contents = contents.get_object()       # an array of streams, itself stored as an object
            for ref in contents if isinstance(contents, list) else [contents]:
                if isinstance(ref, IndirectObject):
                    self.drawing.add(ref.idnum)

    def _find_fonts(self, numbers: set[int]) -> None:
        from pypdf.generic import IndirectObject
        for num in numbers:
            try:
                obj = self.reader.get_object(num)
            except self.damaged:
                continue        # reported when the object is walked
            if hasattr(obj, "raw_get") and obj.get("/Type") == "/FontDescriptor":
                refs = [obj.raw_get(key) for key in FONT_FILES if key in obj]
                self.fonts.update(ref.idnum for ref in refs if isinstance(ref, IndirectObject))

    def label(self, num: int) -> str:
        return self.labels.get(num, f"object {num}")

    def _info(self) -> None:
        info = self.reader.trailer.get("/Info")
        info = info.get_object() if info is not None else None
        if info is None:
            return
        if not hasattr(info, "keys"):
            self.found("document info", "is not a dictionary (damaged)")
            return
        for key in sorted(k for k in info.keys() if k not in INFO_ALLOWED):
            self.found(f"document info {key}", "only the title and the generator (Title, Producer, Creator) may be "
                                               f"written; anything else can carry a name, a date or a place; {REPRINT}")

    def _object(self, num: int) -> None:
        from pypdf.generic import StreamObject
        where = self.label(num)
        try:
            obj = self.reader.get_object(num)
        except self.damaged as exc:
            self.found(where, f"cannot be read ({type(exc).__name__}: {exc}); the file is damaged")
            return
        if obj is None:
            return
        if isinstance(obj, StreamObject) and filters_of(obj)[:1] in (["/FlateDecode"], ["/Fl"]) \
                and not inflates(obj._data):    # _data: the bytes as stored
            self.found(f"{where} (stream)", "its compressed data is damaged (pypdf reads what it can of it), so "
                                            f"the audit cannot say what the rest holds; {REPRINT}")
            return
        if isinstance(obj, StreamObject) and obj.get("/Type") in ("/ObjStm", "/XRef"):
            return      # the file's own structure: the objects an object stream holds are walked one by one
        self._strings(where, obj)
        if isinstance(obj, StreamObject):
            self._stream(num, where, obj)

    def _stream(self, num: int, where: str, obj) -> None:
        if obj.get("/Subtype") == "/Image":
            self.checked.found.extend(check_image_stream(where, obj, self.damaged))
            return
        try:
            data = obj.get_data()
        except self.damaged as exc:
            self.found(f"{where} (stream)", f"cannot be decompressed ({type(exc).__name__}: {exc}), so it cannot be "
                                            f"checked; {REPRINT}")
            return
        if num in self.labels and self.labels[num] == "XMP metadata":
            self.checked.found.extend(check_xmp(data))
        if _INLINE.search(data):
            self.checked.found.extend(check_inline_images(where, obj, self.reader, self.damaged))
        if num in self.fonts:
            return
        text = data.decode("utf-8", "replace")
        if num in self.drawing or obj.get("/Subtype") == "/Form":   # drawing: searched without its numbers
            text = _OPERAND.sub(" ", text)
        self.checked.texts.append((f"{where} (stream)", text))

    def _strings(self, where: str, obj) -> None:
        """The texts of obj (names, strings, nested dictionaries and arrays; not what references point to),
        and the findings about its keys."""
        texts: list[str] = []
        try:
            for dictionary in texts_of(obj, texts, MAX_DEPTH):
                self.checked.found.extend((where, what) for what in check_dictionary(dictionary))
        except RecursionError as exc:
            self.found(where, f"{exc} (damaged or hostile); {REPRINT}")
        if texts:
            self.checked.texts.append((where, "\n".join(texts)))

    def _page_text(self, index: int, page) -> None:
        try:
            text = page.extract_text()
        except self.damaged as exc:
            self.found(f"page {index} text", f"cannot be extracted ({type(exc).__name__}: {exc}), so it cannot be "
                                             f"searched for source metadata; {REPRINT}")
            return
        self.checked.texts.append((f"page {index} text", text))


def inflates(raw: bytes) -> bool:
    """True when raw is one whole zlib stream (nothing missing, nothing but white space after it) that
    inflates to at most MAX_INFLATED bytes: pypdf reads past a damaged one silently."""
    inflate = zlib.decompressobj()
    try:
        inflate.decompress(raw, MAX_INFLATED)
    except zlib.error:
        return False
    return inflate.eof and not inflate.unused_data.strip()


def check_xmp(data: bytes) -> list[tuple[str, str]]:
    """The document's XMP may hold only what the document info may: the title, the generator, PDF/UA's id."""
    start, end = data.find(b"<x:xmpmeta"), data.rfind(b"</x:xmpmeta>")
    try:
        root = ET.fromstring(data[start:end + len(b"</x:xmpmeta>")] if 0 <= start < end else data)
    except ET.ParseError as exc:
        return [("XMP metadata", f"is not well-formed XML ({exc}), so it cannot be checked; {REPRINT}")]
    found: list[tuple[str, str]] = []
    for description in root.iter(f"{{{RDF}}}Description"):
        names = [n for n in description.attrib if n != f"{{{RDF}}}about"] + [child.tag for child in description]
        found.extend(("XMP metadata", f"holds the property {_xmp_name(n)}; only the title and the generator may be "
                                      f"written; {REPRINT}") for n in names if not _xmp_allowed(n))
    return found


def _xmp_allowed(name: str) -> bool:
    namespace, _, local = name[1:].partition("}") if name.startswith("{") else ("", "", name)
    return local in XMP_ALLOWED.get(namespace, set())


def _xmp_name(name: str) -> str:
    return name.replace("{", "").replace("}", " ") if name.startswith("{") else name
