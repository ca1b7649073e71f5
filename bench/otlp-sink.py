#!/usr/bin/env python3
"""An OTLP/HTTP sink for the bench's tracing scenarios: answers 200 to every POST /v1/traces and discards it.

    python3 bench/otlp-sink.py [PORT]      # default 4318, loopback only

The gateway then exports for real (protobuf over HTTP, its batch exporter's cost) without a collector's CPU
competing with it beyond reading the bytes. It prints the spans' byte count it received every 10 s.
"""
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

received = {"requests": 0, "bytes": 0}


class Sink(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        self.rfile.read(length)
        received["requests"] += 1
        received["bytes"] += length
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def report():
    while True:
        time.sleep(10)
        print(f"otlp-sink: {received['requests']} exports, {received['bytes']} bytes", flush=True)


if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 4318
    threading.Thread(target=report, daemon=True).start()
    ThreadingHTTPServer(("127.0.0.1", port), Sink).serve_forever()
