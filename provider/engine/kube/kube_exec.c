/* client-go exec credential plugins (client.authentication.k8s.io v1 and
 * v1beta1): run the command with its args and env plus KUBERNETES_EXEC_INFO,
 * read the ExecCredential it prints. */
#include "engine/kube/kube_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#define EXEC_OUT_MAX (1u << 20)

void kube__cred_clear(kube_cred *c) {
  if (!c) return;
  char *secrets[] = {c->token, c->cert_pem, c->key_pem};
  for (size_t i = 0; i < 3; i++) {
    if (secrets[i]) {
      volatile char *q = secrets[i];
      while (*q)
        *q++ = 0;
      free(secrets[i]);
    }
  }
  memset(c, 0, sizeof(*c));
}

static char *exec_info(const kube_rest_config *cfg) {
  cJSON *o = cJSON_CreateObject();
  cJSON_AddStringToObject(o, "kind", "ExecCredential");
  cJSON_AddStringToObject(o, "apiVersion", cfg->exec.api_version);
  cJSON *spec = cJSON_AddObjectToObject(o, "spec");
  cJSON_AddBoolToObject(spec, "interactive", 0);
  if (cfg->exec.provide_cluster_info) {
    cJSON *cl = cJSON_AddObjectToObject(spec, "cluster");
    cJSON_AddStringToObject(cl, "server", cfg->server);
    if (cfg->tls_server_name) cJSON_AddStringToObject(cl, "tls-server-name", cfg->tls_server_name);
    if (cfg->insecure) cJSON_AddBoolToObject(cl, "insecure-skip-tls-verify", 1);
    if (cfg->ca_pem) {
      char *b = kube__b64_encode(cfg->ca_pem, strlen(cfg->ca_pem));
      if (b) cJSON_AddStringToObject(cl, "certificate-authority-data", b);
      free(b);
    }
    if (cfg->proxy_url) cJSON_AddStringToObject(cl, "proxy-url", cfg->proxy_url);
  }
  char *s = cJSON_PrintUnformatted(o);
  cJSON_Delete(o);
  return s;
}

/* environ, with plugin env entries replacing same-named ones, plus info. */
static char **build_env(char *const *extra, const char *info) {
  size_t ne = kube__strv_len(environ), nx = kube__strv_len(extra);
  char **env = calloc(ne + nx + 2, sizeof(char *));
  if (!env) return NULL;
  size_t k = 0;
  for (size_t i = 0; i < ne; i++) {
    const char *eq = strchr(environ[i], '=');
    size_t nl = eq ? (size_t)(eq - environ[i]) : strlen(environ[i]);
    int shadowed = strncmp(environ[i], "KUBERNETES_EXEC_INFO=", 21) == 0;
    for (size_t j = 0; j < nx && !shadowed; j++)
      shadowed = strncmp(extra[j], environ[i], nl) == 0 && extra[j][nl] == '=';
    if (!shadowed) env[k++] = environ[i];
  }
  for (size_t j = 0; j < nx; j++)
    env[k++] = extra[j];
  env[k++] = (char *)info;
  env[k] = NULL;
  return env;
}

static void trim(char *s) {
  size_t n = strlen(s);
  while (n && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' '))
    s[--n] = 0;
}

static int parse_output(const kube_rest_config *cfg, const char *out, size_t len, kube_cred *cred,
                        kube_error *err) {
  const char *cmd = cfg->exec.command;
  cJSON *j = cJSON_ParseWithLength(out, len);
  if (!cJSON_IsObject(j)) {
    cJSON_Delete(j);
    return kube__set(err, KUBE_EAUTH,
                     "exec plugin \"%s\": output is not an ExecCredential JSON object", cmd);
  }
  int rc = 0;
  const char *kind = kube__jstr(j, "kind"), *av = kube__jstr(j, "apiVersion");
  const cJSON *st = cJSON_GetObjectItemCaseSensitive(j, "status");
  if (!kind || strcmp(kind, "ExecCredential")) {
    rc = kube__set(err, KUBE_EAUTH, "exec plugin \"%s\": returned kind \"%s\", want ExecCredential",
                   cmd, kind ? kind : "");
  } else if (!av || strcmp(av, cfg->exec.api_version)) {
    rc = kube__set(err, KUBE_EAUTH,
                   "exec plugin \"%s\" is configured to use API version %s, plugin returned "
                   "version %s",
                   cmd, cfg->exec.api_version, av ? av : "(none)");
  } else if (!cJSON_IsObject(st)) {
    rc = kube__set(err, KUBE_EAUTH, "exec plugin \"%s\" didn't return a status field", cmd);
  } else {
    const char *tok = kube__jstr(st, "token");
    const char *crt = kube__jstr(st, "clientCertificateData");
    const char *key = kube__jstr(st, "clientKeyData");
    const char *exp = kube__jstr(st, "expirationTimestamp");
    if ((crt && *crt) != (key && *key))
      rc = kube__set(err, KUBE_EAUTH,
                     "exec plugin \"%s\": clientKeyData and clientCertificateData must both be "
                     "present",
                     cmd);
    else if (!(tok && *tok) && !(crt && *crt))
      rc = kube__set(err, KUBE_EAUTH, "exec plugin \"%s\" didn't return a token or cert/key pair",
                     cmd);
    else if (exp && *exp && kube__parse_time(exp) < 0)
      rc = kube__set(err, KUBE_EAUTH, "exec plugin \"%s\": invalid expirationTimestamp \"%s\"", cmd,
                     exp);
    if (!rc) {
      cred->token = tok && *tok ? strdup(tok) : NULL;
      cred->cert_pem = crt && *crt ? strdup(crt) : NULL;
      cred->key_pem = key && *key ? strdup(key) : NULL;
      cred->expires_ms = exp && *exp ? kube__parse_time(exp) : 0;
    }
  }
  cJSON_Delete(j);
  return rc;
}

