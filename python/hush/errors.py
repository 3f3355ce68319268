"""The agent's error codes as exceptions: one class per code of hush's API (src/api/errors.ts).

Every failure the client reports is a `HushError` carrying the API's `code`, its one-line
`message` (which never holds a secret value) and the details the agent sent with it.
"""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Type


class HushError(Exception):
    """A failure of a hush call: `code` is the API's error code, `message` says what to do."""

    code: str = "internal"

    def __init__(self, message: str, details: Mapping[str, Any] | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details: Dict[str, Any] = dict(details or {})
        if code is not None:
            self.code = code

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r})"


class BadRequest(HushError):
    """The request is malformed or a rule was broken (a usage error)."""

    code = "bad_request"


class InvalidName(HushError):
    """A secret name breaks the naming rule."""

    code = "invalid_name"


class InvalidKey(HushError):
    """A key is not an env var name (or is too long)."""

    code = "invalid_key"


class InvalidValue(HushError):
    """A value is empty, too large, holds a NUL byte or is not UTF-8 (the value is never shown)."""

    code = "invalid_value"


class DuplicateKey(HushError):
    """A key is given twice, or a rename targets a key that exists."""

    code = "duplicate_key"


class EmptyBundle(HushError):
    """A secret would have no key."""

    code = "empty_bundle"


class UnopenableValue(HushError):
    """A value was not sealed to this agent's key (the agent restarted)."""

    code = "unopenable_value"


class UnknownSecret(HushError):
    """A submit names secrets (or keys) that do not exist: `missing` lists every one."""

    code = "unknown_secret"

    @property
    def missing(self) -> List[str]:
        return [str(name) for name in self.details.get("missing", [])]


class NotFound(HushError):
    """No such route."""

    code = "not_found"


class SecretNotFound(HushError):
    """No live secret of that name (in that scope)."""

    code = "secret_not_found"


class MethodNotAllowed(HushError):
    """The route exists with another method."""

    code = "method_not_allowed"


class SecretInUse(HushError):
    """A delete was refused: `deployments` lists every live deployment using the secret."""

    code = "secret_in_use"

    @property
    def deployments(self) -> List[str]:
        return [str(item) for item in self.details.get("deployments", [])]


class PayloadTooLarge(HushError):
    """The request is over 1 MiB."""

    code = "payload_too_large"


class UnsupportedMediaType(HushError):
    """The request body is not JSON."""

    code = "unsupported_media_type"


class StoreCorrupt(HushError):
    """A stored value failed authentication (swapped or edited ciphertext)."""

    code = "store_corrupt"


class Internal(HushError):
    """An unexpected failure inside the agent."""

    code = "internal"


class KeyringUnavailable(HushError):
    """The OS keyring does not answer."""

    code = "keyring_unavailable"


class MasterKeyMissing(HushError):
    """The store's master key is not where it should be."""

    code = "master_key_missing"


class Sealed(HushError):
    """Passphrase mode: the store is sealed; run `hush unseal`."""

    code = "sealed"


class WrongPassphrase(HushError):
    """The passphrase does not open the store."""

    code = "wrong_passphrase"


class WrongKeyringMode(HushError):
    """The call does not apply to this store's keyring mode."""

    code = "wrong_keyring_mode"


class DaemonUnreachable(HushError):
    """No agent answers on the socket (and none could be started)."""

    code = "daemon_unreachable"


class InsecurePath(HushError):
    """A state or runtime directory is not private to the user."""

    code = "insecure_path"


class Cancelled(HushError):
    """An interactive prompt was left without confirming."""

    code = "cancelled"


class DeploymentNotFound(HushError):
    """No deployment of that id."""

    code = "deployment_not_found"


class DockerUnavailable(HushError):
    """The Docker engine does not answer."""

    code = "docker_unavailable"


class LaunchFailed(HushError):
    """docker could not launch the container (its output is scrubbed of values)."""

    code = "launch_failed"


class NoTmpfs(HushError):
    """No tmpfs directory to write the env-file in."""

    code = "no_tmpfs"


class SwarmUnavailable(HushError):
    """`--swarm` on an engine that is not a Docker Swarm manager (run `docker swarm init`)."""

    code = "swarm_unavailable"


class RolledBack(HushError):
    """A Swarm service's rolling update failed and was rolled back: the previous revision runs."""

    code = "rolled_back"


class NoSpace(HushError):
    """The disk holding the store (or the env-file tmpfs) is full: nothing was written."""

    code = "no_space"


class ReadOnly(HushError):
    """HUSH_HOME is on a read-only file system: nothing can be written there."""

    code = "read_only"


class StoreLocked(HushError):
    """Another agent holds the store's lock."""

    code = "store_locked"


class InsecureEnvironment(HushError):
    """The agent found a debugger or preloaded code in its own process."""

    code = "insecure_environment"


class NameInUse(HushError):
    """`--name` of a live deployment: names are unique among live deployments."""

    code = "name_in_use"


class BackupDamaged(HushError):
    """A backup file that fails its checks (not a backup, cut short, a changed byte)."""

    code = "backup_damaged"


class BackupUnsupported(HushError):
    """A backup file of a newer format than this hush reads."""

    code = "backup_unsupported"


class StoreNotEmpty(HushError):
    """`restore --into-empty` into a store that has live secrets."""

    code = "store_not_empty"


class RestoreConflict(HushError):
    """`restore --merge --on-conflict fail` with secrets of the same name in both."""

    code = "restore_conflict"


ERRORS: Dict[str, Type[HushError]] = {
    cls.code: cls
    for cls in (
        BadRequest,
        InvalidName,
        InvalidKey,
        InvalidValue,
        DuplicateKey,
        EmptyBundle,
        UnopenableValue,
        UnknownSecret,
        NotFound,
        SecretNotFound,
        MethodNotAllowed,
        SecretInUse,
        PayloadTooLarge,
        UnsupportedMediaType,
        StoreCorrupt,
        Internal,
        KeyringUnavailable,
        MasterKeyMissing,
        Sealed,
        WrongPassphrase,
        WrongKeyringMode,
        DaemonUnreachable,
        InsecurePath,
        Cancelled,
        DeploymentNotFound,
        DockerUnavailable,
        LaunchFailed,
        NoTmpfs,
        NoSpace,
        ReadOnly,
        StoreLocked,
        InsecureEnvironment,
        NameInUse,
        BackupDamaged,
        BackupUnsupported,
        StoreNotEmpty,
        RestoreConflict,
        SwarmUnavailable,
        RolledBack,
    )
}
"""Every API error code and its exception class."""


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
