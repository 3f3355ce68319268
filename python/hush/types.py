"""The shapes the agent answers with (src/api/routes/), as TypedDicts. None holds a value."""

from __future__ import annotations

from typing import Dict, List, Optional, TypedDict


class Hello(TypedDict):
    """The agent's identity."""

    name: str
    version: str
    protocol: int
    pid: int
    publicKey: str
    home: str
    socket: str
    keyring: str
    keyringAccount: Optional[str]
    sealed: bool
    startedAt: str


class _SecretInfo(TypedDict):

    name: str
    app: Optional[str]
    keys: List[str]
    description: str
    version: int
    createdAt: str
    updatedAt: str
    usedBy: List[str]


class SecretInfo(_SecretInfo, total=False):
    """A secret's metadata: never a value. `deletedAt` only for a deleted one."""

    deletedAt: str


class SecretUser(TypedDict):
    """A live deployment using a secret, and the version it runs (None: not launched yet)."""

    id: str
    name: Optional[str]
    version: Optional[int]
    stale: bool


class SecretDetail(SecretInfo):
    """One secret in full (`secrets show`)."""

    deployments: List[SecretUser]


class CreateSecretOutput(TypedDict):
    secret: SecretInfo
    replaced: bool
    staleDeployments: List[str]


RenamedKey = TypedDict("RenamedKey", {"from": str, "to": str})
"""A key renamed by a rotate."""


class RotateSecretOutput(TypedDict):
    secret: SecretInfo
    changedKeys: List[str]
    addedKeys: List[str]
    renamedKeys: List[RenamedKey]
    removedKeys: List[str]
    staleDeployments: List[str]


class DeleteSecretOutput(TypedDict):
    secret: SecretInfo
    forcedDeployments: List[str]


class SubmitOutput(TypedDict):
    id: str
    containerId: str
    state: str
    image: str
    warnings: List[str]


class ResubmitOutput(SubmitOutput):
    revision: int
    previousContainerId: Optional[str]


class _DeploymentSecret(TypedDict):
    name: str
    keys: List[str]
    env: List[str]
    files: List[str]
    version: int


class DeploymentSecret(_DeploymentSecret, total=False):
    """A secret a deployment received: `keys` are `env` then `files`; `app` only when it was an app-scoped one."""

    app: str


class Deployment(TypedDict):
    """A deployment as `status` shows it: plain env values (visible by design), secret names and versions."""

    id: str
    name: Optional[str]
    image: str
    state: str
    revision: int
    containerId: Optional[str]
    exitCode: Optional[int]
    stale: bool
    env: Dict[str, str]
    secrets: List[DeploymentSecret]
    createdAt: str
    command: List[str]
    refs: List[str]
    secretFiles: List[str]
    options: Dict[str, object]
    updatedAt: str


class _AuditEvent(TypedDict):
    id: int
    at: str
    event: str
    secret: Optional[str]
    keys: List[str]
    version: Optional[int]
    deployment: Optional[str]


class AuditEvent(_AuditEvent, total=False):
    """One audit event: names, keys and versions, never values. `app` for an app-scoped secret."""

    app: str


class LogEnd(TypedDict):
    """How a followed container ended."""

    state: str
    exitCode: Optional[int]
