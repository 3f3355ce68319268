"""The anycloud flow with hush's Python SDK, against the real agent and docker.

Creates two bundles, submits a job with both, reads the container's env through `docker inspect`,
rotates one bundle, resubmits, then shows that a delete is refused while the job runs and that
`force` deletes anyway. Prints a JSON report (sha256 of values, never a value) on stdout.

    HUSH_HOME=... python3 anycloud.py IMAGE
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets as random
import subprocess
import sys
from typing import Dict

import hush

SLEEPER = ["sh", "-c", 'trap "exit 0" TERM; sleep 300 & wait']


def container_env(container_id: str) -> Dict[str, str]:
    """The container's env as docker keeps it."""
    out = subprocess.run(
        ["docker", "inspect", "--type", "container", "--format", "{{json .Config.Env}}", container_id],
        check=True,
        stdout=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
    ).stdout
    return dict(item.split("=", 1) for item in json.loads(out))


def digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def main(image: str) -> None:
    client = hush.Client()
    report: Dict[str, object] = {}
    hf_token = "hf_" + random.token_hex(16)
    wandb_key = random.token_hex(20)
    client.create_secret("hf", {"HF_TOKEN": hf_token}, description="Hugging Face")
    client.create_secret("wandb", {"WANDB_API_KEY": wandb_key})
    report["listed"] = sorted(secret["name"] for secret in client.list_secrets())

    job = client.submit(image, secrets=["hf", "wandb"], env={"PLAIN": "visible"}, command=SLEEPER,
                        name=f"train-{os.getpid()}")
    env = container_env(job["containerId"])
    report["submitted"] = {
        "state": job["state"],
        "HF_TOKEN": env.get("HF_TOKEN") == hf_token,
        "WANDB_API_KEY": env.get("WANDB_API_KEY") == wandb_key,
        "PLAIN": env.get("PLAIN"),
    }

    new_token = "hf_" + random.token_hex(16)
    rotated = client.rotate_secret("hf", {"HF_TOKEN": new_token})
    report["rotated"] = {"version": rotated["secret"]["version"], "stale": rotated["staleDeployments"] == [job["id"]]}
    report["staleInStatus"] = client.status(job["id"])["stale"]
    again = client.resubmit(job["id"])
    env = container_env(again["containerId"])
    report["resubmitted"] = {
        "revision": again["revision"],
        "HF_TOKEN": env.get("HF_TOKEN") == new_token,
        "hashes": {"HF_TOKEN": digest(env.get("HF_TOKEN", ""))},
        "newContainer": again["containerId"] != job["containerId"],
    }

    try:
        client.delete_secret("hf")
        report["deleteBlocked"] = False
    except hush.SecretInUse as error:
        report["deleteBlocked"] = {"code": error.code, "deployments": error.deployments}
    forced = client.delete_secret("hf", force=True)
    report["forced"] = {"deleted": "deletedAt" in forced["secret"], "running": forced["forcedDeployments"]}
    try:
        client.resubmit(job["id"])
    except hush.UnknownSecret as error:
        report["resubmitAfterDelete"] = {"code": error.code, "missing": error.missing}
    report["terminated"] = client.terminate(job["id"], grace=1)["state"]
    report["expectedHash"] = digest(new_token)
    print(json.dumps(report))


if __name__ == "__main__":
    main(sys.argv[1])
