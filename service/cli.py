"""The ``lydhor`` command."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

__all__ = ["main"]


def _analyze(args: argparse.Namespace) -> int:
    from nlp import Analyzer, Taxonomy, TaxonomyError
    from service.batch_analyze import run

    taxonomy = Taxonomy.default()
    if args.themes:
        try:
            taxonomy = taxonomy.with_themes(Taxonomy.load_custom(args.themes))
        except (OSError, TaxonomyError) as exc:
            print(f"lydhor analyze: {exc}", file=sys.stderr)
            return 2
    analyzer = Analyzer(taxonomy)
    source = sys.stdin.buffer if args.file in (None, "-") else open(args.file, "rb")
    try:
        rejected = run(source, sys.stdout.buffer, sys.stderr, analyzer, lang=args.lang)
    finally:
        if source is not sys.stdin.buffer:
            source.close()
    sys.stdout.flush()
    return 1 if rejected else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="lydhor", description="Lydhør: what customers say, read for themes.")
    commands = parser.add_subparsers(dest="command", required=True)
    analyze = commands.add_parser(
        "analyze",
        help="analyse remarks from JSON Lines or plain text lines",
        description=(
            "Reads JSON Lines {\"id\": ..., \"text\": ..., \"lang\"?: ...} or plain text (one remark per line) "
            "and writes one JSON object per line. Bad lines are reported on stderr with their line number; "
            "the exit status is 1 when any line was rejected."
        ),
    )
    analyze.add_argument("file", nargs="?", help="input file, or - for standard input (the default)")
    analyze.add_argument("--lang", choices=["da", "nb", "nn"], help="skip language identification")
    analyze.add_argument("--themes", metavar="FILE", help="a TOML or JSON file with the company's own themes")
    analyze.set_defaults(handler=_analyze)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args))
    except BrokenPipeError:
        return 0
    except FileNotFoundError as exc:
        print(f"lydhor: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
