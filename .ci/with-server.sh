#!/usr/bin/env bash
# Starts a Parley server on the embedded defaults (a throwaway DATA_DIR, a free port), waits
# until it is healthy, runs the given command with the server's URL as its last argument,
# and stops the server.
set -euo pipefail
data=$(mktemp -d)
port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
PORT=$port HOST=127.0.0.1 DATA_DIR=$data LOG_LEVEL=warn ./node_modules/.bin/bun server/index.ts &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 1 120); do
  curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break
  kill -0 $pid || { echo "server exited"; exit 1; }
  sleep 0.5
done
"$@" "http://127.0.0.1:$port"
