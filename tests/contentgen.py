"""Generated gallery content for the check-agrees-with-build property test: real files, seeded.

`generate(rng, project)` writes a random small project (caption files, photos, settings) into a
`conftest.Project`; `mutate(rng, project)` changes some of it, as a researcher would between
builds. Every choice comes from the random.Random passed in, so a case is reproduced by its seed.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass, field

from conftest import FIXTURE_REVIEW, UNSEEN, Project

PROMPTS = ("typical-day", "confidence", "unexpected")
# participant codes: ordinary, odd but valid, and invalid (a name, a space, YAML numbers and lists)
PARTICIPANTS = ("LW01", "LW02", "lw03", "LW-04", "A7", "ABCDEF12345", "007", "7", "Jane Smith", "LW 05", "[LW06]",
                "''", "IMG1234")
# item ids: ordinary, odd but valid (camera and date lookalikes, one letter, page names), and invalid
ODD_IDS = ("img-1234", "20240501", "dsc01234", "pxl-20240501-093012", "a", "x-1", "index", "about", "lw01",
           "typical-day", "Lw09-Day", "lw09_day", "lw 09", "-lw09", "lw09-")
KINDS = ("original", "original", "illustration", "reported", "O", "I", "R", "photo", "")   # the last two wrong
# photo names that are not the item's own: a participant code, a prompt, site page names, camera names
PHOTO_NAMES = ("lw01.jpg", "lw02.png", "typical-day.jpg", "about.jpg", "index.png", "style.jpg", "favicon.jpg",
               "viewer.webp", "1280.jpg", "480.png", "IMG_1234.JPG", "PXL_20240501_093012.jpg", "sub/kitchen.jpg",
               "a.jpg", "My Desk.jpeg", "site.jpg", "participants.jpg")
OUTSIDE = ("../gallery.yaml", "/etc/hostname", "~/photo.jpg", "..\\photo.jpg", "sub/../../gallery.yaml")
# what a photo file holds
BYTES = ("jpeg", "jpeg", "jpeg", "png", "webp", "png-as-jpg", "gif", "truncated", "garbage", "empty", "text",
         "pdf", "huge")


@dataclass
class Spec:
    """What was generated, for the failure message."""

    seed: str
    files: dict[str, str] = field(default_factory=dict)     # caption file name -> text
    photos: dict[str, str] = field(default_factory=dict)    # photo name -> what it holds
    config: str = ""
    strict: bool = False

    def describe(self) -> str:
        parts = [f"seed {self.seed}; strict={self.strict}", f"gallery.yaml:\n{self.config}"]
        parts += [f"photos/{name}: {what}" for name, what in sorted(self.photos.items())]
        parts += [f"--- captions/{name}\n{text}" for name, text in sorted(self.files.items())]
        return "\n".join(parts)


def image_bytes(rng: random.Random, what: str) -> bytes:
    """A real (small) image file, or something that is not one."""
    from PIL import Image
    colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
    size = (rng.choice((48, 64, 97)), rng.choice((32, 48, 71)))
    if what == "huge":          # over the max_pixels the settings may set
        size = (400, 300)
    fmt = {"png": "PNG", "png-as-jpg": "PNG", "webp": "WEBP", "gif": "GIF"}.get(what, "JPEG")
    if what in ("garbage", "empty", "text", "pdf"):
        return {"garbage": bytes(rng.randrange(256) for _ in range(64)), "empty": b"",
                "text": b"Notes from the interview, not a picture.\n",
                "pdf": b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << >> endobj\n"}[what]
    buf = io.BytesIO()
    im = Image.new("RGB", size, colour)
    for x in range(0, size[0], 7):        # some detail, so that a truncated file lacks real data
        im.putpixel((x, x % size[1]), (255 - colour[0], 0, colour[2]))
    im.save(buf, format=fmt)
    data = buf.getvalue()
    return data[: len(data) * 2 // 3] if what == "truncated" else data


def write_photo(rng: random.Random, project: Project, spec: Spec, name: str, what: str | None = None) -> None:
    what = what or rng.choice(BYTES)
    path = project.photos / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(image_bytes(rng, what))
    spec.photos[name] = what


# the states the consent gate decides on (all valid), and faults a caption file may have (one at most)
CONSENT = ("ok", "ok", "ok", "ok", "private", "scope", "withdrawn-date", "withdrawn-true", "withdrawn-empty", "none")
REVIEW = ("ok", "ok", "ok", "none")
FAULTS = ("prompt", "kind", "participant", "bad-publish", "no-consent-date", "scope-text", "consent-mapping",
          "review-date", "review-key", "no-caption", "no-alt", "unknown-key", "indent", "list", "latin-1", "empty",
          "odd-id", "text-suffix", "photo-missing", "photo-outside", "photo-shared", "photo-damaged",
          "photo-named", "reported-photo")
FAULT_RATE = 0.2


def _consent(shape: str, fault: str | None) -> list[str]:
    if fault == "consent-mapping":
        return ["consent: yes"]
    if shape == "none":
        return []
    publish = "yes please" if fault == "bad-publish" else "false" if shape == "private" else "true"
    scope = "web" if fault == "scope-text" else "[print, exhibition]" if shape == "scope" else "[web]"
    lines = ["consent:", f"  publish: {publish}", f"  scope: {scope}"]
    if fault != "no-consent-date":
        lines.append("  date: 2024-05-01")
    lines += {"withdrawn-date": ["  withdrawn: 2024-09-01"], "withdrawn-true": ["  withdrawn: true"],
              "withdrawn-empty": ["  withdrawn:"]}.get(shape, [])
    return lines


def _review(shape: str, fault: str | None, bound: bool = True) -> list[str]:
    """A review block; bound: with the photo's hash, stamped by the fixture before the CLI runs (as
    `build.py review` writes it), else as reviews were before they recorded the photo (left out)."""
    if shape == "none" and fault not in ("review-date", "review-key"):
        return []
    lines = ["review:", "  by: ST"]
    if fault != "review-date":
        lines.append("  date: 2024-05-02")
    if bound:
        lines.append(f"  photo: {UNSEEN}{FIXTURE_REVIEW}")
    if fault == "review-key":
        lines.append("  checkd: true")
    return lines


def caption_text(rng: random.Random, fields: dict[str, str | None], fault: str | None) -> str:
    lines = [f"{key}: {value}" for key, value in fields.items() if value is not None]
    if fault != "no-caption":
        lines.append(f"caption: {rng.choice(('The paperwork never stops.', 'A walk between visits.', 'Tea.'))}")
    if fault != "no-alt" or fields.get("kind") in ("reported", "R"):
        lines.append(f"alt: {rng.choice(('A desk with forms and a mug of tea.', 'Photo of a kettle.', 'Shoes.'))}")
    lines += _consent(rng.choice(CONSENT), fault) + _review(rng.choice(REVIEW), fault, rng.random() < 0.85)
    if fault == "unknown-key":
        lines.append("titel: A misspelt key")
    text = "\n".join(lines) + "\n"
    if fault == "indent":        # an indentation slip: the YAML no longer parses
        text = text.replace("\nprompt:", "\n prompt:", 1)
    elif fault == "list":
        text = "- not a mapping\n- " + text
    elif fault == "empty":
        text = ""
    return text


def generate(rng: random.Random, project: Project, seed: str) -> Spec:
    spec = Spec(seed, strict=rng.random() < 0.1)
    config = ["title: Generated gallery"]
    if rng.random() < 0.2:
        config.append("require_review: false")
    if rng.random() < 0.1:
        config.append("images: {max_pixels: 50000, sizes: [64, 120]}")
    else:
        config.append("images: {sizes: [64, 120], formats: [webp, jpeg]}")
    if rng.random() < 0.04:           # a settings file with an error of its own
        config.append(rng.choice(("titel: Misspelt", "require_review: maybe", "prompts: []")))
    spec.config = "\n".join(config) + "\n"
    project.config.write_text(spec.config, encoding="utf-8")
    clean = rng.random() < 0.4          # a project with no fault at all (the gate and the photos still vary)
    photos_used: list[str] = []
    for n in range(rng.randint(1, 6)):
        fault = rng.choice(FAULTS) if not clean and rng.random() < FAULT_RATE * 2 else None
        add_caption(rng, project, spec, n, photos_used, fault)
    for _ in range(rng.choice((0, 0, 1, 2))):       # photos no caption file names
        write_photo(rng, project, spec, rng.choice(PHOTO_NAMES + ("spare.jpg", "notes.txt")))
    return spec


def add_caption(rng: random.Random, project: Project, spec: Spec, n: int, photos_used: list[str],
                fault: str | None = None) -> None:
    participant = rng.choice(PARTICIPANTS) if fault == "participant" else rng.choice(PARTICIPANTS[:7])
    prompt = "confidance" if fault == "prompt" else rng.choice(PROMPTS)
    code = participant.strip("'[]").lower().replace(" ", "") or "x"
    item_id = rng.choice((f"{code}-{prompt}", f"{code}-{n}"))
    if fault == "odd-id":
        item_id = rng.choice(ODD_IDS)
    kind = rng.choice(("photo", "")) if fault == "kind" else rng.choice(KINDS[:7])
    photo, what = _photo_choice(rng, item_id, kind, photos_used, fault)
    if photo is not None and what is not None:
        write_photo(rng, project, spec, photo, what)
    name = f"{item_id}{rng.choice(('.yaml', '.yaml', '.yaml', '.yml'))}"
    if fault == "text-suffix":
        name = f"{item_id}.txt"               # not a caption file: a warning
    fields = {"participant": participant, "prompt": prompt, "kind": kind or None, "photo": photo}
    text = caption_text(rng, fields, fault)
    path = project.captions / name
    if fault == "latin-1":
        path.write_bytes(text.replace("caption: ", "caption: caf\xe9 ").encode("latin-1"))
    else:
        path.write_text(text, encoding="utf-8")
    spec.files[name] = text


def _photo_choice(rng: random.Random, item_id: str, kind: str, used: list[str], fault: str | None
                  ) -> tuple[str | None, str | None]:
    """(the caption's photo: value or None, what to write there or None for nothing)."""
    reported = kind in ("reported", "R")
    if reported and fault != "reported-photo":
        return None, None
    if fault == "photo-shared" and used:
        return rng.choice(used), None
    if fault == "photo-outside":
        return rng.choice(OUTSIDE), None
    name = rng.choice(PHOTO_NAMES) if fault == "photo-named" else \
        f"{item_id}{rng.choice(('.jpg', '.jpg', '.jpeg', '.png', '.webp', '.JPG'))}"
    if fault == "photo-damaged" and rng.random() < 0.3:
        name = f"{item_id}{rng.choice(('.gif', '.txt', '.bmp', '.pdf'))}"
    if name in used:
        return name, None
    used.append(name)
    if fault == "photo-missing":
        return name, None
    ext = name.rsplit(".", 1)[-1].lower()
    what = {"jpg": "jpeg", "jpeg": "jpeg", "png": "png", "webp": "webp", "gif": "gif", "txt": "text",
            "pdf": "pdf"}.get(ext, "garbage")
    if fault == "photo-damaged":
        what = rng.choice(("png-as-jpg", "truncated", "garbage", "empty", "text", "pdf", "huge", "gif"))
    return name, what


def mutate(rng: random.Random, project: Project, spec: Spec) -> str:
    """One change between builds: a photo replaced or damaged, a caption edited, added or removed."""
    captions = sorted(p.name for p in project.captions.iterdir() if p.is_file())
    photos = sorted(str(p.relative_to(project.photos)) for p in project.photos.rglob("*") if p.is_file())
    change = rng.choice(("photo", "photo", "caption", "add", "remove", "withdraw"))
    if change == "photo" and photos:
        name = rng.choice(photos)
        write_photo(rng, project, spec, name)
        return f"photos/{name} rewritten as {spec.photos[name]}"
    if change in ("caption", "withdraw") and captions:
        name = rng.choice(captions)
        path = project.captions / name
        text = path.read_text(encoding="utf-8", errors="replace")
        text = text.replace("  date: 2024-05-01", "  date: 2024-05-01\n  withdrawn: 2024-10-01") \
            if change == "withdraw" else text.replace("publish: true", "publish: false").replace("review:", "notes:")
        path.write_text(text, encoding="utf-8")
        spec.files[name] = text
        return f"captions/{name} edited ({change})"
    if change == "remove" and captions:
        name = rng.choice(captions)
        (project.captions / name).unlink()
        spec.files.pop(name, None)
        return f"captions/{name} removed"
    fault = rng.choice(FAULTS) if rng.random() < FAULT_RATE else None
    add_caption(rng, project, spec, 90 + rng.randrange(9), [], fault)
    return f"a caption added (fault: {fault})"
