"""The agent's error codes as exceptions: one class per code of hush's API (src/api/errors.ts).

Every failure the client reports is a `HushError` carrying the API's `code`, its one-line
`message` (which never holds a secret value) and the details the agent sent with it.
"""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Type


ERRORS: Dict[str, Type[HushError]] = {}
"""Every API error code and its exception class (each class below adds itself)."""


class HushError(Exception):
    """A failure of a hush call: `code` is the API's error code, `message` says what to do."""

    code: str = "internal"

    def __init_subclass__(cls, code: str | None = None, **kwargs: Any) -> None:
        """`class X(HushError, code="..."):` is the exception of that API error code, listed in ERRORS."""
        super().__init_subclass__(**kwargs)
        if code is not None:
            cls.code = code
            ERRORS[code] = cls

    def __init__(self, message: str, details: Mapping[str, Any] | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details: Dict[str, Any] = dict(details or {})
        if code is not None:
            self.code = code

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r})"


class BadRequest(HushError, code="bad_request"):
    """The request is malformed or a rule was broken (a usage error)."""


class InvalidName(HushError, code="invalid_name"):
    """A secret name breaks the naming rule."""


class InvalidKey(HushError, code="invalid_key"):
    """A key is not an env var name (or is too long)."""


class InvalidValue(HushError, code="invalid_value"):
    """A value is empty, too large, holds a NUL byte or is not UTF-8 (the value is never shown)."""


class DuplicateKey(HushError, code="duplicate_key"):
    """A key is given twice, or a rename targets a key that exists."""


class EmptyBundle(HushError, code="empty_bundle"):
    """A secret would have no key."""


class UnopenableValue(HushError, code="unopenable_value"):
    """A value was not sealed to this agent's key (the agent restarted)."""


class UnknownSecret(HushError, code="unknown_secret"):
    """A submit names secrets (or keys) that do not exist: `missing` lists every one."""

    @property
    def missing(self) -> List[str]:
        return [str(name) for name in self.details.get("missing", [])]


class NotFound(HushError, code="not_found"):
    """No such route."""


class SecretNotFound(HushError, code="secret_not_found"):
    """No live secret of that name (in that scope)."""


class MethodNotAllowed(HushError, code="method_not_allowed"):
    """The route exists with another method."""


class SecretInUse(HushError, code="secret_in_use"):
    """A delete was refused: `deployments` lists every live deployment using the secret."""

    @property
    def deployments(self) -> List[str]:
        return [str(item) for item in self.details.get("deployments", [])]


class PayloadTooLarge(HushError, code="payload_too_large"):
    """The request is over 1 MiB."""


class UnsupportedMediaType(HushError, code="unsupported_media_type"):
    """The request body is not JSON."""


class StoreCorrupt(HushError, code="store_corrupt"):
    """A stored value failed authentication (swapped or edited ciphertext)."""


class Internal(HushError, code="internal"):
    """An unexpected failure inside the agent."""


class KeyringUnavailable(HushError, code="keyring_unavailable"):
    """The OS keyring does not answer."""


class MasterKeyMissing(HushError, code="master_key_missing"):
    """The store's master key is not where it should be."""


class Sealed(HushError, code="sealed"):
    """Passphrase mode: the store is sealed; run `hush unseal`."""


class WrongPassphrase(HushError, code="wrong_passphrase"):
    """The passphrase does not open the store."""


class WrongKeyringMode(HushError, code="wrong_keyring_mode"):
    """The call does not apply to this store's keyring mode."""


class DaemonUnreachable(HushError, code="daemon_unreachable"):
    """No agent answers on the socket (and none could be started)."""


class InsecurePath(HushError, code="insecure_path"):
    """A state or runtime directory is not private to the user."""


class Cancelled(HushError, code="cancelled"):
    """An interactive prompt was left without confirming."""


class DeploymentNotFound(HushError, code="deployment_not_found"):
    """No deployment of that id."""


class DockerUnavailable(HushError, code="docker_unavailable"):
    """The Docker engine does not answer."""


class LaunchFailed(HushError, code="launch_failed"):
    """docker could not launch the container (its output is scrubbed of values)."""


class NoTmpfs(HushError, code="no_tmpfs"):
    """No tmpfs directory to write the env-file in."""


class SwarmUnavailable(HushError, code="swarm_unavailable"):
    """`--swarm` on an engine that is not a Docker Swarm manager (run `docker swarm init`)."""


class RolledBack(HushError, code="rolled_back"):
    """A Swarm service's rolling update failed and was rolled back: the previous revision runs."""


class NoSpace(HushError, code="no_space"):
    """The disk holding the store (or the env-file tmpfs) is full: nothing was written."""


class ReadOnly(HushError, code="read_only"):
    """HUSH_HOME is on a read-only file system: nothing can be written there."""


class StoreLocked(HushError, code="store_locked"):
    """Another agent holds the store's lock."""


class InsecureEnvironment(HushError, code="insecure_environment"):
    """The agent found a debugger or preloaded code in its own process."""


class NameInUse(HushError, code="name_in_use"):
    """`--name` of a live deployment: names are unique among live deployments."""


class BackupDamaged(HushError, code="backup_damaged"):
    """A backup file that fails its checks (not a backup, cut short, a changed byte)."""


class BackupUnsupported(HushError, code="backup_unsupported"):
    """A backup file of a newer format than this hush reads."""


class StoreNotEmpty(HushError, code="store_not_empty"):
    """`restore --into-empty` into a store that has live secrets."""


class RestoreConflict(HushError, code="restore_conflict"):
    """`restore --merge --on-conflict fail` with secrets of the same name in both."""


def error_from_body(body: object, status: int) -> HushError:
    """The exception for an agent's error answer `{"error": {"code", "message", ...}}`."""
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict) and isinstance(error.get("code"), str) and isinstance(error.get("message"), str):
        code: str = error["code"]
        details = {key: value for key, value in error.items() if key not in ("code", "message")}
        cls = ERRORS.get(code)
        if cls is None:
            # A code newer than this client: still a HushError with that code.
            return HushError(error["message"], details, code=code)
        return cls(error["message"], details)
    return Internal(f"The hush agent answered HTTP {status} with no usable error.")
