"""The gateway for browsers: the Connect protocol (unary, JSON or binary protobuf over HTTP
POST) beside native gRPC, and the console's built files (web/dist).

Each Connect call is decoded with the generated message classes and made again, with the
browser's `Authorization` header, on the gateway's own gRPC port: the same interceptor
(hall.infra.auth.ServerAuth: token, method gate), the same forwarding and composing, the
same owner checks — no second set of access rules. Cross-origin calls are answered only for
the console's own origins (HALL_CONSOLE_ORIGINS)."""
from __future__ import annotations

import json
import logging
import mimetypes
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import grpc
from google.protobuf import json_format

from hall.infra import grpcutil

log = logging.getLogger(__name__)

MAX_BODY = 4 * 1024 * 1024  # the gRPC server's own receive limit
TIMEOUT = 15.0
JSON, PROTO = "application/json", "application/proto"

# https://connectrpc.com/docs/protocol#error-codes: the HTTP status of each code
HTTP_STATUS = {
    "canceled": 499, "unknown": 500, "invalid_argument": 400, "deadline_exceeded": 504,
    "not_found": 404, "already_exists": 409, "permission_denied": 403, "resource_exhausted": 429,
    "failed_precondition": 400, "aborted": 409, "out_of_range": 400, "unimplemented": 501,
    "internal": 500, "unavailable": 503, "data_loss": 500, "unauthenticated": 401,
}


def connect_code(code: grpc.StatusCode) -> str:
    return "canceled" if code == grpc.StatusCode.CANCELLED else code.name.lower()


class Methods:
    """The unary methods of the public services: path -> (request class, response class)."""

    def __init__(self, parts: dict):
        from services.gateway.forward import message_class
        self.table = {}
        for service, (module, _) in parts.items():
            desc = module.DESCRIPTOR.services_by_name[service.rsplit(".", 1)[1]]
            for m in desc.methods:
                if not (m.client_streaming or m.server_streaming):
                    self.table[f"/{service}/{m.name}"] = (message_class(m.input_type),
                                                          message_class(m.output_type))

    def get(self, path: str):
        return self.table.get(path)


