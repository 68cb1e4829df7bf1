#!/usr/bin/env bash
# Test helper: a throw-away OpenSSH server on a free loopback port that lets
# the current user in with a generated key (git-upload-pack over ssh://).
#   sshd.sh start DIR  -> prints ssh://USER@127.0.0.1:PORT ; writes
#                         DIR/id_ed25519{,.pub} (client key), DIR/known_hosts,
#                         DIR/other_ed25519 (a key the server does not accept)
#   sshd.sh stop DIR
# Exits 77 when /usr/sbin/sshd is not installed (tests then skip).
set -euo pipefail
cmd=${1:-}; dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: $0 start|stop DIR" >&2; exit 2; }
SSHD=${SSHD:-/usr/sbin/sshd}
mkdir -p "$dir"; dir=$(cd "$dir" && pwd)
case "$cmd" in
start)
  [ -x "$SSHD" ] || { echo "sshd not installed" >&2; exit 77; }
  mkdir -p /run/sshd 2>/dev/null || true
  chmod 700 "$dir"
  rm -f "$dir"/host_ed25519* "$dir"/id_ed25519* "$dir"/other_ed25519*
  ssh-keygen -q -t ed25519 -N '' -f "$dir/host_ed25519"
  ssh-keygen -q -t ed25519 -N '' -f "$dir/id_ed25519"
  ssh-keygen -q -t ed25519 -N '' -f "$dir/other_ed25519"
  cp "$dir/id_ed25519.pub" "$dir/authorized_keys"; chmod 600 "$dir/authorized_keys"
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
  user=$(id -un)
  cat >"$dir/sshd_config" <<CFG
Port $port
ListenAddress 127.0.0.1
HostKey $dir/host_ed25519
PidFile $dir/sshd.pid
AuthorizedKeysFile $dir/authorized_keys
StrictModes no
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
PermitRootLogin prohibit-password
AllowUsers $user
SetEnv GIT_CONFIG_NOSYSTEM=1
LogLevel ERROR
CFG
  "$SSHD" -f "$dir/sshd_config" -E "$dir/sshd.log"
  echo "[127.0.0.1]:$port $(cut -d' ' -f1,2 "$dir/host_ed25519.pub")" >"$dir/known_hosts"
  for _ in $(seq 1 100); do
    if python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1",int(sys.argv[1])),0.2).close()' "$port" 2>/dev/null; then
      echo "ssh://$user@127.0.0.1:$port"; exit 0
    fi
    sleep 0.05
  done
  echo "sshd did not start (see $dir/sshd.log)" >&2; exit 1 ;;
stop)
  if [ -f "$dir/sshd.pid" ]; then
    pid=$(cat "$dir/sshd.pid"); kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
    rm -f "$dir/sshd.pid"
  fi ;;
*) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
