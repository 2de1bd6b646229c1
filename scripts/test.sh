#!/usr/bin/env bash
# Runs every check and test of lakestream. Installs what the tests need when it is missing:
# Debian's python3-avro (the independent Avro reader), postgresql (a real server for the serving
# tests), chromium (the dashboard's end-to-end tests), prometheus (the metrics scrape test), librdkafka-dev
# and gcc (librdkafka's mock cluster, a real Kafka-protocol broker for the Kafka tests) and the
# npm dependencies.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
/usr/bin/python3 -c 'import avro' 2>/dev/null || need_apt+=(python3-avro)
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || command -v initdb >/dev/null || need_apt+=(postgresql)
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
[ -x /usr/bin/prometheus ] || need_apt+=(prometheus)
[ -f /usr/include/librdkafka/rdkafka_mock.h ] || need_apt+=(librdkafka-dev)
command -v gcc >/dev/null || need_apt+=(gcc libc6-dev)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "test: installing Debian packages: ${need_apt[*]}"
  if [ "$(id -u)" -eq 0 ]; then apt-get update -qq && apt-get install -y -qq "${need_apt[@]}"
  else sudo apt-get update -qq && sudo apt-get install -y -qq "${need_apt[@]}"; fi
fi
[ -d node_modules ] || npm ci

echo "test: lint and format"
npm run --silent lint
echo "test: typecheck"
npm run --silent typecheck
echo "test: build"
npm run --silent build
node scripts/check-package.mjs
echo "test: unit and integration tests"
results="$(mktemp -d)/vitest.json"
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json="$results" || status=$?
if [ -f "$results" ]; then
  node -e 'const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`);' "$results"
fi
exit "$status"
