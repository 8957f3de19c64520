# shellcheck shell=bash
# bench/targets.sh - the targets table of bench/run: every target of issue
# 16 part 2 on a line of its own, usernetd's figure and the CPU it cost
# beside the peer's figure and CPU, the ratio, what the target asks and
# whether it is met. A target that cannot be judged says why instead of a
# ratio: a peer not measured (GVTV unset, not in SYSTEMS), a peer broken
# (bench_broken()'s reason), a section, MTU or stream count not run.
#
# Sourced by bench/run, after bench/lib.sh; reads bench/run's results
# (RES, CPG, RR, RR_CPR, MEM, BROKEN, SECTIONS, SYSTEMS, MTUS, STREAMS,
# MEM_SYSTEMS, MEM_CONNS, GVTV_NOTE, SYSLIB_NOTE) and bench/vm2vm's
# RESULTS file. The cells are the issue's, whatever MTUS and STREAMS say:
# a cell the run left out is listed as not run, so a partial run never
# looks complete.

# The targets of issue 16 part 2.
TARGET_MTUS="1500 65520"
TARGET_STREAMS="1 4"
TARGET_TCP_PEERS="passt gvisor-tap-vsock slirp4netns"
TARGET_UDP_PEERS="slirp4netns passt gvisor-tap-vsock"
TARGET_VM2VM_GVTV=3.0
TARGET_VM2VM_VETH=0.5
TARGET_RSS_MB=32
TARGET_RSS_CONNS=10000

declare -A TG_VM2VM TG_CACHE

# tg_missing() - why a system has no figure in a section's run, or
# nothing if it was measured
# @1:	system
# @2:	the section's systems
# @3:	name of the variable listing them, for the reason
tg_missing()
{
	has "$2" "$1" && return 0
	case $1 in
	gvisor-tap-vsock) [ -n "$GVTV_NOTE" ] && echo "${GVTV_NOTE#*: }" &&
		return 0 ;;
	usernetd-syslib) [ -n "$SYSLIB_NOTE" ] &&
		echo "${SYSLIB_NOTE#*: }" && return 0 ;;
	esac
	echo "not measured (not in $3)"
}

