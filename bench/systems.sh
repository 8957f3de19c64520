# shellcheck shell=bash
# Checked alone, shellcheck cannot see bench/run's declarations (its
# associative arrays and globals); `shellcheck -x bench/run` checks this
# file with them.
# shellcheck disable=SC2004,SC2034,SC2153,SC2154
# bench/systems.sh - the systems bench/run measures in its tcp, crr, udp
# and mem sections: how each one is started at $MTU and its guest
# namespace attached (usernetd and usernetd-syslib through bench/relay1,
# usernetd-batch through `usernetctl attach`, usernetd-tap on its own TAP,
# slirp4netns, passt and gvisor-tap-vsock), checked with a warm-up run, and
# stopped. Which processes are a system's (SYS_CPU_PIDS, for its CPU),
# where its guest reaches the host (SYS_ADDR), why it failed (SYS_FAIL).
#
# Sourced by bench/run after bench/lib.sh; uses bench/run's globals
# (BENCH_TMP, MTU, LOGTAG, USERNETD, USERNETD_SYS, USERNETCTL, GVTV,
# GVTV_KIND, RELAY1, PORT, and the SYS_* arrays).

# sys_short() - one-letter tag of a system, for namespace names
# @1:	system
sys_short()
{
	case $1 in
	usernetd) echo u ;;
	usernetd-syslib) echo l ;;
	usernetd-batch) echo b ;;
	usernetd-tap) echo t ;;
	slirp4netns) echo s ;;
	passt) echo p ;;
	gvisor-tap-vsock) echo g ;;
	esac
}

# sys_start() - start a background process for a system and remember it
# @1:	system
# @2:	log file
# @3..:	command
# Set: LAST_PID
sys_start()
{
	local sys=$1 log=$2
	shift 2
	"$@" >"$log" 2>&1 </dev/null &
	LAST_PID=$!
	bench_track "$LAST_PID"
	SYS_PIDS[$sys]="${SYS_PIDS[$sys]:-} $LAST_PID"
}

# sys_log() - the name of a log file of a system at $MTU in this section
# @1:	system
# @2:	what (daemon, attach, ...)
sys_log()
{
	echo "$BENCH_TMP/$1-$MTU$LOGTAG.$2.log"
}

# sys_fail() - report why a system could not come up, with its logs
# @1:	system
# @2:	message
sys_fail()
{
	local f
	bench_log "$1: $2 (skipped at this MTU)"
	SYS_FAIL[$1|$MTU]=$2
	for f in "$BENCH_TMP/$1-$MTU$LOGTAG".*.log; do
		[ -s "$f" ] || continue
		bench_log "--- $f (last lines)"
		tail -n 5 "$f" | sed 's/^/bench:   /' >&2
	done
	return 1
}

# attach_relay1() - attach a namespace to a QEMU stream socket with
# bench/relay1 (one frame per write, as QEMU does), address it statically
# @1:	system name (for logs)
# @2:	namespace
# @3:	socket
# @4:	guest address/prefix
# @5:	gateway (the host loopback address too)
# Set: LAST_PID, the relay
attach_relay1()
{
	local sys=$1 ns=$2 sock=$3 c

	sys_start "$sys" "$(sys_log "$sys" relay)" \
		ip netns exec "$ns" "$RELAY1" tap0 "$sock"
	c=$LAST_PID
	bench_wait 5 bench_has_link "$ns" tap0 ||
		sys_fail "$sys" "relay1 made no tap0" || return 1
	bench_guest_static "$ns" tap0 "$4" "$5" "$MTU" ||
		sys_fail "$sys" "guest addressing failed" || return 1
	LAST_PID=$c
}

# usernetd_bin() - the usernetd binary of a system: $USERNETD_SYS for
# usernetd-syslib (linked to the system's libslirp), $USERNETD otherwise
# @1:	system
usernetd_bin()
{
	if [ "$1" = usernetd-syslib ]; then
		echo "$USERNETD_SYS"
	else
		echo "$USERNETD"
	fi
}

# start_usernetd_qemu() - a system's usernetd on a qemu socket, up once
# the socket is there: the start every usernetd system attached through
# a socket shares. Sets QEMU_SOCK to the socket, QEMU_DAEMON to the pid.
# @1:	system name (usernetd-syslib runs $USERNETD_SYS: usernetd_bin())
start_usernetd_qemu()
{
	local sys=$1 bin

	QEMU_SOCK=$BENCH_TMP/$sys-$MTU$LOGTAG.sock
	bin=$(usernetd_bin "$sys")
	[ -x "$bin" ] || { bench_log "$sys: no $bin"; return 1; }
	sys_start "$sys" "$(sys_log "$sys" daemon)" \
		"$bin" --listen-qemu "$QEMU_SOCK" --mtu "$MTU"
	QEMU_DAEMON=$LAST_PID
	bench_wait 5 test -S "$QEMU_SOCK" ||
		sys_fail "$sys" "no socket $QEMU_SOCK" || return 1
}

