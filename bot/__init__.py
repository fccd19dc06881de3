"""The application: settings, wiring, middlewares and plain domain modules."""

import os

from bot import fast_paths, lazy_types

if "lazy_types" in fast_paths.parse(os.environ.get(fast_paths.SWITCH)):
    lazy_types.install()
