#!/usr/bin/env python3
"""Build the photo-elicitation gallery: python build.py [build] [options]; python build.py --help."""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import logging
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
COMMANDS = ("build", "audit", "add", "import", "export", "review", "screen", "check", "serve", "print")
# module -> the package in requirements.txt that installs it
PACKAGES = {"PIL": "pillow", "pillow_heif": "pillow-heif", "yaml": "pyyaml", "jinja2": "jinja2", "markupsafe": "jinja2",
            "markdown": "markdown", "nh3": "nh3", "ahocorasick": "pyahocorasick", "watchdog": "watchdog"}
log = logging.getLogger("gallery")


class _Parser(argparse.ArgumentParser):
    """The top-level parser: its epilog (every command's help) is written only when it is shown."""

    commands: dict[str, argparse.ArgumentParser] = {}

    def format_help(self) -> str:
        # `python build.py --help` documents every option of every command, not just the command
        # names (formatting them costs ~6 ms, so not on every run)
        self.epilog = "Every command and its options (python build.py COMMAND --help shows one):\n\n" + \
            "\n".join(self.commands[name].format_help() for name in COMMANDS)
        return super().format_help()


def parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="python build.py", formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Publish consented research photos as an accessible static gallery. "
                    "Exit status: 0 built, 1 the content has errors (nothing was published), 2 wrong usage, "
                    "3 published, but the previous site could not be deleted, "
                    "4 another build of the project is running (nothing was done).")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=argparse.ArgumentParser)
    b = sub.add_parser("build", help="build the site (the default command)",
                       description="Build the site from photos/ and captions/ into site/.")
    _paths(b)
    b.add_argument("--jobs", type=_positive, metavar="N", help="image worker processes (default: all cores)")
    b.add_argument("--strict", action="store_true", help="treat warnings as errors")
    _verbosity(b)
    a = sub.add_parser("audit", help="check the image files and pages of a built site (or the PDFs of a print "
                                     "folder) for leaked metadata",
                       description="Re-read every file in a built site, or every PDF in a print folder (a folder "
                                   "with PDFs at its top and no index.html), and report any metadata found.")
    a.add_argument("dir", nargs="?", type=Path, help="the built site or print folder to check (default: site/)")
    a.add_argument("--photos", type=Path, metavar="DIR",
                   help="source photos whose metadata text must not appear in the site (default: photos/)")
    _verbosity(a)
    _researcher_commands(sub)
    p.commands = dict(sub.choices)
    return p


