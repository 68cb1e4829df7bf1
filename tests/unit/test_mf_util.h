/* Shared helpers for the engine/manifest tests: reading test data, running
 * the kubectl oracle (argv, no shell), parsing shortcuts. */
#ifndef TEST_MF_UTIL_H
#define TEST_MF_UTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/manifest/manifest.h"

#define MF_ASSERT_OK(expr)                                                                         \
  do {                                                                                             \
    mf_error e_ = {0};                                                                             \
    (void)e_;                                                                                      \
    int rc_ = (expr);                                                                              \
    if (rc_ != 0) fail_msg("%s failed: %d", #expr, rc_);                                           \
  } while (0)

/* Directory of the test data (tests/data/manifest), from the repo root or
 * up to three levels below it; MF_TEST_DATA overrides. */
static inline const char *mf_t_datadir(void) {
  static char dir[1024];
  if (dir[0]) return dir;
  const char *env = getenv("MF_TEST_DATA");
  if (env) {
    snprintf(dir, sizeof(dir), "%s", env);
    return dir;
  }
  const char *cands[] = {"tests/data/manifest", "../tests/data/manifest",
                         "../../tests/data/manifest", "../../../tests/data/manifest"};
  for (size_t i = 0; i < sizeof(cands) / sizeof(cands[0]); i++) {
    struct stat st;
    if (stat(cands[i], &st) == 0 && S_ISDIR(st.st_mode)) {
      snprintf(dir, sizeof(dir), "%s", cands[i]);
      return dir;
    }
  }
  snprintf(dir, sizeof(dir), "tests/data/manifest");
  return dir;
}

static inline char *mf_t_read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  size_t cap = 4096, n = 0;
  char *buf = malloc(cap);
  size_t r;
  while (buf && (r = fread(buf + n, 1, cap - n - 1, f)) > 0) {
    n += r;
    if (cap - n - 1 == 0) {
      char *nb = realloc(buf, cap * 2);
      if (!nb) {
        free(buf);
        buf = NULL;
        break;
      }
      buf = nb;
      cap *= 2;
    }
  }
  fclose(f);
  if (buf) buf[n] = '\0';
  if (len) *len = n;
  return buf;
}

static inline char *mf_t_read_data(const char *name, size_t *len) {
  char path[1200];
  snprintf(path, sizeof(path), "%s/%s", mf_t_datadir(), name);
  char *s = mf_t_read_file(path, len);
  if (!s) fail_msg("cannot read test data %s", path);
  return s;
}

/* kubectl oracle: $KUBECTL (only), else /usr/bin/kubectl, build/oracles/kubectl, PATH. */
static inline const char *mf_t_kubectl(void) {
  static char path[1024];
  static int done;
  if (done) return path[0] ? path : NULL;
  done = 1;
  const char *env = getenv("KUBECTL");
  if (env) { /* explicit: use it or nothing (KUBECTL=none skips the oracle) */
    if (access(env, X_OK) == 0)
      snprintf(path, sizeof(path), "%s", env);
    else
      path[0] = '\0';
    return path[0] ? path : NULL;
  }
  const char *cands[] = {"/usr/bin/kubectl", "build/oracles/kubectl", "../build/oracles/kubectl",
                         "/usr/local/bin/kubectl"};
  for (size_t i = 0; i < sizeof(cands) / sizeof(cands[0]); i++) {
    if (cands[i] && access(cands[i], X_OK) == 0) {
      snprintf(path, sizeof(path), "%s", cands[i]);
      return path;
    }
  }
  const char *p = getenv("PATH");
  while (p && *p) {
    size_t n = strcspn(p, ":");
    snprintf(path, sizeof(path), "%.*s/kubectl", (int)n, p);
    if (n && access(path, X_OK) == 0) return path;
    p += n + (p[n] == ':');
  }
  path[0] = '\0';
  return NULL;
}

#define MF_NEED_KUBECTL()                                                                          \
  do {                                                                                             \
    if (!mf_t_kubectl()) {                                                                         \
      print_message(                                                                               \
          "kubectl not found (set KUBECTL or run scripts/fetch-oracles.sh): skipping oracle\n");   \
      skip();                                                                                      \
    }                                                                                              \
  } while (0)

