#include "plugin/rpc_handshake.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

int rpc_cookie_ok(void) {
  const char *v = getenv(RPC_MAGIC_COOKIE_KEY);
  return v && strcmp(v, RPC_MAGIC_COOKIE_VALUE) == 0;
}

int rpc_negotiate_version(const char *versions_env) {
  int best = -1;
  if (versions_env) {
    char *copy = strdup(versions_env), *save = NULL;
    for (char *tok = copy ? strtok_r(copy, ",", &save) : NULL; tok;
         tok = strtok_r(NULL, ",", &save)) {
      char *end;
      while (*tok == ' ')
        tok++;
      long v = strtol(tok, &end, 10);
      while (*end == ' ')
        end++;
      if (end == tok || *end) continue; /* unparsable entries are skipped */
      if (v == RPC_PROTOCOL_VERSION && v > best) best = (int)v;
    }
    free(copy);
  }
  return best > 0 ? best : RPC_PROTOCOL_VERSION;
}

static int random_u32(uint32_t *out) {
  int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  ssize_t n = read(fd, out, sizeof *out);
  close(fd);
  return n == (ssize_t)sizeof *out ? 0 : -1;
}

int rpc_socket_path(char *buf, size_t cap) {
  const char *dirs[3] = {getenv("PLUGIN_UNIX_SOCKET_DIR"), getenv("TMPDIR"), "/tmp"};
  size_t max = sizeof(((struct sockaddr_un *)0)->sun_path);
  for (int i = 0; i < 3; i++) {
    const char *dir = dirs[i];
    if (!dir || !*dir || dir[0] != '/') continue;
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) continue;
    for (int attempt = 0; attempt < 16; attempt++) {
      uint32_t r;
      if (random_u32(&r) != 0) return -1;
      int n = snprintf(buf, cap, "%s%splugin%u", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", r);
      if (n < 0 || (size_t)n >= cap || (size_t)n >= max) break; /* too long: next dir */
      if (access(buf, F_OK) != 0) return 0;
    }
  }
  return -1;
}

int rpc_handshake_line(char *buf, size_t cap, int version, const char *network, const char *address,
                       const char *cert_b64) {
  int n = snprintf(buf, cap, "1|%d|%s|%s|grpc|%s\n", version, network, address,
                   cert_b64 ? cert_b64 : "");
  return n < 0 || (size_t)n >= cap ? -1 : n;
}
