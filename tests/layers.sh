#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
#
# tests/layers.sh - the layer check: the folders are the layers, and a
# layer may include only the layers below it (docs/architecture.md):
#
#	base < packet < services (dns, hostresolver, pcap) < lan < daemon
#	     < tools
#
# It reads every `#include "..."` of the non-test sources (those of the
# folders above; includes of other paths, lwIP's, are not ours) and fails
#  - on an include of a higher layer, unless the allow-list below names
#    it (at most 2 entries, each explained in docs/architecture.md);
#  - on an import circle between modules (a module is a .c/.h pair:
#    packet/port.h with port.c, port_listen.c, port_batch.c, ...), except
#    circles that stay inside services/dns or inside services/hostresolver.
# It prints every upward include and every circle it found, then a summary.
#
# Usage: tests/layers.sh [SOURCE_ROOT]   (default: the parent of tests/)
set -eu

root=${1:-$(dirname "$0")/..}
cd "$root"

# Upward includes that are allowed: "FILE -> HEADER", at most 2, each
# explained in docs/architecture.md ("Upward dependencies").  None today.
allow=''

max_allow=2
folders='base packet services lan daemon tools'

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

if [ "$(printf '%s' "$allow" | grep -c .)" -gt "$max_allow" ]; then
	echo "layers: more than $max_allow allowed upward includes" >&2
	exit 1
fi

# One line per include: FILE HEADER
# shellcheck disable=SC2086 # $folders is a list of words
find $folders -name '*.[ch]' | LC_ALL=C sort >"$tmp/files"
while read -r f; do
	sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' \
	    "$f" | while read -r h; do
		echo "$f $h"
	done
done <"$tmp/files" >"$tmp/includes"
printf '%s\n' "$allow" | sed -n 's/^\(.*[^ ]\) *-> *\(.*\)$/\1 \2/p' \
	>"$tmp/allow"

LC_ALL=C awk -v files="$tmp/files" -v allowf="$tmp/allow" '
function layer(p) {
	if (p ~ /^base\//) return 0
	if (p ~ /^packet\//) return 1
	if (p ~ /^services\//) return 2
	if (p ~ /^lan\//) return 3
	if (p ~ /^daemon\//) return 4
	if (p ~ /^tools\//) return 5
	return -1
}
# module(): the .c/.h pair a file belongs to: its own header if there is
# one, else the header its name extends (port_batch_linux.c: port_batch,
# api_parse.c: api, sandbox_linux.c: sandbox); a private header X_int.h
# belongs to module X.
function module(p,    m, x) {
	m = p
	sub(/\.[ch]$/, "", m)
	x = m
	if (sub(/_int$/, "", x) && ((x ".h") in isfile))
		return x
	while (!((m ".h") in isfile) && m ~ /_[^_\/]*$/)
		sub(/_[^_\/]*$/, "", m)
	return m
}
# inner(): a circle allowed because it stays inside one of these folders
function inner(a, b) {
	return (a ~ /^services\/dns\// && b ~ /^services\/dns\//) ||
	       (a ~ /^services\/hostresolver\// &&
		b ~ /^services\/hostresolver\//)
}
BEGIN {
	names[0] = "base"; names[1] = "packet"; names[2] = "services"
	names[3] = "lan"; names[4] = "daemon"; names[5] = "tools"
	while ((getline line < files) > 0)
		isfile[line] = 1
	while ((getline line < allowf) > 0)
		allowed[line] = 1
}
{
	f = $1; h = $2
	lf = layer(f); lh = layer(h)
	if (lh < 0)
		next # not one of ours (lwip/, netif/)
	nincl++
	if (!(h in isfile)) {
		printf "layers: %s includes %s, which does not exist\n", f, h
		bad++
	}
	if (lh > lf) {
		nup++
		if ((f " " h) in allowed) {
			printf "layers: allowed upward include: %s (%s) -> %s (%s)\n",
			    f, names[lf], h, names[lh]
			nallowed++
		} else {
			printf "layers: UPWARD include: %s (%s) -> %s (%s)\n",
			    f, names[lf], h, names[lh]
			bad++
		}
	}
	a = module(f); b = module(h)
	if (a != b && !((a SUBSEP b) in edge)) {
		edge[a, b] = 1
		mods[a] = 1; mods[b] = 1
	}
}
END {
	# Transitive closure (Warshall) over the modules: a few hundred.
	n = 0
	for (m in mods)
		idx[n++] = m
	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++)
			if ((idx[i] SUBSEP idx[j]) in edge)
				reach[i, j] = 1
	for (k = 0; k < n; k++)
		for (i = 0; i < n; i++) {
			if (!((i SUBSEP k) in reach))
				continue
			for (j = 0; j < n; j++)
				if ((k SUBSEP j) in reach)
					reach[i, j] = 1
		}
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++) {
			if (!((i SUBSEP j) in reach) || !((j SUBSEP i) in reach))
				continue
			if (inner(idx[i], idx[j])) {
				printf "layers: allowed circle inside its folder: %s and %s\n",
				    idx[i], idx[j]
				ninner++
				continue
			}
			printf "layers: CIRCLE between modules %s and %s\n",
			    idx[i], idx[j]
			bad++
		}
	printf "layers: %d includes of our headers, %d modules, %d upward (%d allowed), %d module pairs in allowed circles (services/dns, services/hostresolver), %d problems\n",
	    nincl, n, nup + 0, nallowed + 0, ninner + 0, bad + 0
	exit bad ? 1 : 0
}
' "$tmp/includes"
