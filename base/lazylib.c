/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lazylib.c - load libmicrohttpd and libpcap on first use.
 *
 * The control API (-e) and packet capture are optional, and their
 * libraries are the heaviest the daemon links: libmicrohttpd brings GnuTLS
 * (with p11-kit, nettle, gmp, libtasn1, libidn2, libunistring), whose
 * constructors run at start-up, and Debian's libpcap brings D-Bus and
 * libsystemd (libgcrypt, liblzma, libzstd, liblz4). Linked normally they
 * cost about 4.5 MB of resident memory and a few milliseconds of start-up
 * in every daemon, used or not (docs/performance.md, "Profiles").
 *
 * Built with USERNETD_LAZY_LIBS, the daemon does not link them: this file
 * defines the functions of theirs it calls, with their own names and
 * prototypes (from their headers), and each forwards to the real one,
 * found with dlopen(3)/dlsym(3) on the first call into that library. The
 * first call of each library is one that may fail (MHD_start_daemon(),
 * pcap_open_dead()): if the library cannot be loaded it fails with a log
 * line and the feature is off, the daemon runs on. The library's soname
 * comes from the build (USERNETD_MHD_SONAME, USERNETD_PCAP_SONAME).
 */
#if !defined(_GNU_SOURCE) && !defined(_DEFAULT_SOURCE)
#define _DEFAULT_SOURCE /* pcap.h's BSD types (u_char, u_int) on glibc */
#endif
#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>

#include <microhttpd.h>
#include <pcap/pcap.h>

#include "base/log.h"

/**
 * struct lazylib - one library loaded on demand
 * @soname:	what dlopen(3) is given
 * @once:	loads it exactly once, from whichever thread comes first
 * @handle:	dlopen(3) handle, NULL if it could not be loaded
 */
struct lazylib {
	const char *soname;
	pthread_once_t once;
	void *handle;
};

static struct lazylib lazylib_mhd = {USERNETD_MHD_SONAME, PTHREAD_ONCE_INIT,
				     NULL};
static struct lazylib lazylib_pcap = {USERNETD_PCAP_SONAME, PTHREAD_ONCE_INIT,
				      NULL};

/**
 * lazylib_open_mhd() - pthread_once routine: dlopen libmicrohttpd
 */
static void lazylib_open_mhd(void)
{
	lazylib_mhd.handle = dlopen(lazylib_mhd.soname, RTLD_NOW | RTLD_LOCAL);
	if (!lazylib_mhd.handle)
		log_warnx("cannot load %s: %s", lazylib_mhd.soname, dlerror());
}

/**
 * lazylib_open_pcap() - pthread_once routine: dlopen libpcap
 */
static void lazylib_open_pcap(void)
{
	lazylib_pcap.handle =
	    dlopen(lazylib_pcap.soname, RTLD_NOW | RTLD_LOCAL);
	if (!lazylib_pcap.handle)
		log_warnx("cannot load %s: %s", lazylib_pcap.soname, dlerror());
}

/**
 * lazylib_load() - load @lib if not done yet
 * @lib:	library
 * @open_fn:	its pthread_once routine
 *
 * Return: 0 if it is loaded, -1 if it cannot be (logged once)
 */
static int lazylib_load(struct lazylib *lib, void (*open_fn)(void))
{
	pthread_once(&lib->once, open_fn);
	return lib->handle ? 0 : -1;
}

/**
 * lazylib_sym() - address of @name in a loaded @lib
 * @lib:	library, lazylib_load() succeeded
 * @name:	symbol
 *
 * A symbol missing from a library whose soname matched is a broken
 * installation: the daemon stops rather than call through NULL.
 *
 * Return: the address
 */
static void *lazylib_sym(struct lazylib *lib, const char *name)
{
	void *p = lib->handle ? dlsym(lib->handle, name) : NULL;

	if (!p)
		fatalx("%s: no symbol %s", lib->soname, name);
	return p;
}

/*
 * LAZYLIB_FN() - define @name, forwarding to the library's own @name.
 * The pointer is written by whichever thread calls first and always
 * with the same value; it is atomic so that the write is not a race.
 */
