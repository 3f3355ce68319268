"""hush: a Python client of the hush agent, which keeps named, write-only, encrypted bundles of
secrets and injects them into the containers it launches.

    from hush import Client
    hush = Client()
    hush.create_secret("hf", {"HF_TOKEN": token})
    deployment = hush.submit("python:3.12", secrets=["hf"], command=["python", "train.py"])

Values are sealed to the agent's public key before they leave the process; no method returns one.
"""

from .client import PROTOCOL, Client
from .errors import (
    ERRORS,
    HushError,
    BadRequest,
    Cancelled,
    DaemonUnreachable,
    DeploymentNotFound,
    DockerUnavailable,
    DuplicateKey,
    EmptyBundle,
    InsecureEnvironment,
    InsecurePath,
    Internal,
    InvalidKey,
    InvalidName,
    InvalidValue,
    KeyringUnavailable,
    LaunchFailed,
    MasterKeyMissing,
    MethodNotAllowed,
    NoSpace,
    NoTmpfs,
    NotFound,
    PayloadTooLarge,
    Sealed,
    SecretInUse,
    SecretNotFound,
    StoreCorrupt,
    StoreLocked,
    UnknownSecret,
    UnopenableValue,
    UnsupportedMediaType,
    WrongKeyringMode,
    WrongPassphrase,
    NameInUse,
    BackupDamaged,
    BackupUnsupported,
    StoreNotEmpty,
    RestoreConflict,
)

__version__ = "0.1.0"

__all__ = [
    "Client",
    "HushError",
    "ERRORS",
    "PROTOCOL",
    "__version__",
    "BadRequest",
    "Cancelled",
    "DaemonUnreachable",
    "DeploymentNotFound",
    "DockerUnavailable",
    "DuplicateKey",
    "EmptyBundle",
    "InsecureEnvironment",
    "InsecurePath",
    "Internal",
    "InvalidKey",
    "InvalidName",
    "InvalidValue",
    "KeyringUnavailable",
    "LaunchFailed",
    "MasterKeyMissing",
    "MethodNotAllowed",
    "NoSpace",
    "NoTmpfs",
    "NotFound",
    "PayloadTooLarge",
    "Sealed",
    "SecretInUse",
    "SecretNotFound",
    "StoreCorrupt",
    "StoreLocked",
    "UnknownSecret",
    "UnopenableValue",
    "UnsupportedMediaType",
    "WrongKeyringMode",
    "WrongPassphrase",
    "NameInUse",
    "BackupDamaged",
    "BackupUnsupported",
    "StoreNotEmpty",
    "RestoreConflict",
]