# tg_pre() - the preamble of every cell's figure: why there is none (the
# section or a dimension not run, the system not measured, the system
# broken in that cell)
# @1:	system
# @2:	section (tcp, crr or udp)
# @3:	the cell's key in BROKEN
# @4...:	further dimensions, pairs of VALUE LIST (e.g. 1500 MTUS): not
#	run if VALUE is not in the list named LIST
# Set: TG_V and TG_C to "-", TG_S to the reason (empty if there is none)
# Return: 0 if the figure is to be read, 1 if TG_S says why not
tg_pre()
{
	local sys=$1 sec=$2 bkey=$3

	shift 3
	TG_V=- TG_C=- TG_S=
	if ! has "$SECTIONS" "$sec"; then
		TG_S="not run (SECTIONS)"
		return 1
	fi
	while [ $# -ge 2 ]; do
		if ! has "${!2}" "$1"; then
			TG_S="not run ($2)"
			return 1
		fi
		shift 2
	done
	TG_S=$(tg_missing "$sys" "$SYSTEMS" SYSTEMS)
	[ -n "$TG_S" ] && return 1
	if [ -n "${BROKEN[$bkey]:-}" ]; then
		TG_S="broken: ${BROKEN[$bkey]}"
		return 1
	fi
	return 0
}

# tg_tcp() - a tcp cell's figure of a system
# @1:	system
# @2:	direction g2h or h2g
# @3:	MTU
# @4:	streams
# Set: TG_V (median Gbit/s), TG_C (median CPU s per Gbit), TG_S (why there
# is no figure, empty if there is one)
tg_tcp()
{
	local k="$1|$2|$3|$4"

	tg_pre "$1" tcp "$1|$2/$3|$4" "$3" MTUS "$4" STREAMS || return 0
	# shellcheck disable=SC2086
	TG_V=$(bench_median ${RES[$k]:-})
	# shellcheck disable=SC2086
	TG_C=$(bench_median ${CPG[$k]:-})
	[ "$TG_V" = - ] && TG_S="no result"
	return 0
}

# tg_rr() - a crr or udp figure of a system
# @1:	system
# @2:	kind: crr or udp
# Set: TG_V (median per second), TG_C (median CPU microseconds a
# request), TG_S (why there is no figure, empty if there is one)
tg_rr()
{
	tg_pre "$1" "$2" "$1|$2|rr" || return 0
	TG_V=$(rr_cell "$1" "$2")
	# shellcheck disable=SC2086
	TG_C=$(bench_median ${RR_CPR[$1|$2]:-})
	TG_C=${TG_C%.*}
	[ "$TG_V" = - ] && TG_S="no result"
	return 0
}

# tg_vm2vm_load() - read bench/vm2vm's RESULTS file into TG_VM2VM
# @1:	the file
tg_vm2vm_load()
{
	local sys mtu v c why

	[ -s "$1" ] || return 0
	while IFS=$'\t' read -r sys mtu v c why; do
		if [ "$sys" = note ]; then
			TG_VM2VM[note|$mtu]=$v
		else
			TG_VM2VM[$sys|$mtu]="$v"$'\t'"$c"$'\t'"$why"
		fi
	done <"$1"
}

# tg_vm2vm() - a vm2vm figure of a system
# @1:	system
# @2:	MTU
# Set: TG_V (median Gbit/s), TG_C (median CPU s per Gbit), TG_S (why there
# is no figure, empty if there is one)
tg_vm2vm()
{
	local rec why

	TG_V=- TG_C=- TG_S=
	if ! has "$SECTIONS" vm2vm; then
		TG_S="not run (SECTIONS)"
		return 0
	elif ! has "$MTUS" "$2"; then
		TG_S="not run (MTUS)"
		return 0
	fi
	rec=${TG_VM2VM[$1|$2]:-}
	if [ -z "$rec" ]; then
		if [ -n "${TG_VM2VM[note|$1]:-}" ]; then
			TG_S=${TG_VM2VM[note|$1]#*: }
		elif has "$VM2VM_SYSTEMS" "$1"; then
			TG_S="no result (bench/vm2vm failed)"
		else
			TG_S="not measured (not in VM2VM_SYSTEMS)"
		fi
		return 0
	fi
	IFS=$'\t' read -r TG_V TG_C why <<<"$rec"
	if [ "$TG_V" = broken ]; then
		TG_S="broken: $why"
		TG_V=-
	elif [ "$TG_V" = - ]; then
		TG_S="no result"
	fi
	return 0
}

# tg_mem() - a system's VmRSS holding the connections of the mem section
# @1:	system
# Set: TG_V (MB), TG_C ("-"), TG_S (why there is no figure, or why it
# cannot be judged: fewer connections than the target's; empty if it can)
tg_mem()
{
	TG_V=- TG_C=- TG_S=
	if ! has "$SECTIONS" mem; then
		TG_S="not run (SECTIONS)"
	else
		TG_S=$(tg_missing "$1" "$MEM_SYSTEMS" MEM_SYSTEMS)
	fi
	[ -n "$TG_S" ] && return 0
	TG_V=$(mem_cell "$1" conns 1)
	if [ "$TG_V" = - ]; then
		TG_S="no result (did not come up or hold them)"
	elif [ "$MEM_CONNS" != "$TARGET_RSS_CONNS" ]; then
		TG_S="held $MEM_CONNS connections, the target is at"
		TG_S+=" $TARGET_RSS_CONNS"
	fi
	return 0
}

# tg_limit() - a fixed limit standing as the "peer" of a target
# @1:	the limit
# Set: TG_V (the limit), TG_C ("-"), TG_S (empty)
tg_limit()
{
	TG_V=$1 TG_C=- TG_S=
}

# tg_get() - run a figure command (tg_tcp, tg_rr, ...) once per argument
# list and remember its answer: each figure stands in several rows, and
# each costs a dozen processes on a machine that may be loaded
# @1:	the command and its arguments, one string
# Set: TG_V, TG_C, TG_S as the command sets them
tg_get()
{
	if [ -n "${TG_CACHE[$1]+x}" ]; then
		IFS=$'\t' read -r TG_V TG_C TG_S <<<"${TG_CACHE[$1]}"
		return 0
	fi
	eval "$1"
	TG_CACHE[$1]="$TG_V"$'\t'"$TG_C"$'\t'"$TG_S"
}

# tg_row() - one line of the targets table
# @1:	label of the target
# @2:	the subject system (usernetd or usernetd-syslib)
# @3:	the peer's name in the table
# @4:	command setting TG_V, TG_C, TG_S of the subject
# @5:	command setting them for the peer
# @6:	what the ratio subject/peer must be: ">=N" or "<=N"
# Set: TG_MET, TG_NOTMET, TG_OPEN counted up
tg_row()
{
	local av ac as bv bc bs ratio verdict need=${6#??} op=${6%%[0-9]*}

	tg_get "$4"
	av=$TG_V ac=$TG_C as=$TG_S
	tg_get "$5"
	bv=$TG_V bc=$TG_C bs=$TG_S
	ratio=-
	if [ -n "$as" ] && [ "$as" = "$bs" ]; then
		verdict=$as
		TG_OPEN=$((TG_OPEN + 1))
	elif [ -n "$as" ]; then
		verdict="cannot judge: $2 $as"
		[ -n "$bs" ] && verdict+="; $3 $bs"
		TG_OPEN=$((TG_OPEN + 1))
	elif [ -n "$bs" ]; then
		verdict="cannot judge: $3 $bs"
		TG_OPEN=$((TG_OPEN + 1))
	else
		ratio=$(bench_ratio "$av" "$bv")
		if awk -v r="$ratio" -v n="$need" -v op="$op" 'BEGIN {
			if (r !~ /^[0-9.]+$/) exit 1
			exit !(op == ">=" ? r + 0 >= n + 0 : r + 0 <= n + 0) }'
		then
			verdict=met
			TG_MET=$((TG_MET + 1))
		else
			verdict="not met"
			TG_NOTMET=$((TG_NOTMET + 1))
		fi
	fi
	printf '%-30s %-16s %8s %6s  %-16s %8s %6s %6s %6s  %s\n' "$1" "$2" \
		"$av" "$ac" "$3" "$bv" "$bc" "$ratio" "$6" "$verdict"
}

# tg_subjects() - the systems the targets are judged for: usernetd (the
# build under test) and usernetd-syslib (USERNETD_SYS, the system's
# libslirp) when it was asked for
tg_subjects()
{
	echo usernetd
	[ -n "$USERNETD_SYS" ] && echo usernetd-syslib
}

# tg_header() - the column titles of one block of the table
# @1:	title of the block
# @2:	unit of the figures
# @3:	unit of the CPU column
tg_header()
{
	echo
	if [ "$3" = - ]; then
		echo "# $1: figures in $2"
	else
		echo "# $1: figures in $2, CPU in $3 (all the system's" \
			"processes)"
	fi
	printf '%-30s %-16s %8s %6s  %-16s %8s %6s %6s %6s  %s\n' target \
		system figure cpu peer figure cpu ratio need verdict
}

# print_targets() - the targets table of issue 16 part 2, then how many
# targets are met, not met, or could not be judged
print_targets()
{
	local subj dir mtu st peer
	TG_MET=0 TG_NOTMET=0 TG_OPEN=0

	tg_vm2vm_load "$BENCH_TMP/vm2vm.results"
	echo "## targets of issue 16 part 2: medians of $ROUNDS round(s)" \
		"(crr/udp $RR_ROUNDS), systems alternated; ratio = usernetd/peer"
	echo "## (mem: usernetd/limit); a peer not measured or broken is" \
		"never a ratio$([ "$QUICK" = 1 ] && echo '; QUICK run: a smoke test, not figures')"
	tg_header "tcp: iperf3 through the NAT, >= 1.0 of every peer" \
		Gbit/s "s per Gbit"
	for st in $TARGET_STREAMS; do
		for mtu in $TARGET_MTUS; do
			for dir in $DIRS; do
				for peer in $TARGET_TCP_PEERS; do
					for subj in $(tg_subjects); do
						tg_row "$dir/$mtu x$st" "$subj" \
							"$peer" \
							"tg_tcp $subj $dir $mtu $st" \
							"tg_tcp $peer $dir $mtu $st" \
							">=1.0"
					done
				done
			done
		done
	done
	tg_header "vm2vm: two guests on one user-v2 network (bench/vm2vm)" \
		Gbit/s "s per Gbit"
	for mtu in $TARGET_MTUS; do
		for subj in $(tg_subjects); do
			tg_row "vm2vm/$mtu" "$subj" gvisor-tap-vsock \
				"tg_vm2vm $subj $mtu" \
				"tg_vm2vm gvisor-tap-vsock $mtu" \
				">=$TARGET_VM2VM_GVTV"
		done
	done
	for subj in $(tg_subjects); do
		tg_row "vm2vm/1500" "$subj" veth-frames "tg_vm2vm $subj 1500" \
			"tg_vm2vm veth-frames 1500" ">=$TARGET_VM2VM_VETH"
	done
	tg_header "crr and udp: requests through the NAT, MTU $RR_MTU" \
		"per second" "us a request"
	for subj in $(tg_subjects); do
		tg_row crr "$subj" passt "tg_rr $subj crr" "tg_rr passt crr" \
			">=1.0"
	done
	for peer in $TARGET_UDP_PEERS; do
		for subj in $(tg_subjects); do
			tg_row udp "$subj" "$peer" "tg_rr $subj udp" \
				"tg_rr $peer udp" ">=1.0"
		done
	done
	tg_header "mem: VmRSS holding $TARGET_RSS_CONNS TCP connections" \
		MB "-"
	for subj in $(tg_subjects); do
		tg_row "VmRSS, conns held" "$subj" limit "tg_mem $subj" \
			"tg_limit $TARGET_RSS_MB" "<=1.0"
	done
	for peer in passt gvisor-tap-vsock slirp4netns; do
		tg_mem "$peer"
		printf '%-30s %-16s %8s %6s  %s\n' "VmRSS, conns held (peer)" \
			"$peer" "$TG_V" - "$TG_S"
	done
	echo
	[ -n "$SYSLIB_NOTE" ] && echo "# $SYSLIB_NOTE"
	echo "# targets: $TG_MET met, $TG_NOTMET not met, $TG_OPEN could not" \
		"be judged"
}
