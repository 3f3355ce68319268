"""Who answers on the agent's socket: the CLI's checks (src/client/who-answers.ts), the same words.

Before anything is sent: the socket's directory is a private directory of the user's, the socket is
the user's (or root's), and the process at the other end of the connection runs as the user or as
root (a system agent), by the kernel's word (SO_PEERCRED). An agent that accepts and does not say
hello in time is reported in one line naming its pid.
"""

from __future__ import annotations

import os
import socket
import stat
import struct
from typing import Optional, Tuple

from .errors import DaemonUnreachable, InsecurePath

_UCRED = struct.Struct("3i")
"""struct ucred: pid, uid, gid."""

_FOREIGN_INSIDE = "only root can put it inside a directory of yours: have root remove it"
"""The fix for another user's directory inside the user's own `hush-<uid>` (src/config/paths.ts FOREIGN_INSIDE)."""


def _trusted(owner: int) -> bool:
    return owner in (os.getuid(), 0)


def _refuse(what: str, problem: str) -> InsecurePath:
    return InsecurePath(f"Refusing to talk to the hush agent through {what}: {problem}.")


def private_dir_problem(path: str, info: os.stat_result, if_foreign: str) -> Optional[str]:
    """What makes `path` unfit to hold hush's files, with the fix (src/config/paths.ts `privateDirProblem`)."""
    if stat.S_ISLNK(info.st_mode):
        try:
            target = os.readlink(path)
        except OSError:
            target = "?"
        return f"it is a symlink (to {target}), not a directory of yours: remove the link (`rm {path}`), then try again"
    if not stat.S_ISDIR(info.st_mode):
        return f"it is not a directory: remove it (`rm {path}`), then try again"
    if info.st_uid != os.getuid():
        return f"it belongs to another user (uid {info.st_uid}): {if_foreign}"
    if info.st_mode & 0o077:
        return f"it is open to group or others (mode {info.st_mode & 0o777:04o}): fix it with `chmod 700 {path}`"
    return None


def _lstat(path: str) -> Optional[os.stat_result]:
    try:
        return os.lstat(path)
    except FileNotFoundError:
        return None


def check_socket_path(path: str) -> None:
    """The socket's directory is private and the user's; the socket, if there, is the user's or root's."""
    directory = os.path.dirname(path)
    dir_info = _lstat(directory)
    if dir_info is None:
        return
    problem = private_dir_problem(directory, dir_info, _FOREIGN_INSIDE)
    if problem:
        raise _refuse(directory, problem)
    info = _lstat(path)
    if info is not None and not stat.S_ISSOCK(info.st_mode):
        raise _refuse(path, f"it is not a socket: remove it (`rm {path}`), then try again")
    if info is not None and not _trusted(info.st_uid):
        raise _refuse(path, f"it belongs to another user (uid {info.st_uid}): remove it (`rm {path}`), then try again")


def peer_credentials(sock: socket.socket) -> Tuple[int, int, int]:
    """The pid, uid and gid of the process at the other end of a connected Unix socket."""
    pid, uid, gid = _UCRED.unpack(sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, _UCRED.size))
    return pid, uid, gid


def check_peer(sock: socket.socket, path: str) -> int:
    """The process at the other end runs as the user or root; its pid."""
    pid, uid, _gid = peer_credentials(sock)
    if not _trusted(uid):
        raise _refuse(
            path,
            f"the process listening there (pid {pid}) runs as another user (uid {uid}), so it is not your hush "
            f"agent and nothing was sent; remove the socket (`rm {path}`), then try again",
        )
    return pid


def process_stat(pid: int) -> Optional[Tuple[str, int]]:
    """A process's state (`R` running, `S` sleeping, `T` stopped, ...) and CPU time used (clock
    ticks), from /proc (the CLI's `processStat`)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8", errors="replace") as file:
            text = file.read()
        fields = text[text.rfind(")") + 2 :].split(" ")
        return fields[0], int(fields[11]) + int(fields[12])
    except (OSError, IndexError, ValueError):
        return None


def wedged_agent(path: str, pid: Optional[int], seconds: float) -> DaemonUnreachable:
    """The one line for an agent that accepted the connection and did not answer in time."""
    shown = f"{seconds:g}"
    if pid is None:
        return DaemonUnreachable(
            f"The process on {path} accepted the connection but did not answer within {shown} s; "
            f"stop the process that holds {path}, then try again."
        )
    stat = process_stat(pid)
    if stat is not None and stat[0] in ("T", "t"):
        fix = f"it is stopped: resume it (`kill -CONT {pid}`) or end it (`kill {pid}`), then try again"
    else:
        fix = f"it is stuck: end it (`kill {pid}`, or `kill -9 {pid}`), then try again"
    return DaemonUnreachable(
        f"The hush agent (pid {pid}) on {path} accepted the connection but did not answer within {shown} s; {fix}.",
        {"pid": pid},
    )
