#!/usr/bin/env python3
"""Test helper: serve git repositories over smart HTTP on loopback.

    http-backend.py ROOT [--auth USER:PASS] [--tls CERT KEY]

Runs `git http-backend` (CGI) for every request under ROOT, prints
"http://127.0.0.1:PORT" on stdout once listening, and serves until killed.
Paths under /html/ return an ordinary HTML page (to test non-git URLs).
With --auth, requests without the right Basic credentials get 401.
With --tls, serves HTTPS with the given PEM certificate and key.
"""
import base64
import http.server
import os
import subprocess
import sys


def main():
    args = sys.argv[1:]
    if not args:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    root = os.path.abspath(args[0])
    auth = None
    tls = None
    i = 1
    while i < len(args):
        if args[i] == "--auth":
            auth = "Basic " + base64.b64encode(args[i + 1].encode()).decode()
            i += 2
        elif args[i] == "--tls":
            tls = (args[i + 1], args[i + 2])
            i += 3
        else:
            print("unknown argument " + args[i], file=sys.stderr)
            sys.exit(2)

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *a):  # quiet
            pass

        def _send(self, code, ctype, body, extra=()):
            self.send_response(code)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            for k, v in extra:
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body)

        def _body(self):
            if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                data = b""
                while True:
                    line = self.rfile.readline().strip()
                    n = int(line.split(b";")[0], 16)
                    if n == 0:
                        self.rfile.readline()
                        return data
                    data += self.rfile.read(n)
                    self.rfile.readline()
            n = int(self.headers.get("Content-Length", "0") or 0)
            return self.rfile.read(n) if n else b""

        def _handle(self):
            body = self._body() if self.command == "POST" else b""
            path, _, query = self.path.partition("?")
            if path.startswith("/html/"):
                self._send(200, "text/html", b"<html><body>not git</body></html>")
                return
            if auth and self.headers.get("Authorization") != auth:
                self._send(401, "text/plain", b"auth required",
                           [("WWW-Authenticate", 'Basic realm="git"')])
                return
            env = {
                "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                "GIT_PROJECT_ROOT": root,
                "GIT_HTTP_EXPORT_ALL": "1",
                "GIT_CONFIG_NOSYSTEM": "1",
                "HOME": os.environ.get("HOME", root),
                "REQUEST_METHOD": self.command,
                "PATH_INFO": path,
                "QUERY_STRING": query,
                "CONTENT_TYPE": self.headers.get("Content-Type", ""),
                "CONTENT_LENGTH": str(len(body)),
                "REMOTE_ADDR": "127.0.0.1",
                "REMOTE_USER": "test" if auth else "",
                "GIT_PROTOCOL": self.headers.get("Git-Protocol", ""),
                "HTTP_CONTENT_ENCODING": self.headers.get("Content-Encoding", ""),
            }
            p = subprocess.run(["git", "http-backend"], input=body, env=env,
                               capture_output=True)
            out = p.stdout
            head, _, payload = out.partition(b"\r\n\r\n")
            if not _:
                head, _, payload = out.partition(b"\n\n")
            code = 200
            hdrs = []
            for line in head.splitlines():
                k, _, v = line.decode("latin-1").partition(":")
                v = v.strip()
                if k.lower() == "status":
                    code = int(v.split()[0])
                elif k:
                    hdrs.append((k, v))
            self.send_response(code)
            for k, v in hdrs:
                if k.lower() != "content-length":
                    self.send_header(k, v)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = _handle
        do_POST = _handle

    class Server(http.server.ThreadingHTTPServer):
        def handle_error(self, request, client_address):  # clients may hang up
            pass

    srv = Server(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    scheme = "http"
    if tls:
        import ssl
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(tls[0], tls[1])
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
        scheme = "https"
    print("%s://127.0.0.1:%d" % (scheme, srv.server_address[1]), flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
