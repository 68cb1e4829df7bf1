/* Shared helpers for the kube unit tests (header-only, included by
 * test_kube_*.c): a private temp dir, files, shell commands. */
#ifndef TEST_KUBE_HELPERS_H
#define TEST_KUBE_HELPERS_H

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wformat-truncation"
#endif

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char KT_DIR[PATH_MAX]; /* private temp dir */

__attribute__((unused)) static int kt_mkdtemp(const char *prefix) {
  const char *tmp = getenv("TMPDIR");
  snprintf(KT_DIR, sizeof(KT_DIR), "%s/%s-XXXXXX", tmp && *tmp ? tmp : "/tmp", prefix);
  return mkdtemp(KT_DIR) ? 0 : -1;
}

__attribute__((unused)) static int kt_sh(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
__attribute__((unused)) static int kt_sh(const char *fmt, ...) {
  char cmd[8192];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(cmd, sizeof(cmd), fmt, ap);
  va_end(ap);
  int st = system(cmd);
  if (st == -1 || !WIFEXITED(st)) return -1;
  return WEXITSTATUS(st);
}

__attribute__((unused)) static void kt_rmdir(void) {
  if (KT_DIR[0] && !getenv("KT_KEEP")) kt_sh("rm -rf '%s'", KT_DIR);
}

/* Path under the temp dir (static rotating buffers). */
static const char *kt_path(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
__attribute__((unused)) static const char *kt_path(const char *fmt, ...) {
  static char bufs[8][PATH_MAX + 256];
  static int k;
  char rel[PATH_MAX];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(rel, sizeof(rel), fmt, ap);
  va_end(ap);
  char *b = bufs[k++ % 8];
  snprintf(b, PATH_MAX + 256, "%s/%s", KT_DIR, rel);
  return b;
}

__attribute__((unused)) static void kt_write(const char *path, const char *text, int mode) {
  FILE *f = fopen(path, "w");
  if (!f) {
    fprintf(stderr, "cannot write %s: %s\n", path, strerror(errno));
    abort();
  }
  fputs(text, f);
  fclose(f);
  if (mode) chmod(path, (mode_t)mode);
}

__attribute__((unused)) static char *kt_read(const char *path) {
  FILE *f = fopen(path, "r");
  if (!f) return NULL;
  char *buf = NULL;
  size_t n = 0;
  FILE *m = open_memstream(&buf, &n);
  char chunk[4096];
  size_t r;
  while ((r = fread(chunk, 1, sizeof(chunk), f)) > 0)
    fwrite(chunk, 1, r, m);
  fclose(f);
  fclose(m);
  return buf;
}

__attribute__((unused)) static double kt_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#define assert_ok(rc, err)                                                                         \
  do {                                                                                             \
    int rc_ = (rc);                                                                                \
    if (rc_ != 0) fail_msg("expected success, got %s: %s", kube_strerror(rc_), (err).message);     \
  } while (0)

#define assert_code(rc, want, err)                                                                 \
  do {                                                                                             \
    int rc_ = (rc);                                                                                \
    if (rc_ != (want))                                                                             \
      fail_msg("expected %s, got %s: %s", kube_strerror(want), kube_strerror(rc_), (err).message); \
    assert_int_equal((err).code, (want));                                                          \
    assert_true((err).message[0] != 0);                                                            \
    if (getenv("KT_VERBOSE")) print_message("    %s: %s\n", kube_strerror(want), (err).message);   \
  } while (0)

#define assert_contains(hay, needle)                                                               \
  do {                                                                                             \
    const char *h_ = (hay);                                                                        \
    if (!h_ || !strstr(h_, (needle)))                                                              \
      fail_msg("\"%s\" does not contain \"%s\"", h_ ? h_ : "(null)", (needle));                    \
  } while (0)

#endif