#define LAZYLIB_FN(lib, open_fn, ret, name, params, args)                      \
	ret name params                                                        \
	{                                                                      \
		typedef ret(*lazylib_fp) params;                               \
		static _Atomic(lazylib_fp) fp;                                 \
		lazylib_fp lazylib_f = fp;                                     \
		if (!lazylib_f) {                                              \
			lazylib_load(&lib, open_fn);                           \
			lazylib_f = (lazylib_fp)lazylib_sym(&lib, #name);      \
			fp = lazylib_f;                                        \
		}                                                              \
		return lazylib_f args;                                         \
	}

#define LAZYLIB_MHD(ret, name, params, args)                                   \
	LAZYLIB_FN(lazylib_mhd, lazylib_open_mhd, ret, name, params, args)
#define LAZYLIB_PCAP(ret, name, params, args)                                  \
	LAZYLIB_FN(lazylib_pcap, lazylib_open_pcap, ret, name, params, args)

/**
 * MHD_start_daemon() - libmicrohttpd's, loading the library first
 * @flags:	MHD_USE_* flags
 * @port:	TCP port, 0 for none
 * @apc:	accept policy callback, or NULL
 * @apc_cls:	its argument
 * @dh:		request handler
 * @dh_cls:	its argument
 *
 * Return: the daemon, or NULL (also if the library cannot be loaded)
 */
struct MHD_Daemon *MHD_start_daemon(unsigned int flags, uint16_t port,
				    MHD_AcceptPolicyCallback apc, void *apc_cls,
				    MHD_AccessHandlerCallback dh, void *dh_cls,
				    ...)
{
	typedef struct MHD_Daemon *(*start_va)(
	    unsigned int, uint16_t, MHD_AcceptPolicyCallback, void *,
	    MHD_AccessHandlerCallback, void *, va_list);
	struct MHD_Daemon *d;
	start_va fn;
	va_list ap;

	if (lazylib_load(&lazylib_mhd, lazylib_open_mhd))
		return NULL;
	fn = (start_va)lazylib_sym(&lazylib_mhd, "MHD_start_daemon_va");
	va_start(ap, dh_cls);
	d = fn(flags, port, apc, apc_cls, dh, dh_cls, ap);
	va_end(ap);
	return d;
}

/**
 * MHD_get_connection_info() - libmicrohttpd's, for the info types that
 * take no extra argument (all of them in libmicrohttpd 0.9.x)
 * @connection:	the connection
 * @info_type:	what to tell
 *
 * Return: the information, or NULL
 */
const union MHD_ConnectionInfo *
MHD_get_connection_info(struct MHD_Connection *connection,
			enum MHD_ConnectionInfoType info_type, ...)
{
	typedef const union MHD_ConnectionInfo *(*info_fn)(
	    struct MHD_Connection *, enum MHD_ConnectionInfoType, ...);
	static _Atomic(info_fn) fp;
	info_fn f = fp;

	if (!f) {
		lazylib_load(&lazylib_mhd, lazylib_open_mhd);
		f = (info_fn)lazylib_sym(&lazylib_mhd,
					 "MHD_get_connection_info");
		fp = f;
	}
	return f(connection, info_type);
}

/**
 * MHD_get_daemon_info() - libmicrohttpd's, for the info types that take
 * no extra argument (MHD_DAEMON_INFO_EPOLL_FD)
 * @daemon:	the daemon
 * @info_type:	what to tell
 *
 * Return: the information, or NULL
 */
const union MHD_DaemonInfo *
MHD_get_daemon_info(struct MHD_Daemon *daemon,
		    enum MHD_DaemonInfoType info_type, ...)
{
	typedef const union MHD_DaemonInfo *(*info_fn)(
	    struct MHD_Daemon *, enum MHD_DaemonInfoType, ...);
	static _Atomic(info_fn) fp;
	info_fn f = fp;

	if (!f) {
		lazylib_load(&lazylib_mhd, lazylib_open_mhd);
		f = (info_fn)lazylib_sym(&lazylib_mhd, "MHD_get_daemon_info");
		fp = f;
	}
	return f(daemon, info_type);
}

LAZYLIB_MHD(enum MHD_Result, MHD_run, (struct MHD_Daemon * d), (d))
LAZYLIB_MHD(enum MHD_Result, MHD_get_fdset2,
	    (struct MHD_Daemon * d, fd_set *r, fd_set *w, fd_set *e,
	     MHD_socket *max_fd, unsigned int setsize),
	    (d, r, w, e, max_fd, setsize))
LAZYLIB_MHD(void, MHD_stop_daemon, (struct MHD_Daemon * d), (d))
LAZYLIB_MHD(enum MHD_Result, MHD_add_response_header,
	    (struct MHD_Response * r, const char *h, const char *c), (r, h, c))
LAZYLIB_MHD(struct MHD_Response *, MHD_create_response_from_buffer,
	    (size_t size, void *buf, enum MHD_ResponseMemoryMode mode),
	    (size, buf, mode))
LAZYLIB_MHD(void, MHD_destroy_response, (struct MHD_Response * r), (r))
LAZYLIB_MHD(enum MHD_Result, MHD_get_timeout,
	    (struct MHD_Daemon * d, MHD_UNSIGNED_LONG_LONG *t), (d, t))
LAZYLIB_MHD(const char *, MHD_lookup_connection_value,
	    (struct MHD_Connection * c, enum MHD_ValueKind k, const char *key),
	    (c, k, key))
LAZYLIB_MHD(enum MHD_Result, MHD_queue_response,
	    (struct MHD_Connection * c, unsigned int status,
	     struct MHD_Response *r),
	    (c, status, r))
LAZYLIB_MHD(void, MHD_resume_connection, (struct MHD_Connection * c), (c))
LAZYLIB_MHD(void, MHD_suspend_connection, (struct MHD_Connection * c), (c))
LAZYLIB_MHD(enum MHD_Result, MHD_add_connection,
	    (struct MHD_Daemon * d, MHD_socket s, const struct sockaddr *a,
	     socklen_t alen),
	    (d, s, a, alen))
LAZYLIB_MHD(enum MHD_Result, MHD_run_from_select,
	    (struct MHD_Daemon * d, const fd_set *r, const fd_set *w,
	     const fd_set *e),
	    (d, r, w, e))

/**
 * pcap_open_dead() - libpcap's, loading the library first
 * @linktype:	DLT_* link type
 * @snaplen:	bytes kept of each packet
 *
 * Return: the handle, or NULL (also if the library cannot be loaded)
 */
pcap_t *pcap_open_dead(int linktype, int snaplen)
{
	pcap_t *(*fn)(int, int);

	if (lazylib_load(&lazylib_pcap, lazylib_open_pcap))
		return NULL;
	fn = (pcap_t * (*)(int, int))
	    lazylib_sym(&lazylib_pcap, "pcap_open_dead");
	return fn(linktype, snaplen);
}

LAZYLIB_PCAP(void, pcap_close, (pcap_t * p), (p))
LAZYLIB_PCAP(char *, pcap_geterr, (pcap_t * p), (p))
LAZYLIB_PCAP(int, pcap_compile,
	     (pcap_t * p, struct bpf_program *prog, const char *str, int opt,
	      bpf_u_int32 mask),
	     (p, prog, str, opt, mask))
LAZYLIB_PCAP(void, pcap_freecode, (struct bpf_program * prog), (prog))
LAZYLIB_PCAP(int, pcap_offline_filter,
	     (const struct bpf_program *prog, const struct pcap_pkthdr *h,
	      const u_char *pkt),
	     (prog, h, pkt))
LAZYLIB_PCAP(pcap_dumper_t *, pcap_dump_fopen, (pcap_t * p, FILE *f), (p, f))
LAZYLIB_PCAP(int, pcap_dump_flush, (pcap_dumper_t * d), (d))
LAZYLIB_PCAP(void, pcap_dump_close, (pcap_dumper_t * d), (d))
LAZYLIB_PCAP(void, pcap_dump,
	     (u_char * user, const struct pcap_pkthdr *h, const u_char *sp),
	     (user, h, sp))
