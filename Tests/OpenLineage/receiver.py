"""An OpenLineage collector on loopback for the HTTP delivery tests: answers the first POST
with 503 (to see the retry) and every later one with 201; appends each request, as one JSON
line {"status", "authorization", "body"}, to LOG. Prints its port, then serves until stdin closes.

    receiver.py LOG [PORT]
"""

import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

log = sys.argv[1]
lock = threading.Lock()
seen = [0]


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        with lock:
            seen[0] += 1
            status = 503 if seen[0] == 1 else 201
            with open(log, "a") as out:
                record = {"status": status, "path": self.path, "authorization": self.headers.get("Authorization"),
                          "body": body.decode()}
                out.write(json.dumps(record) + "\n")
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[2]) if len(sys.argv) > 2 else 0), Handler)
print(server.server_address[1], flush=True)
threading.Thread(target=server.serve_forever, daemon=True).start()
sys.stdin.read()
