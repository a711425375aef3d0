"""Typed settings, resolved once and passed in (never module-level globals).

Resolution order for the store: explicit ``--db`` > ``$CREDIBLE_DB`` > ``./credible.db``.
A plain path means SQLite; anything with ``://`` is an SQLAlchemy URL.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from credible.errors import ConfigError

DEFAULT_DB = "credible.db"


def shared_data_dir() -> Path:
    """The published datasets that tests and benchmarks validate against:
    ``$CREDIBLE_SHARED_DATA``, else ``shared/data`` beside the checkout."""
    raw = os.environ.get("CREDIBLE_SHARED_DATA")
    if raw:
        return Path(raw).expanduser()
    return Path(__file__).resolve().parents[3] / "shared" / "data"


def shared_dataset(*parts: str) -> Path:
    """A file or folder of the shared data; ConfigError naming the setting if absent."""
    path = shared_data_dir().joinpath(*parts)
    if not path.exists():
        raise ConfigError(
            f"the published data {path} are missing: lay the shared data beside the "
            "checkout (../shared/data) or set CREDIBLE_SHARED_DATA to their folder"
        )
    return path


def database_url(db: str | os.PathLike[str] | None = None) -> str:
    """Turn ``--db`` / ``$CREDIBLE_DB`` into an SQLAlchemy URL."""
    raw = str(db) if db is not None else os.environ.get("CREDIBLE_DB") or DEFAULT_DB
    if not raw.strip():
        raise ConfigError("the store location is empty: pass --db PATH_OR_URL or set CREDIBLE_DB")
    if "://" in raw:
        if raw.startswith(("postgres://", "postgresql://")):
            # psycopg 3 is the driver we ship; the bare scheme would pick psycopg2.
            _, rest = raw.split("://", 1)
            return f"postgresql+psycopg://{rest}"
        if raw.startswith(("sqlite://", "postgresql+psycopg://")):
            return raw
        raise ConfigError(
            f"unsupported store URL {raw!r}: use a file path (SQLite) or postgresql://..."
        )
    return f"sqlite:///{Path(raw).expanduser().resolve()}"


@dataclass(frozen=True)
class Settings:
    """Everything a command needs to know about where things live and who acts."""

    db_url: str
    home: Path
    actor: str
    key_file: Path = field(default=Path())
    lock_timeout: float = 60.0  # seconds a writer waits for another before giving up
    # RFC 3161 timestamping: the TSAs to ask ($CREDIBLE_TSA, URLs separated by spaces or
    # commas) and the root certificates their tokens must chain to ($CREDIBLE_TSA_ROOTS,
    # PEM files separated by the path separator).
    tsa_urls: tuple[str, ...] = ()
    tsa_roots: tuple[Path, ...] = ()

    @classmethod
    def resolve(cls, db: str | None = None, actor: str | None = None) -> Settings:
        url = database_url(db)
        home = Path(os.environ.get("CREDIBLE_HOME") or Path.home() / ".credible").expanduser()
        key = os.environ.get("CREDIBLE_KEY_FILE")
        who = actor or os.environ.get("CREDIBLE_ACTOR") or os.environ.get("USER") or "unknown"
        raw_timeout = os.environ.get("CREDIBLE_LOCK_TIMEOUT", "60")
        try:
            lock_timeout = float(raw_timeout)
        except ValueError:
            lock_timeout = -1.0
        if not 0 < lock_timeout < 86_400:
            raise ConfigError(
                f"CREDIBLE_LOCK_TIMEOUT={raw_timeout!r}: expected seconds, more than 0"
            )
        if key is not None and not key.strip():
            raise ConfigError("CREDIBLE_KEY_FILE is set but empty: give the key file's path")
        tsa_urls = os.environ.get("CREDIBLE_TSA", "").replace(",", " ").split()
        roots = os.environ.get("CREDIBLE_TSA_ROOTS", "").split(os.pathsep)
        return cls(
            db_url=url,
            home=home,
            actor=who,
            key_file=Path(key).expanduser() if key else home / "key",
            lock_timeout=lock_timeout,
            tsa_urls=tuple(tsa_urls),
            tsa_roots=tuple(Path(r).expanduser() for r in roots if r.strip()),
        )

    @property
    def is_sqlite(self) -> bool:
        return self.db_url.startswith("sqlite")
