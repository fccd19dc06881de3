"""`python -m bot` runs the bot: long polling, or webhook mode when WEBHOOK_URL is set.

Subcommands: `demo` (a local demo against the stand-in), `check` (is everything in place to
run? a report with the fix for each problem), `backup DEST` (a verified copy of the live database).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path

from bot.config import Settings, SettingsError, load_settings
from bot.policy import PolicyError


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["demo"]:
        from bot.demo import main as demo_main

        return demo_main(argv[1:])
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", metavar="{run,demo,check,backup}")
    commands.add_parser("run", help="run the bot (the default): long polling, or webhook mode with WEBHOOK_URL")
    commands.add_parser("demo", help="a local demo against the stand-in Bot API server")
    commands.add_parser("check", help="check settings, database, policy, Telegram and the admin chat; exit 1 on problems")
    backup = commands.add_parser("backup", help="write a verified copy of the live database to DEST (mode 0600)")
    backup.add_argument("dest", type=Path, help="the backup file, or a folder to put a timestamped file in")
    args = parser.parse_args(argv)
    command = args.command or "run"

    try:
        settings = load_settings()
    except SettingsError as error:
        if command == "check":
            from bot.startup_check import settings_failure

            print(settings_failure(str(error)).render())
            return 1
        print(error, file=sys.stderr)
        return 2
    from bot.logs import setup_logging

    setup_logging(settings.log_level, settings.log_format)
    if command == "backup":
        return _backup(settings.database_path, args.dest)
    if command == "check":
        return _check(settings)
    from bot import event_loop
    from bot.app import run_polling, run_webhook
    from bot.startup_check import StartupCheckFailed

    run = run_webhook if settings.webhook_mode else run_polling
    try:
        event_loop.run(run(settings), settings.event_loop)
    except StartupCheckFailed as failure:
        print(failure.report.render(), file=sys.stderr)
        return 2
    except PolicyError as error:
        print(f"Policy error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        pass
    return 0


def _check(settings: Settings) -> int:
    from bot.startup_check import run_checks

    logging.getLogger().setLevel(logging.WARNING)  # the report below says it all
    report = asyncio.run(run_checks(settings))
    print(report.render())
    return 1 if report.failed else 0


def _backup(database: Path, dest: Path) -> int:
    from bot.backup import BackupError, backup_database

    try:
        result = backup_database(database, dest)
    except (BackupError, OSError) as error:
        print(f"backup failed: {error}", file=sys.stderr)
        return 1
    print(f"backup written: {result.path} ({result.size} bytes, integrity_check ok)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
