"""HTTP/1.1 JSON over the agent's Unix socket (standard library only), and the framing of the
streaming logs route (src/api/frames.ts): one byte of kind, a 4-byte big-endian length, the payload.
"""

from __future__ import annotations

import http.client
import json
import socket
import struct
from typing import Any, Dict, Iterator, Mapping, Optional, Tuple
from urllib.parse import quote, urlencode

from ._who_answers import check_peer, check_socket_path, process_stat
from .errors import DaemonUnreachable, HushError, Internal, PayloadTooLarge, error_from_body

MAX_BODY_BYTES = 1024 * 1024
CONNECT_TIMEOUT = 2.0
"""Seconds to wait for the socket to accept (the CLI's connect timeout)."""
ANSWER_TIMEOUT = 300.0
"""Seconds to wait for an answer on routes that do not run docker (undici's default, as the CLI)."""

FRAME_STDOUT = 1
FRAME_STDERR = 2
FRAME_END = 3
FRAME_ERROR = 4


class _UnixConnection(http.client.HTTPConnection):
    def __init__(self, socket_path: str, timeout: Optional[float], transport: "Transport") -> None:
        super().__init__("hush.local", timeout=timeout)
        self._socket_path = socket_path
        self._transport = transport

    def connect(self) -> None:
        # Nothing is sent before the socket's files and the process on the other end are the user's.
        check_socket_path(self._socket_path)
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.settimeout(CONNECT_TIMEOUT)
            sock.connect(self._socket_path)
            pid = check_peer(sock, self._socket_path)
            stat = process_stat(pid)
            self._transport.peer_pid = pid
            self._transport.peer_ticks = stat[1] if stat else None
            sock.settimeout(self.timeout)
        except BaseException:
            sock.close()
            raise
        self.sock = sock


def request_for(method: str, path: str, params: Mapping[str, Any]) -> Tuple[str, Optional[bytes]]:
    """The request path (`:param` filled in, the rest in the query for GET/DELETE) and the JSON body for POST."""
    rest = {key: value for key, value in params.items() if value is not None}
    parts = []
    for part in path.split("/"):
        if part.startswith(":"):
            parts.append(quote(str(rest.pop(part[1:])), safe=""))
        else:
            parts.append(part)
    filled = "/".join(parts)
    if method == "POST":
        return filled, json.dumps(rest, separators=(",", ":")).encode("utf-8")
    query = urlencode({key: _query_text(value) for key, value in rest.items()})
    return (f"{filled}?{query}" if query else filled), None


def _query_text(value: Any) -> str:
    """A query parameter as text: booleans as the agent reads them (JSON bodies carry real booleans)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class Transport:
    """One request per connection to the agent's socket."""

    def __init__(self, socket_path: str) -> None:
        self.socket_path = socket_path
        self.peer_pid: Optional[int] = None
        """The pid of the process that answered on the last connection (from the kernel)."""
        self.peer_ticks: Optional[int] = None
        """Its CPU time (clock ticks) when that connection opened."""

    def _open(
        self, method: str, path: str, params: Mapping[str, Any], timeout: Optional[float]
    ) -> Tuple[_UnixConnection, http.client.HTTPResponse]:
        target, body = request_for(method, path, params)
        if body is not None and len(body) > MAX_BODY_BYTES:
            raise PayloadTooLarge(
                f"This request is over {MAX_BODY_BYTES} bytes (1 MiB): split the values over several secrets."
            )
        headers: Dict[str, str] = {"content-type": "application/json"} if body is not None else {}
        connection = _UnixConnection(self.socket_path, timeout, self)
        try:
            connection.request(method, target, body=body, headers=headers)
            return connection, connection.getresponse()
        except BaseException:
            connection.close()
            raise

    def call(
        self, method: str, path: str, params: Mapping[str, Any], wait: bool = False, timeout: Optional[float] = None
    ) -> Any:
        """Calls a JSON route; `wait` lifts the answer timeout (a route that runs docker may take long),
        `timeout` shortens it (hello)."""
        connection, response = self._open(method, path, params, None if wait else (timeout or ANSWER_TIMEOUT))
        try:
            text = response.read()
        finally:
            connection.close()
        try:
            parsed = json.loads(text) if text else None
        except ValueError:
            raise Internal(f"The hush agent answered HTTP {response.status} with a body that is not JSON.") from None
        if response.status >= 400:
            raise error_from_body(parsed, response.status)
        return parsed

    def frames(self, method: str, path: str, params: Mapping[str, Any]) -> Iterator[Tuple[int, bytes]]:
        """Calls a streaming route: its frames as (kind, payload), without a time limit."""
        connection, response = self._open(method, path, params, None)
        try:
            if response.status >= 400:
                text = response.read()
                try:
                    parsed = json.loads(text)
                except ValueError:
                    parsed = None
                raise error_from_body(parsed, response.status)
            while True:
                header = _read_exactly(response, 5)
                if header is None:
                    return
                kind, length = struct.unpack(">BI", header)
                payload = _read_exactly(response, length) if length else b""
                if payload is None:
                    raise DaemonUnreachable("The hush agent closed the log stream mid-frame: try again.")
                yield kind, payload
        finally:
            connection.close()


def _read_exactly(response: http.client.HTTPResponse, size: int) -> Optional[bytes]:
    """`size` bytes, or None at a clean end of stream before the first byte."""
    chunks = []
    got = 0
    while got < size:
        chunk = response.read(size - got)
        if not chunk:
            if got == 0:
                return None
            raise DaemonUnreachable("The hush agent closed the log stream mid-frame: try again.")
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def unreachable(error: BaseException) -> HushError:
    """A socket-level failure as the error the CLI gives when the agent went away."""
    reason = str(error).split("\n")[0] or type(error).__name__
    return DaemonUnreachable(f"Lost the connection to the hush agent ({reason}): try again.")
