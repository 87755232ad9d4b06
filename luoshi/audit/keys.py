"""The audit log's HMAC keys, kept outside the database (issue 16, point 5).

The keys are `settings.AUDIT_KEYS` (LUOSHI_AUDIT_KEYS, comma-separated) or, when that is empty,
the lines of `settings.AUDIT_KEY_FILE` (LUOSHI_AUDIT_KEY_FILE, mode 0600, readable only by the
service). The first key signs new records and seals; the others only verify what they signed
before a rotation. Each key is known by its id, the first 8 hex digits of its SHA-256, stored on
every record and seal. Local mode generates var/audit.key once; production refuses to start
without a key (`check_audit_key`, a system check).
"""

import functools
import hashlib
import os
import secrets
from pathlib import Path

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

MIN_LENGTH = 32
GENERATE = "python -c 'import secrets; print(secrets.token_hex(32))'"


def key_id_of(key: bytes) -> str:
    return hashlib.sha256(key).hexdigest()[:8]


def _generate(file: Path) -> None:
    """Write a new random key to `file`, unless another process wrote one first."""
    file.parent.mkdir(parents=True, exist_ok=True)
    temp = file.with_name(f".{file.name}.{secrets.token_hex(4)}")
    with os.fdopen(os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as out:
        out.write(secrets.token_hex(32) + "\n")
    try:
        os.link(temp, file)  # atomic, and never replaces a key another process generated
    except FileExistsError:
        pass
    finally:
        temp.unlink()


@functools.cache
def _keys(listed: tuple[str, ...], path: str, production: bool) -> dict[str, bytes]:
    """The keys by id, the signing key first."""
    if not listed and path:
        file = Path(path)
        if not production and not file.exists():
            _generate(file)
        try:
            listed = tuple(line.strip() for line in file.read_text().splitlines())
        except OSError as error:
            raise ImproperlyConfigured(
                f"The audit key file {path} cannot be read ({error.strerror})."
            ) from None
    keys = [key.encode() for key in listed if key]
    if not keys:
        raise ImproperlyConfigured(
            "No audit key: set LUOSHI_AUDIT_KEY_FILE to a file (mode 0600) holding a random key "
            f"of at least {MIN_LENGTH} characters, e.g. `{GENERATE}`, or LUOSHI_AUDIT_KEYS "
            "(docs/security.md)."
        )
    return {key_id_of(key): key for key in keys}


def _configured() -> dict[str, bytes]:
    return _keys(
        tuple(settings.AUDIT_KEYS), str(settings.AUDIT_KEY_FILE or ""), settings.PRODUCTION
    )


def signing_key() -> tuple[str, bytes]:
    """The id and the key that sign new records and seals."""
    return next(iter(_configured().items()))


def current_key_id() -> str:
    return signing_key()[0]


def key_for(key_id: str) -> bytes | None:
    """The key of `key_id`, or None when this server does not have it."""
    return _configured().get(key_id)


@checks.register(checks.Tags.security)
def check_audit_key(app_configs=None, **kwargs):
    """No key, an unreadable one, a short one or a key file others may read: an error."""
    try:
        keys = _configured()
    except ImproperlyConfigured as error:
        return [checks.Error(str(error), id="audit.E001")]
    errors = []
    if any(len(key) < MIN_LENGTH for key in keys.values()):
        errors.append(
            checks.Error(
                f"An audit key is shorter than {MIN_LENGTH} characters.",
                hint=f"Generate one with `{GENERATE}`.",
                id="audit.E002",
            )
        )
    if not settings.AUDIT_KEYS and os.stat(settings.AUDIT_KEY_FILE).st_mode & 0o077:
        errors.append(
            checks.Error(
                f"The audit key file {settings.AUDIT_KEY_FILE} may be read by others than the "
                "service.",
                hint=f"chmod 600 {settings.AUDIT_KEY_FILE}",
                id="audit.E003",
            )
        )
    return errors
