#!/usr/bin/env bash
# mutate.sh applies the one-line breakages listed in scripts/mutations.txt,
# one at a time, to a scratch copy of the working tree, runs the tests each
# one names, and reports whether the tests caught it (failed) or missed it
# (passed). The tree itself is never touched.
#
#   scripts/mutate.sh                 # every mutation
#   scripts/mutate.sh lease backoff   # those whose name contains a word
#   MUTATE_TIMEOUT=10m scripts/mutate.sh
#
# mutations.txt holds blocks separated by blank lines; '#' starts a comment
# line. Keys:
#   name:  short name, unique
#   file:  path from the module root
#   from:  text on one line of file, replaced literally (no regex); it must
#          occur exactly once, unless nth is given
#   to:    the replacement text (may be empty)
#   nth:   which occurrence of from to replace (1 = first), optional
#   pkgs:  the packages whose tests must catch it, space-separated
#   run:   a -run pattern, optional (all tests of pkgs otherwise)
#   note:  free text shown in the report, optional
#
# Results: caught (tests failed), MISSED (tests passed), broken (go vet of
# pkgs fails on the mutant: fix the entry), stale (from is not in the file: the code
# moved on, fix the entry). Exit status 1 if any mutation was missed,
# broken or stale. Tests run with -count=1 and without -race, for speed;
# Postgres must be up for the store packages (make postgres).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
list=${MUTATIONS:-$root/scripts/mutations.txt}
timeout=${MUTATE_TIMEOUT:-15m}
go=${GO:-go}

scratch=$(mktemp -d "${TMPDIR:-/tmp}/scrapersky-mutate.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
# A copy of the working tree, uncommitted changes included, without .git,
# build outputs or test artifacts.
tar -C "$root" --exclude=./.git --exclude=./bin --exclude=./artifacts -cf - . | tar -C "$scratch" -xf -
log=$scratch/.mutate-logs
mkdir -p "$log"

# Parse the list into one record per mutation: fields separated by \x1f.
records=$(awk '
	function flush() {
		if (name != "") printf "%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s\n", name, file, from, to, nth, pkgs, run, note
		name = file = from = to = nth = pkgs = run = note = ""
	}
	/^[[:space:]]*#/ { next }
	/^[[:space:]]*$/ { flush(); next }
	{
		i = index($0, ":"); key = substr($0, 1, i - 1); val = substr($0, i + 1)
		sub(/^ /, "", val)
		if (key == "name") name = val; else if (key == "file") file = val
		else if (key == "from") from = val; else if (key == "to") to = val
		else if (key == "nth") nth = val; else if (key == "pkgs") pkgs = val
		else if (key == "run") run = val; else if (key == "note") note = val
		else { printf "mutations.txt: unknown key %s\n", key > "/dev/stderr"; exit 2 }
	}
	END { flush() }' "$list")

selected() {
	[ $# -eq 0 ] && return 0
	local w
	for w in "${filters[@]}"; do
		case "$1" in *"$w"*) return 0 ;; esac
	done
	return 1
}
filters=("$@")

printf '%-34s %-8s %6s  %s\n' MUTATION RESULT SECONDS NOTE
caught=0 missed=0 bad=0
while IFS=$'\x1f' read -r name file from to nth pkgs run note; do
	[ -n "$name" ] || continue
	[ ${#filters[@]} -eq 0 ] || selected "$name" || continue
	target=$scratch/$file
	cp "$target" "$log/orig"
	# Replace the nth occurrence of from (literal) on one line; say how many
	# occurrences there are so an ambiguous entry is reported, not guessed.
	n=$(FROM=$from TO=$to NTH=${nth:-0} perl -e '
		my ($from, $to, $nth) = ($ENV{FROM}, $ENV{TO}, $ENV{NTH});
		local $/; my $s = <STDIN>;
		my @at; my $p = 0;
		while (($p = index($s, $from, $p)) >= 0) { push @at, $p; $p += length($from) }
		my $want = $nth > 0 ? $nth : 1;
		if (@at && ($nth > 0 ? @at >= $nth : @at == 1)) {
			substr($s, $at[$want - 1], length($from)) = $to;
			open(my $out, ">", $ARGV[0]) or die; print $out $s; close $out;
		}
		print scalar(@at);
	' "$target" <"$log/orig")
	start=$(date +%s)
	if [ "$n" = 0 ]; then
		result=stale
	elif [ -z "$nth" ] && [ "$n" != 1 ]; then
		result=stale note="'from' occurs $n times: give nth"
	elif ! (cd "$scratch" && $go vet $pkgs >"$log/$name.build" 2>&1); then
		result=broken
	else
		args=(-count=1 -timeout "$timeout")
		[ -z "$run" ] || args+=(-run "$run")
		# shellcheck disable=SC2086 # pkgs is a list
		if (cd "$scratch" && $go test "${args[@]}" $pkgs >"$log/$name.test" 2>&1); then
			result=MISSED
		else
			result=caught
			first=$(grep -m1 -E '^\s+(Error|Messages):|^--- FAIL|panic:' "$log/$name.test" | sed 's/^[[:space:]]*//' || true)
			[ -n "$note" ] || note=$first
		fi
	fi
	cp "$log/orig" "$target"
	case $result in caught) caught=$((caught + 1)) ;; MISSED) missed=$((missed + 1)) ;; *) bad=$((bad + 1)) ;; esac
	printf '%-34s %-8s %6d  %.110s\n' "$name" "$result" $(($(date +%s) - start)) "$note"
done <<<"$records"
echo "caught $caught, missed $missed, broken or stale $bad"
[ "$missed" -eq 0 ] && [ "$bad" -eq 0 ]
