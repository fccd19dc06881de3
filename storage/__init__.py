"""Everything SQL. Small named async functions over one SQLite database; no aiogram here."""