# up_usernetd() - usernetd on a qemu socket, guest attached by bench/relay1;
# also usernetd-syslib's (the same data path on $USERNETD_SYS, the system's
# libslirp: sys_up() calls this for it)
# @1:	system name (for logs; usernetd-syslib runs $USERNETD_SYS)
# @2:	namespace
up_usernetd()
{
	local sys=$1 ns=$2

	start_usernetd_qemu "$sys" || return 1
	attach_relay1 "$sys" "$ns" "$QEMU_SOCK" 192.168.5.15/24 192.168.5.2 ||
		return 1
	SYS_ADDR[$sys]=192.168.5.2
	SYS_CPU_PIDS[$sys]="$QEMU_DAEMON $LAST_PID"
}

# up_usernetd_batch() - usernetd on a qemu socket, guest attached by
# `usernetctl attach`, which batches frames (the extra row, never the
# only usernetd one)
# @1:	system name (for logs)
# @2:	namespace
up_usernetd_batch()
{
	local sys=$1 ns=$2 c

	[ -x "$USERNETCTL" ] || { bench_log "$sys: no $USERNETCTL"; return 1; }
	start_usernetd_qemu "$sys" || return 1
	sys_start "$sys" "$(sys_log "$sys" attach)" \
		ip netns exec "$ns" "$USERNETCTL" attach --mtu "$MTU" \
		--tap tap0 "$QEMU_SOCK"
	c=$LAST_PID
	bench_wait 5 bench_has_link "$ns" tap0 ||
		sys_fail "$sys" "attach made no tap0" || return 1
	bench_guest_static "$ns" tap0 192.168.5.15/24 192.168.5.2 "$MTU" ||
		sys_fail "$sys" "guest addressing failed" || return 1
	SYS_ADDR[$sys]=192.168.5.2
	SYS_CPU_PIDS[$sys]="$QEMU_DAEMON $c"
}

# up_usernetd_tap() - usernetd serving a TAP in the namespace itself
# @1:	system name
# @2:	namespace
up_usernetd_tap()
{
	local sys=$1 ns=$2

	[ -x "$USERNETD" ] || { bench_log "$sys: no $USERNETD"; return 1; }
	sys_start "$sys" "$(sys_log "$sys" daemon)" \
		"$USERNETD" --tap "$ns:tap0" --mtu "$MTU"
	SYS_CPU_PIDS[$sys]=$LAST_PID
	bench_wait 5 bench_has_link "$ns" tap0 ||
		sys_fail "$sys" "usernetd made no tap0 in $ns" || return 1
	bench_guest_static "$ns" tap0 192.168.5.15/24 192.168.5.2 "$MTU" ||
		sys_fail "$sys" "guest addressing failed" || return 1
	SYS_ADDR[$sys]=192.168.5.2
}

# up_slirp4netns() - slirp4netns with its own TAP (--configure: 10.0.2.100,
# gateway and host loopback 10.0.2.2; host loopback is allowed by default)
# @1:	system name
# @2:	namespace
up_slirp4netns()
{
	local sys=$1 ns=$2 holder

	command -v slirp4netns >/dev/null || {
		bench_log "$sys: slirp4netns not installed"
		return 1
	}
	sys_start "$sys" /dev/null ip netns exec "$ns" sleep 100000
	holder=$LAST_PID
	bench_wait 5 bench_netns_moved "$holder" ||
		sys_fail "$sys" "namespace holder did not start" || return 1
	sys_start "$sys" "$(sys_log "$sys" daemon)" \
		slirp4netns --configure --mtu="$MTU" --disable-dns "$holder" tap0
	SYS_CPU_PIDS[$sys]=$LAST_PID
	bench_wait 5 sh -c "ip netns exec '$ns' ip -4 addr show tap0 |
		grep -q 10.0.2.100" ||
		sys_fail "$sys" "tap0 not configured" || return 1
	ip -n "$ns" link set tap0 txqueuelen "$BENCH_TXQLEN" ||
		sys_fail "$sys" "cannot set the txqueuelen of tap0" || return 1
	SYS_ADDR[$sys]=10.0.2.2
}

