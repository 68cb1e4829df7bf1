#!/usr/bin/env bash
# Test helper: run `git daemon` on a free loopback port.
#   git-daemon.sh start DIR   -> serves DIR (base path), prints git://127.0.0.1:PORT
#   git-daemon.sh stop DIR    -> stops the daemon started for DIR
# State lives in DIR/.git-daemon.{pid,port}.
set -euo pipefail
cmd=${1:-}; dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: $0 start|stop DIR" >&2; exit 2; }
dir=$(cd "$dir" && pwd)
pidf="$dir/.git-daemon.pid"; portf="$dir/.git-daemon.port"; logf="$dir/.git-daemon.log"

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

case "$cmd" in
start)
  for attempt in 1 2 3 4 5; do
    port=$(free_port)
    git daemon --export-all --base-path="$dir" --reuseaddr --listen=127.0.0.1 \
      --port="$port" --pid-file="$pidf" "$dir" </dev/null >>"$logf" 2>&1 &
    # wait until it answers (or died)
    for _ in $(seq 1 100); do
      if python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1",int(sys.argv[1])),0.2).close()' "$port" 2>/dev/null; then
        echo "$port" >"$portf"
        echo "git://127.0.0.1:$port"
        exit 0
      fi
      kill -0 $! 2>/dev/null || break
      sleep 0.05
    done
    kill $! 2>/dev/null || true
  done
  echo "git daemon did not start (see $logf)" >&2
  exit 1 ;;
stop)
  if [ -f "$pidf" ]; then
    pid=$(cat "$pidf")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$pidf" "$portf"
  fi ;;
*) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
