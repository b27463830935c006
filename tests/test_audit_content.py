"""The audit reads files by their content, never by their name (issue 13).

Every file of the site is identified by its first bytes and checked as what it is; a file the
audit cannot check, operating-system litter and images hidden inside text are findings; the site
image is re-encoded like a photo. Real bytes throughout: Pillow JPEGs with a real EXIF (GPS IFD,
Artist), real ICC profiles, the real command line.
"""

from __future__ import annotations

import base64
import io
import os
import random
import re
import shutil
import struct
import urllib.parse
from pathlib import Path

import pytest
from conftest import Project, copy_of, run_cli
from PIL import Image, ImageCms

from gallery import audit

ARTIST = "Jane Q. Participant"
NOTHING = "Nothing was published; site/ is unchanged."


def exif_jpeg(size=(24, 16), icc: bytes | None = None) -> bytes:
    """A real JPEG whose EXIF holds a GPS position and an artist's name."""
    exif = Image.Exif()
    exif[0x013B] = ARTIST
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (51.0, 30.0, 26.64), "W", (0.0, 7.0, 39.12)
    buf = io.BytesIO()
    extra = {"icc_profile": icc} if icc else {}
    Image.new("RGB", size, (200, 80, 40)).save(buf, "JPEG", exif=exif.tobytes(), **extra)
    return buf.getvalue()


def plain(fmt: str, size=(24, 16)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, (20, 120, 200)).save(buf, fmt)
    return buf.getvalue()


@pytest.fixture(scope="module")
def built_once(tmp_path_factory) -> Path:
    project = Project(tmp_path_factory.mktemp("content") / "proj")
    project.config.write_text("title: Test gallery\nimages:\n  sizes: [120]\n  formats: [jpeg]\n")
    project.item("lw07-day")
    project.build("-q")
    return project.root


@pytest.fixture
def proj(built_once: Path, tmp_path: Path) -> Project:
    return copy_of(built_once, tmp_path)


def static(project: Project, name: str, data: bytes) -> Path:
    folder = project.templates / "static"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(data)
    return path


def refused(project: Project, *extra: str) -> list[str]:
    """Build; assert exit 1, no traceback, the site unchanged; the lines printed."""
    before = project.tree()
    result = project.build("-q", *extra, check=False)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    assert project.tree() == before
    lines = result.stderr.splitlines()
    assert lines[-1] == NOTHING, lines
    return lines


def asset(name: str) -> str:
    """The pattern of a static file's published name (assets/<stem>.<hash>.<ext>)."""
    stem, dot, ext = name.rpartition(".")
    return rf"site/assets/{re.escape(stem)}\.[0-9a-f]{{10}}\.{re.escape(ext)}" if dot and stem \
        else rf"site/assets/{re.escape(name)}\.[0-9a-f]{{10}}"


def audit_lines(site: Path) -> list[str]:
    """What `python build.py audit DIR` prints (exit status 1), with the folder shown as site/."""
    result = run_cli("audit", str(site), "--photos", str(site.parent / "photos"), "-q")
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    return [line.replace(f"{site}/", "site/") for line in result.stderr.splitlines()]


# ---- files judged by their content ----------------------------------------------------------------

@pytest.mark.parametrize("name", ["logo.jfif", "logo.jpe", "logo.pjpeg", "logo", "logo.css", "logo.svg"])
def test_an_exif_jpeg_under_any_name_is_found(proj: Project, name: str):
    """A JPEG with GPS and an artist, under a name the audit did not read as an image before."""
    static(proj, name, exif_jpeg())
    lines = refused(proj)
    mine = [line for line in lines if re.match(asset(name) + ": ", line)]
    assert any("JPEG segment APP1 (EXIF) at byte 2" in line for line in mine), lines
    published = mine[0].split(":", 1)[0]     # without an extension, the name ends in the content hash
    assert any(f"holds JPEG data under a .{published.rpartition('.')[2]} name; rename it to .jpg" in line
               for line in mine), lines


def test_the_audit_command_finds_what_the_build_finds(proj: Project):
    static(proj, "logo.jfif", exif_jpeg())
    static(proj, "notes.bin", random.Random(13).randbytes(300))
    build_lines = refused(proj)
    shutil.rmtree(proj.templates / "static")
    proj.build("-q")
    (proj.out / "assets").mkdir(exist_ok=True)
    for line in build_lines[:-2]:
        rel = line.split(":", 1)[0][len("site/"):]
        source = "logo.jfif" if "logo" in rel else "notes.bin"
        data = exif_jpeg() if source == "logo.jfif" else random.Random(13).randbytes(300)
        (proj.out / rel).write_bytes(data)
    assert audit_lines(proj.out)[:-1] == build_lines[:-2]


