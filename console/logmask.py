"""A logging filter that masks secrets (tokens, passwords) wherever they would appear."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, SecretStr

MASK = "***"


def secrets_in(obj: Any) -> set[str]:
    """Every SecretStr value inside a pydantic model (connector configs, the site spec)."""
    found: set[str] = set()
    if isinstance(obj, SecretStr):
        value = obj.get_secret_value()
        if value:
            found.add(value)
    elif isinstance(obj, BaseModel):
        for name in type(obj).model_fields:
            found |= secrets_in(getattr(obj, name))
    elif isinstance(obj, dict):
        for v in obj.values():
            found |= secrets_in(v)
    elif isinstance(obj, list | tuple):
        for v in obj:
            found |= secrets_in(v)
    return found


class SecretMask(logging.Filter):
    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        # Longest first, so a secret containing another is masked whole.
        self.secrets = sorted({s for s in secrets if len(s) >= 4}, key=len, reverse=True)

    def mask(self, text: str) -> str:
        for s in self.secrets:
            text = text.replace(s, MASK)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if self.secrets:
            record.msg = self.mask(record.getMessage())
            record.args = None
            if record.exc_info and not record.exc_text:
                # Tracebacks carry exception texts (a URL with its password): format and mask them now.
                record.exc_text = logging.Formatter().formatException(record.exc_info)
            if record.exc_text:
                record.exc_text = self.mask(record.exc_text)
                record.exc_info = None
            if record.stack_info:
                record.stack_info = self.mask(record.stack_info)
        return True
