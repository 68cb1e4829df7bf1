/* gsync core: errors, library lifetime, cache + locking, fetch, resolve. */
#include "engine/git/gsync_internal.h"

#include <git2/sys/stream.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ------------------------------------------------------------------ */
/* errors                                                              */

int gsync__set(gsync_error *err, int code, const char *fmt, ...) {
  if (err) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof(err->message), fmt, ap);
    va_end(ap);
    err->code = code;
  }
  return code;
}

static void err_clear(gsync_error *err) {
  if (err) {
    err->code = 0;
    err->message[0] = 0;
  }
}

const char *gsync__git_msg(void) {
  const git_error *e = git_error_last();
  return e && e->message && *e->message ? e->message : "unknown error";
}

void gsync__redact(char *buf, size_t cap, const char *secret) {
  if (!secret || !*secret || cap == 0) return;
  size_t sl = strlen(secret);
  char *tmp = malloc(cap);
  if (!tmp) {
    buf[0] = 0; /* never risk leaking */
    return;
  }
  size_t o = 0;
  const char *p = buf;
  while (*p && o + 1 < cap) {
    if (!strncmp(p, secret, sl)) {
      for (int i = 0; i < 3 && o + 1 < cap; i++)
        tmp[o++] = '*';
      p += sl;
    } else {
      tmp[o++] = *p++;
    }
  }
  tmp[o] = 0;
  memcpy(buf, tmp, o + 1);
  free(tmp);
}

const char *gsync_strerror(int code) {
  switch (code) {
  case GSYNC_OK:
    return "GSYNC_OK";
  case GSYNC_EINVALID:
    return "GSYNC_EINVALID";
  case GSYNC_ENOTFOUND:
    return "GSYNC_ENOTFOUND";
  case GSYNC_EAMBIGUOUS:
    return "GSYNC_EAMBIGUOUS";
  case GSYNC_EAUTH:
    return "GSYNC_EAUTH";
  case GSYNC_ENETWORK:
    return "GSYNC_ENETWORK";
  case GSYNC_ENOTREPO:
    return "GSYNC_ENOTREPO";
  case GSYNC_ECANCELLED:
    return "GSYNC_ECANCELLED";
  case GSYNC_EIO:
    return "GSYNC_EIO";
  case GSYNC_ECERTIFICATE:
    return "GSYNC_ECERTIFICATE";
  case GSYNC_ETOOBIG:
    return "GSYNC_ETOOBIG";
  case GSYNC_EGIT:
    return "GSYNC_EGIT";
  case GSYNC_ENOMEM:
    return "GSYNC_ENOMEM";
  default:
    return "GSYNC_E?";
  }
}

/* ------------------------------------------------------------------ */
/* library lifetime                                                    */

static pthread_mutex_t g_init_mu = PTHREAD_MUTEX_INITIALIZER;
static int g_init_refs;

int gsync_global_init(void) {
  int rc = 0;
  pthread_mutex_lock(&g_init_mu);
  if (g_init_refs == 0) {
    if (git_libgit2_init() < 0) {
      rc = GSYNC_EGIT;
    } else if (gsync__net_register() < 0) {
      git_libgit2_shutdown();
      rc = GSYNC_EGIT;
    }
  }
  if (rc == 0) g_init_refs++;
  pthread_mutex_unlock(&g_init_mu);
  return rc;
}

void gsync_global_shutdown(void) {
  pthread_mutex_lock(&g_init_mu);
  if (g_init_refs > 0 && --g_init_refs == 0) {
    git_stream_register(GIT_STREAM_STANDARD, NULL);
    git_libgit2_shutdown();
  }
  pthread_mutex_unlock(&g_init_mu);
}

/* ------------------------------------------------------------------ */
/* cache + locks                                                       */

typedef struct key_lock {
  struct key_lock *next;
  char key[65];
  int busy;
  int refs;
  pthread_cond_t cv;
} key_lock;

struct gsync_cache {
  char *dir;
  pthread_mutex_t mu;
  key_lock *locks;
};