def _researcher_commands(sub) -> None:
    add = sub.add_parser("add", help="copy a photo into photos/ and write its caption file",
                         description="Copy PHOTO into photos/ under a neutral name (e.g. lw07-confidence.jpg) "
                                     "and write captions/<id>.yaml with every key explained; consent.publish "
                                     "stays false until consent is recorded. Never overwrites.")
    add.add_argument("photo", nargs="?", type=Path, metavar="PHOTO",
                     help="the photo to add (none for --kind reported)")
    add.add_argument("--participant", required=True, metavar="ID", help="pseudonymous participant ID, e.g. LW07")
    add.add_argument("--prompt", required=True, metavar="PROMPT", help="prompt id from gallery.yaml, e.g. confidence")
    add.add_argument("--kind", default="original", metavar="KIND",
                     help="original (default), illustration or reported (described in words, no photo)")
    add.add_argument("--id", dest="item_id", metavar="ID",
                     help="item id (default: participant and prompt, e.g. lw07-confidence)")
    _sources(add)
    _verbosity(add)
    imp = sub.add_parser("import", help="write caption files from a spreadsheet saved as CSV",
                         description="Write one caption file per row of SHEET.csv; columns are named after the "
                                     "caption keys (consent.publish, consent.scope, review.by, ...). Writes "
                                     "nothing if any row is wrong.")
    imp.add_argument("sheet", type=Path, metavar="SHEET.csv", help="the spreadsheet, saved as CSV (UTF-8)")
    imp.add_argument("--overwrite", action="store_true", help="replace caption files that already exist")
    _sources(imp)
    _verbosity(imp)
    exp = sub.add_parser("export", help="write the register: every caption file, its consent, state and where it is",
                         description="Write REGISTER.csv: one row per caption file with its participant, consent, "
                                     "review, state (published, left out, withdrawn, ...) and where it is now (the "
                                     "site as last built, print packs, exhibition panels), plus every column import "
                                     "reads back. UTF-8 with a BOM; a cell that would start a formula gets a "
                                     "leading '. An existing file is replaced. Refused inside the output folder or "
                                     "photos/, captions/, templates/: it holds participant ids and consent.")
    exp.add_argument("register", type=Path, metavar="REGISTER.csv",
                     help="the file to write (replaced if it exists), e.g. register.csv")
    _paths(exp)
    _verbosity(exp)
    rev = sub.add_parser("review", help="record that the photo and redactions of an item were checked",
                         description="Show what is approved (the photo, its size in pixels, the redactions) and "
                                     "record the review in captions/<id>.yaml: the reviewer, the date and the "
                                     "photo's hash and redactions, so that a photo or redaction changed later "
                                     "leaves the item out until it is reviewed again.")
    rev.add_argument("ids", nargs="*", metavar="ID", help="the item ids to review (e.g. lw07-day)")
    rev.add_argument("--all", dest="every", action="store_true",
                     help="review every item (for a reviewer who has checked the whole set)")
    rev.add_argument("--by", required=True, metavar="INITIALS", help="the reviewer's initials, e.g. ST")
    rev.add_argument("--date", type=_day, metavar="YYYY-MM-DD", help="the day of the review (default: today)")
    rev.add_argument("--accept", type=_flag_number, action="append", default=[], metavar="N",
                     help="accept screening flag N as it is (with --reason); may be given again for another flag")
    rev.add_argument("--reason", action="append", default=[], metavar="TEXT",
                     help="why the flag of the --accept before it may be published, e.g. 'a public street sign'")
    rev.add_argument("--redact-faces", action="store_true",
                     help="add a redact region over each face flag (with a margin) before recording the review")
    _sources(rev)
    _verbosity(rev)
    scr = sub.add_parser("screen", help="list the faces and text the screen finds in each photo",
                         description="Screen every photo (not withdrawn) for faces and text, as a build does, and "
                                     "print each flag with how it is resolved (a redaction, an acceptance) or not.")
    scr.add_argument("--json", type=Path, metavar="FILE", help="also write every item's flags to FILE as JSON")
    _sources(scr)
    _verbosity(scr)
    chk = sub.add_parser("check", help="validate photos, captions and settings without building",
                         description="Report every error and warning at once as file:line: message; "
                                     "writes nothing. Exit status 0 clean (warnings allowed), 1 errors.")
    _sources(chk)
    chk.add_argument("--out", type=Path, metavar="DIR",
                     help="the build's output folder (default: site/); its caches beside it spare check "
                          "decoding photos the build has made")
    chk.add_argument("--strict", action="store_true", help="treat warnings as errors")
    _verbosity(chk)
    srv = sub.add_parser("serve", help="preview the site, rebuilding and reloading on every change",
                         description="Build, serve on 127.0.0.1 and rebuild whenever photos/, captions/, "
                                     "templates/ or gallery.yaml change; the browser reloads by itself.")
    _paths(srv)
    srv.add_argument("--port", type=_port, default=8000, metavar="N",
                     help="port on 127.0.0.1 (default: 8000; 0 picks a free one)")
    srv.add_argument("--drafts", action="store_true",
                     help="also show unconsented items, marked DRAFT, built into .gallery/ (never site/ nor beside it)")
    _verbosity(srv)
    prt = sub.add_parser("print", help="make discussion packs (and exhibition panels) as accessible PDFs",
                         description="Write into print/ one discussion pack per prompt and one of every prompt "
                                     "(PDF/UA), holding only the items consented for print, reviewed and screened "
                                     "as for the web; with --exhibition also one A3 panel per item consented for "
                                     "exhibition. The folder is replaced whole (or left as it was on any error).")
    _sources(prt)
    prt.add_argument("--templates", type=Path, metavar="DIR",
                     help="folder of template overrides (default: templates/; print/pack.html, print/panel.html, "
                          "print/print.css)")
    prt.add_argument("--out", type=Path, metavar="DIR",
                     help="the print folder (default: print/; never inside the site's output folder)")
    prt.add_argument("--site", type=Path, metavar="DIR",
                     help="the site's output folder the print folder must stay out of (default: site/)")
    prt.add_argument("--paper", choices=("a4", "letter"), help="paper size of the packs (default: gallery.yaml's "
                                                              "print.paper, else a4); panels are A3")
    prt.add_argument("--large-print", dest="large", action="store_true",
                     help="large print: text of 18 pt and more, one item a page (files named ...-large-print.pdf)")
    prt.add_argument("--exhibition", action="store_true",
                     help="also one A3 panel per item whose consent scope includes exhibition")
    _verbosity(prt)


