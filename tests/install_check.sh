#!/usr/bin/env bash
# The package installs: `pip install .` (not editable) of a copy of this tree into a fresh venv,
# then `python -m bot demo` run from an empty folder must answer /start. Locales, the calendar
# overrides, the sample policy and the migrations must all come from the installed package.
# Reaches nothing but PyPI (through pip's cache, which it reuses).
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# A clean copy: setuptools' build/ folder in the tree could carry stale files into the wheel.
mkdir "$work/src" "$work/elsewhere"
tar --exclude=./.venv --exclude=./build --exclude='*.egg-info' --exclude=__pycache__ --exclude=./.git -cf - . \
    | tar -xf - -C "$work/src"
python3 -m venv "$work/venv"
"$work/venv/bin/python" -m pip install --quiet --disable-pip-version-check -c requirements.lock "$work/src"
rm -rf "$work/src"  # nothing may be read from the source tree now
cd "$work/elsewhere"
output=$(printf '/start\n:quit\n' | env -u PYTHONPATH -u BOT_TOKEN -u ADMIN_CHAT_ID -u DATABASE_URL -u TELEGRAM_API_URL \
    "$work/venv/bin/python" -m bot demo 2>&1) || { echo "$output"; echo "install check: the demo failed"; exit 1; }
if ! grep -q "Выберите язык" <<<"$output" || grep -q "Traceback" <<<"$output"; then
    echo "$output"
    echo "install check: the installed bot did not answer /start"
    exit 1
fi
echo "install check: the installed bot answered /start"