int gsync_cache_open(const char *dir, gsync_cache **out, gsync_error *err) {
  err_clear(err);
  if (!out) return gsync__set(err, GSYNC_EINVALID, "gsync_cache_open: out is NULL");
  *out = NULL;
  if (!dir || !*dir) return gsync__set(err, GSYNC_EINVALID, "cache directory is empty");
  char *d = gsync__expand_home(dir);
  if (!d) return gsync__set(err, GSYNC_EINVALID, "cannot expand \"%s\": HOME is not set", dir);
  size_t n = strlen(d);
  while (n > 1 && d[n - 1] == '/')
    d[--n] = 0;
  if (gsync__mkdirs(d, 0700) != 0) {
    int e = errno;
    gsync__set(err, GSYNC_EIO, "cannot create cache directory %s: %s", d, strerror(e));
    free(d);
    return GSYNC_EIO;
  }
  if (access(d, R_OK | W_OK | X_OK) != 0) {
    int e = errno;
    gsync__set(err, GSYNC_EIO, "cache directory %s is not writable: %s", d, strerror(e));
    free(d);
    return GSYNC_EIO;
  }
  if (gsync_global_init() != 0) {
    gsync__set(err, GSYNC_EGIT, "cannot initialize libgit2: %s", gsync__git_msg());
    free(d);
    return GSYNC_EGIT;
  }
  gsync_cache *c = calloc(1, sizeof(*c));
  if (!c) {
    gsync_global_shutdown();
    free(d);
    return gsync__set(err, GSYNC_ENOMEM, "out of memory");
  }
  c->dir = d;
  pthread_mutex_init(&c->mu, NULL);
  *out = c;
  return 0;
}

void gsync_cache_free(gsync_cache *c) {
  if (!c) return;
  key_lock *k = c->locks;
  while (k) {
    key_lock *next = k->next;
    pthread_cond_destroy(&k->cv);
    free(k);
    k = next;
  }
  pthread_mutex_destroy(&c->mu);
  free(c->dir);
  free(c);
  gsync_global_shutdown();
}

const char *gsync_cache_dir(const gsync_cache *c) {
  return c ? c->dir : NULL;
}

typedef struct held_lock {
  key_lock *kl;
  int fd;
} held_lock;

static void sleep_ms(int ms) {
  struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

static int stop_code(gsync_op *op, gsync_error *err, const char *what) {
  if (atomic_load(&op->cancelled))
    return gsync__set(err, GSYNC_ECANCELLED, "%s %s: operation cancelled", what, op->display_url);
  return gsync__set(err, GSYNC_ENETWORK, "%s %s: timed out after %u s", what, op->display_url,
                    op->timeout_sec);
}

static int lock_acquire(gsync_cache *c, const char *key, gsync_op *op, held_lock *h,
                        gsync_error *err) {
  h->kl = NULL;
  h->fd = -1;
  /* threads of this process */
  pthread_mutex_lock(&c->mu);
  key_lock *k;
  for (k = c->locks; k; k = k->next)
    if (!strcmp(k->key, key)) break;
  if (!k) {
    k = calloc(1, sizeof(*k));
    if (!k) {
      pthread_mutex_unlock(&c->mu);
      return gsync__set(err, GSYNC_ENOMEM, "out of memory");
    }
    memcpy(k->key, key, 65);
    pthread_cond_init(&k->cv, NULL);
    k->next = c->locks;
    c->locks = k;
  }
  k->refs++;
  while (k->busy) {
    if (gsync__op_should_stop(op)) {
      k->refs--;
      pthread_mutex_unlock(&c->mu);
      if (atomic_load(&op->cancelled)) return stop_code(op, err, "waiting for the cache of");
      return gsync__set(err, GSYNC_EIO,
                        "timed out after %u s waiting for another operation on the cache "
                        "of %s",
                        op->timeout_sec, op->display_url);
    }
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_nsec += 100 * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
      ts.tv_sec++;
      ts.tv_nsec -= 1000000000L;
    }
    pthread_cond_timedwait(&k->cv, &c->mu, &ts);
  }
  k->busy = 1;
  k->refs--;
  pthread_mutex_unlock(&c->mu);
  h->kl = k;

  /* other processes */
  char path[4096];
  snprintf(path, sizeof(path), "%s/%s.lock", c->dir, key);
  int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  int rc = 0;
  if (fd < 0) {
    rc = gsync__set(err, GSYNC_EIO, "cannot open cache lock %s: %s", path, strerror(errno));
  } else {
    while (flock(fd, LOCK_EX | LOCK_NB) != 0) {
      if (errno != EWOULDBLOCK && errno != EINTR) {
        rc = gsync__set(err, GSYNC_EIO, "cannot lock %s: %s", path, strerror(errno));
        break;
      }
      if (gsync__op_should_stop(op)) {
        if (atomic_load(&op->cancelled))
          rc = stop_code(op, err, "waiting for the cache of");
        else
          rc = gsync__set(err, GSYNC_EIO,
                          "timed out after %u s waiting for the cache lock %s (held by "
                          "another process working on %s)",
                          op->timeout_sec, path, op->display_url);
        break;
      }
      sleep_ms(50);
    }
  }
  if (rc != 0) {
    if (fd >= 0) close(fd);
    pthread_mutex_lock(&c->mu);
    k->busy = 0;
    pthread_cond_broadcast(&k->cv);
    pthread_mutex_unlock(&c->mu);
    h->kl = NULL;
    return rc;
  }
  h->fd = fd;
  return 0;
}

