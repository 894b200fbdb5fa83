#!/usr/bin/env bash
# Runs sqlmap (Debian package `sqlmap`) against the API's query parameters, path parameters and
# JSON bodies, signed in, and fails if anything is reported injectable. It starts its own API
# (the configured database, or the embedded one) with the rate limits lifted and the demo data
# of `npm run db:seed`. Usage: bash scripts/security/sqlmap.sh [--level N] [--risk N]
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v sqlmap >/dev/null || { echo "sqlmap is not installed (apt-get install sqlmap)" >&2; exit 2; }
LEVEL=1; RISK=1
while [ $# -gt 0 ]; do case "$1" in --level) LEVEL=$2; shift 2;; --risk) RISK=$2; shift 2;; *) echo "unknown option $1" >&2; exit 2;; esac; done

npm run -s build
PORT=${SQLMAP_PORT:-3777}
OUT=$(mktemp -d)
export RATE_LIMIT_MAX_REQUESTS=10000000 AUTH_RATE_LIMIT_MAX=10000000 LOG_LEVEL=warn BCRYPT_ROUNDS=4 NODE_ENV=development
node dist/scripts/db-seed.js > "$OUT/seed.txt"
PORT=$PORT node dist/src/main.js > "$OUT/api.log" 2>&1 &
API=$!
trap 'kill $API 2>/dev/null; wait $API 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$PORT/health/ready" >/dev/null && break; sleep 0.5; done

B="http://127.0.0.1:$PORT/api/v1"
PASSWORD=$(sed -n 's/.*password "\([^"]*\)".*/\1/p' "$OUT/seed.txt" | head -1)
login() { curl -s -XPOST "$B/auth/login" -H 'content-type: application/json' -d "{\"email\":\"$1\",\"password\":\"$PASSWORD\"}"; }
ALICE=$(login alice@demo.test)
TOKEN=$(echo "$ALICE" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).data.accessToken))')
WID=$(curl -s "$B/workspaces" -H "authorization: Bearer $TOKEN" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).data[0].id))')
ME=$(curl -s "$B/users/me" -H "authorization: Bearer $TOKEN" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).data.id))')

AUTH="Authorization: Bearer $TOKEN"
# 4xx answers are the API refusing input, not failures: sqlmap must look past them.
COMMON=(--batch --level "$LEVEL" --risk "$RISK" --flush-session --output-dir "$OUT/sqlmap" --ignore-code 400,401,403,404,409,413,422,429 --dbms PostgreSQL)
TARGETS=(
  "-u $B/users?sort=name&order=asc&status=active&page=1&limit=20 -H AUTH"
  "-u $B/users/search?q=alice&page=1&limit=10 -H AUTH"
  "-u $B/users/$ME*?scope=workspace -H AUTH"
  "-u $B/workspaces/$WID/audit-events?action=role.created&page=1 -H AUTH"
  "-u $B/notifications?unread=true&page=1 -H AUTH"
  "-u $B/auth/login --data {\"email\":\"alice@demo.test\",\"password\":\"x\"} -H JSON"
  "-u $B/users/me --method PUT --data {\"name\":\"Alice\",\"timezone\":\"Europe/Paris\"} -H AUTH -H JSON"
  "-u $B/workspaces/$WID/roles --data {\"name\":\"probe\",\"description\":\"x\",\"permissions\":[]} -H AUTH -H JSON"
)
FOUND=0
for target in "${TARGETS[@]}"; do
  args=()
  read -ra words <<<"$target"
  for w in "${words[@]}"; do
    case "$w" in
      AUTH) args+=("$AUTH") ;;
      JSON) args+=("Content-Type: application/json") ;;
      *) args+=("$w") ;;
    esac
  done
  echo "== sqlmap ${words[*]:0:2}"
  log="$OUT/run-$RANDOM.txt"
  sqlmap "${COMMON[@]}" "${args[@]}" > "$log" 2>&1 || true
  if grep -qiE "is vulnerable|sqlmap identified the following injection point" "$log"; then
    echo "   INJECTABLE: see $log"; FOUND=1
  else
    grep -E "do not appear to be injectable|all tested parameters" "$log" | tail -1 | sed 's/^/   /'
  fi
done
echo "logs: $OUT"
exit $FOUND
