/*
 * Network plumbing for gsync: a libgit2 socket stream with deadlines and
 * cancellation, plus the per-operation context and its watchdog.
 *
 * libgit2 1.5.1 has no connect/read timeouts (GIT_OPT_SET_SERVER_TIMEOUT and
 * friends arrived in 1.7), so gsync registers its own GIT_STREAM_STANDARD
 * stream.  libgit2 builds every network connection on it: git://, http://,
 * https:// (the mbedTLS/OpenSSL stream wraps the standard stream) and ssh://
 * (libssh2 is handed the socket descriptor).  The stream:
 *   - resolves names on a helper thread and stops waiting at the deadline;
 *   - connects non-blockingly, polling in short slices;
 *   - reads/writes with poll() in short slices, checking the op's deadline
 *     and cancel flag between slices.
 * libssh2 performs its own blocking I/O on the descriptor, so each operation
 * also runs a watchdog thread that shutdown()s the op's sockets when the
 * deadline passes or the cancel flag is raised; the blocked call then fails
 * and libgit2 unwinds normally (no thread is abandoned, locks stay correct).
 *
 * ssh.c in libgit2 1.5 casts the stream to its private git_socket_stream
 * { git_stream parent; char *host; char *port; int s; } to obtain the
 * descriptor, so gsync_stream keeps exactly that prefix.
 */
#include "engine/git/gsync_internal.h"

#include <git2/sys/stream.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define SLICE_MS 100

static _Thread_local gsync_op *tls_op;

int64_t gsync__now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ------------------------------------------------------------------ */
/* operation context                                                   */

void gsync__op_init(gsync_op *op, const gsync_options *opts, const char *display_url) {
  memset(op, 0, sizeof(*op));
  op->timeout_sec = (opts && opts->timeout_sec) ? opts->timeout_sec : GSYNC_DEFAULT_TIMEOUT_SEC;
  op->deadline_ms = gsync__now_ms() + (int64_t)op->timeout_sec * 1000;
  op->cancel = opts ? opts->cancel : NULL;
  op->creds = opts ? opts->creds : NULL;
  op->display_url = display_url;
  pthread_mutex_init(&op->mu, NULL);
}

void gsync__op_dispose(gsync_op *op) {
  if (op->keyfile[0]) {
    unlink(op->keyfile);
    op->keyfile[0] = 0;
  }
  pthread_mutex_destroy(&op->mu);
}

int gsync__op_should_stop(gsync_op *op) {
  if (!op) return 0;
  if (atomic_load(&op->cancelled) || atomic_load(&op->timed_out)) return 1;
  if (op->cancel && atomic_load(op->cancel)) {
    atomic_store(&op->cancelled, 1);
    return 1;
  }
  if (gsync__now_ms() >= op->deadline_ms) {
    atomic_store(&op->timed_out, 1);
    return 1;
  }
  return 0;
}

static void op_shutdown_fds(gsync_op *op) {
  pthread_mutex_lock(&op->mu);
  for (int i = 0; i < op->nfds; i++)
    shutdown(op->fds[i], SHUT_RDWR);
  pthread_mutex_unlock(&op->mu);
}

static void *watchdog_main(void *arg) {
  gsync_op *op = arg;
  while (!atomic_load(&op->watchdog_stop)) {
    if (gsync__op_should_stop(op)) {
      /* keep shutting down sockets opened later, until told to stop */
      op_shutdown_fds(op);
    }
    struct timespec ts = {0, SLICE_MS * 1000000L};
    nanosleep(&ts, NULL);
  }
  return NULL;
}

int gsync__op_enter(gsync_op *op) {
  tls_op = op;
  atomic_store(&op->watchdog_stop, 0);
  if (pthread_create(&op->watchdog, NULL, watchdog_main, op) == 0) op->watchdog_running = 1;
  return 0;
}

void gsync__op_leave(gsync_op *op) {
  if (op->watchdog_running) {
    atomic_store(&op->watchdog_stop, 1);
    pthread_join(op->watchdog, NULL);
    op->watchdog_running = 0;
  }
  tls_op = NULL;
}

static void op_add_fd(gsync_op *op, int fd) {
  if (!op) return;
  pthread_mutex_lock(&op->mu);
  if (op->nfds < GSYNC_OP_MAX_FDS) op->fds[op->nfds++] = fd;
  pthread_mutex_unlock(&op->mu);
}

static void op_del_fd(gsync_op *op, int fd) {
  if (!op) return;
  pthread_mutex_lock(&op->mu);
  for (int i = 0; i < op->nfds; i++) {
    if (op->fds[i] == fd) {
      op->fds[i] = op->fds[--op->nfds];
      break;
    }
  }
  pthread_mutex_unlock(&op->mu);
}

