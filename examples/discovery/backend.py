#!/usr/bin/env python3
"""The discovery demo's backend: answers every request with the id of the task it runs in.

GET /        -> the task id (and the agent's port), one line
GET /health  -> "ok" (Marathon's health check)
GET /slow    -> the task id after 1.5 s (to watch a connection drain)

It listens on 127.0.0.1:$PORT0, the port Marathon assigned to the task.
"""
import http.server
import os
import socketserver
import time

TASK = os.environ.get("MESOS_TASK_ID", "not-a-task")
PORT = int(os.environ.get("PORT0", "8000"))


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def do_GET(self):
        if self.path.startswith("/slow"):
            time.sleep(1.5)
        body = b"ok\n" if self.path == "/health" else f"{TASK} on port {PORT}\n".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256


if __name__ == "__main__":
    Server(("127.0.0.1", PORT), Handler).serve_forever()
