/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * resolvconf.c - the resolver's view of resolv.conf: what c-ares does not
 * tell (the search list, whether any usable nameserver is named), the
 * watch that reloads the file when it changes, and a new c-ares channel
 * for each version of it.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "services/hostresolver/hr_internal.h"
#include "base/loop.h"
#include "base/log.h"

/**
 * hr_conf_sig() - identity of the current version of a file
 * @path:	file
 * @sig:	filled in; exists = 0 if stat(2) failed
 */
void hr_conf_sig(const char *path, struct hr_confsig *sig)
{
	struct stat st;

	memset(sig, 0, sizeof(*sig));
	if (stat(path, &st))
		return;
	sig->exists = 1;
	sig->dev = (uint64_t)st.st_dev;
	sig->ino = (uint64_t)st.st_ino;
	sig->size = (int64_t)st.st_size;
#ifdef __APPLE__
	sig->mtime_s = st.st_mtimespec.tv_sec;
	sig->mtime_ns = st.st_mtimespec.tv_nsec;
	sig->ctime_s = st.st_ctimespec.tv_sec;
	sig->ctime_ns = st.st_ctimespec.tv_nsec;
#else
	sig->mtime_s = st.st_mtim.tv_sec;
	sig->mtime_ns = st.st_mtim.tv_nsec;
	sig->ctime_s = st.st_ctim.tv_sec;
	sig->ctime_ns = st.st_ctim.tv_nsec;
#endif
}

/**
 * hr_word_ok() - whether a search-list word is a plausible domain
 * @w:		word
 *
 * Return: 1 if it is 1..253 printable, non-blank bytes
 */
static int hr_word_ok(const char *w)
{
	size_t n = strlen(w);

	if (!n || n > HR_NAME_MAX)
		return 0;
	for (; *w; w++)
		if ((unsigned char)*w < '!' || (unsigned char)*w > '~')
			return 0;
	return 1;
}

/**
 * hr_ns_ok() - whether a nameserver line's address is one c-ares takes
 * @w:		the word after "nameserver"
 *
 * Return: 1 for an IPv4 or IPv6 address (an IPv6 one may carry %scope)
 */
static int hr_ns_ok(const char *w)
{
	char buf[INET6_ADDRSTRLEN + 1];
	struct in6_addr a6;
	struct in_addr a4;
	size_t n = strcspn(w, "%");

	if (n >= sizeof(buf))
		return 0;
	memcpy(buf, w, n);
	buf[n] = '\0';
	return inet_pton(AF_INET, buf, &a4) == 1 ||
	       inet_pton(AF_INET6, buf, &a6) == 1;
}

/**
 * hr_conf_parse() - read what c-ares does not tell: the search list and
 *		     whether any usable nameserver is named (c-ares, given
 *		     none, would use 127.0.0.1 instead of our fallback)
 * @h:		resolver; h->search and h->nservers are set
 *
 * Like glibc, the last "search" or "domain" line wins; comments start
 * with '#' or ';'. A missing file has no servers and no search list.
 */
static void hr_conf_parse(struct hr *h)
{
	char line[1024], *save, *w;
	FILE *f = fopen(h->resolv_conf, "re");
	size_t off;

	h->search[0] = '\0';
	h->nservers = 0;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		int search;

		if (!strchr(line, '\n') && !feof(f)) {
			int ch; /* over-long line: skip the rest */

			while ((ch = fgetc(f)) != EOF && ch != '\n')
				;
			continue;
		}
		w = strtok_r(line, " \t\r\n", &save);
		if (!w || *w == '#' || *w == ';')
			continue;
		if (!strcmp(w, "nameserver")) {
			w = strtok_r(NULL, " \t\r\n", &save);
			if (w && hr_ns_ok(w))
				h->nservers++;
			continue;
		}
		search = !strcmp(w, "search");
		if (!search && strcmp(w, "domain"))
			continue;
		h->search[0] = '\0';
		off = 0;
		while ((w = strtok_r(NULL, " \t\r\n", &save))) {
			size_t n;

			if (*w == '#' || *w == ';')
				break;
			n = strlen(w);
			if (n > 1 && w[n - 1] == '.')
				w[--n] = '\0';
			if (!hr_word_ok(w) || !strcmp(w, "."))
				continue;
			if (off + !!off + n + 1 > sizeof(h->search))
				break;
			if (off)
				h->search[off++] = ' ';
			memcpy(h->search + off, w, n + 1);
			off += n;
			if (!search)
				break;
		}
	}
	fclose(f);
}

/**
 * hr_reload() - (re)read resolv.conf: search list, new c-ares channel
 * @h:		resolver
 * @sig:	version of the file being read
 *
 * Return: 0, or -1 if no channel could be made (the old one stays)
 */
int hr_reload(struct hr *h, const struct hr_confsig *sig)
{
	struct hr_chan *c;

	hr_conf_parse(h);
	c = hr_chan_new(h);
	if (!c)
		return -1;
	hr_chan_retire(h->chan);
	h->chan = c;
	memcpy(&h->sig, sig, sizeof(*sig)); /* padding too: see hr_watch() */
	return 0;
}

/**
 * hr_watch() - loop timer: reload when resolv.conf changed
 * @arg:	resolver
 *
 * Any change of device, inode, size, modification or status-change time
 * counts, so a file replaced by rename(2) is seen as well as one
 * rewritten in place (or bind-mounted anew).
 */
void hr_watch(void *arg)
{
	struct hr *h = arg;
	struct hr_confsig sig;

	hr_conf_sig(h->resolv_conf, &sig); /* zeroed, padding included */
	if (memcmp(&sig, &h->sig, sizeof(sig))) {
		log_info("hostresolver: %s changed", h->resolv_conf);
		hr_reload(h, &sig);
	}
	loop_timer_arm(h->watch, loop_now_ms() + HR_WATCH_MS);
}

/**
 * hr_search_domains() - the search list of the current resolv.conf
 * @h:		resolver
 * @out:	buffer for the domains, space-separated, without trailing
 *		dots, NUL-terminated (empty when there are none)
 * @cap:	its size
 *
 * From the last "search" or "domain" line, as glibc reads it; updated
 * with the file. Domains that do not fit are left out.
 *
 * Return: number of domains written
 */
int hr_search_domains(struct hr *h, char *out, size_t cap)
{
	const char *s = h->search;
	size_t off = 0;
	int n = 0;

	if (!cap)
		return 0;
	out[0] = '\0';
	while (*s) {
		size_t w = strcspn(s, " ");

		if (off + !!off + w + 1 > cap)
			break;
		if (off)
			out[off++] = ' ';
		memcpy(out + off, s, w);
		off += w;
		out[off] = '\0';
		n++;
		s += w;
		if (*s == ' ')
			s++;
	}
	return n;
}
