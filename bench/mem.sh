# shellcheck shell=bash
# Checked alone, shellcheck cannot see bench/run's declarations (its
# associative arrays and globals); `shellcheck -x bench/run` checks this
# file with them.
# shellcheck disable=SC2004,SC2034,SC2153,SC2154
# bench/mem.sh - bench/run's mem section: each system's memory idle, with
# MEM_VMS VMs attached (usernetd), holding MEM_CONNS TCP connections from
# its guest, and its start-up time to a ready socket; the section's
# tables.
#
# Sourced by bench/run after bench/lib.sh and bench/systems.sh; uses
# bench/run's globals (BENCH_TMP, MEM_SYSTEMS, MEM_CONNS, MEM_VMS, STARTS,
# NETLOAD, RRPORT, the MEM, START, MEM_HELD and MEM_VMS_OK arrays).

# mem_sample() - record the memory of a process for a system and a case
# @1:	system
# @2:	case
# @3:	PID
mem_sample()
{
	local v
	v=$(bench_rss "$3")
	MEM[$1|$2]=$v
	bench_log "memory $1 $2: VmRSS/RssAnon/Pss kB $v"
}

# mem_idle() - memory of one system idle: one network, nothing attached
# (slirp4netns: attached to an idle namespace, as it always is)
# @1:	system
mem_idle()
{
	local sys=$1 ns pid dir

	SYS_PIDS[$sys]=
	case $sys in
	usernetd | usernetd-syslib)
		sys_start "$sys" "$(sys_log "$sys" idle)" "$(usernetd_bin "$sys")" \
			--listen-qemu "$BENCH_TMP/idle-$sys.sock"
		pid=$LAST_PID
		bench_wait 5 test -S "$BENCH_TMP/idle-$sys.sock" || pid=
		;;
	gvisor-tap-vsock)
		# shellcheck disable=SC2046
		sys_start "$sys" "$(sys_log "$sys" idle)" "$GVTV" \
			-listen-qemu "$(gvtv_sock_arg "$BENCH_TMP/idle-gvtv.sock")" \
			-mtu 1500 $([ "$GVTV_KIND" = gvproxy ] && echo -ssh-port -1)
		pid=$LAST_PID
		bench_wait 5 test -S "$BENCH_TMP/idle-gvtv.sock" || pid=
		;;
	slirp4netns)
		ns=ubench$$sidle
		SYS_NS[$sys]=$ns
		bench_netns_add "$ns"
		sys_start "$sys" /dev/null ip netns exec "$ns" sleep 100000
		bench_wait 5 bench_netns_moved "$LAST_PID" || return 1
		sys_start "$sys" "$(sys_log "$sys" idle)" slirp4netns \
			--configure --mtu=1500 --disable-dns "$LAST_PID" tap0
		pid=$LAST_PID
		bench_wait 5 sh -c "ip netns exec '$ns' ip -4 addr show tap0 |
			grep -q 10.0.2.100" || pid=
		;;
	passt)
		dir=$BENCH_TMP/passt-idle.d
		mkdir -p "$dir" && chown nobody "$dir" && chmod 700 "$dir"
		sys_start "$sys" "$(sys_log "$sys" idle)" passt -f -e -4 \
			-s "$dir/passt.sock"
		pid=$LAST_PID
		bench_wait 5 test -S "$dir/passt.sock" || pid=
		;;
	esac
	if [ -n "$pid" ]; then
		sleep 1
		mem_sample "$sys" idle "$pid"
	else
		bench_log "memory $sys idle: did not start"
	fi
	sys_down "$sys"
}

# mem_vms() - usernetd's memory with $MEM_VMS VMs attached, each a
# namespace attached by usernetctl that has done DHCP
# @1:	mode: slirp or user-v2
mem_vms()
{
	local mode=$1 sock=$BENCH_TMP/vms-$1.sock d i ns pids=() nss=()
	local sys=usernetd-vms ok=0

	SYS_PIDS[$sys]=
	sys_start "$sys" "$BENCH_TMP/vms-$mode.daemon.log" "$USERNETD" \
		--mode "$mode" --listen-qemu "$sock"
	d=$LAST_PID
	bench_wait 5 test -S "$sock" || {
		bench_log "memory: usernetd --mode $mode did not start"
		sys_down "$sys"
		return 1
	}
	for ((i = 1; i <= MEM_VMS; i++)); do
		ns=ubench$$vm$i
		nss+=("$ns")
		bench_netns_add "$ns"
		sys_start "$sys" "$BENCH_TMP/vms-$mode-$i.attach.log" \
			ip netns exec "$ns" "$USERNETCTL" attach --tap tap0 "$sock"
	done
	for ((i = 1; i <= MEM_VMS; i++)); do
		ns=ubench$$vm$i
		bench_wait 5 bench_has_link "$ns" tap0 || continue
		UDHCPC_OUT=$BENCH_TMP/vms-$mode-$i.lease timeout 30 \
			ip netns exec "$ns" busybox udhcpc -i tap0 -n -q -t 10 \
			-T 1 -s "$BENCH_TMP/udhcpc.script" \
			>"$BENCH_TMP/vms-$mode-$i.udhcpc.log" 2>&1 </dev/null &
		pids+=($!)
		bench_track "$!"
	done
	for i in "${pids[@]}"; do
		wait "$i"
		bench_untrack "$i"
	done
	for ((i = 1; i <= MEM_VMS; i++)); do
		grep -q '^event=bound' "$BENCH_TMP/vms-$mode-$i.lease" \
			2>/dev/null && ok=$((ok + 1))
	done
	[ "$ok" = "$MEM_VMS" ] ||
		bench_log "memory: only $ok of $MEM_VMS VMs got a lease ($mode)"
	sleep 1
	mem_sample usernetd "vms-$mode" "$d"
	MEM_VMS_OK[$mode]=$ok
	sys_down "$sys"
	for ns in "${nss[@]}"; do
		ip netns del "$ns" 2>/dev/null
	done
}

