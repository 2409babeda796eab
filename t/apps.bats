#!/usr/bin/env bats
# apps.bats - real applications from Debian packages, captured with
# ior-trace, counted against strace -f -c, and replayed under a fresh root
# into the tree they left (entries, types, sizes, link counts, modes).
load helpers
load e2e-helpers
load apps-helpers

SQLITE='sqlite3 db.sqlite < ../script.sql'
TAR='tar czf out.tgz src && mkdir ex && tar xzf out.tgz -C ex'
GIT='git init -q . && git add . && git -c user.name=ior -c user.email=ior@example.org commit -q -m init'
CP='cp -a src dst'
COREUTILS='chmod 600 a && touch -d "2021-02-03 04:05:06" b && ln a a.hard && ln -s b b.sym && mv c c.moved && rm -r junk && sort -n -o sorted.txt unsorted.txt && find . -name "*.txt" -print0 | xargs -0 wc -c > wc.out'

@test "sqlite3: a transaction, an update and a vacuum replay into the same database files" {
	need_bpf
	need_cmd sqlite3
	app_captured setup_sqlite "$SQLITE"
	grep -q ' fdatasync \| fsync ' "$S/cap.ior"
}

@test "sqlite3: the capture counts each file call as strace -c does" {
	need_bpf
	need_cmd sqlite3
	app_counts setup_sqlite "$SQLITE"
}

@test "tar with gzip: an archive made and extracted elsewhere replays into the same tree" {
	need_bpf
	need_cmd tar
	need_cmd gzip
	app_captured setup_tree "$TAR"
	[ -L "$ROOT$W/ex/src/sub/numbers.link" ]
}

# tar writes the archive into a pipe to gzip: see PIPE_CALLS.
@test "tar with gzip: the capture counts each file call as strace -c does" {
	need_bpf
	need_cmd tar
	need_cmd gzip
	app_counts setup_tree "$TAR" "$PIPE_CALLS"
}

@test "git: init, add and commit replay into the same repository tree" {
	need_bpf
	need_cmd git
	app_captured setup_git "$GIT"
	[ -f "$ROOT$W/.git/HEAD" ]
}

@test "git: the capture counts each file call as strace -c does" {
	need_bpf
	need_cmd git
	app_counts setup_git "$GIT"
}

@test "cp -a: a copy with a symlink, a hard link and modes replays into the same tree" {
	need_bpf
	app_captured setup_cp "$CP"
	[ "$(stat -c %h "$ROOT$W/dst/numbers.txt")" = 2 ]
}

@test "cp -a: the capture counts each file call as strace -c does" {
	need_bpf
	app_counts setup_cp "$CP"
}

@test "coreutils: chmod, touch, ln, mv, rm -r, sort and find | xargs replay into the same tree" {
	need_bpf
	app_captured setup_coreutils "$COREUTILS"
	[ "$(stat -c %Y "$ROOT$W/b")" = "$(stat -c %Y "$W/b")" ]
}

# find writes names into a pipe to xargs: see PIPE_CALLS.
@test "coreutils: the capture counts each file call as strace -c does" {
	need_bpf
	app_counts setup_coreutils "$COREUTILS" "$PIPE_CALLS"
}
