#!/usr/bin/env bash
# Runs every Go fuzz target of the module (each `func FuzzX` in a _test.go
# file) for FUZZTIME (default 2s) each. go test fuzzes one target per run,
# so each package's instrumented test binary is built once and run once per
# target, from the package directory, with go test's fuzz cache. A crasher
# is written to the package's testdata/fuzz/FuzzX/ and fails the run.
set -uo pipefail
GO=${GO:-go}
FUZZTIME=${FUZZTIME:-2s}
# Minimising new inputs would take all of a short run's time on a slow
# target (an import or load per input): only long runs minimise.
case "$FUZZTIME" in *m | *h) minimize=10s ;; *) minimize=0 ;; esac

root=$(pwd)
bindir=$(mktemp -d)
log=$(mktemp)
trap 'rm -rf "$bindir" "$log"' EXIT
cache=$("$GO" env GOCACHE)/fuzz

# third_party/ holds other modules (changed copies of libraries): not ours.
for dir in $(grep -rl --include='*_test.go' --exclude-dir=third_party '^func Fuzz' . | xargs -n1 dirname | sort -u); do
	importpath=$("$GO" list "$dir") || exit 1
	bin=$bindir/$(echo "$importpath" | tr / _).test
	if ! "$GO" test -c -fuzz=. -o "$bin" "$dir" >"$log" 2>&1; then
		cat "$log"
		exit 1
	fi
	for name in $(sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(.*/\1/p' "$dir"/*_test.go); do
		start=$(date +%s%N)
		(cd "$root/$dir" && "$bin" -test.run='^$' -test.fuzz="^$name\$" -test.fuzztime="$FUZZTIME" \
			-test.fuzzminimizetime="$minimize" -test.parallel=2 -test.fuzzcachedir="$cache/$importpath") >"$log" 2>&1
		status=$?
		ms=$((($(date +%s%N) - start) / 1000000))
		if [ $status -ne 0 ] && ! grep -q 'Failing input written to' "$log" &&
			[ "$(grep -c -v -e '^fuzz: ' -e '^warning: ' -e '^--- FAIL: ' -e '^    context deadline exceeded$' -e '^FAIL$' "$log")" = 0 ]; then
			# Go 1.26's coordinator can report its own -fuzztime deadline as
			# a failure (go.dev/issue/75804, fixed in 1.27): no input failed.
			status=0
		fi
		if [ $status -ne 0 ]; then
			echo "--- FAIL: $name ($importpath)"
			cat "$log"
			exit $status
		fi
		printf 'ok  \t%s\t%d.%03ds (fuzzed %s for %s)\n' "$importpath" $((ms / 1000)) $((ms % 1000)) "$name" "$FUZZTIME"
	done
done