static void lock_release(gsync_cache *c, held_lock *h) {
  if (h->fd >= 0) {
    flock(h->fd, LOCK_UN);
    close(h->fd);
    h->fd = -1;
  }
  if (h->kl) {
    pthread_mutex_lock(&c->mu);
    h->kl->busy = 0;
    pthread_cond_broadcast(&h->kl->cv);
    pthread_mutex_unlock(&c->mu);
    h->kl = NULL;
  }
}

/* ------------------------------------------------------------------ */
/* fetch                                                               */

static int transfer_cb(const git_indexer_progress *stats, void *payload) {
  (void)stats;
  return gsync__op_should_stop(payload) ? GIT_EUSER : 0;
}

static int sideband_cb(const char *str, int len, void *payload) {
  (void)str;
  (void)len;
  return gsync__op_should_stop(payload) ? GIT_EUSER : 0;
}

static int contains_ci(const char *hay, const char *needle) {
  return strcasestr(hay, needle) != NULL;
}

/* Map a failed libgit2 network/transport call to a gsync error. */
static int classify_fetch_error(gsync_op *op, int grc, gsync_error *err) {
  const git_error *ge = git_error_last();
  char msg[600];
  snprintf(msg, sizeof(msg), "%s", ge && ge->message ? ge->message : "unknown error");
  if (op->creds) gsync__redact(msg, sizeof(msg), op->creds->password);
  gsync__redact(msg, sizeof(msg), op->url_secret);
  size_t ml = strlen(msg);
  while (ml && (msg[ml - 1] == '\n' || msg[ml - 1] == '\r' || msg[ml - 1] == ' '))
    msg[--ml] = 0;
  const char *url = op->display_url;

  if (atomic_load(&op->cancelled))
    return gsync__set(err, GSYNC_ECANCELLED, "fetching %s: operation cancelled", url);
  if (atomic_load(&op->timed_out)) {
    if (op->last_host[0] && !op->connected)
      return gsync__set(err, GSYNC_ENETWORK, "fetching %s: timed out after %u s connecting to %s",
                        url, op->timeout_sec, op->last_host);
    return gsync__set(err, GSYNC_ENETWORK,
                      "fetching %s: timed out after %u s waiting for the remote (raise "
                      "the timeout for very large repositories)",
                      url, op->timeout_sec);
  }
  if (op->net_failed)
    return gsync__set(err, GSYNC_ENETWORK, "cannot reach %s: %s", url, op->net_msg);
  if (op->cert_failed || grc == GIT_ECERTIFICATE)
    return gsync__set(err, GSYNC_ECERTIFICATE, "fetching %s: %s", url,
                      op->cert_failed ? op->cert_msg : msg);
  if (op->auth_missing)
    return gsync__set(err, GSYNC_EAUTH,
                      "authentication required by %s but no credentials are configured "
                      "(set username and password/token or an SSH key in the provider, or "
                      "GITOPS_GIT_TOKEN / GITOPS_GIT_SSH_PRIVATE_KEY)",
                      url);
  if (op->auth_failed || grc == GIT_EAUTH || contains_ci(msg, "status code: 401") ||
      contains_ci(msg, "status code: 403") || contains_ci(msg, "authentication"))
    return gsync__set(err, GSYNC_EAUTH, "authentication to %s failed: %s", url, msg);
  if (op->cache_dir && strstr(msg, op->cache_dir))
    return gsync__set(err, GSYNC_EIO, "cannot update the cache of %s: %s", url, msg);
  if (contains_ci(msg, "invalid content-type") || contains_ci(msg, "status code: 404") ||
      contains_ci(msg, "not a git repository") || contains_ci(msg, "not exported") ||
      contains_ci(msg, "repository not found") || contains_ci(msg, "does not appear to be") ||
      contains_ci(msg, "could not find repository") || contains_ci(msg, "invalid packet line") ||
      contains_ci(msg, "bad packet length") || contains_ci(msg, "could not be found") ||
      contains_ci(msg, "no such repository"))
    return gsync__set(err, GSYNC_ENOTREPO, "%s is not a git repository (or does not exist): %s",
                      url, msg);
  if (ge &&
      (ge->klass == GIT_ERROR_NET || ge->klass == GIT_ERROR_SSL || ge->klass == GIT_ERROR_SSH ||
       ge->klass == GIT_ERROR_HTTP || ge->klass == GIT_ERROR_OS))
    return gsync__set(err, GSYNC_ENETWORK, "fetching %s failed: %s", url, msg);
  return gsync__set(err, GSYNC_EGIT, "fetching %s failed: %s", url, msg);
}

