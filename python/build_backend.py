"""A minimal in-tree PEP 517 backend: builds the `hush` wheel with the standard library alone.

It exists so that `pip install ./python` works without reaching the Python registry (pip would
otherwise fetch setuptools into its isolated build environment). Pure Python, one package.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import tarfile
import zipfile
from pathlib import Path
from typing import Any, Dict, List, Optional

ROOT = Path(__file__).resolve().parent
NAME = "hush"
VERSION = "0.1.0"
DIST_INFO = f"{NAME}-{VERSION}.dist-info"
TAG = "py3-none-any"

METADATA = f"""Metadata-Version: 2.1
Name: {NAME}
Version: {VERSION}
Summary: Python client of the hush agent: named, write-only secret bundles injected into containers
License: MIT
Requires-Python: >=3.9
Requires-Dist: PyNaCl>=1.4
"""

WHEEL = f"""Wheel-Version: 1.0
Generator: hush build_backend
Root-Is-Purelib: true
Tag: {TAG}
"""


def _package_files() -> List[Path]:
    package = ROOT / NAME
    return sorted(p for p in package.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


def _record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode("ascii")
    return f"{name},sha256={digest},{len(data)}"


def get_requires_for_build_wheel(config_settings: Optional[Dict[str, Any]] = None) -> List[str]:
    return []


def get_requires_for_build_sdist(config_settings: Optional[Dict[str, Any]] = None) -> List[str]:
    return []


def prepare_metadata_for_build_wheel(
    metadata_directory: str, config_settings: Optional[Dict[str, Any]] = None
) -> str:
    target = Path(metadata_directory) / DIST_INFO
    target.mkdir(parents=True, exist_ok=True)
    (target / "METADATA").write_text(METADATA, encoding="utf-8")
    (target / "WHEEL").write_text(WHEEL, encoding="utf-8")
    return DIST_INFO


def build_wheel(
    wheel_directory: str,
    config_settings: Optional[Dict[str, Any]] = None,
    metadata_directory: Optional[str] = None,
) -> str:
    filename = f"{NAME}-{VERSION}-{TAG}.whl"
    records: List[str] = []
    with zipfile.ZipFile(os.path.join(wheel_directory, filename), "w", zipfile.ZIP_DEFLATED) as wheel:
        entries = [(str(p.relative_to(ROOT).as_posix()), p.read_bytes()) for p in _package_files()]
        entries += [
            (f"{DIST_INFO}/METADATA", METADATA.encode("utf-8")),
            (f"{DIST_INFO}/WHEEL", WHEEL.encode("utf-8")),
        ]
        for name, data in entries:
            wheel.writestr(name, data)
            records.append(_record_line(name, data))
        records.append(f"{DIST_INFO}/RECORD,,")
        wheel.writestr(f"{DIST_INFO}/RECORD", "\n".join(records) + "\n")
    return filename


def build_sdist(sdist_directory: str, config_settings: Optional[Dict[str, Any]] = None) -> str:
    base = f"{NAME}-{VERSION}"
    filename = f"{base}.tar.gz"
    with tarfile.open(os.path.join(sdist_directory, filename), "w:gz") as sdist:
        for path in [ROOT / "pyproject.toml", ROOT / "build_backend.py", *_package_files()]:
            sdist.add(str(path), arcname=f"{base}/{path.relative_to(ROOT).as_posix()}")
        info = tarfile.TarInfo(f"{base}/PKG-INFO")
        data = METADATA.encode("utf-8")
        info.size = len(data)
        sdist.addfile(info, io.BytesIO(data))
    return filename
