"""`hush.Client`: one method per route of the agent's API, over its Unix socket.

It finds the agent's socket the way the CLI does (HUSH_HOME, else the XDG directories), and when
no agent answers it starts one through the `hush` program (`hush daemon start`, which takes the
CLI's spawn lock), then seals every value to the agent's public key before it leaves this process.
No method returns a secret value, and nothing here logs one.
"""

from __future__ import annotations

import codecs
import json
import os
import shutil
import socket
import subprocess
from typing import Any, Dict, Generator, Iterable, List, Mapping, Optional, Sequence, Union, cast, overload

from ._paths import HushPaths, resolve_paths
from ._transport import FRAME_END, FRAME_ERROR, FRAME_STDERR, FRAME_STDOUT, Transport, unreachable
from ._values import plain_values, seal_values
from ._who_answers import process_stat, wedged_agent
from .errors import DaemonUnreachable, HushError, UnopenableValue, error_from_body
from .types import (
    AuditEvent,
    CreateSecretOutput,
    DeleteSecretOutput,
    Deployment,
    Hello,
    LogEnd,
    ResubmitOutput,
    RotateSecretOutput,
    SecretDetail,
    SecretInfo,
    SubmitOutput,
)

HELLO_TIMEOUT = 3.0
"""Seconds an agent has to answer hello (the CLI's): a live one answers in milliseconds."""
BUSY_HELLO_TIMEOUT = 20.0
"""Seconds more for a busy agent (using the CPU, say deriving a key for another command)."""
BUSY_TICKS = 10
"""CPU time (clock ticks, 10 ms each) an agent must have used while hello waited to count as busy."""

PROTOCOL = 1
"""The API protocol this client speaks (the agent's `hello.protocol`)."""

Values = Mapping[str, Union[str, bytes]]