/* HEAD target recorded when the remote advertises no default branch */
#define NO_HEAD_REF "refs/gsync/no-default-branch"

static int local_precheck(const gsync_url *u, gsync_error *err) {
  struct stat sb;
  if (stat(u->local_path, &sb) != 0)
    return gsync__set(err, GSYNC_ENOTREPO, "%s is not a git repository: %s", u->display,
                      strerror(errno));
  if (!S_ISDIR(sb.st_mode))
    return gsync__set(err, GSYNC_ENOTREPO, "%s is not a git repository: not a directory",
                      u->display);
  git_repository *r = NULL;
  if (git_repository_open_ext(&r, u->local_path, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) != 0)
    return gsync__set(err, GSYNC_ENOTREPO, "%s is not a git repository: %s", u->display,
                      gsync__git_msg());
  git_repository_free(r);
  return 0;
}

static int do_fetch(git_repository *repo, const gsync_url *u, gsync_op *op, gsync_error *err) {
  git_remote *remote = NULL;
  git_buf defbranch = GIT_BUF_INIT;
  int rc = 0, grc;
  static char *refspec_strs[] = {"+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"};
  git_strarray refspecs = {refspec_strs, 2};

  if (u->kind == GSYNC_URL_LOCAL && (rc = local_precheck(u, err)) != 0) return rc;
  git_error_clear();
  /* Anonymous in-memory remote.  url.<base>.insteadOf rewriting is skipped:
   * the mirror must follow exactly the configured URL, and libgit2 1.5's
   * insteadOf lookup leaks PCRE2 match data on every call. */
  git_remote_create_options ro;
  git_remote_create_options_init(&ro, GIT_REMOTE_CREATE_OPTIONS_VERSION);
  ro.repository = repo;
  ro.name = NULL;
  ro.flags = GIT_REMOTE_CREATE_SKIP_INSTEADOF | GIT_REMOTE_CREATE_SKIP_DEFAULT_FETCHSPEC;
  if ((grc = git_remote_create_with_opts(&remote, u->fetch_url, &ro)) < 0) {
    if (grc == GIT_EINVALIDSPEC || grc == GIT_ERROR)
      return gsync__set(err, GSYNC_EINVALID, "invalid repository URL %s: %s", u->display,
                        gsync__git_msg());
    return gsync__set(err, GSYNC_EGIT, "invalid repository URL %s: %s", u->display,
                      gsync__git_msg());
  }

  git_fetch_options fo;
  git_fetch_options_init(&fo, GIT_FETCH_OPTIONS_VERSION);
  fo.callbacks.credentials = gsync__cred_cb;
  fo.callbacks.certificate_check = gsync__cert_cb;
  fo.callbacks.transfer_progress = transfer_cb;
  fo.callbacks.sideband_progress = sideband_cb;
  fo.callbacks.payload = op;
  fo.prune = GIT_FETCH_PRUNE;
  fo.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;
  fo.update_fetchhead = 0;
  fo.proxy_opts.type = GIT_PROXY_AUTO;

  int net = u->kind == GSYNC_URL_NETWORK;
  if (net) gsync__op_enter(op);

  grc = git_remote_connect(remote, GIT_DIRECTION_FETCH, &fo.callbacks, &fo.proxy_opts, NULL);
  if (grc == 0) {
    int has_head = git_remote_default_branch(&defbranch, remote) == 0;
    grc = git_remote_download(remote, &refspecs, &fo);
    if (grc == 0)
      grc = git_remote_update_tips(remote, &fo.callbacks, 0, GIT_REMOTE_DOWNLOAD_TAGS_NONE,
                                   "gsync fetch");
    if (grc == 0) grc = git_remote_prune(remote, &fo.callbacks);
    if (grc == 0) {
      /* mirror HEAD follows the remote's default branch */
      git_reference *h = NULL;
      const char *target = has_head && defbranch.ptr ? defbranch.ptr : NO_HEAD_REF;
      if (git_reference_symbolic_create(&h, repo, "HEAD", target, 1, "gsync: remote HEAD") == 0)
        git_reference_free(h);
    }
  }
  if (grc < 0) rc = classify_fetch_error(op, grc, err);
  git_remote_disconnect(remote);

  if (net) gsync__op_leave(op);
  git_buf_dispose(&defbranch);
  git_remote_free(remote);
  return rc;
}

