#!/bin/sh
# The reloader sidecar of each Vault (or OpenBao) pod. It rotates the server's file audit
# logs and reloads its TLS certificate, both with one signal: on SIGHUP the server reopens
# its audit files and re-reads its certificate and key, so neither needs a restart. It
# needs no privilege: the pod shares one process namespace and both containers run as the
# same user, which is all `kill` asks for.
#
# Environment:
#   SERVER           the server's process name (vault or bao)
#   AUDIT_FILES      the file audit devices' paths on the audit volume (space separated)
#   AUDIT_MAX_BYTES  a file is rotated once it reaches this size
#   AUDIT_KEEP       rotated files kept per device (<file>.1 newest ... <file>.N oldest)
#   WATCH_FILES      files whose change calls for a reload (the certificate and its key)
#   INTERVAL         seconds between checks
#   HEARTBEAT        a file the loop writes the time to after each check (the probes read it)
# POSIX sh and the applets every BusyBox build has (the server images are Alpine): sh, stat,
# sha256sum, tr, mv, cat, date, sleep, kill — no cksum, which some builds leave out.
set -u

say() { echo "reloader: $*"; }

fingerprint() {
    # A checksum of the watched files' contents (empty when nothing is watched).
    [ -n "${WATCH_FILES:-}" ] || return 0
    # shellcheck disable=SC2086  # a list of paths
    cat $WATCH_FILES 2>/dev/null | sha256sum
}

rotate() {
    # <file>.(N-1) becomes <file>.N (the oldest is replaced), ..., <file> becomes <file>.1.
    # The server keeps writing to the moved file until the signal makes it reopen <file>.
    file=$1
    n=$AUDIT_KEEP
    while [ "$n" -gt 1 ]; do
        previous=$((n - 1))
        if [ -e "$file.$previous" ]; then mv -f "$file.$previous" "$file.$n"; fi
        n=$previous
    done
    mv -f "$file" "$file.1"
}

server_pids() {
    # The processes running `<SERVER> server ...` (the server, not a CLI command someone runs
    # in the server's container: the pod shares one process namespace, and a CLI process
    # would die of the signal).
    for cmdline in /proc/[0-9]*/cmdline; do
        args=$(tr '\000' ' ' < "$cmdline" 2>/dev/null) || continue
        case "$args" in
            "$SERVER server "* | */"$SERVER server "*)
                pid=${cmdline#/proc/}
                echo "${pid%/cmdline}" ;;
        esac
    done
}

signal_server() {
    pids=$(server_pids | tr '\n' ' ')
    pids=${pids% }
    if [ -z "$pids" ]; then
        say "no $SERVER server process to signal ($1)"
        return 1
    fi
    # shellcheck disable=SC2086  # one pid per server process
    kill -HUP $pids && say "SIGHUP to $SERVER ($pids): $1"
}

check() {
    reasons=""
    for file in ${AUDIT_FILES:-}; do
        [ -f "$file" ] || continue
        size=$(stat -c %s "$file") || continue
        if [ "$size" -ge "$AUDIT_MAX_BYTES" ]; then
            rotate "$file"
            reasons="$reasons${reasons:+; }$file rotated at $size bytes"
        fi
    done
    now=$(fingerprint)
    if [ "$now" != "$last" ]; then
        last=$now
        reasons="$reasons${reasons:+; }certificate changed"
    fi
    if [ -n "$reasons" ]; then signal_server "$reasons" || true; fi
    beat
}

beat() {
    if [ -n "${HEARTBEAT:-}" ]; then date +%s > "$HEARTBEAT"; fi
}

last=$(fingerprint)
say "rotating ${AUDIT_FILES:-no audit file} at $AUDIT_MAX_BYTES bytes (keeping $AUDIT_KEEP);" \
    "watching ${WATCH_FILES:-no certificate}; every ${INTERVAL}s"
trap 'exit 0' TERM INT
beat
while :; do
    sleep "$INTERVAL" &
    wait $!
    check
done
