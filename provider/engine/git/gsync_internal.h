/* Internal declarations shared by the gsync_*.c files. Not a public API. */
#ifndef GITOPS_ENGINE_GIT_GSYNC_INTERNAL_H
#define GITOPS_ENGINE_GIT_GSYNC_INTERNAL_H

#include "engine/git/gsync.h"

#include <git2.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>

/* ---- errors ---- */
int gsync__set(gsync_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Text of git_error_last() or "unknown error"; never NULL. */
const char *gsync__git_msg(void);
/* Replace every occurrence of `secret` (if non-empty) in buf by "***". */
void gsync__redact(char *buf, size_t cap, const char *secret);

/* ---- time ---- */
int64_t gsync__now_ms(void);

/* ---- operation context (deadline, cancellation, network state) ---- */
#define GSYNC_OP_MAX_FDS 16

typedef struct gsync_op {
  int64_t deadline_ms; /* CLOCK_MONOTONIC */
  unsigned timeout_sec;
  const atomic_int *cancel;
  const gsync_credentials *creds;
  const char *display_url;
  const char *cache_dir;  /* errors mentioning it are local (GSYNC_EIO) */
  const char *url_secret; /* redacted from messages */

  /* outcome flags set by callbacks / streams */
  atomic_int cancelled;
  atomic_int timed_out;
  int net_failed;
  int connected;       /* a TCP connection was established */
  char last_host[128]; /* host of the last connection attempt */
  char net_msg[256];
  int cred_calls;   /* non-username credential requests */
  int auth_failed;  /* rejected credentials (gave up) */
  int auth_missing; /* auth required but nothing configured */
  int cert_failed;
  char cert_msg[256];
  char keyfile[256]; /* temp private key file, if one was needed */

  /* sockets opened during the op; the watchdog shutdown()s them on
   * timeout/cancel so that blocking libssh2 I/O returns */
  pthread_mutex_t mu;
  int fds[GSYNC_OP_MAX_FDS];
  int nfds;
  int watchdog_running;
  atomic_int watchdog_stop;
  pthread_t watchdog;
} gsync_op;

void gsync__op_init(gsync_op *op, const gsync_options *opts, const char *display_url);
void gsync__op_dispose(gsync_op *op);
/* Returns 1 (and records why) when cancelled or past the deadline. */
int gsync__op_should_stop(gsync_op *op);
/* Install op as the current thread's network context and start the
 * watchdog; gsync__op_leave undoes both. */
int gsync__op_enter(gsync_op *op);
void gsync__op_leave(gsync_op *op);

/* ---- network stream (gsync_net.c) ---- */
int gsync__net_register(void);

/* ---- credentials / certificate callbacks (gsync_creds.c) ---- */
int gsync__cred_cb(git_credential **out, const char *url, const char *username_from_url,
                   unsigned int allowed_types, void *payload);
int gsync__cert_cb(git_cert *cert, int valid, const char *host, void *payload);

/* ---- URLs (gsync_url.c) ---- */
typedef enum { GSYNC_URL_LOCAL, GSYNC_URL_NETWORK } gsync_url_kind;

typedef struct gsync_url {
  gsync_url_kind kind;
  char *fetch_url;  /* what libgit2 is given (absolute path for local) */
  char *display;    /* for messages: no password / no http userinfo */
  char *normalized; /* key material */
  char *local_path; /* absolute path for LOCAL, else NULL */
  char *secret;     /* password/token embedded in the URL, or NULL */
  char key[65];
} gsync_url;

int gsync__url_parse(const char *url, gsync_url *out, gsync_error *err);
void gsync__url_dispose(gsync_url *u);
int gsync__sha256_hex(const char *data, size_t len, char out[65]);

/* ---- mirror access for gsync_tree.c (gsync.c): opens the existing mirror of
 * url under its locks, without fetching ---- */
int gsync__open_mirror_locked(gsync_cache *c, const char *url, const gsync_options *opts,
                              git_repository **repo, void **lock, gsync_error *err);
void gsync__close_mirror_locked(gsync_cache *c, git_repository *repo, void *lock);

/* ---- helpers ---- */
int gsync__rmtree(const char *path);
int gsync__mkdirs(const char *path, unsigned mode);
char *gsync__expand_home(const char *path);

#endif