class ConnectError(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


class WebGateway:
    """An HTTP server in a thread: Connect calls to `grpc_address`, and static files."""

    def __init__(self, grpc_address: str, methods: Methods, origins: set[str],
                 static_dir: Path | None = None):
        self.methods, self.origins, self.static_dir = methods, origins, static_dir
        self.channel = grpcutil.channel(grpc_address)
        self._server: ThreadingHTTPServer | None = None

    def serve(self, host: str, port: int) -> "WebGateway":
        handler = type("Handler", (_Handler,), {"gateway": self})
        self._server = ThreadingHTTPServer((host, port), handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, name="web", daemon=True).start()
        return self

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
        self.channel.close()

    def call(self, path: str, content_type: str, body: bytes, authorization: str, timeout: float):
        """One unary Connect call: decoded, made on the gateway's gRPC port, encoded."""
        classes = self.methods.get(path)
        if classes is None:
            raise ConnectError("unimplemented", f"no method {path[:100]}")
        req_cls, resp_cls = classes
        request = _decode(req_cls, content_type, body)
        metadata = [("authorization", authorization)] if authorization else []
        stub = self.channel.unary_unary(path, request_serializer=lambda m: m.SerializeToString(),
                                        response_deserializer=resp_cls.FromString)
        try:
            response = stub(request, timeout=timeout, metadata=metadata, wait_for_ready=True)
        except grpc.RpcError as exc:
            raise ConnectError(connect_code(exc.code()), exc.details() or "") from None
        if content_type == PROTO:
            return response.SerializeToString()
        return json_format.MessageToJson(response, indent=None).encode()


def _decode(cls, content_type: str, body: bytes):
    try:
        if content_type == PROTO:
            return cls.FromString(body)
        return json_format.Parse(body.decode("utf-8") if body else "{}", cls())
    except (json_format.ParseError, UnicodeDecodeError, ValueError) as exc:
        what = cls.DESCRIPTOR.name
        detail = str(exc)[:200] if content_type == JSON else "undecodable bytes"
        raise ConnectError("invalid_argument", f"the request is not a valid {what}: {detail}") from None
    except Exception:  # protobuf's DecodeError and its kin
        raise ConnectError("invalid_argument",
                           f"the request is not a valid {cls.DESCRIPTOR.name} message") from None


class _Handler(BaseHTTPRequestHandler):
    gateway: WebGateway
    protocol_version = "HTTP/1.1"
    server_version = "hall-gateway"

    def log_message(self, fmt, *args):  # no request lines (paths carry case numbers) in the log
        pass

    def _cors(self) -> list[tuple[str, str]]:
        origin = self.headers.get("Origin")
        if origin and origin in self.gateway.origins:
            return [("Access-Control-Allow-Origin", origin), ("Vary", "Origin")]
        return []

    def _send(self, status: int, body: bytes, content_type: str, extra=()) -> None:
        self.send_response(status)
        for k, v in [("Content-Type", content_type), ("Content-Length", str(len(body))),
                     ("X-Content-Type-Options", "nosniff"), *self._cors(), *extra]:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def _error(self, code: str, message: str) -> None:
        body = json.dumps({"code": code, "message": grpcutil.clean(message)}, ensure_ascii=False)
        self._send(HTTP_STATUS.get(code, 500), body.encode(), JSON)

    def do_OPTIONS(self):
        cors = self._cors()
        if not cors:
            return self._send(403, b"", "text/plain")
        self._send(204, b"", "text/plain", [
            ("Access-Control-Allow-Methods", "POST"),
            ("Access-Control-Allow-Headers",
             "Content-Type, Authorization, Connect-Protocol-Version, Connect-Timeout-Ms"),
            ("Access-Control-Max-Age", "7200")])

    def do_POST(self):
        origin = self.headers.get("Origin")
        if origin and origin not in self.gateway.origins:
            return self._error("permission_denied", "calls from this origin are not accepted")
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            self.close_connection = True
            return self._error("resource_exhausted", f"a request is at most {MAX_BODY} bytes")
        body = self.rfile.read(length) if length else b""
        content_type = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if content_type not in (JSON, PROTO):
            return self._send(415, b"", "text/plain")  # the protocol's answer for a foreign codec
        try:
            timeout = min(TIMEOUT, int(self.headers.get("Connect-Timeout-Ms") or 0) / 1000 or TIMEOUT)
        except ValueError:
            return self._error("invalid_argument", "Connect-Timeout-Ms must be a number")
        try:
            out = self.gateway.call(self.path.split("?")[0], content_type, body,
                                    self.headers.get("Authorization") or "", timeout)
        except ConnectError as exc:
            return self._error(exc.code, exc.message)
        except Exception:
            log.exception("a Connect call failed")
            return self._error("internal", "internal error; the request was not completed")
        self._send(200, out, content_type)

    def do_GET(self):
        root = self.gateway.static_dir
        if root is None or not root.is_dir():
            return self._send(404, "控制台尚未构建 (make run builds web/dist)".encode(), "text/plain; charset=utf-8")
        rel = self.path.split("?")[0].lstrip("/")
        target = (root / rel).resolve() if rel else root / "index.html"
        if not target.is_relative_to(root.resolve()) or not target.is_file():
            target = root / "index.html"  # the console's own routes (/call-screen/LX00 ...)
        ctype = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if ctype.startswith("text/") or ctype in ("application/javascript",):
            ctype += "; charset=utf-8"
        cache = "no-cache" if target.name == "index.html" else "public, max-age=31536000, immutable"
        self._send(200, target.read_bytes(), ctype, [("Cache-Control", cache)])
