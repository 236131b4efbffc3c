#!/usr/bin/env bash
# Starts the server in sandbox mode (no Twilio account; the sandbox's simulated agent answers after a second) on a local
# port with a store of its own, has the official MCP TypeScript SDK's client sign in and call ask_human_agent
# (sign-in-and-ask.mjs), and stops the server. Needs the .NET 10 SDK and Node.js 20 or later.
set -euo pipefail
cd "$(dirname "$0")"
root=$(cd ../.. && pwd)
port=${PORT:-5077}
data=$(mktemp -d)

dotnet build "$root/src/FlexAgentPlugin" -nologo -v quiet >/dev/null
(cd "$data" && SANDBOX_AUTO_REPLY_SECONDS=1 DATABASE_PATH="$data/convs.db" \
  exec dotnet "$root/src/FlexAgentPlugin/bin/Debug/net10.0/FlexAgentPlugin.dll" --urls "http://localhost:$port" >"$data/server.log" 2>&1) &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$data"' EXIT
for _ in $(seq 1 60); do
  curl -sf "http://localhost:$port/healthz" >/dev/null && break
  kill -0 "$server" 2>/dev/null || { cat "$data/server.log"; exit 1; }
  sleep 1
done

npm ci --no-audit --no-fund --silent
node sign-in-and-ask.mjs "http://localhost:$port/mcp"
