"""gallery.yaml: defaults, validation with lines, every error at once."""

from pathlib import Path

import pytest

from gallery.config import DEFAULT_PROMPTS, ImageSettings, load_config
from gallery.errors import ConfigError


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "gallery.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_missing_optional_config_gives_the_study_defaults(tmp_path):
    config = load_config(tmp_path / "gallery.yaml", required=False)
    assert [p.id for p in config.prompts] == ["typical-day", "confidence", "unexpected"]
    assert config.language == "en-GB"
    assert config.require_review is True
    assert config.images == ImageSettings()


def test_missing_required_config_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match="configuration file not found"):
        load_config(tmp_path / "nope.yaml")


def test_full_config_is_read(tmp_path):
    config = load_config(write(tmp_path, """\
title: My study
language: cy
introduction: Hello *there*
prompts:
  - {id: one, title: One, question: "First?"}
base_url: https://example.ac.uk/gallery
noindex: true
require_review: false
images: {sizes: [300, 900], formats: [jpeg], jpeg_quality: 70, max_pixels: 5000000}
"""))
    assert config.title == "My study"
    assert config.language == "cy"
    assert [p.id for p in config.prompts] == ["one"]
    assert config.base_url == "https://example.ac.uk/gallery/"
    assert config.noindex and not config.require_review
    assert config.images.sizes == (300, 900)
    assert config.images.formats == ("jpeg",)
    assert config.images.max_pixels == 5_000_000


def test_every_error_is_reported_at_once_with_its_line(tmp_path):
    path = write(tmp_path, """\
title: ok
langauge: en-GB
images:
  sizes: [10]
  formats: [gif]
  quality: 80
base_url: example.org
""")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    lines = caught.value.lines()
    assert any(":2: unknown key 'langauge' (did you mean 'language'?)" in m for m in lines)
    assert any(":4: 'images.sizes' must be a list" in m for m in lines)
    assert any(":5: 'images.formats' must be a list" in m for m in lines)
    assert any(":6: unknown key 'images.quality'" in m for m in lines)
    assert any(":7: base_url 'example.org' must start with https://" in m for m in lines)
    assert len(lines) == 5


def test_duplicate_prompt_ids_are_refused(tmp_path):
    path = write(tmp_path, "prompts:\n  - {id: a, title: A, question: Q}\n  - {id: a, title: B, question: Q}\n")
    with pytest.raises(ConfigError, match="prompt id 'a' is used twice"):
        load_config(path)


def test_default_prompts_have_questions():
    assert all(p.question.endswith(".") for p in DEFAULT_PROMPTS)