/* ------------------------------------------------------------------ */
/* mirror management                                                   */

static void remove_stale_tmp(const char *dir, const char *key) {
  DIR *d = opendir(dir);
  if (!d) return;
  char prefix[80];
  snprintf(prefix, sizeof(prefix), "%s.git.tmp", key);
  size_t pl = strlen(prefix);
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (!strncmp(e->d_name, prefix, pl)) {
      char p[4096];
      snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
      gsync__rmtree(p);
    }
  }
  closedir(d);
}

static int init_mirror(const char *path, const gsync_url *u, git_repository **out,
                       gsync_error *err) {
  git_repository_init_options io;
  git_repository_init_options_init(&io, GIT_REPOSITORY_INIT_OPTIONS_VERSION);
  io.flags = GIT_REPOSITORY_INIT_BARE | GIT_REPOSITORY_INIT_MKPATH | GIT_REPOSITORY_INIT_NO_REINIT;
  io.mode = GIT_REPOSITORY_INIT_SHARED_UMASK;
  if (git_repository_init_ext(out, path, &io) != 0)
    return gsync__set(err, GSYNC_EIO, "cannot create mirror %s: %s", path, gsync__git_msg());
  git_config *cfg = NULL;
  if (git_repository_config(&cfg, *out) == 0) {
    git_config_set_string(cfg, "gitops.url", u->display);
    git_config_set_string(cfg, "gitops.normalizedurl", u->normalized);
    git_config_free(cfg);
  }
  return 0;
}

/* Open (or create and first-fetch) the mirror; fetch unless skip_fetch. */
static int prepare_mirror(gsync_cache *c, const gsync_url *u, gsync_op *op, int allow_fetch,
                          const char *full_sha, git_repository **out, gsync_error *err) {
  char path[4096];
  snprintf(path, sizeof(path), "%s/%s.git", c->dir, u->key);
  *out = NULL;
  git_repository *repo = NULL;
  struct stat sb;
  if (stat(path, &sb) == 0) {
    if (git_repository_open_bare(&repo, path) != 0) {
      /* damaged mirror: rebuild it (we hold the lock) */
      if (gsync__rmtree(path) != 0)
        return gsync__set(err, GSYNC_EIO, "cache mirror %s is damaged and cannot be removed: %s",
                          path, strerror(errno));
      repo = NULL;
    }
  }
  if (repo) {
    if (full_sha) {
      git_oid oid;
      git_object *obj = NULL;
      if (git_oid_fromstr(&oid, full_sha) == 0 &&
          git_object_lookup(&obj, repo, &oid, GIT_OBJECT_ANY) == 0) {
        git_object_free(obj);
        *out = repo;
        return 0;
      }
    }
    if (!allow_fetch) {
      *out = repo;
      return 0;
    }
    int rc = do_fetch(repo, u, op, err);
    if (rc) {
      git_repository_free(repo);
      return rc;
    }
    *out = repo;
    return 0;
  }
  if (!allow_fetch)
    return gsync__set(err, GSYNC_ENOTFOUND, "%s has not been fetched into the cache yet",
                      u->display);

  /* first use: build the mirror under a temporary name, publish it by rename */
  remove_stale_tmp(c->dir, u->key);
  char tmp[4200];
  snprintf(tmp, sizeof(tmp), "%s.tmp%ld", path, (long)getpid());
  int rc = init_mirror(tmp, u, &repo, err);
  if (rc) return rc;
  rc = do_fetch(repo, u, op, err);
  git_repository_free(repo);
  repo = NULL;
  if (rc) {
    gsync__rmtree(tmp);
    return rc;
  }
  if (rename(tmp, path) != 0) {
    int e = errno;
    gsync__rmtree(tmp);
    return gsync__set(err, GSYNC_EIO, "cannot publish mirror %s: %s", path, strerror(e));
  }
  if (git_repository_open_bare(&repo, path) != 0)
    return gsync__set(err, GSYNC_EIO, "cannot open mirror %s: %s", path, gsync__git_msg());
  *out = repo;
  return 0;
}

