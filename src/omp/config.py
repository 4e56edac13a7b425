"""The one Settings object: nothing else reads the environment."""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path

from pydantic import NonNegativeInt, PositiveInt
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parents[2]


class Settings(BaseSettings):
    """Configuration from ``OMP_*`` environment variables (or a ``.env`` file)."""

    model_config = SettingsConfigDict(env_prefix="OMP_", env_file=".env", extra="ignore")

    #: ``sqlite:///path`` (default: ``var/omp.sqlite3``) or ``postgresql://user@host:port/db``.
    database_url: str = f"sqlite:///{ROOT / 'var' / 'omp.sqlite3'}"
    debug: bool = False
    #: Served over HTTPS: redirect to HTTPS, send HSTS, and send cookies over HTTPS only.
    secure: bool = False
    #: Read from ``var/secret_key`` (created on first use) when not set.
    secret_key: str | None = None
    allowed_hosts: list[str] = ["127.0.0.1", "localhost", "testserver"]
    var_dir: Path = ROOT / "var"
    #: PATH-6: the most people a case manager holds; allocating past it needs a manager's
    #: reason, and allocations warn as it nears.
    caseload_cap: int = 60
    #: PATH-6: the fewest a full-time case manager is expected to hold.
    caseload_floor: int = 40
    #: COM-4: the smallest count shown to a role without case access; smaller counts, and
    #: the cells that would let them be worked out from totals, are withheld.
    disclosure_threshold: PositiveInt = 10
    log_level: str = "INFO"
    #: Where the outcomes analytics run with ``--engine spark``: ``local[2]`` (this machine,
    #: two cores) or a cluster's master URL.
    spark_master: str = "local[2]"
    #: Where `make run`'s gunicorn listens, and how many worker processes and threads each.
    web_bind: str = "127.0.0.1:8000"
    web_workers: PositiveInt = 2
    web_threads: PositiveInt = 4
    #: How long (seconds) a PostgreSQL connection is kept for the next request of the same
    #: worker thread; 0 opens one per request. Each new connection starts a server process
    #: and warms its caches, which cost more CPU than a provider's API write itself.
    db_conn_max_age: NonNegativeInt = 300
    #: PostgreSQL: the prepared reads' statements (those on every provider API write) are
    #: prepared on the server, parsed and planned once per connection; off for a pooler
    #: that cannot keep prepared statements (PgBouncer before 1.21, or in transaction mode
    #: without ``max_prepared_statements``).
    db_prepared_reads: bool = True
    #: Failed sign-ins, per account and per address, before sign-in is locked.
    signin_failure_limit: PositiveInt = 5
    #: How long a locked account (or address) cannot sign in.
    signin_lockout_minutes: PositiveInt = 30
    #: A session with no request for this long is signed out.
    session_idle_minutes: PositiveInt = 30
    #: A session is signed out this long after sign-in, busy or not.
    session_lifetime_hours: PositiveInt = 12
    #: REF-8: how long an access token of a provider's API client lasts (client credentials:
    #: the client asks for a new one with its secret, so a leaked token is short-lived).
    api_token_minutes: PositiveInt = 15

    def resolved_secret_key(self) -> str:
        """The secret key; generated once into ``var/secret_key`` so it never sits in git."""
        if self.secret_key:
            return self.secret_key
        path = self.var_dir / "secret_key"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(50))
            path.chmod(0o600)
        return path.read_text().strip()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings, read once."""
    return Settings()