# up_passt() - passt on a unix socket, attached with bench/relay1 like
# usernetd. passt drops to user nobody before it binds, so its directory
# belongs to nobody. Its gateway address (-g) is mapped to host loopback.
# @1:	system name
# @2:	namespace
up_passt()
{
	local sys=$1 ns=$2 dir=$BENCH_TMP/$1-$MTU$LOGTAG.d
	local p

	command -v passt >/dev/null || {
		bench_log "$sys: passt not installed"
		return 1
	}
	mkdir -p "$dir" && chown nobody "$dir" && chmod 700 "$dir"
	sys_start "$sys" "$(sys_log "$sys" daemon)" \
		passt -f -e -4 -m "$MTU" -a 192.168.5.15 -n 24 -g 192.168.5.2 \
		-s "$dir/passt.sock" -P "$dir/passt.pid"
	p=$LAST_PID
	bench_wait 5 test -S "$dir/passt.sock" ||
		sys_fail "$sys" "no socket $dir/passt.sock" || return 1
	attach_relay1 "$sys" "$ns" "$dir/passt.sock" 192.168.5.15/24 \
		192.168.5.2 || return 1
	SYS_ADDR[$sys]=192.168.5.2
	SYS_CPU_PIDS[$sys]="$p $LAST_PID"
}

# gvtv_sock_arg() - the -listen-qemu argument of $GVTV for a socket path
# (cmd/gvproxy wants a unix:// URL, bench/limausernet a path)
# @1:	socket path
gvtv_sock_arg()
{
	if [ "$GVTV_KIND" = gvproxy ]; then
		echo "unix://$1"
	else
		echo "$1"
	fi
}

# up_gvisor_tap_vsock() - gvisor-tap-vsock ($GVTV) on a QEMU socket,
# attached with bench/relay1. bench/limausernet: Lima's configuration
# (192.168.5.0/24, the gateway .2 NATed to host loopback); cmd/gvproxy:
# its own (192.168.127.0/24, host loopback at .254; -ssh-port -1 binds no
# host port)
# @1:	system name
# @2:	namespace
up_gvisor_tap_vsock()
{
	local sys=$1 ns=$2 sock=$BENCH_TMP/$1-$MTU$LOGTAG.sock g

	case $GVTV_KIND in
	lima)
		sys_start "$sys" "$(sys_log "$sys" daemon)" \
			"$GVTV" -listen-qemu "$sock" -mtu "$MTU"
		g=$LAST_PID
		bench_wait 5 test -S "$sock" ||
			sys_fail "$sys" "no socket $sock" || return 1
		attach_relay1 "$sys" "$ns" "$sock" 192.168.5.15/24 \
			192.168.5.2 || return 1
		SYS_ADDR[$sys]=192.168.5.2
		;;
	gvproxy)
		sys_start "$sys" "$(sys_log "$sys" daemon)" \
			"$GVTV" -listen-qemu "unix://$sock" -mtu "$MTU" \
			-ssh-port -1
		g=$LAST_PID
		bench_wait 5 test -S "$sock" ||
			sys_fail "$sys" "no socket $sock" || return 1
		attach_relay1 "$sys" "$ns" "$sock" 192.168.127.2/24 \
			192.168.127.1 || return 1
		SYS_ADDR[$sys]=192.168.127.254
		;;
	*)
		bench_log "$sys: GVTV is not a gvisor-tap-vsock binary"
		return 1
		;;
	esac
	SYS_CPU_PIDS[$sys]="$g $LAST_PID"
}

# sys_up() - bring one system up at $MTU and check it with a 1 s warm-up run
# @1:	system
sys_up()
{
	local sys=$1 ns i r up=up_${1//-/_}

	ns=ubench$$$(sys_short "$sys")$MTU$LOGTAG
	SYS_NS[$sys]=$ns
	SYS_PIDS[$sys]=
	bench_netns_add "$ns"
	# usernetd-syslib: usernetd's own path on another binary
	[ "$sys" = usernetd-syslib ] && up=up_usernetd
	"$up" "$sys" "$ns" || return 1
	for i in 1 2 3 4 5; do
		bench_iperf "$ns" "${SYS_ADDR[$sys]}" "$PORT" 1 \
			"$BENCH_TMP/$sys-$MTU$LOGTAG.warmup.json"
		read -r r _ < <(bench_iperf_result \
			"$BENCH_TMP/$sys-$MTU$LOGTAG.warmup.json")
		[ "$r" != fail ] && return 0
		sleep 0.5
	done
	sys_fail "$sys" "warm-up iperf3 run failed: $(tail -n 3 \
		"$BENCH_TMP/$sys-$MTU$LOGTAG.warmup.json" | tr '\n' ' ')"
}

# sys_down() - stop a system's processes and delete its namespace
# @1:	system
sys_down()
{
	local sys=$1 p pids=()

	read -ra pids <<<"${SYS_PIDS[$sys]:-}"
	for ((p = ${#pids[@]} - 1; p >= 0; p--)); do
		bench_kill "${pids[$p]}"
	done
	[ -n "${SYS_NS[$sys]:-}" ] && ip netns del "${SYS_NS[$sys]}" 2>/dev/null
	SYS_PIDS[$sys]=
	SYS_NS[$sys]=
}