static void op_net_fail(gsync_op *op, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void op_net_fail(gsync_op *op, const char *fmt, ...) {
  char buf[256];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof(buf), fmt, ap);
  va_end(ap);
  git_error_set_str(GIT_ERROR_NET, buf);
  if (op && !op->net_failed) {
    op->net_failed = 1;
    snprintf(op->net_msg, sizeof(op->net_msg), "%s", buf);
  }
}

/* Milliseconds to wait in one poll slice; -1 when there is no op. */
static int slice_ms(gsync_op *op) {
  if (!op) return -1;
  int64_t left = op->deadline_ms - gsync__now_ms();
  if (left < 0) left = 0;
  return left < SLICE_MS ? (int)left : SLICE_MS;
}

static void op_stop_error(gsync_op *op, const char *what, const char *host) {
  if (atomic_load(&op->cancelled))
    git_error_set(GIT_ERROR_NET, "%s %s: operation cancelled", what, host);
  else
    git_error_set(GIT_ERROR_NET, "%s %s: timed out after %u s", what, host, op->timeout_sec);
}

/* ------------------------------------------------------------------ */
/* name resolution with a deadline                                     */

typedef struct gai_job {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  int refs, done, rc;
  char *host, *port;
  struct addrinfo *res;
} gai_job;

static void gai_job_unref(gai_job *j) {
  pthread_mutex_lock(&j->mu);
  int left = --j->refs;
  pthread_mutex_unlock(&j->mu);
  if (left) return;
  if (j->res) freeaddrinfo(j->res);
  free(j->host);
  free(j->port);
  pthread_mutex_destroy(&j->mu);
  pthread_cond_destroy(&j->cv);
  free(j);
}

static void *gai_main(void *arg) {
  gai_job *j = arg;
  struct addrinfo hints = {0}, *res = NULL;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_family = AF_UNSPEC;
  int rc = getaddrinfo(j->host, j->port, &hints, &res);
  pthread_mutex_lock(&j->mu);
  j->rc = rc;
  j->res = res;
  j->done = 1;
  pthread_cond_broadcast(&j->cv);
  pthread_mutex_unlock(&j->mu);
  gai_job_unref(j);
  return NULL;
}

/* 0 ok; -1 error (message set); -2 stopped (deadline/cancel). */
static int resolve_host(gsync_op *op, const char *host, const char *port, struct addrinfo **out) {
  struct addrinfo hints = {0};
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_family = AF_UNSPEC;
  hints.ai_flags = AI_NUMERICHOST;
  *out = NULL;
  if (getaddrinfo(host, port, &hints, out) == 0) return 0;
  *out = NULL;

  gai_job *j = calloc(1, sizeof(*j));
  if (!j || !(j->host = strdup(host)) || !(j->port = strdup(port))) {
    if (j) {
      free(j->host);
      free(j);
    }
    git_error_set_oom();
    return -1;
  }
  pthread_mutex_init(&j->mu, NULL);
  pthread_cond_init(&j->cv, NULL);
  j->refs = 2;
  pthread_t th;
  if (pthread_create(&th, NULL, gai_main, j) != 0) {
    j->refs = 1;
    gai_job_unref(j);
    git_error_set_str(GIT_ERROR_OS, "cannot start resolver thread");
    return -1;
  }
  pthread_detach(th);

  int stopped = 0;
  pthread_mutex_lock(&j->mu);
  while (!j->done) {
    if (gsync__op_should_stop(op)) {
      stopped = 1;
      break;
    }
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_nsec += SLICE_MS * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
      ts.tv_sec++;
      ts.tv_nsec -= 1000000000L;
    }
    pthread_cond_timedwait(&j->cv, &j->mu, &ts);
  }
  int rc = j->rc;
  if (!stopped) {
    *out = j->res;
    j->res = NULL;
  }
  pthread_mutex_unlock(&j->mu);
  gai_job_unref(j);

  if (stopped) return -2;
  if (rc != 0) {
    op_net_fail(op, "could not resolve host %s: %s", host, gai_strerror(rc));
    return -1;
  }
  return 0;
}

/* ------------------------------------------------------------------ */
/* the stream                                                          */

typedef struct gsync_stream {
  /* must match libgit2 1.5's git_socket_stream (ssh.c reads `s`) */
  git_stream parent;
  char *host;
  char *port;
  int s;
  /* ours */
  gsync_op *op;
} gsync_stream;

static int wait_fd(gsync_stream *st, short events, const char *what) {
  for (;;) {
    if (gsync__op_should_stop(st->op)) {
      op_stop_error(st->op, what, st->host);
      return -2;
    }
    struct pollfd p = {.fd = st->s, .events = events};
    int r = poll(&p, 1, slice_ms(st->op));
    if (r > 0) return 0;
    if (r < 0 && errno != EINTR) {
      op_net_fail(st->op, "%s %s: %s", what, st->host, strerror(errno));
      return -1;
    }
  }
}