def _sources(p: argparse.ArgumentParser) -> None:
    p.add_argument("--photos", type=Path, metavar="DIR", help="folder of photos (default: photos/)")
    p.add_argument("--captions", type=Path, metavar="DIR", help="folder of caption files (default: captions/)")
    p.add_argument("--config", type=Path, metavar="FILE", help="site settings (default: gallery.yaml)")


def _flag_number(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"'{text}' is not a flag number (1, 2, ... as review and screen list them)")
    return int(text)


def _port(text: str) -> int:
    if not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"'{text}' is not a port number (0-65535)")
    return int(text)


def _paths(p: argparse.ArgumentParser) -> None:
    _sources(p)
    p.add_argument("--templates", type=Path, metavar="DIR",
                   help="folder of template overrides (default: templates/)")
    p.add_argument("--out", type=Path, metavar="DIR", help="output folder (default: site/)")


def _verbosity(p: argparse.ArgumentParser) -> None:
    group = p.add_mutually_exclusive_group()
    group.add_argument("-q", "--quiet", action="store_true", help="print only errors")
    group.add_argument("-v", "--verbose", action="store_true", help="explain each decision")


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date written YYYY-MM-DD") from None


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


def note_other_gallery(args: argparse.Namespace) -> None:
    """Say so when the current folder holds a gallery of its own that the defaults (beside build.py) are not."""
    if getattr(args, "config", "") is not None or getattr(args, "captions", "") is not None:   # a gallery named
        return
    here = Path.cwd().resolve()
    if here != ROOT and (here / "gallery.yaml").is_file():
        logging.getLogger("gallery").warning(
            f"note: this folder has a gallery.yaml of its own, but without --config the commands work on the "
            f"gallery beside build.py ({ROOT}); for this folder's gallery, pass --config gallery.yaml --photos "
            f"photos --captions captions (and --out site)")


def run_build(args: argparse.Namespace) -> int:
    from gallery import fingerprint
    from gallery.options import options_for
    options = options_for(ROOT, photos=args.photos, captions=args.captions, config=args.config,
                          templates=args.templates, out=args.out, jobs=args.jobs, strict=args.strict,
                          config_required=args.config is not None)
    from gallery import lock, output
    output.guard_build(options)         # a refused output folder: nothing written, not even the lock
    with lock.hold(options.private, "build"):   # from reading the inputs to the build record (README: Commands)
        stamp = fingerprint.inputs(options)
        record = fingerprint.up_to_date(options, stamp)
        # report is light: answering "nothing changed" imports no Pillow, Jinja2 or pool
        from gallery import report
        if record is not None:
            report.print_unchanged(record.outcome, fingerprint.foreign(options.out), options)
            return 0
        from gallery import site
        from gallery.errors import CleanupError
        options = dataclasses.replace(options, progress=report.Progress(enabled=not args.quiet))
        try:
            result = site.build(options, stamp)
        except CleanupError as exc:       # the new site is live: what failed, then what a withdrawal still needs
            for line in exc.lines():
                print(line, file=sys.stderr)
            if exc.removed:
                report.print_removal_checklist(list(exc.removed), options)
            return exc.exit_code
    report.print_build(result, options, result.record)
    return 0


def _options(args: argparse.Namespace, **extra):
    from gallery.options import options_for
    return options_for(ROOT, photos=args.photos, captions=args.captions, config=args.config,
                            config_required=args.config is not None, **extra)


def run_add(args: argparse.Namespace) -> int:
    from gallery import authoring, report
    added = authoring.add_item(_options(args), args.photo, args.participant, args.prompt, args.kind, args.item_id)
    report.print_added(added)
    return 0


def run_import(args: argparse.Namespace) -> int:
    from gallery import report, sheet
    report.print_imported(sheet.import_sheet(_options(args), args.sheet, overwrite=args.overwrite))
    return 0


def run_export(args: argparse.Namespace) -> int:
    from gallery import register, report
    report.print_exported(register.export_register(_options(args, templates=args.templates, out=args.out),
                                                   args.register))
    return 0


def run_review(args: argparse.Namespace) -> int:
    from gallery import report, reviewing
    from gallery.errors import UsageError
    if bool(args.ids) == args.every:
        raise UsageError("review: give the item ids to review, or --all for every item (not both)")
    if len(args.accept) != len(args.reason) or any(not r.strip() for r in args.reason):
        raise UsageError("review: give each --accept N a --reason TEXT saying why the flag may be published")
    if args.accept and (args.every or len(args.ids) != 1):
        raise UsageError("review: --accept numbers the flags of one item; give that one item's id")
    asked = reviewing.Asked(tuple(zip(args.accept, (r.strip() for r in args.reason), strict=True)),
                            args.redact_faces)
    try:
        reviewed = reviewing.review_items(_options(args), args.ids, args.by, args.date or dt.date.today(),
                                          args.every, asked)
    except reviewing.ReviewError as exc:
        report.print_reviewed(list(exc.reviewed))
        raise
    report.print_reviewed(reviewed)
    return 0


