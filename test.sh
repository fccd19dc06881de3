#!/usr/bin/env bash
# Set up (once) and run the tests.
#   ./test.sh                 everything CI runs: the whole suite; the whole suite again with
#                             FAST_PATHS=off; a non-editable install into a fresh venv answering /start
#   ./test.sh ARGS...         one pytest run with these arguments (e.g. ./test.sh -q tests/unit)
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -c requirements.lock -e ".[test]"
if [ $# -gt 0 ]; then
    exec .venv/bin/python -m pytest "$@"
fi
echo "== pip install . into a fresh venv; python -m bot demo from another folder =="
tests/install_check.sh
echo "== the whole suite (FAST_PATHS as set, default on) =="
.venv/bin/python -m pytest -p no:cacheprovider
echo "== the whole suite again with FAST_PATHS=off (aiogram's and aiohttp's own paths) =="
FAST_PATHS=off .venv/bin/python -m pytest -p no:cacheprovider