# mem_conns() - memory of a system holding $MEM_CONNS TCP connections
# from its guest to the host server, opened by netload hold
# @1:	system
mem_conns()
{
	local sys=$1 daemon pid out=$BENCH_TMP/hold-$1.out s0 s1 t0 held open secs

	if ! sys_up "$sys"; then
		sys_down "$sys"
		return 1
	fi
	daemon=${SYS_CPU_PIDS[$sys]%% *}
	read -ra s0 <<<"$(rr_stats)"
	t0=$(bench_now)
	ip netns exec "${SYS_NS[$sys]}" "$NETLOAD" hold "${SYS_ADDR[$sys]}" \
		"$RRPORT" "$MEM_CONNS" 16 >"$out" 2>&1 </dev/null &
	pid=$!
	bench_track "$pid"
	SYS_PIDS[$sys]="${SYS_PIDS[$sys]} $pid"
	bench_wait 300 grep -q '^held' "$out" ||
		bench_log "memory $sys: connections not all open after 300 s"
	read -r _ held _ < <(grep '^held' "$out") || held=0
	secs=$(awk -v a="$t0" -v b="$(bench_now)" 'BEGIN { printf "%.1f", b - a }')
	sleep 1
	read -ra s1 <<<"$(rr_stats)"
	open=$((s1[3] - s0[3]))
	bench_log "memory $sys: $held connections opened in $secs s;" \
		"the host server holds $open new ones"
	[ "$open" -lt "$held" ] &&
		bench_log "memory $sys: WARNING: fewer at the server than opened"
	mem_sample "$sys" conns "$daemon"
	MEM_HELD[$sys]="$held/$open in ${secs}s"
	sys_down "$sys"
}

# startup_one() - time one start of a system to its ready socket
# @1:	system
startup_one()
{
	local sys=$1 v dir=$BENCH_TMP/passt-start.d

	case $sys in
	usernetd | usernetd-syslib)
		v=$(NETLOAD_LOG=$BENCH_TMP/start-$sys.log "$NETLOAD" \
			startup sock "$BENCH_TMP/start-$sys.sock" -- \
			"$(usernetd_bin "$sys")" \
			--listen-qemu "$BENCH_TMP/start-$sys.sock")
		;;
	gvisor-tap-vsock)
		# shellcheck disable=SC2046
		v=$(NETLOAD_LOG=$BENCH_TMP/start-gvtv.log "$NETLOAD" \
			startup sock "$BENCH_TMP/start-gvtv.sock" -- "$GVTV" \
			-listen-qemu "$(gvtv_sock_arg "$BENCH_TMP/start-gvtv.sock")" \
			-mtu 1500 $([ "$GVTV_KIND" = gvproxy ] &&
				echo -ssh-port -1))
		;;
	slirp4netns)
		bench_wait 5 sh -c "! ip netns exec $START_NS ip link show tap0"
		v=$(NETLOAD_LOG=$BENCH_TMP/start-slirp4netns.log "$NETLOAD" \
			startup readyfd -- slirp4netns --configure --mtu=1500 \
			--disable-dns --ready-fd=3 "$START_HOLDER" tap0)
		;;
	passt)
		v=$(NETLOAD_LOG=$BENCH_TMP/start-passt.log "$NETLOAD" startup \
			sock "$dir/passt.sock" -- passt -f -e -4 \
			-s "$dir/passt.sock")
		;;
	esac
	START[$sys]="${START[$sys]:-} ${v:-fail}"
}

# mem_cell() - one figure of the memory table, in MB
# @1:	system
# @2:	case
# @3:	field: 1 VmRSS, 2 RssAnon, 3 Pss
mem_cell()
{
	local v
	read -ra v <<<"${MEM[$1|$2]:-- - -}"
	awk -v k="${v[$(($3 - 1))]}" 'BEGIN {
		if (k !~ /^[0-9]+$/) print "-"; else printf "%.2f\n", k / 1024 }'
}

