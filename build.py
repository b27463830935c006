#!/usr/bin/env python3
"""Build the photo-elicitation gallery: python build.py [build] [options]; python build.py --help."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
COMMANDS = ("build", "audit")
log = logging.getLogger("gallery")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python build.py",
        description="Publish consented research photos as an accessible static gallery. "
                    "Exit status: 0 built, 1 the content has errors (nothing was published), 2 wrong usage.")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    b = sub.add_parser("build", help="build the site (the default command)",
                       description="Build the site from photos/ and captions/ into site/.")
    _paths(b)
    b.add_argument("--jobs", type=_positive, metavar="N", help="image worker processes (default: all cores)")
    b.add_argument("--strict", action="store_true", help="treat warnings as errors")
    _verbosity(b)
    a = sub.add_parser("audit", help="check the image files and pages of a built site for leaked metadata",
                       description="Re-read every file in a built site and report any metadata found.")
    a.add_argument("dir", nargs="?", type=Path, help="the built site to check (default: site/)")
    a.add_argument("--photos", type=Path, metavar="DIR",
                   help="source photos whose metadata text must not appear in the site (default: photos/)")
    _verbosity(a)
    return p


def _paths(p: argparse.ArgumentParser) -> None:
    p.add_argument("--photos", type=Path, metavar="DIR", help="folder of photos (default: photos/)")
    p.add_argument("--captions", type=Path, metavar="DIR", help="folder of caption files (default: captions/)")
    p.add_argument("--config", type=Path, metavar="FILE", help="site settings (default: gallery.yaml)")
    p.add_argument("--templates", type=Path, metavar="DIR",
                   help="folder of template overrides (default: templates/)")
    p.add_argument("--out", type=Path, metavar="DIR", help="output folder (default: site/)")


def _verbosity(p: argparse.ArgumentParser) -> None:
    group = p.add_mutually_exclusive_group()
    group.add_argument("-q", "--quiet", action="store_true", help="print only errors")
    group.add_argument("-v", "--verbose", action="store_true", help="explain each decision")


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def parse(argv: list[str]) -> argparse.Namespace:
    if not argv or (argv[0] not in COMMANDS and argv[0] not in ("-h", "--help")):
        argv = ["build", *argv]
    return parser().parse_args(argv)


def configure_logging(args: argparse.Namespace) -> None:
    level = logging.ERROR if args.quiet else logging.DEBUG if args.verbose else logging.INFO
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    root = logging.getLogger("gallery")
    root.handlers[:] = [handler]
    root.setLevel(level)


def run_build(args: argparse.Namespace) -> int:
    from gallery import report, site
    options = site.options_for(ROOT, photos=args.photos, captions=args.captions, config=args.config,
                               templates=args.templates, out=args.out, jobs=args.jobs, strict=args.strict,
                               config_required=args.config is not None)
    result = site.build(options)
    report.print_build(result, options)
    return 0


def run_audit(args: argparse.Namespace) -> int:
    from gallery import audit
    folder = args.dir or ROOT / "site"
    photos = args.photos or ROOT / "photos"
    sources = sorted(p for p in photos.rglob("*") if p.is_file() and not p.name.startswith(".")) \
        if photos.is_dir() else []
    findings = audit.audit_site(folder, sources)
    audit.raise_if_findings(findings)
    log.info("audit: %s is clean", folder)
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parse(sys.argv[1:] if argv is None else argv)
    configure_logging(args)
    from gallery.errors import GalleryError, display_path
    try:
        return {"build": run_build, "audit": run_audit}[args.command](args)
    except GalleryError as exc:
        for line in exc.lines():
            print(line, file=sys.stderr)
        if exc.exit_code == 1 and args.command == "build":
            out = display_path(getattr(args, "out", None) or ROOT / "site")
            print(f"Nothing was published; {out}/ is unchanged.", file=sys.stderr)
        return exc.exit_code
    except OSError as exc:  # disk full, permissions...: the previous site is still in place
        where = f"{display_path(exc.filename)}: " if exc.filename else ""
        print(f"{where}{exc.strerror or exc}; check the path and permissions (nothing was published)",
              file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("Interrupted; the previous site is unchanged.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