static int try_connect(gsync_stream *st, struct addrinfo *ai, int *last_errno) {
  int s = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol);
  if (s < 0) {
    *last_errno = errno;
    return -1;
  }
  st->s = s;
  op_add_fd(st->op, s);
  if (connect(s, ai->ai_addr, ai->ai_addrlen) == 0) return 0;
  if (errno != EINPROGRESS) {
    *last_errno = errno;
    goto fail;
  }
  int r = wait_fd(st, POLLOUT, "connecting to");
  if (r == -2) goto stopped;
  if (r < 0) goto fail;
  int soerr = 0;
  socklen_t len = sizeof(soerr);
  if (getsockopt(s, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0) soerr = errno;
  if (soerr == 0) return 0;
  *last_errno = soerr;
fail:
  op_del_fd(st->op, s);
  close(s);
  st->s = -1;
  return -1;
stopped:
  op_del_fd(st->op, s);
  close(s);
  st->s = -1;
  return -2;
}

static int stream_connect(git_stream *stream) {
  gsync_stream *st = (gsync_stream *)stream;
  if (st->op)
    snprintf(st->op->last_host, sizeof(st->op->last_host), "%s port %s", st->host, st->port);
  struct addrinfo *info = NULL;
  int r = resolve_host(st->op, st->host, st->port, &info);
  if (r == -2) {
    op_stop_error(st->op, "resolving", st->host);
    return -1;
  }
  if (r < 0) return -1;
  int last_errno = ECONNREFUSED;
  for (struct addrinfo *p = info; p; p = p->ai_next) {
    r = try_connect(st, p, &last_errno);
    if (r == 0 || r == -2) break;
  }
  freeaddrinfo(info);
  if (r == -2) return -1;
  if (r < 0) {
    op_net_fail(st->op, "failed to connect to %s port %s: %s", st->host, st->port,
                strerror(last_errno));
    return -1;
  }
  if (st->op) st->op->connected = 1;
  return 0;
}

static ssize_t stream_read(git_stream *stream, void *data, size_t len) {
  gsync_stream *st = (gsync_stream *)stream;
  for (;;) {
    if (gsync__op_should_stop(st->op)) {
      op_stop_error(st->op, "reading from", st->host);
      return -1;
    }
    ssize_t n = recv(st->s, data, len, 0);
    if (n >= 0) return n;
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) {
      op_net_fail(st->op, "error reading from %s: %s", st->host, strerror(errno));
      return -1;
    }
    if (wait_fd(st, POLLIN, "reading from") < 0) return -1;
  }
}

static ssize_t stream_write(git_stream *stream, const char *data, size_t len, int flags) {
  gsync_stream *st = (gsync_stream *)stream;
  (void)flags;
  for (;;) {
    if (gsync__op_should_stop(st->op)) {
      op_stop_error(st->op, "writing to", st->host);
      return -1;
    }
    ssize_t n = send(st->s, data, len, MSG_NOSIGNAL);
    if (n >= 0) return n;
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) {
      op_net_fail(st->op, "error writing to %s: %s", st->host, strerror(errno));
      return -1;
    }
    if (wait_fd(st, POLLOUT, "writing to") < 0) return -1;
  }
}

static int stream_close(git_stream *stream) {
  gsync_stream *st = (gsync_stream *)stream;
  if (st->s >= 0) {
    op_del_fd(st->op, st->s);
    close(st->s);
    st->s = -1;
  }
  return 0;
}

static void stream_free(git_stream *stream) {
  gsync_stream *st = (gsync_stream *)stream;
  stream_close(stream);
  free(st->host);
  free(st->port);
  free(st);
}

static int stream_init(git_stream **out, const char *host, const char *port) {
  gsync_stream *st = calloc(1, sizeof(*st));
  if (!st || !(st->host = strdup(host)) || !(st->port = strdup(port ? port : ""))) {
    if (st) {
      free(st->host);
      free(st);
    }
    git_error_set_oom();
    return -1;
  }
  st->parent.version = GIT_STREAM_VERSION;
  st->parent.connect = stream_connect;
  st->parent.read = stream_read;
  st->parent.write = stream_write;
  st->parent.close = stream_close;
  st->parent.free = stream_free;
  st->s = -1;
  st->op = tls_op;
  *out = &st->parent;
  return 0;
}

int gsync__net_register(void) {
  static git_stream_registration reg = {
      .version = GIT_STREAM_VERSION,
      .init = stream_init,
      .wrap = NULL,
  };
  return git_stream_register(GIT_STREAM_STANDARD, &reg);
}
