"""Where a hush store's agent listens: the same rule as the CLI (src/config/paths.ts).

The state directory is HUSH_HOME, else $XDG_DATA_HOME/hush (default ~/.local/share/hush). The socket
sits in `<runtime>/hush-<uid>/<first 16 hex of sha256(home)>/agent.sock`, where <runtime> is
$XDG_RUNTIME_DIR when it is a private directory of the user's (not a symlink, mode 0700), else the
temp directory as Node sees it;
a path too long for a Unix socket moves under /tmp. When another user holds `hush-<uid>` there, the
first of `hush-<uid>.1` ... `hush-<uid>.63` that is the user's or free is used instead (`user_dir`).
"""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass
from typing import Mapping, Optional

from .errors import InsecurePath

MAX_SOCKET_PATH = 107
"""sun_path holds 108 bytes with the terminating NUL."""


@dataclass(frozen=True)
class HushPaths:
    """The state directory of one store and its agent's socket."""

    home: str
    runtime_dir: str
    socket: str


def resolve_home(env: Mapping[str, str]) -> str:
    """The state directory: HUSH_HOME (made absolute), else the XDG data directory's `hush`."""
    if env.get("HUSH_HOME"):
        return os.path.abspath(env["HUSH_HOME"])
    data_home = env.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return os.path.join(data_home, "hush")


def _node_tmpdir(env: Mapping[str, str]) -> str:
    """Node's os.tmpdir(): TMPDIR, TMP or TEMP, else /tmp, without a trailing slash."""
    path = env.get("TMPDIR") or env.get("TMP") or env.get("TEMP") or "/tmp"
    if len(path) > 1 and path.endswith("/"):
        path = path[:-1]
    return path


def _runtime_base(env: Mapping[str, str]) -> str:
    xdg = env.get("XDG_RUNTIME_DIR")
    if xdg:
        try:
            info = os.lstat(xdg)
            if stat.S_ISDIR(info.st_mode) and info.st_uid == os.getuid() and info.st_mode & 0o077 == 0:
                return xdg
        except OSError:
            pass
    return _node_tmpdir(env)


MORE_USER_DIRS = 63
"""How many other names `user_dir` tries after `hush-<uid>`."""


def user_dir(base: str) -> str:
    """hush's directory of this user under `base`: `hush-<uid>`, or when another user holds that
    name, the first of `hush-<uid>.1` ... `hush-<uid>.63` that is the user's or free (the CLI's
    rule, src/config/paths.ts `userDir`). Another user's entry is never used."""
    name = f"hush-{os.getuid()}"
    for n in range(MORE_USER_DIRS + 1):
        path = os.path.join(base, name if n == 0 else f"{name}.{n}")
        try:
            if os.lstat(path).st_uid == os.getuid():
                return path
        except FileNotFoundError:
            return path
        except OSError:
            pass
    raise InsecurePath(
        f"Other users hold every name hush tries in {base} ({name} to {name}.{MORE_USER_DIRS}): "
        "set XDG_RUNTIME_DIR to a private directory of yours (mode 0700)."
    )


def resolve_paths(env: Optional[Mapping[str, str]] = None) -> HushPaths:
    """The paths of the store chosen by `env` (default: this process's environment)."""
    env = os.environ if env is None else env
    home = resolve_home(env)
    tag = hashlib.sha256(home.encode("utf-8")).hexdigest()[:16]
    runtime_dir = os.path.join(user_dir(_runtime_base(env)), tag)
    if len(os.path.join(runtime_dir, "agent.sock").encode("utf-8")) > MAX_SOCKET_PATH:
        runtime_dir = os.path.join(user_dir("/tmp"), tag)
    return HushPaths(home=home, runtime_dir=runtime_dir, socket=os.path.join(runtime_dir, "agent.sock"))
