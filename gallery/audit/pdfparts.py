"""The parts of a PDF object the audit judges: its dictionaries' keys, its texts, its images."""

from __future__ import annotations

from collections.abc import Iterator

from .containers import check_image

PIXELS = {"/FlateDecode", "/Fl", "/LZWDecode", "/LZW", "/RunLengthDecode", "/RL", "/ASCIIHexDecode", "/AHx",
          "/ASCII85Decode", "/A85"}
JPEG = {"/DCTDecode", "/DCT"}
ACTIONS = {"/GoTo", "/URI"}         # a link inside the document or to a web address: nothing runs
OTHER_ACTIONS = {"/GoToR", "/GoToE", "/Launch", "/Thread", "/Sound", "/Movie", "/Hide", "/Named", "/SubmitForm",
                 "/ResetForm", "/ImportData", "/JavaScript", "/SetOCGState", "/Rendition", "/Trans", "/GoTo3DView",
                 "/RichMediaExecute", "/GoToDp"}
MEDIA = {"/Sound", "/Movie", "/Screen", "/RichMedia", "/3D"}
REPRINT = "print it again with the print command (it writes none)"
KEYS = {
    "/EmbeddedFiles": "a list of embedded files (attachments)",
    "/EF": "an embedded file (an attachment)",
    "/JavaScript": "JavaScript", "/JS": "JavaScript",
    "/AA": "additional actions (run when a page or field is opened or closed)",
    "/AcroForm": "a form (AcroForm), whose fields hold any text", "/XFA": "an XFA form",
    "/PieceInfo": "private data of the application that wrote the file",
    "/Collection": "a portfolio of embedded files",
}


def texts_of(obj, texts: list[str], max_depth: int) -> Iterator:
    """Append the names and strings in obj (its direct parts, not what its references point to) to texts,
    and yield each dictionary in it. Deeper than max_depth: raises RecursionError (damaged)."""
    from pypdf.generic import ArrayObject, ByteStringObject, DictionaryObject, NameObject, TextStringObject
    stack = [(obj, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > max_depth:
            raise RecursionError(f"objects nested more than {max_depth} deep")
        if isinstance(item, DictionaryObject):
            yield item
            texts.extend(str(key) for key in item)
            stack.extend((value, depth + 1) for value in item.values())
        elif isinstance(item, ArrayObject):
            stack.extend((value, depth + 1) for value in item)
        elif isinstance(item, (TextStringObject, NameObject)):
            texts.append(str(item))
        elif isinstance(item, ByteStringObject):
            texts.append(bytes(item).decode("latin-1"))


def check_dictionary(dictionary) -> list[str]:
    """What is wrong with one dictionary's keys and types (attachments, scripts, actions, forms, media)."""
    found = [f"holds {what}; {REPRINT}" for key, what in KEYS.items() if key in dictionary]
    kind, subtype, action = (dictionary.get(k) for k in ("/Type", "/Subtype", "/S"))
    if kind == "/EmbeddedFile" or subtype == "/FileAttachment":
        found.append(f"is an embedded file or a file attachment; {REPRINT}")
    if subtype in MEDIA:
        found.append(f"is multimedia ({subtype[1:]}), which can hold any file; {REPRINT}")
    if action in OTHER_ACTIONS or (kind == "/Action" and action not in ACTIONS):
        found.append(f"is an action of type {action} (only links may be written: it could run, open, "
                     f"submit or launch something); {REPRINT}")
    metadata = dictionary.get("/Metadata")
    if metadata is not None and kind != "/Catalog":
        found.append(f"has its own XMP metadata stream (only the document's is written); {REPRINT}")
    return found


def filters_of(obj, *keys: str) -> list[str]:
    """The names of a stream's filters, in the order they are undone (keys: where they are named)."""
    found = next((obj[key] for key in keys or ("/Filter",) if key in obj), None)
    if found is None:
        return []
    found = found.get_object() if hasattr(found, "get_object") else found
    return [str(f) for f in found] if isinstance(found, list) else [str(found)]


def check_image_stream(where: str, obj, damaged: tuple[type[BaseException], ...]) -> list[tuple[str, str]]:
    """An image XObject: a JPEG walked by its container, raw pixels fine, anything else a finding."""
    return _check_image(f"image ({where})", filters_of(obj), obj.get_data, damaged)


def check_inline_images(where: str, stream, reader, damaged: tuple[type[BaseException], ...]) -> list[tuple[str, str]]:
    """Every inline image (BI ... ID ... EI) in a content stream, checked as an image XObject is."""
    from pypdf.generic import ContentStream
    try:
        operations = ContentStream(stream, reader).operations
    except damaged as exc:
        return [(f"{where} (stream)", f"cannot be parsed ({type(exc).__name__}: {exc}), so its inline images "
                                      f"cannot be checked; {REPRINT}")]
    found = []
    inline = [operands for operands, operator in operations if operator == b"INLINE IMAGE"]
    for index, operands in enumerate(inline, 1):
        settings, data = operands["settings"], operands["data"]
        names = filters_of(settings, "/Filter", "/F")
        found.extend(_check_image(f"inline image {index} ({where})", names, lambda data=data: data, damaged,
                                  decoded=False))
    return found


def _check_image(where: str, names: list[str], data, damaged, decoded: bool = True) -> list[tuple[str, str]]:
    unknown = [n for n in names if n not in PIXELS and n not in JPEG]
    if unknown:
        return [(where, f"compressed as {unknown[0][1:]}, which the privacy audit cannot check for metadata (it "
                        f"reads JPEG and raw pixels); {REPRINT}")]
    if not any(n in JPEG for n in names):
        return []       # raw pixels (compressed or not) hold nothing else
    if names[-1] not in JPEG or (not decoded and len(names) > 1):
        return [(where, f"a JPEG under other filters ({', '.join(names)}), which the audit does not unpack; {REPRINT}")]
    try:
        jpeg = data()
    except damaged as exc:
        return [(where, f"cannot be decompressed ({type(exc).__name__}: {exc}), so it cannot be checked; {REPRINT}")]
    return [(f"{where}, embedded JPEG: {inside}", what) for inside, what in check_image(jpeg, ".jpg")]
