"""The bot's own secret key, kept outside the database.

Keyed hashes (for example "has this member already answered this pulse run") use it, so a
copy of the database alone cannot be used to test member ids against those hashes.
"""

from __future__ import annotations

import hmac
import logging
import os
import secrets
import stat
from hashlib import sha256
from pathlib import Path

log = logging.getLogger(__name__)

KEY_BYTES = 32


def load_or_create_key(path: Path) -> bytes:
    """Read the key file, creating it (mode 0600) with a fresh random key on first run."""
    path = Path(path)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process created it first; read theirs
        else:
            with os.fdopen(fd, "w", encoding="ascii") as handle:
                handle.write(secrets.token_hex(KEY_BYTES) + "\n")
            log.info("Created a new secret key file at %s", path)
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        os.chmod(path, 0o600)
        log.warning("Key file %s was readable by others; its permissions are now 0600", path)
    text = path.read_text(encoding="ascii").strip()
    try:
        key = bytes.fromhex(text)
    except ValueError:
        raise ValueError(f"{path} does not hold a hex key; delete it to create a new one") from None
    if len(key) < 16:
        raise ValueError(f"{path} holds a key that is too short; delete it to create a new one")
    return key


def keyed_hash(key: bytes, *parts: object) -> str:
    """HMAC-SHA256 of the parts, as hex. Without the key it cannot be recomputed."""
    message = "\x1f".join(str(part) for part in parts).encode()
    return hmac.new(key, message, sha256).hexdigest()
