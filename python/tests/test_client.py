"""Unit tests of the client's own parts: paths, errors, value checks, sealing, the socket transport
(against a small HTTP server on a Unix socket in this process). The agent itself is tested from
test/e2e/sdk/python-sdk.e2e.test.ts."""

from __future__ import annotations

import base64
import json
import os
import re
import socketserver
import struct
import tempfile
import threading
import unittest
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

from nacl.public import PrivateKey, SealedBox

import hush
from hush import _paths
from hush._transport import Transport, request_for
from hush._values import plain_values, seal_values
from hush.errors import ERRORS, HushError, error_from_body

REPO = Path(__file__).resolve().parents[2]


class Routes:
    """What the fake agent answers: (status, body or frames) by method and path."""

    def __init__(self) -> None:
        self.requests: List[Tuple[str, str, Optional[Dict[str, Any]]]] = []
        self.answers: Dict[Tuple[str, str], Callable[[], Tuple[int, Any]]] = {}


class FakeAgent:
    """An HTTP/1.1 server on a Unix socket: the answers of `routes`, and a record of every request."""

    def __init__(self, directory: str) -> None:
        self.socket = os.path.join(directory, "agent.sock")
        self.routes = Routes()
        self.key = PrivateKey.generate()
        routes = self.routes
        public = base64.b64encode(bytes(self.key.public_key)).decode()
        routes.answers[("GET", "/v1/hello")] = lambda: (200, {"name": "hush", "protocol": 1, "publicKey": public})

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _answer(self, method: str) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = json.loads(self.rfile.read(length)) if length else None
                routes.requests.append((method, self.path, body))
                answer = routes.answers.get((method, self.path.split("?")[0]))
                status, payload = answer() if answer else (404, {"error": {"code": "not_found", "message": "no"}})
                data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                self._answer("GET")

            def do_POST(self) -> None:
                self._answer("POST")

            def do_DELETE(self) -> None:
                self._answer("DELETE")

        self.server = socketserver.ThreadingUnixStreamServer(self.socket, Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def frame(kind: int, payload: bytes) -> bytes:
    return struct.pack(">BI", kind, len(payload)) + payload


class WithAgent(unittest.TestCase):
    def setUp(self) -> None:
        self.dir = tempfile.mkdtemp(prefix="hush-py-")
        self.agent = FakeAgent(self.dir)
        self.client = hush.Client(home=self.dir, start=False)
        self.client._transport = Transport(self.agent.socket)

    def tearDown(self) -> None:
        self.agent.close()

    def answer(self, method: str, path: str, status: int, body: Any) -> None:
        self.agent.routes.answers[(method, path)] = lambda: (status, body)

    def sent(self) -> List[Tuple[str, str, Optional[Dict[str, Any]]]]:
        return [r for r in self.agent.routes.requests if r[1] != "/v1/hello"]


class ErrorsTest(unittest.TestCase):
    def test_every_api_error_code_has_an_exception(self) -> None:
        source = (REPO / "src" / "api" / "errors.ts").read_text()
        table = source[source.index("export const errorCodes") : source.index("} as const")]
        codes = set(re.findall(r"^\s+([a-z_]+): \{status", table, re.M))
        self.assertGreater(len(codes), 20)
        self.assertEqual(codes, set(ERRORS))
        for code, cls in ERRORS.items():
            error = error_from_body({"error": {"code": code, "message": "m"}}, 400)
            self.assertIs(type(error), cls)
            self.assertEqual(error.code, code)
            self.assertTrue(issubclass(cls, HushError))
            self.assertTrue(hasattr(hush, cls.__name__), cls.__name__)

    def test_details_are_kept(self) -> None:
        error = error_from_body(
            {"error": {"code": "secret_in_use", "message": "in use", "deployments": ["d-1", "d-2"]}}, 409
        )
        self.assertIsInstance(error, hush.SecretInUse)
        assert isinstance(error, hush.SecretInUse)
        self.assertEqual(error.deployments, ["d-1", "d-2"])
        missing = error_from_body({"error": {"code": "unknown_secret", "message": "m", "missing": ["a"]}}, 400)
        assert isinstance(missing, hush.UnknownSecret)
        self.assertEqual(missing.missing, ["a"])

    def test_an_unknown_code_or_body_is_still_a_hush_error(self) -> None:
        newer = error_from_body({"error": {"code": "brand_new", "message": "m"}}, 400)
        self.assertEqual((type(newer), newer.code), (HushError, "brand_new"))
        self.assertIsInstance(error_from_body("oops", 502), hush.Internal)


class SameRulesTest(unittest.TestCase):
    """The limits and protocol written in src/api, which this client checks on its side too."""

    def test_limits_and_protocol_match_the_contract(self) -> None:
        from hush import _transport, _values

        limits = (REPO / "src" / "api" / "limits.ts").read_text()
        self.assertIn(f"export const ENV_KEY = /^{_values.ENV_KEY.pattern}$/", limits)
        self.assertIn(f"export const MAX_KEY_LENGTH = {_values.MAX_KEY_LENGTH}", limits)
        self.assertIn("export const MAX_VALUE_BYTES = 64 * 1024", limits)
        self.assertEqual(_values.MAX_VALUE_BYTES, 64 * 1024)
        self.assertIn("export const MAX_BODY_BYTES = 1024 * 1024", limits)
        self.assertEqual(_transport.MAX_BODY_BYTES, 1024 * 1024)
        agent_routes = (REPO / "src" / "api" / "routes" / "agent.ts").read_text()
        self.assertIn(f"export const PROTOCOL = {hush.PROTOCOL}", agent_routes)
        frames = (REPO / "src" / "api" / "frames.ts").read_text()
        for name in ("FRAME_STDOUT", "FRAME_STDERR", "FRAME_END", "FRAME_ERROR"):
            self.assertIn(f"export const {name} = {getattr(_transport, name)}", frames)


class ValuesTest(unittest.TestCase):
    def test_values_are_checked_like_the_agent_checks_them(self) -> None:
        self.assertEqual(plain_values({"A": "x", "B": b"y"}), {"A": b"x", "B": b"y"})
        cases: List[Tuple[Dict[str, Any], type]] = [
            ({"1A": "x"}, hush.InvalidKey),
            ({"A": ""}, hush.InvalidValue),
            ({"A": "a\x00b"}, hush.InvalidValue),
            ({"A": "x" * (64 * 1024 + 1)}, hush.InvalidValue),
            ({"A": b"\xff\xfe"}, hush.InvalidValue),
            ({"A": 42}, TypeError),
            ({"A": None}, TypeError),
            ({"A": ["x"]}, TypeError),
        ]
        for values, error in cases:
            with self.assertRaises(error, msg=repr(values)[:40]):
                plain_values(values)

    def test_an_error_never_holds_the_value(self) -> None:
        with self.assertRaises(hush.InvalidValue) as caught:
            plain_values({"TOKEN": "sentinel-\x00-value"})
        self.assertNotIn("sentinel", str(caught.exception))

    def test_a_bad_key_is_never_repeated(self) -> None:
        # What fails the key rule may be a value given where a key goes: the message is the agent's, without it.
        for key in ("sk-live-9f8e7d6c5b4a", "1" + "x" * 300, "a b"):
            with self.assertRaises(hush.InvalidKey) as caught:
                plain_values({key: "v"})
            self.assertNotIn(key[:8], str(caught.exception))
            self.assertTrue(str(caught.exception).startswith("Invalid key (not shown: it may be a value): "))
        limits = (REPO / "src" / "api" / "limits.ts").read_text()
        self.assertIn("(not shown: it may be a value)", limits)

    def test_values_are_sealed_to_the_agent_key(self) -> None:
        key = PrivateKey.generate()
        sealed = seal_values(base64.b64encode(bytes(key.public_key)).decode(), {"A": b"plain-text"})
        self.assertNotIn("plain-text", sealed["A"])
        self.assertEqual(SealedBox(key).decrypt(base64.b64decode(sealed["A"])), b"plain-text")


class PathsTest(unittest.TestCase):
    def test_home(self) -> None:
        self.assertEqual(_paths.resolve_home({"HUSH_HOME": "rel/x"}), os.path.abspath("rel/x"))
        self.assertEqual(_paths.resolve_home({"XDG_DATA_HOME": "/d", "HOME": "/h"}), "/d/hush")

    def test_a_runtime_dir_that_is_not_a_directory_falls_back_to_tmp(self) -> None:
        not_a_dir = tempfile.mkstemp()[1]
        paths = _paths.resolve_paths({"HUSH_HOME": "/x", "XDG_RUNTIME_DIR": not_a_dir, "TMPDIR": "/var/tmp/"})
        self.assertTrue(paths.socket.startswith(f"/var/tmp/hush-{os.getuid()}/"), paths.socket)

    def test_a_runtime_dir_open_to_others_falls_back_to_tmp(self) -> None:
        shared = tempfile.mkdtemp()
        os.chmod(shared, 0o755)
        paths = _paths.resolve_paths({"HUSH_HOME": "/x", "XDG_RUNTIME_DIR": shared, "TMPDIR": "/var/tmp"})
        self.assertTrue(paths.socket.startswith("/var/tmp/hush-"), paths.socket)
        os.chmod(shared, 0o700)
        paths = _paths.resolve_paths({"HUSH_HOME": "/x", "XDG_RUNTIME_DIR": shared})
        self.assertTrue(paths.socket.startswith(shared), paths.socket)

    def test_a_long_path_moves_under_tmp(self) -> None:
        base = tempfile.mkdtemp()
        deep = os.path.join(base, "d" * 100)
        os.mkdir(deep, 0o700)
        paths = _paths.resolve_paths({"HUSH_HOME": "/x", "XDG_RUNTIME_DIR": deep})
        self.assertTrue(paths.socket.startswith("/tmp/hush-"), paths.socket)
        self.assertLessEqual(len(paths.socket.encode()), 107)


class RequestTest(unittest.TestCase):
    def test_path_params_query_and_body(self) -> None:
        self.assertEqual(request_for("GET", "/v1/secrets/:name", {"name": "a b/c", "app": None}), ("/v1/secrets/a%20b%2Fc", None))
        self.assertEqual(request_for("GET", "/v1/secrets", {"includeDeleted": "true"}), ("/v1/secrets?includeDeleted=true", None))
        self.assertEqual(request_for("GET", "/v1/secrets", {"includeDeleted": True}), ("/v1/secrets?includeDeleted=true", None))
        self.assertEqual(request_for("DELETE", "/v1/secrets/:name", {"name": "x", "force": False}), ("/v1/secrets/x?force=false", None))
        path, body = request_for("POST", "/v1/secrets/:name/rotate", {"name": "hf", "values": {}})
        self.assertEqual((path, json.loads(body or b"")), ("/v1/secrets/hf/rotate", {"values": {}}))


class ClientTest(WithAgent):
    def test_a_value_that_is_not_text_raises_before_anything_is_sent(self) -> None:
        with self.assertRaises(TypeError):
            self.client.create_secret("hf", {"HF_TOKEN": 12345})  # type: ignore[dict-item]
        with self.assertRaises(TypeError):
            self.client.rotate_secret("hf", {"HF_TOKEN": object()})  # type: ignore[dict-item]
        self.assertEqual(self.agent.routes.requests, [])

    def test_create_sends_sealed_values_only(self) -> None:
        self.answer("POST", "/v1/secrets", 200, {"secret": {"name": "hf"}, "replaced": False, "staleDeployments": []})
        result = self.client.create_secret("hf", {"HF_TOKEN": "hf_sentinel_value"}, description="d")
        self.assertEqual(result["secret"]["name"], "hf")
        method, path, body = self.sent()[0]
        assert body is not None
        self.assertNotIn("hf_sentinel_value", json.dumps(body))
        opened = SealedBox(self.agent.key).decrypt(base64.b64decode(body["values"]["HF_TOKEN"]))
        self.assertEqual((method, path, body["description"], opened), ("POST", "/v1/secrets", "d", b"hf_sentinel_value"))
        self.assertNotIn("app", body)

    def test_agent_errors_become_exceptions(self) -> None:
        self.answer(
            "DELETE",
            "/v1/secrets/hf",
            409,
            {"error": {"code": "secret_in_use", "message": "Secret hf is used", "deployments": ["d-1"]}},
        )
        with self.assertRaises(hush.SecretInUse) as caught:
            self.client.delete_secret("hf")
        self.assertEqual(caught.exception.deployments, ["d-1"])
        self.answer("GET", "/v1/secrets", 503, {"error": {"code": "sealed", "message": "sealed"}})
        with self.assertRaises(hush.Sealed):
            self.client.list_secrets()

    def test_a_restarted_agent_gets_the_values_sealed_again(self) -> None:
        calls: List[int] = []

        def rotate() -> Tuple[int, Any]:
            calls.append(1)
            if len(calls) == 1:
                return 400, {"error": {"code": "unopenable_value", "message": "restarted"}}
            return 200, {"secret": {"name": "hf"}}

        self.agent.routes.answers[("POST", "/v1/secrets/hf/rotate")] = rotate
        self.client.rotate_secret("hf", {"A": "x"}, rename={"B": "C"}, remove=["D"])
        self.assertEqual(len(calls), 2)
        body = self.sent()[-1][2]
        assert body is not None
        self.assertEqual((body["rename"], body["remove"]), ({"B": "C"}, ["D"]))

    def test_submit_shapes_the_request(self) -> None:
        self.answer("POST", "/v1/deployments", 200, {"id": "d-1"})
        self.client.submit(
            "img", secrets=["hf"], env={"PLAIN": "v"}, secret_files=["ssh"], name="job", command=["sh"], gpus="all", publish=["8080:80"],
            shm_size="16g", init=True, stop_timeout=30,
        )
        body = self.sent()[0][2]
        self.assertEqual(
            body,
            {
                "image": "img",
                "name": "job",
                "secrets": ["hf"],
                "env": ["PLAIN=v"],
                "secretFiles": ["ssh"],
                "command": ["sh"],
                "options": {"gpus": "all", "publish": ["8080:80"], "shm-size": "16g", "init": True, "stop-timeout": 30},
            },
        )
        with self.assertRaises(TypeError):
            self.client.submit("img", secrets="hf")
        # The warning switch is a JSON boolean, like every flag in a body.
        self.answer("POST", "/v1/deployments", 200, {"id": "d-2"})
        self.client.submit("img", warn=False)
        body = self.sent()[-1][2]
        assert body is not None
        self.assertIs(body["warn"], False)

    def test_logs_are_text_and_say_how_it_ended(self) -> None:
        stream = frame(1, b"out ***\n") + frame(2, b"err\n") + frame(3, b'{"state":"exited","exitCode":3}')
        self.answer("GET", "/v1/deployments/d-1/logs", 200, stream)
        logs = self.client.logs("d-1", follow=True)
        chunks: List[str] = []
        while True:
            try:
                chunks.append(next(logs))
            except StopIteration as end:
                self.assertEqual(end.value, {"state": "exited", "exitCode": 3})
                break
        self.assertEqual(chunks, ["out ***\n", "err\n"])
        self.assertEqual(self.sent()[0][1], "/v1/deployments/d-1/logs?follow=true")

    def test_a_character_split_across_frames_is_decoded_whole(self) -> None:
        # "é" (c3 a9) and "🔑" (f0 9f 94 91) cut between frames, stdout and stderr interleaved.
        text = "é🔑".encode()
        stream = (
            frame(1, b"caf" + text[:1])
            + frame(2, "err ".encode() + text[2:4])
            + frame(1, text[1:3])
            + frame(2, text[4:])
            + frame(1, text[3:])
            + frame(3, b'{"state":"exited","exitCode":0}')
        )
        self.answer("GET", "/v1/deployments/d-1/logs", 200, stream)
        # Each stream is decoded on its own; a piece that ends mid-character waits for the rest.
        self.assertEqual(list(self.client.logs("d-1", follow=True)), ["caf", "err ", "\u00e9", "\U0001f511", "\U0001f511"])

    def test_a_stream_cut_inside_a_character_ends_with_one_replacement(self) -> None:
        self.answer("GET", "/v1/deployments/d-1/logs", 200, frame(1, b"ok " + "é".encode()[:1]))
        self.assertEqual("".join(self.client.logs("d-1")), "ok \ufffd")

    def test_an_error_frame_raises(self) -> None:
        self.answer("GET", "/v1/deployments/d-1/logs", 200, frame(4, b'{"code":"docker_unavailable","message":"m"}'))
        with self.assertRaises(hush.DockerUnavailable):
            list(self.client.logs("d-1"))


class StartTest(unittest.TestCase):
    def test_no_agent_and_no_start(self) -> None:
        client = hush.Client(home=tempfile.mkdtemp(), start=False)
        with self.assertRaises(hush.DaemonUnreachable):
            client.list_secrets()

    def test_an_agent_that_cannot_start_is_reported(self) -> None:
        directory = tempfile.mkdtemp()
        program = os.path.join(directory, "hush")
        with open(program, "w") as script:
            script.write("#!/bin/sh\necho 'hush: The hush agent stopped before it was ready' >&2\nexit 1\n")
        os.chmod(program, 0o755)
        with self.assertRaises(hush.DaemonUnreachable) as caught:
            hush.Client(home=directory, hush=program).hello()
        self.assertIn("stopped before it was ready", str(caught.exception))


if __name__ == "__main__":
    unittest.main()
