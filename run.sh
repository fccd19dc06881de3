#!/usr/bin/env bash
# Set up (once) and run the bot: ./run.sh  — reads BOT_TOKEN and ADMIN_CHAT_ID from .env
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -c requirements.lock -e .
exec .venv/bin/python -m bot "$@"
