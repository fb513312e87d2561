#!/usr/bin/env bash
# The request fuzzer at bench size: RequestFuzzIT with 100,000 cases (the suite runs 2,000).
# CASES, SEED and FIRST override; MAX_SECONDS caps the run (it fails if the cap cuts it short).
# The last line of output is the fuzzer's summary: cases, time, failures, outcome counts.
set -euo pipefail
cd "$(dirname "$0")/../.."
CASES="${CASES:-100000}"
SEED="${SEED:-6}"
FIRST="${FIRST:-0}"
MAX_SECONDS="${MAX_SECONDS:-3600}"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
set +e
mvn -B -o verify -Djacoco.skip=true -Dspotless.check.skip=true -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false \
    -Dit.test=RequestFuzzIT -Dfuzz.cases="$CASES" -Dfuzz.seed="$SEED" -Dfuzz.first="$FIRST" \
    -Dfuzz.maxSeconds="$MAX_SECONDS" >"$log" 2>&1
status=$?
set -e
grep -E "request fuzzer|Tests run:|LEAK:" "$log" || true
if [ "$status" -ne 0 ]; then
  sed -n '/Expecting empty/,/^\s*at /p' target/failsafe-reports/dev.switchyard.RequestFuzzIT.txt | head -80
  echo "FAILED (mvn exit $status)"
fi
exit "$status"
