#!/usr/bin/env bats
# The table of calls (lib/calls.h), read through t/helper/ior-calls:
# it agrees with the contract, ior-format(5), and with the kernel's
# numbers for both ABIs.

load helpers

setup() {
	S=$(scratch)
	ior-calls > "$S/table"
}

# man_items SECTION: the names a section of ior-format(5) lists as .It
# items (".It read , write" is two).
man_items() {
	awk -v sec="$1" '
		$0 == ".Ss " sec { on = 1; next }
		/^\.S[sh] / { on = 0 }
		on && /^\.It / && !/""/ {
			sub(/^\.It /, "")
			n = split($0, a, " , ")
			for (i = 1; i <= n; i++)
				print a[i]
		}' "$TOP/man/ior-format.5"
}

@test "each system call and record of the table is in ior-format(5), and each one it lists is a row" {
	# The io_uring operations are items of their own list, under
	# uring:op; "others" and the aio:op and uring:op items are not calls.
	{
		man_items "Arguments by call"
		man_items "Asynchronous I/O" | awk '
			/^uring: Ns/ { ops = 1; next }
			/^aio: Ns/ || $0 == "others" { next }
			{ print (ops ? "uring:" : "") $0 }'
	} | LC_ALL=C sort > "$S/man"
	awk '$5 != "i386" && $1 != "uring:" { print $1 }' "$S/table" |
		LC_ALL=C sort > "$S/rows"
	# aio: requests are named in one sentence, not as items.
	grep -v '^aio:' "$S/rows" > "$S/rows-but-aio"
	diff -u "$S/man" "$S/rows-but-aio"
	for c in $(grep '^aio:' "$S/rows"); do
		grep -q "Ql .*$c" "$TOP/man/ior-format.5"
	done
}

@test "each i386-only row of the table is in ior-format(5)'s i386 processes, and each one it lists is a row" {
	man_items "i386 processes" | LC_ALL=C sort > "$S/man"
	awk '$5 == "i386" { print $1 }' "$S/table" | LC_ALL=C sort > "$S/rows"
	run cat "$S/rows"
	refute_output ""
	diff -u "$S/man" "$S/rows"
}

@test "each i386-only row is handled as an x86_64 system call, with an i386 number and no x86_64 one" {
	run awk '
		$5 != "i386" { nr64[$1] = $2; next }
		{ i386[$1] = $0 }
		END {
			for (c in i386) {
				split(i386[c], f)
				if (f[2] != -1) print c, "has an x86_64 number", f[2]
				if (f[3] < 0) print c, "has no i386 number"
				if (!(f[4] in nr64) || nr64[f[4]] < 0)
					print c, "is handled as", f[4], "which is no x86_64 call"
			}
		}' "$S/table"
	assert_success
	assert_output ""
}

@test "the x86_64 and i386 numbers are the kernel's" {
	local h=/usr/include/x86_64-linux-gnu/asm
	[ -r "$h/unistd_64.h" ] || skip_or_fail "no kernel headers at $h"
	# The kernel's name where ior writes another: its tracepoints call
	# x86_64's sendfile sendfile64.
	run awk -v h64="$h/unistd_64.h" -v h32="$h/unistd_32.h" '
		BEGIN {
			while ((getline l < h64) > 0)
				if (split(l, f, " ") == 3 && f[2] ~ /^__NR_/)
					nr64[substr(f[2], 6)] = f[3]
			while ((getline l < h32) > 0)
				if (split(l, f, " ") == 3 && f[2] ~ /^__NR_/)
					nr32[substr(f[2], 6)] = f[3]
			nr64["sendfile64"] = nr64["sendfile"]
		}
		# Calls newer than the headers: fchmodat2.
		$2 >= 0 && ($1 in nr64) && nr64[$1] != $2 { print $1, "x86_64", $2, "not", nr64[$1] }
		$2 >= 0 && !($1 in nr64) && $1 != "fchmodat2" { print $1, "x86_64: not in", h64 }
		$3 >= 0 && ($1 in nr32) && nr32[$1] != $3 { print $1, "i386", $3, "not", nr32[$1] }
		$3 >= 0 && !($1 in nr32) && $1 != "fchmodat2" { print $1, "i386: not in", h32 }
		$5 == "i386" && $3 < 0 { print $1, "an i386 row without an i386 number" }
		' "$S/table"
	assert_success
	assert_output ""
}

@test "each row's numbers are its own: no two rows of one ABI share one" {
	run awk '$2 >= 0 { print "x86_64", $2 } $3 >= 0 { print "i386", $3 }' "$S/table"
	assert_equal "$(printf '%s\n' "$output" | sort | uniq -d)" ""
}
