"""The ``lydhor`` command. Imports are made inside each command so that `lydhor keys create` does not
pay for loading the language pipelines."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from service.settings import Settings

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


def _settings(args: argparse.Namespace) -> "Settings":
    from service.settings import Settings

    return Settings.from_env()


def _serve(args: argparse.Namespace) -> int:
    import os

    import uvicorn

    from service.admin_cli import prepare

    settings = _settings(args)
    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    key = prepare(settings)
    if key:
        print(f"Created the first admin. Its API key, shown only this once:\n  {key}", flush=True)
    if args.demo:
        from service.demo import load_demo

        if load_demo(settings):
            return 1
    os.environ.setdefault("LYDHOR_DATA_DIR", settings.data_dir)
    print(f"Lydhør on http://{args.host}:{args.port} (database: {_safe_url(settings.db_url)})", flush=True)
    uvicorn.run(
        "service.asgi:app_factory",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level="warning",
        access_log=False,
    )
    return 0


def _safe_url(url: str) -> str:
    """The database URL without its password, for printing."""
    scheme, sep, rest = url.partition("://")
    if "@" in rest:
        credentials, _, host = rest.rpartition("@")
        rest = f"{credentials.split(':')[0]}:***@{host}"
    return scheme + sep + rest


def _db_upgrade(args: argparse.Namespace) -> int:
    from service.admin_cli import prepare

    settings = _settings(args)
    key = prepare(settings)
    print(f"Database at head: {_safe_url(settings.db_url)}")
    if key:
        print(f"Created the first admin. Its API key, shown only this once:\n  {key}")
    return 0


def _demo(args: argparse.Namespace) -> int:
    from service.admin_cli import prepare
    from service.demo import load_demo

    settings = _settings(args)
    key = prepare(settings)
    if key:
        print(f"Created the first admin. Its API key, shown only this once:\n  {key}")
    return load_demo(settings)


def _teams_create(args: argparse.Namespace) -> int:
    from service import schemas
    from service.admin_cli import guarded
    from service.services.admin import create_team

    data = schemas.TeamCreate(name=args.name, language=args.language, timezone=args.timezone)
    team, status = guarded(_settings(args), lambda s: create_team(s, data))
    if team is not None:
        print(team.name)
    return status


def _users_create(args: argparse.Namespace) -> int:
    from service import schemas
    from service.admin_cli import guarded
    from service.services.admin import create_user

    data = schemas.UserCreate(name=args.name, role=args.role, teams=args.team or [])
    user, status = guarded(_settings(args), lambda s: create_user(s, data))
    if user is not None:
        print(user.name)
    return status


def _keys_create(args: argparse.Namespace) -> int:
    from service.admin_cli import guarded
    from service.services.admin import new_key

    async def work(session):  # type: ignore[no-untyped-def]
        key, _ = await new_key(session, args.user, args.label or "")
        return key

    key, status = guarded(_settings(args), work)
    if key is not None:
        print(key)  # only the key on stdout: scripts capture it
    return status


def _keys_revoke(args: argparse.Namespace) -> int:
    from service.admin_cli import guarded
    from service.services.auth import revoke_key

    row, status = guarded(_settings(args), lambda s: revoke_key(s, args.prefix))
    if row is not None:
        print(f"revoked {row.prefix}")
    return status


def _list(kind: str):  # type: ignore[no-untyped-def]
    def handler(args: argparse.Namespace) -> int:
        from service.admin_cli import guarded
        from service.services import admin

        async def work(session):  # type: ignore[no-untyped-def]
            if kind == "teams":
                return [f"{t.name}\t{t.language}\t{t.timezone}" for t in await admin.list_teams(session)]
            if kind == "users":
                return [f"{u.name}\t{u.role}\t{','.join(t.name for t in u.teams)}" for u in await admin.list_users(session)]
            return [
                f"{k.prefix}\t{k.user.name}\t{'revoked' if k.revoked_at else 'active'}\t{k.label}"
                for k in await admin.list_keys(session)
            ]

        rows, status = guarded(_settings(args), work)
        for row in rows or []:
            print(row)
        return status

    return handler


def _extension_pack(args: argparse.Namespace) -> int:
    from pathlib import Path

    from service.extension_pack import write_zip

    print(write_zip(Path(args.out) if args.out else None))
    return 0


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

    serve = commands.add_parser("serve", help="run the web service (SQLite in LYDHOR_DATA_DIR unless LYDHOR_DATABASE_URL)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument("--demo", action="store_true", help="load a few weeks of sample notes first")
    serve.set_defaults(handler=_serve)

    db = commands.add_parser("db", help="database schema").add_subparsers(dest="db_command", required=True)
    db.add_parser("upgrade", help="migrate the schema to the newest version").set_defaults(handler=_db_upgrade)

    commands.add_parser("demo", help="load a few weeks of sample notes").set_defaults(handler=_demo)

    teams = commands.add_parser("teams", help="manage teams").add_subparsers(dest="teams_command", required=True)
    create = teams.add_parser("create", help="create a team")
    create.add_argument("name")
    create.add_argument("--language", choices=["da", "nb", "nn", "en"], default="da")
    create.add_argument("--timezone", default="Europe/Copenhagen")
    create.set_defaults(handler=_teams_create)
    teams.add_parser("list", help="list teams").set_defaults(handler=_list("teams"))

    users = commands.add_parser("users", help="manage users").add_subparsers(dest="users_command", required=True)
    create = users.add_parser("create", help="create a user")
    create.add_argument("name")
    create.add_argument("--role", choices=["agent", "manager", "admin", "integration"], required=True)
    create.add_argument("--team", action="append", help="a team the user belongs to (repeatable)")
    create.set_defaults(handler=_users_create)
    users.add_parser("list", help="list users").set_defaults(handler=_list("users"))

    keys = commands.add_parser("keys", help="manage API keys").add_subparsers(dest="keys_command", required=True)
    create = keys.add_parser("create", help="create a key; prints only the key")
    create.add_argument("--user", required=True)
    create.add_argument("--label", default="")
    create.set_defaults(handler=_keys_create)
    revoke = keys.add_parser("revoke", help="revoke a key by its prefix")
    revoke.add_argument("prefix")
    revoke.set_defaults(handler=_keys_revoke)
    keys.add_parser("list", help="list keys (prefix, user, state)").set_defaults(handler=_list("keys"))

    extension = commands.add_parser("extension", help="the browser extension").add_subparsers(
        dest="extension_command", required=True
    )
    pack = extension.add_parser("pack", help="write the extension as a zip for the browsers' stores and unpacked loading")
    pack.add_argument("--out", metavar="PATH", help="the zip file, or a folder for lydhor-extension-VERSION.zip (default: here)")
    pack.set_defaults(handler=_extension_pack)
    _digest_commands(commands)
    return parser


def _digest(args: argparse.Namespace) -> int:
    from service.digest_cli import recount, send_digest, show_digest

    settings = _settings(args)
    if args.digest_command == "send":
        return send_digest(settings, args.team, args.week, args.to or [])
    if args.digest_command == "recount":
        return recount(settings)
    return show_digest(settings, args.team, args.week, args.format)


def _digest_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    digest = commands.add_parser(
        "digest",
        help="print a weekly digest, send one, or recount the figures digests are built from",
        description="Prints the digest of --team (the whole company without it) for --week to stdout.",
    )
    scope = argparse.ArgumentParser(add_help=False)
    scope.add_argument("--team", help="the team (default: the whole company)")
    scope.add_argument("--week", default="latest", help="ISO week such as 2026-W47, or latest (the last complete week)")
    digest.add_argument("--team", help="the team (default: the whole company)")
    digest.add_argument("--week", default="latest", help="ISO week such as 2026-W47, or latest (the last complete week)")
    digest.add_argument("--format", choices=["html", "text", "json"], default="text")
    digest.set_defaults(handler=_digest, digest_command=None)
    actions = digest.add_subparsers(dest="digest_command")
    send = actions.add_parser("send", parents=[scope], help="send a digest now over SMTP (never twice to one address)")
    send.add_argument("--to", action="append", metavar="EMAIL", help="an address (repeatable); default: the subscribers")
    actions.add_parser("recount", help="recount the week counts from the notes")


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
