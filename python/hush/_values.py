"""Checking plaintext values and sealing them to the agent's public key (crypto_box_seal, PyNaCl)
before they leave this process: the rules are the agent's own (src/api/limits.ts), checked here
first so that a bad value raises before anything is sent. No message ever holds a value.
"""

from __future__ import annotations

import base64
import re
from typing import Dict, Mapping, Union

from nacl.public import PublicKey, SealedBox

from .errors import InvalidKey, InvalidValue

ENV_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
MAX_KEY_LENGTH = 256
MAX_VALUE_BYTES = 64 * 1024

Value = Union[str, bytes]
"""A secret value: text (sent as UTF-8) or bytes (which must be UTF-8 text)."""


def check_key(key: object) -> str:
    """The key, or InvalidKey when it is not an env var name of at most 256 characters. The message never
    repeats the text: what fails the key rule may be a value given where a key goes (as in src/api/limits.ts)."""
    if not isinstance(key, str) or len(key) > MAX_KEY_LENGTH or not ENV_KEY.fullmatch(key):
        raise InvalidKey(
            "Invalid key (not shown: it may be a value): a key is an env var name (letters, digits, '_', "
            f"not starting with a digit), at most {MAX_KEY_LENGTH} characters."
        )
    return key


def value_bytes(key: str, value: object) -> bytes:
    """The UTF-8 bytes of a value, checked like the agent checks them. TypeError for a value that is not str or bytes."""
    if isinstance(value, str):
        try:
            data = value.encode("utf-8")
        except UnicodeEncodeError:
            raise InvalidValue(f"The value of {key} is not valid UTF-8: values must be UTF-8 text.") from None
    elif isinstance(value, (bytes, bytearray, memoryview)) and not isinstance(value, bool):
        data = bytes(value)
    else:
        raise TypeError(f"The value of {key} is a {type(value).__name__}: give str or bytes.")
    if len(data) == 0:
        raise InvalidValue(f"The value of {key} is empty: give at least one byte.")
    if len(data) > MAX_VALUE_BYTES:
        raise InvalidValue(f"The value of {key} is {len(data)} bytes: the limit is {MAX_VALUE_BYTES} bytes (64 KiB).")
    if b"\x00" in data:
        raise InvalidValue(f"The value of {key} contains a NUL byte: values must be text without NUL.")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidValue(f"The value of {key} is not valid UTF-8: values must be UTF-8 text.") from None
    return data


def plain_values(values: Mapping[str, object]) -> Dict[str, bytes]:
    """Every key and value checked, as bytes; raises before anything could be sent."""
    if not isinstance(values, Mapping):
        raise TypeError(f"values must be a mapping of KEY to str or bytes, not {type(values).__name__}.")
    return {check_key(key): value_bytes(key, value) for key, value in values.items()}


def seal_values(public_key: str, values: Mapping[str, bytes]) -> Dict[str, str]:
    """Each value sealed (crypto_box_seal) to the agent's base64 X25519 public key, base64."""
    box = SealedBox(PublicKey(base64.b64decode(public_key)))
    return {key: base64.b64encode(box.encrypt(data)).decode("ascii") for key, data in values.items()}
