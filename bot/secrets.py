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


def make_private_dir(directory: Path) -> None:
    """Create ``directory`` and any missing parents with mode 0700; existing ones keep their mode."""
    missing: list[Path] = []
    current = Path(directory)
    while not current.is_dir():
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    for folder in reversed(missing):
        folder.mkdir(mode=0o700, exist_ok=True)
        os.chmod(folder, 0o700)  # mkdir's mode is narrowed by the umask; be exact


def write_private_file(path: Path, data: bytes) -> None:
    """Create ``path`` (mode 0600) holding ``data``, durably; FileExistsError if it exists.

    The data is written to a temporary file beside it, fsynced, then linked into place, so a
    crash never leaves a half-written file under the real name; the directory is fsynced too, so
    the new name survives a power cut.
    """
    path = Path(path)
    directory = path.parent
    temporary = directory / f".{path.name}.{secrets.token_hex(8)}.tmp"
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        try:
            os.fchmod(fd, 0o600)
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.link(temporary, path)  # atomic, and fails (FileExistsError) rather than replace
    finally:
        temporary.unlink(missing_ok=True)
    fsync_directory(directory)


def fsync_directory(directory: Path) -> None:
    """Make a new or renamed entry in ``directory`` durable (where the platform allows)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems cannot fsync a directory; nothing more we can do there
    finally:
        os.close(fd)


def read_key(path: Path) -> bytes:
    """The key in ``path``; ValueError (saying what to do) if the file doesn't hold one."""
    path = Path(path)
    try:
        text = path.read_text(encoding="ascii").strip()
        key = bytes.fromhex(text)
    except (UnicodeDecodeError, ValueError):
        raise ValueError(f"{path} does not hold a hex key; delete it to create a new one") from None
    if len(key) < 16:
        raise ValueError(f"{path} holds a key that is too short; delete it to create a new one")
    return key


def load_or_create_key(path: Path) -> bytes:
    """Read the key file, creating it (mode 0600, fsynced) with a fresh random key on first run."""
    path = Path(path)
    if not path.exists():
        make_private_dir(path.parent)
        try:
            write_private_file(path, (secrets.token_hex(KEY_BYTES) + "\n").encode("ascii"))
        except FileExistsError:
            pass  # another process created it first; read theirs
        else:
            log.info("Created a new secret key file at %s", path)
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        os.chmod(path, 0o600)
        log.warning("Key file %s was readable by others; its permissions are now 0600", path)
    return read_key(path)


def key_backup_path(backup: Path) -> Path:
    """Where ``backup`` keeps a copy of the key file: beside it, named ``<backup>.key``."""
    backup = Path(backup)
    return backup.with_name(backup.name + ".key")


def copy_key(source: Path, dest: Path) -> None:
    """Copy the key file to ``dest`` (mode 0600, fsynced); FileExistsError if ``dest`` exists."""
    read_key(source)  # refuse to copy something that isn't a key
    write_private_file(dest, Path(source).read_bytes())


def keyed_hash(key: bytes, *parts: object) -> str:
    """HMAC-SHA256 of the parts, as hex. Without the key it cannot be recomputed."""
    message = "\x1f".join(str(part) for part in parts).encode()
    return hmac.new(key, message, sha256).hexdigest()