# print_mem() - the mem section's tables
print_mem()
{
	local sys c f line
	local -A WHAT=(
		[idle]="idle, one network"
		[vms-slirp]="$MEM_VMS VMs, DHCP done (slirp)"
		[vms-user-v2]="$MEM_VMS VMs, DHCP done (user-v2)"
		[conns]="$MEM_CONNS TCP conns held"
	)

	echo "## mem: the network process's memory (usernetd: the daemon," \
		"not the attach relays); MB = 2^20 bytes;"
	echo "## VmRSS counts shared libraries whole, Pss shares them out," \
		"RssAnon is the process's own heap and stacks"
	echo
	printf '%-50s %8s %8s %8s\n' "memory, MB" VmRSS RssAnon Pss
	for sys in $MEM_SYSTEMS; do
		for c in idle vms-slirp vms-user-v2 conns; do
			[ -n "${MEM[$sys|$c]:-}" ] || continue
			line=$(printf '%-50s' "$sys, ${WHAT[$c]}")
			for f in 1 2 3; do
				line+=$(printf ' %8s' "$(mem_cell "$sys" "$c" "$f")")
			done
			echo "$line"
		done
	done
	for sys in slirp4netns passt gvisor-tap-vsock; do
		{ has "$MEM_SYSTEMS" usernetd && has "$MEM_SYSTEMS" "$sys"; } ||
			continue
		for c in idle conns; do
			line=$(printf '%-50s' "ratio usernetd/$sys, ${WHAT[$c]}")
			for f in 1 2 3; do
				line+=$(printf ' %8s' "$(bench_ratio \
					"$(mem_cell usernetd "$c" "$f")" \
					"$(mem_cell "$sys" "$c" "$f")")")
			done
			echo "$line"
		done
	done
	echo "# connections held (opened by the guest / counted by the host" \
		"server, time to open them all):"
	for sys in $MEM_SYSTEMS; do
		echo "#   $sys ${MEM_HELD[$sys]:--}"
	done
	echo "# VMs with a DHCP lease: slirp ${MEM_VMS_OK[slirp]:--}," \
		"user-v2 ${MEM_VMS_OK[user-v2]:--} of $MEM_VMS"
	echo
	echo "startup to a ready socket, ms (exec until the socket accepts;" \
		"slirp4netns: until --ready-fd); $STARTS starts each, alternated"
	printf '%-30s %8s %8s %8s\n' "" median min max
	for sys in $MEM_SYSTEMS; do
		# shellcheck disable=SC2086
		printf '%-30s %8s %8s %8s\n' "$sys" \
			"$(bench_median ${START[$sys]:-})" \
			"$(printf '%s\n' ${START[$sys]:-} | grep -E '^[0-9.]+$' |
				sort -g | head -n1)" \
			"$(printf '%s\n' ${START[$sys]:-} | grep -E '^[0-9.]+$' |
				sort -g | tail -n1)"
	done
	for sys in slirp4netns passt gvisor-tap-vsock; do
		{ has "$MEM_SYSTEMS" usernetd && has "$MEM_SYSTEMS" "$sys"; } ||
			continue
		# shellcheck disable=SC2086
		printf '%-30s %8s\n' "ratio usernetd/$sys" "$(bench_ratio \
			"$(bench_median ${START[usernetd]:-})" \
			"$(bench_median ${START[$sys]:-})")"
	done
	echo "# every start, ms:"
	for sys in $MEM_SYSTEMS; do
		echo "#   $sys ${START[$sys]:-}"
	done
}

# section_mem() - memory idle, with VMs, with many connections; start-up
section_mem()
{
	local sys i

	LOGTAG=-mem
	MTU=1500
	install -m 755 "$BENCH_DIR/../tests/e2e/udhcpc.script" \
		"$BENCH_TMP/udhcpc.script" || bench_die "no udhcpc.script"
	for sys in $MEM_SYSTEMS; do
		mem_idle "$sys"
	done
	if has "$MEM_SYSTEMS" usernetd; then
		mem_vms slirp
		mem_vms user-v2
	fi
	for sys in $MEM_SYSTEMS; do
		bench_log "memory: $sys holding $MEM_CONNS connections"
		mem_conns "$sys"
	done
	# Start-up: alternated, one start of each system per round.
	START_NS=ubench$$start
	bench_netns_add "$START_NS"
	sys_start start /dev/null ip netns exec "$START_NS" sleep 100000
	START_HOLDER=$LAST_PID
	bench_wait 5 bench_netns_moved "$START_HOLDER" ||
		bench_die "namespace holder did not start"
	mkdir -p "$BENCH_TMP/passt-start.d" &&
		chown nobody "$BENCH_TMP/passt-start.d"
	for ((i = 1; i <= STARTS; i++)); do
		for sys in $MEM_SYSTEMS; do
			startup_one "$sys"
		done
	done
	bench_log "startup (ms): $(for sys in $MEM_SYSTEMS; do
		printf '%s:%s  ' "$sys" "${START[$sys]}"; done)"
	SYS_NS[start]=$START_NS
	sys_down start
	print_mem >"$BENCH_TMP/out-mem"
}