/* ------------------------------------------------------------------ */
/* resolve                                                             */

static int is_hex(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (!isxdigit((unsigned char)s[i])) return 0;
  return 1;
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

typedef struct strlist {
  char buf[700];
  size_t n, shown;
} strlist;

static void list_refs(git_repository *repo, const char *glob, size_t skip, strlist *out) {
  git_reference_iterator *it = NULL;
  out->buf[0] = 0;
  out->n = out->shown = 0;
  if (git_reference_iterator_glob_new(&it, repo, glob) != 0) return;
  const char *name;
  char **arr = NULL;
  size_t cnt = 0, cap = 0;
  while (git_reference_next_name(&name, it) == 0) {
    if (cnt == cap) {
      cap = cap ? cap * 2 : 16;
      char **na = realloc(arr, cap * sizeof(*arr));
      if (!na) break;
      arr = na;
    }
    arr[cnt] = strdup(name + skip);
    if (arr[cnt]) cnt++;
  }
  git_reference_iterator_free(it);
  if (cnt) qsort(arr, cnt, sizeof(*arr), cmp_str);
  size_t len = 0;
  for (size_t i = 0; i < cnt; i++) {
    size_t l = strlen(arr[i]);
    if (out->shown < 15 && len + l + 2 < sizeof(out->buf) - 40) {
      len += (size_t)snprintf(out->buf + len, sizeof(out->buf) - len, "%s%s",
                              out->shown ? ", " : "", arr[i]);
      out->shown++;
    }
    free(arr[i]);
  }
  out->n = cnt;
  if (cnt > out->shown)
    snprintf(out->buf + len, sizeof(out->buf) - len, "%s… %zu more", out->shown ? ", " : "",
             cnt - out->shown);
  if (cnt == 0) snprintf(out->buf, sizeof(out->buf), "none");
  free(arr);
}

static int not_found(git_repository *repo, const char *what, const char *rev, const char *url,
                     gsync_error *err) {
  strlist b, t;
  list_refs(repo, "refs/heads/*", 11, &b);
  list_refs(repo, "refs/tags/*", 10, &t);
  return gsync__set(err, GSYNC_ENOTFOUND, "%s \"%s\" not found in %s (branches: %s; tags: %s)",
                    what, rev, url, b.buf, t.buf);
}

static int peel_to_commit(git_object *obj, git_commit **out, const char *rev, const char *url,
                          gsync_error *err) {
  git_object *peeled = NULL;
  if (git_object_peel(&peeled, obj, GIT_OBJECT_COMMIT) != 0)
    return gsync__set(err, GSYNC_EINVALID, "revision \"%s\" in %s does not point to a commit (%s)",
                      rev, url, git_object_type2string(git_object_type(obj)));
  *out = (git_commit *)peeled;
  return 0;
}

static int lookup_ref_commit(git_repository *repo, const char *refname, git_commit **out,
                             const char *rev, const char *url, gsync_error *err, int *found) {
  git_reference *ref = NULL, *res = NULL;
  *found = 0;
  if (git_reference_lookup(&ref, repo, refname) != 0) return 0;
  *found = 1;
  int rc = 0;
  if (git_reference_resolve(&res, ref) != 0) {
    rc = gsync__set(err, GSYNC_ENOTFOUND, "reference %s in %s points to a missing target", refname,
                    url);
  } else {
    git_object *obj = NULL;
    if (git_object_lookup(&obj, repo, git_reference_target(res), GIT_OBJECT_ANY) != 0)
      rc = gsync__set(err, GSYNC_EGIT, "cannot read %s in %s: %s", refname, url, gsync__git_msg());
    else
      rc = peel_to_commit(obj, out, rev, url, err);
    git_object_free(obj);
  }
  git_reference_free(res);
  git_reference_free(ref);
  return rc;
}

static int resolve_revision(git_repository *repo, const char *rev, const char *url,
                            git_commit **commit, char **refname_out, gsync_error *err) {
  *commit = NULL;
  *refname_out = NULL;
  int found = 0, rc;
  size_t rl = strlen(rev);

  if (rl == 0 || !strcmp(rev, "HEAD")) {
    git_reference *head = NULL;
    if (git_reference_lookup(&head, repo, "HEAD") != 0 ||
        git_reference_type(head) != GIT_REFERENCE_SYMBOLIC) {
      git_reference_free(head);
      return gsync__set(err, GSYNC_ENOTFOUND, "%s did not advertise a default branch (HEAD)", url);
    }
    char *target = strdup(git_reference_symbolic_target(head));
    git_reference_free(head);
    if (!target) return gsync__set(err, GSYNC_ENOMEM, "out of memory");
    if (!strcmp(target, NO_HEAD_REF)) {
      free(target);
      return gsync__set(err, GSYNC_ENOTFOUND,
                        "%s has no default branch (empty repository or detached HEAD); "
                        "specify a branch, tag or commit",
                        url);
    }
    rc = lookup_ref_commit(repo, target, commit, "HEAD", url, err, &found);
    if (rc == 0 && !found)
      rc = gsync__set(err, GSYNC_ENOTFOUND,
                      "default branch %s of %s does not exist (empty repository?)", target, url);
    if (rc == 0)
      *refname_out = target;
    else
      free(target);
    return rc;
  }

  if (rl == 40 && is_hex(rev, rl)) {
    git_oid oid;
    git_object *obj = NULL;
    if (git_oid_fromstr(&oid, rev) != 0 || git_object_lookup(&obj, repo, &oid, GIT_OBJECT_ANY) != 0)
      return not_found(repo, "commit", rev, url, err);
    rc = peel_to_commit(obj, commit, rev, url, err);
    git_object_free(obj);
    if (rc == 0 && !(*refname_out = strdup("")))
      rc = gsync__set(err, GSYNC_ENOMEM, "out of memory");
    return rc;
  }

  /* named refs, in git's precedence order */
  char cand[3][1100];
  int nc = 0;
  if (!strncmp(rev, "refs/", 5)) {
    snprintf(cand[nc++], sizeof(cand[0]), "%s", rev);
  } else {
    if (!strncmp(rev, "heads/", 6) || !strncmp(rev, "tags/", 5))
      snprintf(cand[nc++], sizeof(cand[0]), "refs/%s", rev);
    snprintf(cand[nc++], sizeof(cand[0]), "refs/tags/%s", rev);
    snprintf(cand[nc++], sizeof(cand[0]), "refs/heads/%s", rev);
  }
  for (int i = 0; i < nc; i++) {
    int valid = 0;
    if (git_reference_name_is_valid(&valid, cand[i]) != 0 || !valid) continue;
    rc = lookup_ref_commit(repo, cand[i], commit, rev, url, err, &found);
    if (rc) return rc;
    if (found) {
      if (!(*refname_out = strdup(cand[i]))) {
        git_commit_free(*commit);
        *commit = NULL;
        return gsync__set(err, GSYNC_ENOMEM, "out of memory");
      }
      return 0;
    }
  }

  if (rl >= 4 && rl < 40 && is_hex(rev, rl)) {
    git_oid oid;
    git_object *obj = NULL;
    if (git_oid_fromstrn(&oid, rev, rl) == 0) {
      int g = git_object_lookup_prefix(&obj, repo, &oid, rl, GIT_OBJECT_ANY);
      if (g == GIT_EAMBIGUOUS)
        return gsync__set(err, GSYNC_EAMBIGUOUS,
                          "short SHA \"%s\" is ambiguous in %s: it matches several objects; "
                          "use more hex digits or the full 40-character SHA",
                          rev, url);
      if (g == 0) {
        rc = peel_to_commit(obj, commit, rev, url, err);
        git_object_free(obj);
        if (rc == 0 && !(*refname_out = strdup("")))
          rc = gsync__set(err, GSYNC_ENOMEM, "out of memory");
        return rc;
      }
    }
  }
  return not_found(repo, "revision", rev, url, err);
}

static char *dup_or_empty(const char *s) {
  return strdup(s ? s : "");
}

static int fill_commit(git_commit *cm, char *refname, gsync_commit *out, gsync_error *err) {
  memset(out, 0, sizeof(*out));
  git_oid_tostr(out->sha, sizeof(out->sha), git_commit_id(cm));
  memcpy(out->short_sha, out->sha, 7);
  out->short_sha[7] = 0;
  out->ref = refname;

  out->message = dup_or_empty(git_commit_message(cm));
  if (out->message) {
    size_t n = strlen(out->message);
    while (n && (out->message[n - 1] == '\n' || out->message[n - 1] == '\r'))
      out->message[--n] = 0;
  }
  const git_signature *a = git_commit_author(cm);
  if (a) {
    size_t n = strlen(a->name ? a->name : "") + strlen(a->email ? a->email : "") + 4;
    out->author = malloc(n);
    if (out->author)
      snprintf(out->author, n, "%s <%s>", a->name ? a->name : "", a->email ? a->email : "");
  } else {
    out->author = strdup("");
  }
  time_t t = (time_t)git_commit_time(cm);
  struct tm tm;
  out->time = malloc(32);
  if (out->time) {
    if (gmtime_r(&t, &tm))
      strftime(out->time, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
    else
      out->time[0] = 0;
  }
  if (!out->message || !out->author || !out->time) {
    gsync_commit_free(out);
    return gsync__set(err, GSYNC_ENOMEM, "out of memory");
  }
  return 0;
}

void gsync_commit_free(gsync_commit *c) {
  if (!c) return;
  free(c->message);
  free(c->author);
  free(c->time);
  free(c->ref);
  memset(c, 0, sizeof(*c));
}

int gsync_resolve(gsync_cache *c, const char *url, const char *revision, const gsync_options *opts,
                  gsync_commit *out, gsync_error *err) {
  err_clear(err);
  if (out) memset(out, 0, sizeof(*out));
  if (!c || !out)
    return gsync__set(err, GSYNC_EINVALID, "gsync_resolve: cache and out are required");
  const char *rev = revision ? revision : "";
  while (*rev == ' ' || *rev == '\t')
    rev++;
  char revbuf[1024];
  snprintf(revbuf, sizeof(revbuf), "%s", rev);
  size_t rl = strlen(revbuf);
  while (rl && isspace((unsigned char)revbuf[rl - 1]))
    revbuf[--rl] = 0;
  if (strlen(rev) >= sizeof(revbuf) - 1)
    return gsync__set(err, GSYNC_EINVALID, "revision is too long");
  for (size_t i = 0; i < rl; i++)
    if ((unsigned char)revbuf[i] < 0x20 || revbuf[i] == 0x7f)
      return gsync__set(err, GSYNC_EINVALID, "revision contains control characters");

  gsync_url u;
  int rc = gsync__url_parse(url, &u, err);
  if (rc) return rc;

  gsync_op op;
  gsync__op_init(&op, opts, u.display);
  op.cache_dir = c->dir;
  op.url_secret = u.secret;
  held_lock hl;
  git_repository *repo = NULL;
  git_commit *cm = NULL;
  char *refname = NULL;

  if (gsync__op_should_stop(&op)) {
    rc = stop_code(&op, err, "fetching");
    goto done;
  }
  if ((rc = lock_acquire(c, u.key, &op, &hl, err)) != 0) goto done;
  int full = rl == 40 && is_hex(revbuf, 40);
  rc = prepare_mirror(c, &u, &op, 1, full ? revbuf : NULL, &repo, err);
  if (rc == 0) rc = resolve_revision(repo, revbuf, u.display, &cm, &refname, err);
  if (rc == 0)
    rc = fill_commit(cm, refname, out, err);
  else
    free(refname);
  git_commit_free(cm);
  git_repository_free(repo);
  lock_release(c, &hl);
done:
  gsync__op_dispose(&op);
  gsync__url_dispose(&u);
  return rc;
}

typedef struct tree_lock {
  held_lock hl;
  gsync_op op;
  gsync_url u;
} tree_lock;

int gsync__open_mirror_locked(gsync_cache *c, const char *url, const gsync_options *opts,
                              git_repository **repo, void **lockp, gsync_error *err) {
  *repo = NULL;
  *lockp = NULL;
  tree_lock *tl = calloc(1, sizeof(*tl));
  if (!tl) return gsync__set(err, GSYNC_ENOMEM, "out of memory");
  int rc = gsync__url_parse(url, &tl->u, err);
  if (rc) {
    free(tl);
    return rc;
  }
  gsync__op_init(&tl->op, opts, tl->u.display);
  rc = lock_acquire(c, tl->u.key, &tl->op, &tl->hl, err);
  if (rc == 0) {
    rc = prepare_mirror(c, &tl->u, &tl->op, 0, NULL, repo, err);
    if (rc) lock_release(c, &tl->hl);
  }
  if (rc) {
    gsync__op_dispose(&tl->op);
    gsync__url_dispose(&tl->u);
    free(tl);
    return rc;
  }
  *lockp = tl;
  return 0;
}

void gsync__close_mirror_locked(gsync_cache *c, git_repository *repo, void *lockp) {
  tree_lock *tl = lockp;
  git_repository_free(repo);
  if (tl) {
    lock_release(c, &tl->hl);
    gsync__op_dispose(&tl->op);
    gsync__url_dispose(&tl->u);
    free(tl);
  }
}