@pytest.mark.parametrize("data, what", [
    (random.Random(5).randbytes(200), "unknown binary data"),
    (b"GIF89a" + bytes(40), "a GIF image"),
    (b"II*\x00" + bytes(40), "a TIFF image"),
    (b"\x00\x00\x01\x00" + bytes(40), "an ICO image"),
    (b"BM" + bytes(40), "a BMP image"),
    (b"\x00\x00\x00\x18ftypheic" + bytes(40), "a HEIC image"),
    (b"\xff\x0a" + bytes(40), "a JPEG XL image"),
    (b"PK\x03\x04" + bytes(40), "a ZIP archive"),
    (b"%PDF-1.7\n" + bytes(40), "a PDF document"),
    ("caf\u00e9 latin-1".encode("latin-1"), "unknown binary data"),
])
def test_a_file_the_audit_cannot_check_is_a_finding(proj: Project, data: bytes, what: str):
    static(proj, "extra.dat", data)
    lines = refused(proj)
    mine = [line for line in lines if re.match(asset("extra.dat") + ": ", line)]
    assert mine and f"holds {what}" in mine[0] and "remove it" in mine[0], lines


def test_text_under_an_image_name_is_searched_as_text(proj: Project):
    """Text named .png: checked as text (the caption's camera model is found) and the mismatch named."""
    exif = Image.Exif()
    exif[0x0110] = "Pixel 8 Pro"
    proj.photo("lw07-day.jpg", size=(300, 200), exif=exif.tobytes())
    static(proj, "logo.png", b"<svg xmlns='http://www.w3.org/2000/svg'><text>Pixel 8 Pro</text></svg>")
    lines = refused(proj)
    mine = [line for line in lines if re.match(asset("logo.png") + ":", line)]
    assert any("holds text under a .png name" in line for line in mine), lines
    assert any("contains 'Pixel 8 Pro', the EXIF Model of lw07-day.jpg" in line for line in mine), lines


def test_fonts_are_checked_by_their_header(tmp_path: Path):
    """WOFF/WOFF2: accepted without a metadata or private block, refused with one, or when damaged."""
    site = tmp_path / "site"
    (site / "assets").mkdir(parents=True)
    (site / "assets" / "clean.woff2").write_bytes(woff2())
    (site / "assets" / "meta.woff2").write_bytes(woff2(meta=b"<metadata><vendor name='Jane Q'/></metadata>"))
    (site / "assets" / "priv.woff").write_bytes(woff(priv=b"private bytes"))
    (site / "assets" / "clean.woff").write_bytes(woff())
    (site / "assets" / "cut.woff").write_bytes(woff()[:30])
    found = {str(p.path.relative_to(site)): p.message for p in audit.audit_site(site)}
    assert sorted(found) == ["assets/cut.woff", "assets/meta.woff2", "assets/priv.woff"], found
    assert "an extended metadata block" in found["assets/meta.woff2"]
    assert "a private data block" in found["assets/priv.woff"]
    assert "damaged" in found["assets/cut.woff"]


def woff2(meta: bytes = b"") -> bytes:
    """A WOFF2 file: the 48-byte header, one glyf table entry, the data, an optional metadata block."""
    body = b"\x0a" + struct.pack(">B", 4) + bytes(16)    # directory: glyf (index 10), origLength 4 (UIntBase128)
    length = 48 + len(body) + len(meta)
    meta_offset = 48 + len(body) if meta else 0
    header = struct.pack(">4sIIHHIIHHIIIII", b"wOF2", 0x00010000, length, 1, 0, 16, len(body), 1, 0,
                         meta_offset, len(meta), len(meta), 0, 0)
    return header + body + meta


def woff(priv: bytes = b"") -> bytes:
    """A WOFF file: the 44-byte header, one table (uncompressed), an optional private block."""
    table = b"\x00\x01\x00\x00"
    directory = struct.pack(">4sIIII", b"head", 44 + 20, len(table), len(table), 0)
    length = 44 + 20 + len(table) + len(priv)
    priv_offset = 44 + 20 + len(table) if priv else 0
    header = struct.pack(">4sIIHHIHHIIIII", b"wOFF", 0x00010000, length, 1, 0, 12 + 16 + 4, 1, 0,
                         0, 0, 0, priv_offset, len(priv))
    return header + directory + table + priv


