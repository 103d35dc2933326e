"""structlog JSON logs with service, trace and request ids; phone numbers and names masked."""

from __future__ import annotations

import logging
import re
import sys
from typing import Any

import structlog
from opentelemetry import trace

PHONE = re.compile(r"(?<!\d)(\+?86)?(1[3-9]\d)(\d{4})(\d{4})(?!\d)")
NAME_KEYS = {"name", "caller_name", "resident_name", "assignee_name", "full_name"}
PHONE_KEYS = {"phone", "caller_phone", "mobile"}


def mask_phone_numbers(text: str) -> str:
    """`13812345678` → `138****5678`."""
    return PHONE.sub(lambda m: f"{m.group(1) or ''}{m.group(2)}****{m.group(4)}", text)


def mask_name(name: str) -> str:
    """`张三` → `张*`, `Li Lei` → `L*`."""
    return f"{name[0]}*" if name else name


def _mask(value: Any, key: str | None = None) -> Any:
    if isinstance(value, str):
        if key in NAME_KEYS:
            return mask_name(value)
        if key in PHONE_KEYS:
            return mask_phone_numbers(value) if PHONE.search(value) else "****"
        return mask_phone_numbers(value)
    if isinstance(value, dict):
        return {k: _mask(v, k) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_mask(v, key) for v in value]
    return value


def mask_personal_data(_logger: Any, _method: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    return {key: _mask(value, key) for key, value in event_dict.items()}


def add_trace_ids(_logger: Any, _method: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    context = trace.get_current_span().get_span_context()
    if context.is_valid:
        event_dict["trace_id"] = format(context.trace_id, "032x")
        event_dict["span_id"] = format(context.span_id, "016x")
    return event_dict


def configure_logging(*, service: str, level: str = "INFO") -> None:
    logging.basicConfig(format="%(message)s", stream=sys.stdout, level=level.upper())
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            add_trace_ids,
            structlog.processors.format_exc_info,
            mask_personal_data,
            structlog.processors.JSONRenderer(ensure_ascii=False),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=structlog.PrintLoggerFactory(),
        cache_logger_on_first_use=True,
    )
    structlog.contextvars.bind_contextvars(service=service)
