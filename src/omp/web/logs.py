"""Structured logs: every log line, ours and the libraries', goes through structlog — one JSON
object per line in production (``OMP_DEBUG=false``), readable columns in development — and
carries the request id of the request it was written in (bound by
:class:`omp.web.middleware.RequestIdMiddleware`)."""

from __future__ import annotations

from typing import Any

import structlog

#: What every line gets, whether written through structlog or the standard library.
SHARED: list[Any] = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
    structlog.stdlib.ExtraAdder(),
]


def formatter(*, json: bool) -> structlog.stdlib.ProcessorFormatter:
    """The formatter of the one handler: JSON, or columns for a developer's terminal."""
    renderer: Any = (structlog.processors.JSONRenderer() if json
                     else structlog.dev.ConsoleRenderer(colors=False))
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=SHARED,
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                    structlog.processors.format_exc_info, renderer])


def configure(*, debug: bool, level: str) -> dict[str, Any]:
    """Set structlog up to hand its events to the standard library, and return Django's
    ``LOGGING``: one handler on stderr with :func:`formatter`."""
    structlog.configure(
        processors=[*SHARED, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"structured": {"()": formatter, "json": not debug}},
        "handlers": {"console": {"class": "logging.StreamHandler",
                                 "formatter": "structured"}},
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # axes narrates every sign-in at INFO; its warnings (failures, lockouts) are kept.
            "axes": {"level": "WARNING"},
            # One line per request is RequestIdMiddleware's; Django's would repeat it.
            "django.request": {"level": "ERROR"},
            "django.server": {"level": "ERROR"},
        },
    }