int kube__exec_run(const kube_rest_config *cfg, int timeout_ms, const atomic_int *cancel,
                   kube_cred *cred, kube_error *err) {
  memset(cred, 0, sizeof(*cred));
  const char *cmd = cfg->exec.command;
  if (cfg->exec.interactive_mode && strcmp(cfg->exec.interactive_mode, "Always") == 0)
    return kube__set(err, KUBE_EAUTH,
                     "exec plugin \"%s\" requires an interactive terminal (interactiveMode: "
                     "Always), which is not available here",
                     cmd);
  /* A relative path with a separator is relative to the kubeconfig. */
  char *path = (strchr(cmd, '/') && cmd[0] != '/' && cfg->exec.dir)
                   ? kube__asprintf("%s/%s", cfg->exec.dir, cmd)
                   : strdup(cmd);
  char *info_json = exec_info(cfg);
  char *info = info_json ? kube__asprintf("KUBERNETES_EXEC_INFO=%s", info_json) : NULL;
  free(info_json);
  size_t na = kube__strv_len(cfg->exec.args);
  char **argv = calloc(na + 2, sizeof(char *));
  char **envp = info ? build_env(cfg->exec.env, info) : NULL;
  int out_p[2] = {-1, -1}, err_p[2] = {-1, -1};
  int rc = 0;
  pid_t pid = -1;
  kube_buf out = {0}, errb = {0};
  if (!path || !argv || !envp) {
    rc = kube__set(err, KUBE_ENOMEM, "out of memory");
    goto done;
  }
  argv[0] = path;
  for (size_t i = 0; i < na; i++)
    argv[i + 1] = cfg->exec.args[i];
  if (pipe2(out_p, O_CLOEXEC) || pipe2(err_p, O_CLOEXEC)) {
    rc = kube__set(err, KUBE_EAUTH, "exec plugin \"%s\": pipe: %s", cmd, strerror(errno));
    goto done;
  }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&fa, out_p[1], 1);
  posix_spawn_file_actions_adddup2(&fa, err_p[1], 2);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
  int se = posix_spawnp(&pid, path, &fa, &attr, argv, envp);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  close(out_p[1]), close(err_p[1]);
  out_p[1] = err_p[1] = -1;
  if (se) {
    pid = -1;
    rc = kube__set(err, KUBE_EAUTH, "exec plugin: executable %s %s%s%s", cmd,
                   se == ENOENT ? "not found" : strerror(se), cfg->exec.install_hint ? "\n\n" : "",
                   cfg->exec.install_hint ? cfg->exec.install_hint : "");
    goto done;
  }
  int64_t deadline = kube__now_ms() + (timeout_ms > 0 ? timeout_ms : 60000);
  int open_fds = 2;
  while (open_fds) {
    if (kube__cancelled(cancel)) {
      rc = kube__set(err, KUBE_ECANCELLED, "exec plugin \"%s\": cancelled", cmd);
      break;
    }
    if (kube__now_ms() > deadline) {
      rc = kube__set(err, KUBE_EAUTH, "exec plugin \"%s\": timed out after %d ms", cmd,
                     timeout_ms > 0 ? timeout_ms : 60000);
      break;
    }
    struct pollfd pf[2] = {{out_p[0], POLLIN, 0}, {err_p[0], POLLIN, 0}};
    int pr = poll(pf, 2, 100);
    if (pr < 0 && errno != EINTR) {
      rc = kube__set(err, KUBE_EAUTH, "exec plugin \"%s\": poll: %s", cmd, strerror(errno));
      break;
    }
    for (int i = 0; i < 2; i++) {
      if (pf[i].fd < 0 || !(pf[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      char chunk[8192];
      ssize_t r = read(pf[i].fd, chunk, sizeof(chunk));
      if (r < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (r <= 0) {
        close(pf[i].fd);
        *(i ? &err_p[0] : &out_p[0]) = -1;
        open_fds--;
        continue;
      }
      kube_buf *b = i ? &errb : &out;
      if (b->len < EXEC_OUT_MAX) kube__buf_add(b, chunk, (size_t)r);
    }
    if (out.len >= EXEC_OUT_MAX) {
      rc = kube__set(err, KUBE_EAUTH, "exec plugin \"%s\": output larger than 1 MiB", cmd);
      break;
    }
  }
  if (rc) kill(pid, SIGKILL);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
    ;
  pid = -1;
  if (!rc) {
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      char *e = errb.p ? errb.p : "";
      trim(e);
      size_t el = strlen(e);
      const char *tail = el > 600 ? e + el - 600 : e;
      if (WIFEXITED(status))
        rc = kube__set(err, KUBE_EAUTH, "exec plugin \"%s\" failed with exit code %d%s%s", cmd,
                       WEXITSTATUS(status), *tail ? ": " : "", tail);
      else
        rc = kube__set(err, KUBE_EAUTH, "exec plugin \"%s\" was killed by signal %d", cmd,
                       WTERMSIG(status));
    } else {
      rc = parse_output(cfg, out.p ? out.p : "", out.len, cred, err);
    }
  }
done:
  if (out_p[0] >= 0) close(out_p[0]);
  if (err_p[0] >= 0) close(err_p[0]);
  if (out_p[1] >= 0) close(out_p[1]);
  if (err_p[1] >= 0) close(err_p[1]);
  if (out.p) memset(out.p, 0, out.len);
  kube__buf_free(&out);
  kube__buf_free(&errb);
  free(envp);
  free(argv);
  free(path);
  free(info);
  return rc;
}