LITTER = {"Thumbs.db": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(64),
          ".DS_Store": b"\x00\x00\x00\x01Bud1" + bytes(64), "desktop.ini": "[.ShellClassInfo]\r\n".encode("utf-16"),
          "._logo.png": b"\x00\x05\x16\x07" + bytes(64)}


def test_operating_system_litter_is_never_copied_nor_a_problem(proj: Project):
    """In templates/static/, photos/ and captions/: never published, never an error or a warning."""
    for name, data in LITTER.items():
        static(proj, name, data)
        (proj.photos / name).write_bytes(data)
        (proj.captions / name).write_bytes(data)
    static(proj, "logo.png", plain("PNG"))
    result = proj.build()
    assert "Traceback" not in result.stderr, result.stderr
    assert not [line for line in result.stderr.splitlines() if any(name in line for name in LITTER)], result.stderr
    published = [rel.rsplit("/", 1)[-1] for rel in proj.tree()]
    assert not [n for n in published if n.split(".")[0] in ("Thumbs", "", "desktop", "_logo")
                and not n.startswith(".gallery")], published
    assert any(n.startswith("logo.") for n in published)
    checked = run_cli("check", "--photos", str(proj.photos), "--captions", str(proj.captions), "--config",
                      str(proj.config), "--out", str(proj.out))
    assert checked.returncode == 0, checked.stderr
    assert not [line for line in checked.stderr.splitlines() if any(name in line for name in LITTER)], checked.stderr


@pytest.mark.parametrize("name", sorted(LITTER))
def test_litter_left_in_the_site_is_refused(proj: Project, name: str):
    """A foreign Thumbs.db the web team left in site/ is carried over by the build: never unchecked."""
    (proj.out / "images" / name).write_bytes(LITTER[name])
    lines = refused(proj)
    assert any(line.startswith(f"site/images/{name}: ") and "delete it" in line for line in lines), lines
    assert any(line.startswith(f"site/images/{name}: ") for line in audit_lines(proj.out)), lines


def test_a_memoised_verdict_depends_on_the_content_kind(proj: Project):
    """A published JPEG found clean, then overwritten in place by text of the same size with the same
    modification time (so the same identity): the memo must not vouch for it."""
    memo = proj.root / "memo.json"
    assert audit.audit_site(proj.out, memo=memo) == [] and memo.is_file()
    image = sorted((proj.out / "images").glob("*.jpg"))[0]
    st = image.stat()
    with open(image, "r+b") as fh:
        fh.write(b"<p>" + b"x" * (st.st_size - 7) + b"</p>")
    os.utime(image, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert (image.stat().st_size, image.stat().st_ino) == (st.st_size, st.st_ino)
    found = audit.audit_site(proj.out, memo=memo)
    assert any(p.path == image and "holds text under a .jpg name" in p.message for p in found), found


# ---- images inside text ---------------------------------------------------------------------------

def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def svg_holding(href: str, text: str = "") -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
            f'<image xlink:href="{href}" width="4" height="4"/>{text}</svg>')


def embeddings() -> dict[str, tuple[str, str]]:
    """(file name, text) holding the EXIF JPEG in each way a page, style sheet, SVG or script can."""
    jpeg = b64(exif_jpeg())
    wrapped = "\n   ".join(jpeg[i:i + 76] for i in range(0, len(jpeg), 76))
    pct = urllib.parse.quote_from_bytes(exif_jpeg(), safe="")
    inner = svg_holding(f"data:image/jpeg;base64,{jpeg}")
    nested, quoted = b64(inner.encode()), urllib.parse.quote(inner)
    svg = '<svg xmlns="http://www.w3.org/2000/svg">{}</svg>'
    return {
        "svg href": ("icon.svg", svg.format(f'<image href="data:image/jpeg;base64,{jpeg}"/>')),
        "svg xlink:href": ("icon.svg", svg_holding(f"data:image/jpeg;base64,{jpeg}")),
        "svg style": ("icon.svg", svg.format(f"<rect style=\"fill: url('data:image/jpeg;base64,{jpeg}')\"/>")),
        "css url unquoted": ("extra.css", f".a {{ background: url(data:image/jpeg;base64,{jpeg}) }}"),
        "css url quoted": ("extra.css", f'.a {{ background: url("data:image/jpeg;base64,{jpeg}") }}'),
        "css url spaced": ("extra.css", f".a {{ background: url(  'data:image/jpeg;base64,{jpeg}'  ) }}"),
        "html src": ("page.html", f'<img src="data:image/jpeg;base64,{jpeg}" alt="">'),
        "html srcset": ("page.html", f'<img srcset="data:image/png;base64,{b64(plain("PNG"))} 1x, '
                                     f'data:image/jpeg;base64,{jpeg} 2x" alt="">'),
        "html style": ("page.html", f"<div style=\"background-image: url('data:image/jpeg;base64,{jpeg}')\"></div>"),
        "upper case": ("extra.css", f".a {{ background: URL(DATA:IMAGE/JPEG;BASE64,{jpeg}) }}"),
        "whitespace in base64": ("icon.svg", svg.format(f'<image href="data:image/jpeg;base64,\n   {wrapped}\n"/>')),
        "percent-encoded": ("extra.css", f'.a {{ background: url("data:image/jpeg,{pct}") }}'),
        "svg in svg (base64)": ("extra.css", f'.a {{ background: url("data:image/svg+xml;base64,{nested}") }}'),
        "svg in svg (percent)": ("extra.css", f'.a {{ background: url("data:image/svg+xml,{quoted}") }}'),
        "script": ("extra.js", f'const picture = "data:image/jpeg;base64,{jpeg}";'),
        "json": ("extra.json", f'{{"icon": "data:image/jpeg;base64,{jpeg}"}}'),
    }


