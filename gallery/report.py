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
