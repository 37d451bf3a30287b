"""Measures a Lambda function's init time: from process start to its first call of the
Runtime API's `next` endpoint (that is when `main` has built its dependencies and is
ready for the first event). Usage: runtime_stub.py RUNS BINARY [ENV=VALUE ...]"""

import http.server
import os
import socket
import statistics
import subprocess
import sys
import threading
import time


def measure_once(binary: str, env: dict) -> float:
    ready = threading.Event()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server API)
            if self.path.endswith("/invocation/next"):
                ready.set()
                time.sleep(0.2)  # hold the poll; the process is killed right after
            self.send_response(500)
            self.end_headers()

        def log_message(self, *args):
            pass

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    env = dict(env, AWS_LAMBDA_RUNTIME_API=f"127.0.0.1:{port}")
    start = time.perf_counter()
    proc = subprocess.Popen([binary], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if not ready.wait(10):
        proc.kill()
        raise SystemExit(f"{binary} never asked for an event")
    elapsed = time.perf_counter() - start
    proc.kill()
    proc.wait()
    server.shutdown()
    return elapsed * 1000


def main() -> None:
    runs, binary = int(sys.argv[1]), sys.argv[2]
    env = {k: v for k, v in (a.split("=", 1) for a in sys.argv[3:])}
    env.setdefault("PATH", os.environ.get("PATH", ""))
    times = sorted(measure_once(binary, env) for _ in range(runs))
    p90 = times[min(len(times) - 1, int(len(times) * 0.9))]
    print(f"init (process start -> ready for first event), {runs} runs: "
          f"min {times[0]:.1f} ms, median {statistics.median(times):.1f} ms, p90 {p90:.1f} ms")


if __name__ == "__main__":
    main()
