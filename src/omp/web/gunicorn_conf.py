"""gunicorn's settings for `make run` (``gunicorn -c python:omp.web.gunicorn_conf``), from the
one Settings object: where it listens, its worker processes and their threads. Static files
are served by WhiteNoise inside the application, so no other server is needed."""

from __future__ import annotations

from typing import Any

from omp.config import get_settings
from omp.web import logs

_settings = get_settings()

wsgi_app = "omp.web.wsgi:application"
bind = [_settings.web_bind]
workers = _settings.web_workers
#: More than one thread makes gunicorn use its threaded (gthread) workers.
threads = _settings.web_threads
#: One line per request is written by omp.web.middleware.RequestIdMiddleware (with its request
#: id), so gunicorn's own access log stays off; its own lines (start, workers, errors) go
#: through the same structured logging as the application's.
accesslog = None
loglevel = _settings.log_level.lower()
logconfig_dict = logs.configure(debug=_settings.debug, level=_settings.log_level)
logconfig_dict["loggers"]["gunicorn.error"] = {"level": _settings.log_level,
                                               "handlers": ["console"], "propagate": False}
#: No control socket (gunicorn 27 opens one in the home directory by default, which a second
#: server on the same machine would fight over); nothing here uses it.
control_socket_disable = True
#: A worker that has not answered for this long is restarted.
timeout = 60
graceful_timeout = 30


def when_ready(server: Any) -> None:
    """Say where the service answers once it listens, not before: a newcomer watching
    `make run` opens the address only when it will answer. A log line like every other."""
    host, _, port = _settings.web_bind.rpartition(":")
    server.log.info(f"Serving on http://{host or '127.0.0.1'}:{port} — sign in as "
                    "court_staff / demo-password-1 (other roles: see the README)")
