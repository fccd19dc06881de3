"""`python -m bot` runs the bot (long polling); `python -m bot demo` runs a local demo."""

from __future__ import annotations

import argparse
import logging
import sys

from bot.config import SettingsError, load_settings
from bot.policy import PolicyError


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["demo"]:
        from bot.demo import main as demo_main

        return demo_main(argv[1:])
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    parser.add_argument("command", nargs="?", default="run", choices=["run", "demo"], help="run the bot (default), or a local demo")
    parser.parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as error:
        print(error, file=sys.stderr)
        return 2
    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    from bot import event_loop
    from bot.app import run_polling

    try:
        event_loop.run(run_polling(settings), settings.event_loop)
    except PolicyError as error:
        print(f"Policy error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
