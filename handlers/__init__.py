"""aiogram Routers, one per capability. Handlers are thin: parse, call bot/ or storage/, answer."""