@pytest.mark.parametrize("case", sorted(embeddings()))
def test_an_exif_jpeg_inside_text_is_found(tmp_path: Path, case: str):
    name, text = embeddings()[case]
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / name).write_text("/* first line */\n" + text, encoding="utf-8")
    found = [str(p) for p in audit.audit_site(tmp_path)]
    assert any(f"assets/{name}:2: data: URI (" in f and "JPEG segment APP1 (EXIF)" in f for f in found), found


def test_images_inside_a_static_svg_are_found_by_the_build(proj: Project):
    """The build refuses a static SVG holding an EXIF JPEG, and one whose embedded SVG names the camera."""
    exif = Image.Exif()
    exif[0x0110] = "Pixel 8 Pro"
    proj.photo("lw07-day.jpg", size=(300, 200), exif=exif.tobytes())
    inner = svg_holding(f"data:image/jpeg;base64,{b64(exif_jpeg())}", "<text>Pixel 8 Pro</text>")
    static(proj, "badge.svg", svg_holding(f"data:image/svg+xml;base64,{b64(inner.encode())}").encode())
    lines = refused(proj)
    mine = [line for line in lines if re.match(asset("badge.svg") + ":1: ", line)]
    assert any("data: URI (image/svg+xml): data: URI (image/jpeg): JPEG segment APP1 (EXIF)" in line
               for line in mine), lines
    assert any("text inside a data: URI: contains 'Pixel 8 Pro', the EXIF Model of lw07-day.jpg" in line
               for line in mine), lines


@pytest.mark.parametrize("uri, message", [
    ("data:image/jpeg;base64,@@not base64@@", "its content cannot be decoded"),
    ("data:image/jpeg;base64,AAAAA", "its content cannot be decoded"),
    (f"data:image/gif;base64,{b64(plain('GIF'))}", "holds a GIF image, which the privacy audit cannot check"),
    (f"data:image/tiff;base64,{b64(plain('TIFF'))}", "holds a TIFF image, which the privacy audit cannot check"),
    (f"data:application/octet-stream;base64,{b64(random.Random(3).randbytes(64))}", "cannot check"),
])
def test_a_data_uri_the_audit_cannot_check_is_a_finding(tmp_path: Path, uri: str, message: str):
    (tmp_path / "extra.css").write_text(f".a {{ background: url('{uri}') }}\n")
    found = [str(p) for p in audit.audit_site(tmp_path)]
    assert len(found) == 1 and found[0].startswith(f"{tmp_path}/extra.css:1: data: URI (") and message in found[0], \
        found


def test_nesting_is_bounded(tmp_path: Path):
    text = svg_holding(f"data:image/jpeg;base64,{b64(exif_jpeg())}")
    for _ in range(8):
        text = svg_holding(f"data:image/svg+xml;base64,{b64(text.encode())}")
    (tmp_path / "deep.svg").write_text(text)
    found = [str(p) for p in audit.audit_site(tmp_path)]
    assert len(found) == 1 and "data: URIs nested more than 4 deep" in found[0], found