def run_screen(args: argparse.Namespace) -> int:
    from gallery import report, screens
    found = screens.screen_all(_options(args))
    report.print_screen(found)
    if args.json:
        report.write_screen_json(found, args.json)
    return 1 if found.failed else 0


def run_check(args: argparse.Namespace) -> int:
    from gallery import check, report
    result = check.check(_options(args, out=args.out, strict=args.strict))
    report.print_check(result)
    return 1 if result.errors else 0


def run_serve(args: argparse.Namespace) -> int:
    from gallery import report, watch
    options = _options(args, templates=args.templates, out=args.out, drafts=args.drafts,
                       progress=report.Progress(enabled=not args.quiet))
    try:
        watch.serve(options, port=args.port)
    except KeyboardInterrupt:
        log.info("Stopped the preview server.")
    return 0


def run_print(args: argparse.Namespace) -> int:
    from gallery.printing import run as printing
    options = _options(args, templates=args.templates, out=args.site)
    request = printing.PrintRequest(args.out or ROOT / "print", args.paper, args.large, args.exhibition)
    printing.tell(printing.print_all(options, request))
    return 0


def run_audit(args: argparse.Namespace) -> int:
    from gallery import audit
    folder = args.dir or ROOT / "site"
    photos = args.photos or ROOT / "photos"
    from gallery.lint import PHOTO_SUFFIXES
    sources = sorted(p for p in photos.rglob("*") if p.is_file() and not p.name.startswith(".")
                     and p.suffix.lower() in PHOTO_SUFFIXES) if photos.is_dir() else []
    check = audit.audit_print if audit.is_print_folder(folder) else audit.audit_site
    findings = check(folder, sources)
    audit.raise_if_findings(findings)
    log.info("audit: %s is clean", folder)
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parse(sys.argv[1:] if argv is None else argv)
    configure_logging(args)
    note_other_gallery(args)
    from gallery.errors import GalleryError, display_path
    try:
        return {"build": run_build, "audit": run_audit, "add": run_add, "import": run_import, "review": run_review,
                "screen": run_screen, "check": run_check, "serve": run_serve, "print": run_print,
                "export": run_export}[args.command](args)
    except GalleryError as exc:
        for line in exc.lines():
            print(line, file=sys.stderr)
        if exc.exit_code == 1 and args.command == "build":
            out = display_path(getattr(args, "out", None) or ROOT / "site")
            print(f"Nothing was published; {out}/ is unchanged.", file=sys.stderr)
        if exc.exit_code == 1 and args.command == "print":
            print(f"Nothing was printed; {display_path(args.out or ROOT / 'print')}/ is unchanged.", file=sys.stderr)
        return exc.exit_code
    except OSError as exc:  # disk full, permissions...: the previous site is still in place
        where = f"{display_path(exc.filename)}: " if exc.filename else ""
        what = "printed" if args.command == "print" else "published"
        print(f"{where}{exc.strerror or exc}; check the path and permissions (nothing was {what})", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        default = {"build": ROOT / "site", "print": ROOT / "print"}.get(args.command)     # what it swaps whole
        folder = (getattr(args, "out", None) or default) if default else None
        print(f"Interrupted; {display_path(folder)}/ is unchanged." if folder else "Interrupted.", file=sys.stderr)
        return 130
    except ImportError as exc:
        message = missing_dependency(exc)
        if message is None:     # an import of our own failed: a bug, shown as one
            raise
        print(message, file=sys.stderr)
        return 1


def missing_dependency(exc: ImportError) -> str | None:
    """What to do about a library this Python cannot import (None: the failed import is our own)."""
    module = (exc.name or "").split(".")[0]
    if not module or module == "gallery":
        return None
    package = PACKAGES.get(module, module)
    return (f"this Python ({sys.executable}) cannot import the module '{module}' (package {package}), which the "
            "gallery needs, so nothing was done; install the dependencies inside the virtual environment: "
            ". .venv/bin/activate && pip install -r requirements.txt (create it first with python3 -m venv .venv)")


def exit_now(code: int) -> None:
    """End the command: flush what it wrote, then exit without tearing down every module and object
    one by one. That teardown costs ~30-40 ms, a tenth of a caption edit's 0.4 s budget (README:
    Performance); every file is closed and every pool shut down by the time a command returns."""
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code)


if __name__ == "__main__":
    exit_now(main())
