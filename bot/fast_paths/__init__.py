"""Fast paths: code that reads private parts of aiogram or pydantic (see README)."""