def test_clean_data_uris_and_look_alikes_are_not_findings(tmp_path: Path):
    """Plain icons as themes write them, and text that only looks like the start of a data: URI."""
    (tmp_path / "extra.css").write_text(
        ".a { background: url(\"data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg'%3E%3C/svg%3E\") }\n"
        f".b {{ background: url(data:image/png;base64,{b64(plain('PNG'))}) }}\n"
        f".c {{ background: url('data:image/webp;base64,{b64(plain('WEBP'))}') }}\n"
        ".d { background: url(data:image/svg+xml;utf8,<svg xmlns='http://www.w3.org/2000/svg'></svg>) }\n")
    (tmp_path / "extra.js").write_text("const x = {data: 1, metadata:2}; call({data:x, y:1}); // data: here\n")
    (tmp_path / "page.html").write_text('<p data-x="data:">The data: column</p>\n')
    assert audit.audit_site(tmp_path) == []


# ---- the site image -------------------------------------------------------------------------------

def site_picture(fmt: str) -> bytes:
    """A real PNG or JPEG carrying an ICC profile and an EXIF block with a GPS position and an artist."""
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    exif = Image.Exif()
    exif[0x013B] = ARTIST
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (51.0, 30.0, 26.64), "W", (0.0, 7.0, 39.12)
    buf = io.BytesIO()
    Image.new("RGB", (64, 40), (200, 80, 40)).save(buf, fmt, icc_profile=icc, exif=exif.tobytes())
    data = buf.getvalue()
    assert (b"iCCP" in data and b"eXIf" in data) if fmt == "PNG" else (b"ICC_PROFILE" in data and b"Exif" in data)
    return data


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_the_site_image_is_published_as_pixels_only(proj: Project, fmt: str):
    """A site_image with an ICC profile and EXIF: built (the profile used to block every build), and
    published with neither."""
    (proj.root / "share.img").write_bytes(site_picture(fmt))
    proj.config.write_text(proj.config.read_text() + "site_image: share.img\n")
    proj.build("-q")
    published = [rel for rel in proj.tree() if rel.startswith("assets/site-image.")]
    assert len(published) == 1, sorted(proj.tree())
    data = (proj.out / published[0]).read_bytes()
    assert data.startswith(b"\x89PNG") and audit.check_png(data) == []
    for chunk in (b"iCCP", b"eXIf", b"tEXt", b"zTXt", b"iTXt"):
        assert chunk not in data
    assert ARTIST.encode() not in data
    with Image.open(io.BytesIO(data)) as im:
        assert im.size == (64, 40) and not im.info.get("icc_profile") and not im.getexif()
        red, green, blue = im.convert("RGB").getpixel((30, 20))[:3]
        assert abs(red - 200) < 8 and abs(green - 80) < 8 and abs(blue - 40) < 8
    result = run_cli("audit", str(proj.out), "--photos", str(proj.photos))
    assert result.returncode == 0, result.stderr


# ---- any bytes: never a traceback, never clean unless checkable -------------------------------------

CASES = int(os.environ.get("GALLERY_CONTENT_CASES", "300"))


def test_any_bytes_are_checked_or_refused(tmp_path: Path):
    """Seeded: files that start like every kind the audit knows, then anything (or a real file cut or
    flipped), under random names. The audit never raises, and calls a file clean only when it is
    UTF-8 text without NULs or a JPEG/PNG/WebP/AVIF/WOFF/WOFF2 its walker accepted under its own name."""
    rng = random.Random(1313)
    starts = [b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"RIFF\x00\x00\x00\x00WEBP", b"\x00\x00\x00\x1cftypavif",
              b"wOFF", b"wOF2", b"GIF89a", b"II*\x00", b"BM", b"<svg>", b"data:", b"", b"\xef\xbb\xbf"]
    real = [exif_jpeg(), plain("PNG"), plain("WEBP"), woff(), woff2()]
    names = ["a.jpg", "a.png", "a.webp", "a.avif", "a.woff", "a.woff2", "a.css", "a.svg", "a", "a.bin"]
    clean = 0
    for case in range(CASES):
        folder = tmp_path / str(case)
        folder.mkdir()
        if rng.random() < 0.4:
            data = bytearray(rng.choice(real))
            for _ in range(rng.randrange(3)):
                data[rng.randrange(len(data))] = rng.randrange(256)
            data = bytes(data[:rng.randrange(1, len(data) + 1)])
        else:
            data = rng.choice(starts) + rng.randbytes(rng.randrange(64))
        name = rng.choice(names)
        (folder / name).write_bytes(data)
        if not audit.audit_site(folder):
            clean += 1
            kind = audit.kinds.sniff(data[:audit.kinds.HEAD])
            if kind == audit.kinds.TEXT:
                assert "\x00" not in data.decode("utf-8"), data
            else:
                assert kind in audit.kinds.IMAGES + audit.kinds.FONTS and audit.kinds.expected(name) == kind, data
    assert 0 < clean < CASES, clean
