"""sigal, the nearest peer, in its own virtual environment, configured for outputs comparable to ours."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
VENV = HERE / ".venv-sigal"

CONFIG = """\
# sigal settings making outputs comparable to gallery.yaml images: {{sizes: [280, {large}], formats: [jpeg]}}
source = {source!r}
destination = {destination!r}
img_size = ({large}, {large})        # long side at most {large} px, as ours
thumb_size = (280, 280)
thumb_fit = False                    # keep the aspect ratio (ours does not crop either)
autorotate_images = True
use_orig = False
keep_orig = False
copy_exif_data = False
zip_gallery = False
write_html = True
"""


def executable() -> Path:
    return VENV / "bin" / "sigal"


def install(log=print) -> str:
    """Create the venv and pip-install sigal (once); returns sigal's version."""
    if not executable().exists():
        log(f"installing sigal into {VENV} ...")
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(VENV / "bin" / "pip"), "install", "--quiet", "sigal"], check=True)
    out = subprocess.run([str(executable()), "--version"], capture_output=True, text=True)
    return (out.stdout or out.stderr).strip().split()[-1]


def write_config(path: Path, source: Path, destination: Path, large: int) -> Path:
    path.write_text(CONFIG.format(source=str(source), destination=str(destination), large=large))
    return path


def command(config: Path) -> list[str]:
    return [str(executable()), "build", "-c", str(config), "-n", str(os.cpu_count() or 1), "--quiet"]
