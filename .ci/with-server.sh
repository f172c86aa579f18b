#!/usr/bin/env bash
# Starts a Parley server (a throwaway DATA_DIR, a free port), waits until /readyz answers 200,
# prints how long that took, runs the given command with the server's URL as its last argument,
# and stops the server.
#   PARLEY_BINARY=dist/parley  run the compiled binary instead of `bun server/index.ts`: copied
#                              to an empty directory and started there with an empty environment
#                              (nothing but the variables below), as on a machine with nothing else.
#   DATABASE_URL, REDIS_URL    passed through when set (PostgreSQL + Redis); else the embedded database.
set -euo pipefail
data=$(mktemp -d)
port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
env=(PORT="$port" HOST=127.0.0.1 DATA_DIR="$data/data" LOG_LEVEL=warn)
[ -n "${DATABASE_URL:-}" ] && env+=(DATABASE_URL="$DATABASE_URL")
[ -n "${REDIS_URL:-}" ] && env+=(REDIS_URL="$REDIS_URL")
if [ -n "${PARLEY_BINARY:-}" ]; then
  cp "$PARLEY_BINARY" "$data/parley"
  what="binary $(du -m "$data/parley" | cut -f1) MB"
  start=$(date +%s%N)
  (cd "$data" && exec env -i "${env[@]}" ./parley) &
else
  what="bun server/index.ts"
  start=$(date +%s%N)
  env "${env[@]}" ./node_modules/.bin/bun server/index.ts &
fi
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 1 1200); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/readyz")" = 200 ] && break
  kill -0 $pid || { echo "server exited"; exit 1; }
  sleep 0.1
done
db=$([ -n "${DATABASE_URL:-}" ] && echo PostgreSQL || echo "the embedded database")
echo "$what on $db: ready (/readyz 200) after $(( ($(date +%s%N) - start) / 1000000 )) ms"
"$@" "http://127.0.0.1:$port"
