"""A real SMTP server (aiosmtpd) and a real HTTP webhook receiver that checks Standard Webhooks signatures,
for the alert delivery tests. The receiver's check is written from the specification, not imported from the
portal, so a mistake shared by sender and checker cannot hide."""

from __future__ import annotations

import base64
import email
import hashlib
import hmac
import json
import threading
import time
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller


class Mailbox:
    """Collects every message the SMTP server accepts."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd's name)
        self.messages.append(email.message_from_bytes(envelope.original_content or envelope.content))
        return "250 Message accepted"


class SmtpServer:
    def __init__(self, port: int) -> None:
        self.port = port
        self.box = Mailbox()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.box, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller:
            self.controller.stop()
            self.controller = None

    @property
    def messages(self) -> list[Message]:
        return self.box.messages


def signature_valid(secret: str, headers: Any, body: bytes, tolerance: float = 300) -> bool:
    """Standard Webhooks: base64 HMAC-SHA256 of "{id}.{timestamp}.{body}" under the secret's bytes."""
    msg_id, stamp = headers["webhook-id"], headers["webhook-timestamp"]
    if abs(time.time() - int(stamp)) > tolerance:
        return False
    key = base64.b64decode(secret.split("_", 1)[1])
    expected = base64.b64encode(hmac.new(key, f"{msg_id}.{stamp}.".encode() + body, hashlib.sha256).digest()).decode()
    offered = [part.split(",", 1)[1] for part in headers["webhook-signature"].split(" ") if part.startswith("v1,")]
    return any(hmac.compare_digest(expected, sig) for sig in offered)


class WebhookReceiver:
    """Answers 204 to a correctly signed POST (and records it), 401 to any other."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.secret = ""
        self.received: list[dict[str, Any]] = []  # {"id", "body"} of each valid delivery, repeats included
        self.refused = 0
        self.server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/alerts"

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                if receiver.secret and signature_valid(receiver.secret, self.headers, body):
                    receiver.received.append({"id": self.headers["webhook-id"], "body": json.loads(body)})
                    self.send_response(204)
                else:
                    receiver.refused += 1
                    self.send_response(401)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self.server:
            self.server.shutdown()
            self.server.server_close()
            self.server = None
