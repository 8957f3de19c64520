/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * xalloc.c - allocation that exits on failure (see xalloc.h for when to
 * use it, and when not).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#if defined(__GLIBC__)
#include <malloc.h>
#elif defined(__APPLE__)
#include <malloc/malloc.h>
#endif

#include "base/log.h"
#include "base/xalloc.h"

/**
 * xmalloc() - malloc(3) or exit
 * @size:	bytes, not 0
 *
 * Return: the memory, never NULL
 */
void *xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (!p)
		fatal("malloc %zu", size);
	return p;
}

/**
 * xcalloc() - calloc(3) or exit
 * @nmemb:	elements
 * @size:	bytes each
 *
 * Return: zeroed memory, never NULL
 */
void *xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);

	if (!p)
		fatal("calloc %zu x %zu", nmemb, size);
	return p;
}

/**
 * xreallocarray() - resize an array, checking the multiplication, or exit
 * @ptr:	the array, or NULL
 * @nmemb:	elements
 * @size:	bytes each
 *
 * Return: the array, never NULL
 */
void *xreallocarray(void *ptr, size_t nmemb, size_t size)
{
	size_t bytes;
	void *p;

	if (size && nmemb > SIZE_MAX / size)
		fatalx("reallocarray %zu x %zu: overflow", nmemb, size);
	bytes = nmemb * size;
	p = realloc(ptr, bytes ? bytes : 1);
	if (!p)
		fatal("realloc %zu x %zu", nmemb, size);
	return p;
}

/**
 * xstrdup() - strdup(3) or exit
 * @s:		the string
 *
 * Return: a copy, never NULL
 */
char *xstrdup(const char *s)
{
	char *p = strdup(s);

	if (!p)
		fatal("strdup");
	return p;
}

/**
 * xalloc_in_use() - bytes the process holds from malloc(3) right now
 *
 * What the allocator has handed out and not had back, whatever the
 * fragmentation of its heap: RSS after many short-lived objects depends
 * on where they lay, this does not, so a leak shows here exactly (the
 * stress test's check, GET /stats "memory").
 *
 * Return: the bytes in use (glibc: all arenas and mmap'd blocks; macOS:
 * the default zone), or -1 where the allocator cannot say
 */
long long xalloc_in_use(void)
{
#if defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 33)
	struct mallinfo2 mi = mallinfo2();

	return (long long)(mi.uordblks + mi.hblkhd);
#elif defined(__APPLE__)
	malloc_statistics_t st;

	malloc_zone_statistics(NULL, &st);
	return (long long)st.size_in_use;
#else
	return -1;
#endif
}
