"""What a build tells its user: summary, left-out items with reasons, warnings."""

from __future__ import annotations

import logging

from .errors import display_path
from .site import BuildOptions, BuildReport

log = logging.getLogger(__name__)


def print_build(report: BuildReport, options: BuildOptions) -> None:
    for warning in report.warnings:
        log.warning("warning: %s", warning)
    for decision in report.left_out:
        log.info("left out: %s: %s", display_path(decision.item.source), decision.reason)
    for rel in report.foreign:
        log.warning("warning: %s/%s was not written by this tool; kept as it was",
                    display_path(options.out), rel)
    cached = sum(1 for i in report.published if i.has_image) - report.images_made
    log.info("Published %d items to %s/ (%d left out, %d warnings) in %.1f s; images: %d made, %d from cache.",
             len(report.published), display_path(options.out), len(report.left_out), len(report.warnings),
             report.seconds, report.images_made, cached)
    if report.removed:
        print_removal_checklist(report.removed, options)


def print_removal_checklist(removed: list[tuple[str, str]], options: BuildOptions) -> None:
    """Removed from site/ is not yet removed from the web: what the team must do next."""
    names = ", ".join(f"{item_id} ({reason})" for item_id, reason in removed)
    log.warning("Removed from %s/: %s. Every page, image size and mention is gone from the new build and "
                "from the image cache. To finish the removal:", display_path(options.out), names)
    log.warning("  [ ] redeploy %s/ now (rsync -a --delete, so the old files are deleted on the server)",
                display_path(options.out))
    log.warning("  [ ] purge the CDN or proxy cache for the whole site, if one is used")
    log.warning("  [ ] ask search engines to remove cached copies (Google: Remove outdated content; "
                "Bing: Content Removal Tool) of the removed pages and images")
    log.warning("  [ ] record the withdrawal and the date it went offline in the study's consent log")
