/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * regexp.c - which Regexp record patterns (the control API's dns/add, as
 * gvisor-tap-vsock's clients send them, Go RE2 syntax) the daemon takes:
 * they are compiled with regcomp(3) as POSIX extended expressions
 * (services/dns/local.c), so what POSIX lacks, what makes a POSIX
 * matcher slow and what would make glibc's regcomp exhaust memory is
 * refused here, with a message for the API's 400 answer.
 */
#include <regex.h>
#include <stdio.h>
#include <string.h>

#include "services/dns/dns.h"

/* Compiled-size bounds of Regexp records (regexp_size()): a bound's
 * count, the nesting of groups, the estimated nodes. */
#define REGEXP_REPEAT_MAX 1000
#define REGEXP_DEPTH_MAX  32
#define REGEXP_SIZE_MAX	  4096

/**
 * regexp_bound() - the upper bound of a "{n}", "{n,}" or "{n,m}"
 * @p:		the pattern at its '{'
 * @end:	set to the '}'
 *
 * Return: the largest count the bound allows ("{n,}": n + 1), or -1 if
 * it is not a bound or is above REGEXP_REPEAT_MAX
 */
static long regexp_bound(const char *p, const char **end)
{
	long n = 0, m = -1, *cur = &n;

	for (p++; *p != '}'; p++) {
		if (*p == ',' && cur == &n) {
			m = 0;
			cur = &m;
		} else if (*p >= '0' && *p <= '9') {
			*cur = *cur * 10 + (*p - '0');
			if (*cur > REGEXP_REPEAT_MAX)
				return -1;
		} else {
			return -1;
		}
	}
	*end = p;
	if (cur == &m && p[-1] == ',')
		return n + 1;
	return m > n ? m : n;
}

/**
 * regexp_size() - estimate the size of a pattern once compiled
 * @pattern:	the pattern
 *
 * glibc's regcomp(3) copies the subexpression under a bound once per
 * count ("a{3}" is "aaa", "a+" is "aa*"), so nested bounds multiply:
 * "((a{255}){255}){255}" asks for 16 million nodes, and 256 bytes of
 * nested '+' exhaust memory. Go's regexp (RE2) refuses nested repetition
 * operators ("a++", "a*{2}") and counts over 1000; so does this, and it
 * sums the atoms times their repetition, per group, like the copies
 * regcomp would make.
 *
 * Return: the estimate, or -1 for a nested repetition or a count too big
 */
static long regexp_size(const char *pattern)
{
	long sum[REGEXP_DEPTH_MAX + 1] = {0}, atom = 0, k = 0;
	const char *p, *end = NULL;
	int depth = 0, rep = 0;

	for (p = pattern; *p; p++) {
		if (*p == '*' || *p == '+' || *p == '?' ||
		    (*p == '{' && (k = regexp_bound(p, &end)) >= 0)) {
			if (rep)
				return -1; /* nested repetition: RE2 too */
			if (*p == '{') {
				atom *= k + 1;
				p = end;
			} else if (*p == '+') {
				atom *= 2;
			}
			rep = 1;
			if (atom > REGEXP_SIZE_MAX)
				return -1;
			continue;
		}
		if (*p == '{')
			return -1; /* a bad or too big bound */
		rep = 0;
		sum[depth] += atom;
		atom = 1;
		if (*p == '\\' && p[1]) {
			p++;
		} else if (*p == '[') {
			/* a bracket expression is one node: skip to its ']' */
			p += p[1] == '^' ? 2 : 1;
			if (*p == ']')
				p++;
			while (*p && *p != ']')
				p++;
			if (!*p)
				return -1;
		} else if (*p == '(') {
			if (depth == REGEXP_DEPTH_MAX)
				return -1;
			sum[++depth] = 0;
			atom = 0;
		} else if (*p == ')' && depth) {
			atom = sum[depth--] + 1;
		} else if (*p == '|') {
			atom = 0;
		}
		if (sum[depth] > REGEXP_SIZE_MAX)
			return -1;
	}
	return sum[0] + atom;
}

/**
 * dns_regexp_check() - can a Regexp record's pattern be used here?
 * @pattern:	the pattern, as gvisor-tap-vsock's client sends it (Go RE2
 *		syntax)
 * @err:	message on failure, or NULL
 * @errlen:	its size
 *
 * Patterns are compiled by regcomp(3) as POSIX extended expressions.
 * Refused: longer than DNS_LOCAL_REGEXP_LEN, back-references (Go refuses
 * them too, and they are what can make a POSIX matcher slow), Go's flag
 * and named groups "(?" (not POSIX), patterns whose compiled size would
 * blow up (regexp_size()), and what regcomp refuses.
 *
 * Return: 0, or -1 with a message
 */
int dns_regexp_check(const char *pattern, char *err, size_t errlen)
{
	char buf[128];
	regex_t re;
	size_t i;
	long size;
	int rc;

	if (strlen(pattern) > DNS_LOCAL_REGEXP_LEN) {
		if (err)
			snprintf(err, errlen, "longer than %d bytes",
				 DNS_LOCAL_REGEXP_LEN);
		return -1;
	}
	for (i = 0; pattern[i]; i++) {
		if (pattern[i] == '\\' && pattern[i + 1]) {
			if (pattern[i + 1] >= '1' && pattern[i + 1] <= '9') {
				if (err)
					snprintf(err, errlen,
						 "back-references are not "
						 "supported");
				return -1;
			}
			i++;
		} else if (pattern[i] == '(' && pattern[i + 1] == '?') {
			if (err)
				snprintf(err, errlen,
					 "\"(?\" groups are not supported "
					 "(POSIX extended syntax)");
			return -1;
		}
	}
	size = regexp_size(pattern);
	if (size < 0 || size > REGEXP_SIZE_MAX) {
		if (err)
			snprintf(err, errlen,
				 "too large once compiled (nested repetition, "
				 "or bounds over %d or multiplying past %d)",
				 REGEXP_REPEAT_MAX, REGEXP_SIZE_MAX);
		return -1;
	}
	rc = regcomp(&re, pattern, DNS_REGEXP_FLAGS);
	if (rc) {
		regerror(rc, &re, buf, sizeof(buf));
		if (err)
			snprintf(err, errlen, "%s", buf);
		return -1;
	}
	regfree(&re);
	return 0;
}