class Client:
    """A client of the hush agent of one store.

    `home`: the store's state directory (default: HUSH_HOME, else the XDG data directory, like the
    CLI). `start`: start the agent through the `hush` program when none answers (default True).
    `hush`: that program (default: HUSH_BIN, else `hush` on PATH).
    """

    def __init__(self, home: Optional[str] = None, start: bool = True, hush: Optional[str] = None) -> None:
        env: Dict[str, str] = dict(os.environ)
        if home is not None:
            env["HUSH_HOME"] = home
        self.paths: HushPaths = resolve_paths(env)
        self._start = start
        self._hush = hush
        self._transport = Transport(self.paths.socket)
        self._hello: Optional[Hello] = None

    def __repr__(self) -> str:
        return f"hush.Client(home={self.paths.home!r})"

    # -- connection -------------------------------------------------------------------------

    def _try_hello(self) -> Optional[Hello]:
        """Hello, or None when nothing listens; an agent that accepts and does not answer within a few
        seconds (stopped, stuck) is reported naming its pid; a busy one (using the CPU) gets longer."""
        try:
            return cast(Hello, self._transport.call("GET", "/v1/hello", {}, timeout=HELLO_TIMEOUT))
        except HushError:
            raise
        except socket.timeout:
            pid, before = self._transport.peer_pid, self._transport.peer_ticks
            now = process_stat(pid) if pid is not None else None
            busy = now is not None and before is not None and now[0] != "T" and now[1] - before >= BUSY_TICKS
            if not busy:
                raise wedged_agent(self.paths.socket, pid, HELLO_TIMEOUT) from None
        except OSError:
            return None
        try:
            return cast(Hello, self._transport.call("GET", "/v1/hello", {}, timeout=BUSY_HELLO_TIMEOUT))
        except socket.timeout:
            raise wedged_agent(self.paths.socket, pid, HELLO_TIMEOUT + BUSY_HELLO_TIMEOUT) from None
        except OSError:
            return None

    def _start_agent(self) -> None:
        program = self._hush or os.environ.get("HUSH_BIN") or shutil.which("hush")
        if not program:
            raise DaemonUnreachable(
                "No hush agent is running and the hush program is not on PATH: install hush, or set HUSH_BIN."
            )
        env = dict(os.environ, HUSH_HOME=self.paths.home)
        done = subprocess.run(
            [program, "daemon", "start", "--json"],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            check=False,
        )
        if done.returncode != 0:
            try:
                raise error_from_body(json.loads(done.stdout), 503)
            except ValueError:
                lines = done.stderr.decode("utf-8", "replace").strip().splitlines()
                reason = lines[-1] if lines else f"exit code {done.returncode}"
                raise DaemonUnreachable(f"The hush agent did not start: {reason}") from None

    def hello(self) -> Hello:
        """The agent's identity (version, public key, store, keyring mode, sealed or not); starts it when needed."""
        hello = self._try_hello()
        if hello is None:
            if not self._start:
                raise DaemonUnreachable("The hush agent is not running: start it with `hush daemon start`.")
            self._start_agent()
            hello = self._try_hello()
            if hello is None:
                raise DaemonUnreachable(f"The hush agent started but does not answer on {self.paths.socket}.")
        if hello.get("protocol") != PROTOCOL:
            raise DaemonUnreachable(
                f"The hush agent speaks protocol {hello.get('protocol')}, this client {PROTOCOL}: upgrade the hush Python package."
            )
        self._hello = hello
        return hello

    def _call(self, method: str, path: str, params: Mapping[str, Any], wait: bool = False) -> Any:
        if self._hello is None:
            self.hello()
        try:
            return self._transport.call(method, path, params, wait=wait)
        except HushError:
            raise
        except OSError as error:
            if self._start and isinstance(error, (FileNotFoundError, ConnectionRefusedError)):
                # The agent went away (idle timeout): start it again once, as the CLI would.
                self._hello = None
                self.hello()
                return self._transport.call(method, path, params, wait=wait)
            raise unreachable(error) from None

    def _sealed_call(
        self, method: str, path: str, params: Mapping[str, Any], plain: Mapping[str, bytes], field: str = "values"
    ) -> Any:
        if self._hello is None:
            self.hello()
        assert self._hello is not None
        try:
            return self._call(method, path, {**params, field: seal_values(self._hello["publicKey"], plain)})
        except UnopenableValue:
            # The agent restarted with a new key between hello and the call: seal again, once.
            hello = self.hello()
            return self._call(method, path, {**params, field: seal_values(hello["publicKey"], plain)})

    # -- secrets ----------------------------------------------------------------------------

    def list_secrets(
        self, include_deleted: bool = False, app: Optional[str] = None, shared: bool = False
    ) -> List[SecretInfo]:
        """Every live secret's metadata (never a value); `app` or `shared` filter by scope."""
        params: Dict[str, Any] = {"app": app}
        if include_deleted:
            params["includeDeleted"] = True
        if shared:
            params["shared"] = True
        return cast(List[SecretInfo], self._call("GET", "/v1/secrets", params))

    def show_secret(self, name: str, app: Optional[str] = None, include_deleted: bool = False) -> SecretDetail:
        """One secret in full: keys, version, times, the live deployments using it and the version each runs."""
        params: Dict[str, Any] = {"name": name, "app": app}
        if include_deleted:
            params["includeDeleted"] = True
        return cast(SecretDetail, self._call("GET", "/v1/secrets/:name", params))

    def create_secret(
        self, name: str, values: Values, description: Optional[str] = None, app: Optional[str] = None
    ) -> CreateSecretOutput:
        """Creates NAME (in that scope), or replaces its whole bundle (version + 1).

        Each value (str or bytes) is checked, then sealed to the agent's key here: a value that is
        not str or bytes raises TypeError before anything is sent.
        """
        plain = plain_values(values)
        params = {"name": name, "app": app, "description": description}
        return cast(CreateSecretOutput, self._sealed_call("POST", "/v1/secrets", params, plain))

    def rotate_secret(
        self,
        name: str,
        values: Optional[Values] = None,
        description: Optional[str] = None,
        app: Optional[str] = None,
        rename: Optional[Mapping[str, str]] = None,
        remove: Optional[Sequence[str]] = None,
    ) -> RotateSecretOutput:
        """New values for the given keys, the others kept; `rename` OLD->NEW and `remove` keys in place (version + 1)."""
        plain = plain_values(values or {})
        params: Dict[str, Any] = {"name": name, "app": app, "description": description}
        if rename is not None:
            params["rename"] = dict(rename)
        if remove is not None:
            if isinstance(remove, str):
                raise TypeError("remove must be a list of key names, not a str.")
            params["remove"] = list(remove)
        return cast(RotateSecretOutput, self._sealed_call("POST", "/v1/secrets/:name/rotate", params, plain))

    def delete_secret(self, name: str, force: bool = False, app: Optional[str] = None) -> DeleteSecretOutput:
        """Soft delete; raises SecretInUse (with `.deployments`) while a live deployment uses it, unless `force`."""
        params: Dict[str, Any] = {"name": name, "app": app}
        if force:
            params["force"] = True
        return cast(DeleteSecretOutput, self._call("DELETE", "/v1/secrets/:name", params))

    # -- deployments ------------------------------------------------------------------------

    def submit(
        self,
        image: str,
        secrets: Optional[Sequence[str]] = None,
        env: Union[Mapping[str, str], Sequence[str], None] = None,
        secret_files: Optional[Sequence[str]] = None,
        name: Optional[str] = None,
        command: Optional[Sequence[str]] = None,
        warn: bool = True,
        swarm: bool = False,
        **run_options: Union[str, bool, int, Sequence[str]],
    ) -> SubmitOutput:
        """Resolves the secrets (all or nothing) and launches one container (with `swarm=True`, a
        Docker Swarm service on the agent's engine: replicas=2, constraint=[...] and the other Swarm
        options go in `run_options` too).

        `secrets`: references as the CLI's `--secret` takes them (`NAME`, `KEY=NAME`,
        `KEY=NAME:SRCKEY`); `env`: plain values (visible in `status`), a mapping or `KEY=VALUE`
        strings; `run_options`: `docker run` options by their CLI names with `_` for `-`, such as
        publish=[...], gpus="all", shm_size="16g", init=True, stop_timeout=30.
        """
        params: Dict[str, Any] = {"image": image, "name": name}
        if secrets is not None:
            params["secrets"] = _strings("secrets", secrets)
        if env is not None:
            params["env"] = (
                [f"{key}={value}" for key, value in env.items()] if isinstance(env, Mapping) else _strings("env", env)
            )
        if secret_files is not None:
            params["secretFiles"] = _strings("secret_files", secret_files)
        if command is not None:
            params["command"] = _strings("command", command)
        if run_options:
            params["options"] = {
                key.replace("_", "-"): value if isinstance(value, (str, bool, int)) else _strings(key, value)
                for key, value in run_options.items()
            }
        if not warn:
            params["warn"] = False
        if swarm:
            params["target"] = "swarm"
        return cast(SubmitOutput, self._call("POST", "/v1/deployments", params, wait=True))

    def resubmit(self, id: str) -> ResubmitOutput:
        """Resolves every secret again (fresh values), then replaces the container (revision + 1)."""
        return cast(ResubmitOutput, self._call("POST", "/v1/deployments/:id/resubmit", {"id": id}, wait=True))

    @overload
    def status(self) -> List[Deployment]: ...

    @overload
    def status(self, id: str) -> Deployment: ...

    def status(self, id: Optional[str] = None) -> Union[List[Deployment], Deployment]:
        """Every deployment, or the one `id` names; states read from docker."""
        if id is None:
            return cast(List[Deployment], self._call("GET", "/v1/deployments", {}))
        return cast(Deployment, self._call("GET", "/v1/deployments/:id", {"id": id}))

    def terminate(self, id: str, grace: Optional[int] = None) -> Deployment:
        """Stops (SIGTERM, SIGKILL after `grace` seconds) and removes the container; state terminated."""
        return cast(Deployment, self._call("POST", "/v1/deployments/:id/terminate", {"id": id, "grace": grace}, wait=True))

    def logs(self, id: str, follow: bool = False) -> Generator[str, None, Optional[LogEnd]]:
        """The container's output as text, every injected secret value replaced by `***` (by the agent).

        With `follow`, it goes on until the container stops; the generator's return value
        (StopIteration.value) then says how it ended.
        """
        if self._hello is None:
            self.hello()
        params: Dict[str, Any] = {"id": id}
        if follow:
            params["follow"] = True
        end: Optional[LogEnd] = None
        # One decoder per stream: a character cut between two frames is decoded whole, not as U+FFFD.
        decoders = {kind: codecs.getincrementaldecoder("utf-8")("replace") for kind in (FRAME_STDOUT, FRAME_STDERR)}
        try:
            for kind, payload in self._transport.frames("GET", "/v1/deployments/:id/logs", params):
                if kind in decoders:
                    text = decoders[kind].decode(payload)
                    if text:
                        yield text
                elif kind == FRAME_END:
                    end = cast(LogEnd, json.loads(payload))
                elif kind == FRAME_ERROR:
                    raise error_from_body({"error": json.loads(payload)}, 500)
        except OSError as error:
            raise unreachable(error) from None
        for decoder in decoders.values():
            rest = decoder.decode(b"", final=True)
            if rest:
                yield rest
        return end

    def audit(self, limit: Optional[int] = None) -> List[AuditEvent]:
        """Audit events: time, event, names, keys and versions, never values."""
        return cast(List[AuditEvent], self._call("GET", "/v1/audit", {"limit": limit}))


def _strings(what: str, items: Iterable[object]) -> List[str]:
    if isinstance(items, (str, bytes)):
        raise TypeError(f"{what} must be a list of str, not a single {type(items).__name__}.")
    result: List[str] = []
    for item in items:
        if not isinstance(item, str):
            raise TypeError(f"{what} must be a list of str: got a {type(item).__name__}.")
        result.append(item)
    return result