/* Runs argv, returns its stdout (malloc'd) or NULL if it failed; the exit
 * status goes to *status and stderr to *errout when given. */
static inline char *mf_t_run(char *const argv[], int *status, char **errout) {
  char errpath[] = "/tmp/mf_t_errXXXXXX";
  int errfd = mkstemp(errpath);
  int fds[2];
  if (errfd < 0 || pipe(fds) != 0) return NULL;
  pid_t pid = fork();
  if (pid == 0) {
    dup2(fds[1], 1);
    dup2(errfd, 2);
    close(fds[0]);
    close(fds[1]);
    setenv("KUBECONFIG", "/nonexistent/kubeconfig", 1);
    execv(argv[0], argv);
    _exit(127);
  }
  close(fds[1]);
  size_t cap = 8192, n = 0;
  char *out = malloc(cap);
  ssize_t r;
  while (out && (r = read(fds[0], out + n, cap - n - 1)) > 0) {
    n += (size_t)r;
    if (cap - n - 1 == 0) {
      char *nb = realloc(out, cap * 2);
      if (!nb) break;
      out = nb;
      cap *= 2;
    }
  }
  close(fds[0]);
  int st = 0;
  waitpid(pid, &st, 0);
  if (out) out[n] = '\0';
  if (errout) {
    *errout = mf_t_read_file(errpath, NULL);
  }
  close(errfd);
  unlink(errpath);
  if (status) *status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return out;
}

/* `kubectl patch --local --type merge -p {} -f FILE -o FORMAT`: kubectl
 * reads the file as `kubectl apply` does and prints it as `kubectl get`. */
static inline char *mf_t_kubectl_print(const char *file, const char *format) {
  char *argv[] = {
      (char *)mf_t_kubectl(), "patch", "--local",      "--type", "merge", "-p", "{}", "-f",
      (char *)file,           "-o",    (char *)format, NULL};
  int st;
  char *err = NULL;
  char *out = mf_t_run(argv, &st, &err);
  if (st != 0) {
    print_message("kubectl failed (%d) on %s: %s\n", st, file, err ? err : "");
    free(out);
    out = NULL;
  }
  free(err);
  return out;
}

/* Writes data to a fresh temp file; returns its path (static buffer per slot). */
static inline const char *mf_t_tmpfile(const char *data, size_t len, const char *suffix) {
  static char paths[8][64];
  static int slot;
  char *p = paths[slot++ % 8];
  snprintf(p, 64, "/tmp/mf_test_XXXXXX%s", suffix);
  int fd = mkstemps(p, (int)strlen(suffix));
  if (fd < 0) fail_msg("mkstemps: %s", strerror(errno));
  if (write(fd, data, len) != (ssize_t)len) fail_msg("write");
  close(fd);
  return p;
}

/* Parses one YAML stream expected to hold exactly one object; returns it
 * detached (caller deletes). Fails the test on error. */
static inline cJSON *mf_t_parse1(const char *yaml) {
  mf_docs d = {0};
  mf_error err;
  char eb[1024];
  int rc = mf_parse(yaml, strlen(yaml), "t.yaml", &d, &err);
  if (rc) fail_msg("mf_parse: %s", mf_error_format(&err, eb, sizeof(eb)));
  if (d.count != 1) fail_msg("expected 1 document, got %zu", d.count);
  cJSON *o = d.items[0].obj;
  d.items[0].obj = NULL;
  mf_docs_free(&d);
  return o;
}

/* Converts a YAML value (no object rules) to canonical JSON of its first
 * document; returns "ERR:<code>" strings for errors. Caller frees. */
static inline char *mf_t_value(const char *yaml) {
  cJSON *arr = NULL;
  mf_error err;
  int rc = mf_yaml_to_json(yaml, strlen(yaml), "v.yaml", NULL, &arr, &err);
  if (rc) {
    char *s = malloc(32);
    snprintf(s, 32, "ERR:%d", rc);
    return s;
  }
  char *s = arr->child ? mf_canonical_json(arr->child) : strdup("(none)");
  cJSON_Delete(arr);
  return s;
}

#endif
