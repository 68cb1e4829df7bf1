/* Sprig encoding and hashing functions: b64*, b32*, sha*sum, adler32sum,
 * uuidv4, randBytes; path and URL helpers. */
#include "engine/gotmpl/tmpl_internal.h"

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <netdb.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#define H exec_heap(x)

static const char B64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int b64_encode(const unsigned char *in, size_t n, sb *out) {
  sb_putn(out, "", 0);
  for (size_t i = 0; i < n; i += 3) {
    unsigned v = (unsigned)in[i] << 16;
    if (i + 1 < n) v |= (unsigned)in[i + 1] << 8;
    if (i + 2 < n) v |= in[i + 2];
    sb_putc(out, B64[(v >> 18) & 63]);
    sb_putc(out, B64[(v >> 12) & 63]);
    sb_putc(out, i + 1 < n ? B64[(v >> 6) & 63] : '=');
    sb_putc(out, i + 2 < n ? B64[v & 63] : '=');
  }
  return 0;
}

/* base64.StdEncoding.DecodeString: returns 0, or 1 + the offset Go's
 * CorruptInputError reports. \r and \n are ignored. */
static long b64_decode_go(const char *in, size_t n, sb *out) {
  sb_putn(out, "", 0);
  size_t si = 0;
  for (;;) {
    /* decodeQuantum */
    unsigned char dbuf[4] = {0};
    int dlen = 4;
    size_t j = 0;
    for (j = 0; j < 4; j++) {
      while (si < n && (in[si] == '\r' || in[si] == '\n'))
        si++;
      if (si == n) {
        if (j == 0) return 0;
        if (j == 1) return (long)(si - j) + 1;
        dlen = (int)j;
        /* no padding: Go reports CorruptInputError(si - j) */
        return (long)(si - j) + 1;
      }
      char c = in[si++];
      const char *p = c ? strchr(B64, c) : NULL;
      if (p) {
        dbuf[j] = (unsigned char)(p - B64);
        continue;
      }
      if (c == '\r' || c == '\n') {
        j--;
        continue;
      }
      if (c != '=') return (long)(si - 1) + 1;
      /* padding */
      switch (j) {
      case 0:
      case 1:
        return (long)(si - 1) + 1;
      case 2:
        while (si < n && (in[si] == '\r' || in[si] == '\n'))
          si++;
        if (si == n) return (long)n + 1;
        if (in[si] != '=') return (long)(si - 1) + 1;
        si++;
        break;
      }
      while (si < n && (in[si] == '\r' || in[si] == '\n'))
        si++;
      if (si < n) return (long)si + 1;
      dlen = (int)j;
      break;
    }
    unsigned v =
        (unsigned)dbuf[0] << 18 | (unsigned)dbuf[1] << 12 | (unsigned)dbuf[2] << 6 | dbuf[3];
    char o3[3] = {(char)(v >> 16), (char)(v >> 8), (char)v};
    switch (dlen) {
    case 4:
      sb_putn(out, o3, 3);
      break;
    case 3:
      sb_putn(out, o3, 2);
      return 0;
    case 2:
      sb_putn(out, o3, 1);
      return 0;
    }
    if (dlen < 4) return 0;
  }
}

int b64_decode(const char *in, size_t n, sb *out) {
  return b64_decode_go(in, n, out) == 0 ? 0 : -1;
}

static tval *f_b64enc(texec *x, tval **a, int n) {
  (void)n;
  sb o = {0};
  b64_encode((const unsigned char *)a[0]->u.s.p, a[0]->u.s.n, &o);
  return sb_to_val(H, &o);
}

static tval *f_b64dec(texec *x, tval **a, int n) {
  (void)n;
  sb o = {0};
  long bad = b64_decode_go(a[0]->u.s.p, a[0]->u.s.n, &o);
  if (bad) {
    sb_free(&o);
    /* Go reports the offset of the offending quantum */
    long off = bad - 1;
    char msg[64];
    snprintf(msg, sizeof msg, "illegal base64 data at input byte %ld", off);
    return tv_cstr(H, msg);
  }
  return sb_to_val(H, &o);
}

static const char B32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

static tval *f_b32enc(texec *x, tval **a, int n) {
  (void)n;
  const unsigned char *in = (const unsigned char *)a[0]->u.s.p;
  size_t len = a[0]->u.s.n;
  sb o = {0};
  sb_putn(&o, "", 0);
  for (size_t i = 0; i < len; i += 5) {
    unsigned char blk[5] = {0};
    size_t m = len - i < 5 ? len - i : 5;
    memcpy(blk, in + i, m);
    uint64_t v = 0;
    for (int k = 0; k < 5; k++)
      v = (v << 8) | blk[k];
    static const int outc[] = {0, 2, 4, 5, 7, 8};
    int nc = outc[m];
    for (int k = 0; k < 8; k++) {
      if (k < nc)
        sb_putc(&o, B32[(v >> (35 - 5 * k)) & 31]);
      else
        sb_putc(&o, '=');
    }
  }
  return sb_to_val(H, &o);
}

static tval *f_b32dec(texec *x, tval **a, int n) {
  (void)n;
  const char *in = a[0]->u.s.p;
  size_t len = a[0]->u.s.n;
  sb o = {0};
  sb_putn(&o, "", 0);
  uint64_t v = 0;
  int bits = 0;
  for (size_t i = 0; i < len; i++) {
    char c = in[i];
    if (c == '\r' || c == '\n') continue;
    if (c == '=') break;
    const char *p = strchr(B32, c);
    if (!p || !c) {
      sb_free(&o);
      char msg[64];
      snprintf(msg, sizeof msg, "illegal base32 data at input byte %zu", i);
      return tv_cstr(H, msg);
    }
    v = (v << 5) | (uint64_t)(p - B32);
    bits += 5;
    if (bits >= 8) {
      sb_putc(&o, (char)(v >> (bits - 8)));
      bits -= 8;
    }
  }
  return sb_to_val(H, &o);
}

static tval *digest_hex(texec *x, const EVP_MD *md, tval *s) {
  unsigned char d[EVP_MAX_MD_SIZE];
  unsigned int dl = 0;
  EVP_Digest(s->u.s.p, s->u.s.n, d, &dl, md, NULL);
  char hex[2 * EVP_MAX_MD_SIZE + 1];
  for (unsigned i = 0; i < dl; i++)
    snprintf(hex + 2 * i, 3, "%02x", d[i]);
  return tv_str(H, hex, 2 * dl);
}

static tval *f_sha1(texec *x, tval **a, int n) {
  (void)n;
  return digest_hex(x, EVP_sha1(), a[0]);
}
static tval *f_sha256(texec *x, tval **a, int n) {
  (void)n;
  return digest_hex(x, EVP_sha256(), a[0]);
}
static tval *f_sha512(texec *x, tval **a, int n) {
  (void)n;
  return digest_hex(x, EVP_sha512(), a[0]);
}
static tval *f_adler32(texec *x, tval **a, int n) {
  (void)n;
  uint32_t s1 = 1, s2 = 0;
  for (size_t i = 0; i < a[0]->u.s.n; i++) {
    s1 = (s1 + (unsigned char)a[0]->u.s.p[i]) % 65521;
    s2 = (s2 + s1) % 65521;
  }
  char b[16];
  snprintf(b, sizeof b, "%u", (s2 << 16) | s1);
  return tv_cstr(H, b);
}

static void rand_bytes(texec *x, unsigned char *p, size_t n) {
  if (exec_opts(x)->rand_seed) {
    for (size_t i = 0; i < n; i++)
      p[i] = (unsigned char)exec_rand(x);
    return;
  }
  if (RAND_bytes(p, (int)n) != 1)
    for (size_t i = 0; i < n; i++)
      p[i] = (unsigned char)exec_rand(x);
}

static tval *f_uuidv4(texec *x, tval **a, int n) {
  (void)a;
  (void)n;
  unsigned char u[16];
  rand_bytes(x, u, 16);
  u[6] = (u[6] & 0x0f) | 0x40;
  u[8] = (u[8] & 0x3f) | 0x80;
  char s[40];
  snprintf(s, sizeof s, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
           u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13],
           u[14], u[15]);
  return tv_cstr(H, s);
}

static tval *f_randbytes(texec *x, tval **a, int n) {
  (void)n;
  int64_t c = a[0]->u.i;
  if (c < 0 || c > (1 << 24)) return fn_error(x, "invalid randBytes count");
  unsigned char *buf = malloc((size_t)c + 1);
  if (!buf) abort();
  rand_bytes(x, buf, (size_t)c);
  sb o = {0};
  b64_encode(buf, (size_t)c, &o);
  free(buf);
  return sb_to_val(H, &o);
}

/* ---------------- path (Go's path package) ---------------- */
static void path_clean(sb *o, const char *p, size_t n) {
  sb_putn(o, "", 0);
  if (n == 0) {
    sb_putc(o, '.');
    return;
  }
  bool rooted = p[0] == '/';
  size_t r = 0;
  size_t dotdot = 0;
  if (rooted) {
    sb_putc(o, '/');
    r = 1;
    dotdot = 1;
  }
  while (r < n) {
    if (p[r] == '/')
      r++;
    else if (p[r] == '.' && (r + 1 == n || p[r + 1] == '/'))
      r++;
    else if (p[r] == '.' && p[r + 1] == '.' && (r + 2 == n || p[r + 2] == '/')) {
      r += 2;
      if (o->n > dotdot) {
        o->n--;
        while (o->n > dotdot && o->p[o->n] != '/')
          o->n--;
        o->p[o->n] = 0;
      } else if (!rooted) {
        if (o->n > 0) sb_putc(o, '/');
        sb_puts(o, "..");
        dotdot = o->n;
      }
    } else {
      if ((rooted && o->n != 1) || (!rooted && o->n != 0)) sb_putc(o, '/');
      for (; r < n && p[r] != '/'; r++)
        sb_putc(o, p[r]);
    }
  }
  if (o->n == 0) sb_putc(o, '.');
}

static tval *f_clean(texec *x, tval **a, int n) {
  (void)n;
  sb o = {0};
  path_clean(&o, a[0]->u.s.p, a[0]->u.s.n);
  return sb_to_val(H, &o);
}
static tval *f_base(texec *x, tval **a, int n) {
  (void)n;
  const char *p = a[0]->u.s.p;
  size_t len = a[0]->u.s.n;
  if (len == 0) return tv_cstr(H, ".");
  while (len > 0 && p[len - 1] == '/')
    len--;
  size_t i = len;
  while (i > 0 && p[i - 1] != '/')
    i--;
  if (len == 0) return tv_cstr(H, "/");
  return tv_str(H, p + i, len - i);
}
static tval *f_dir(texec *x, tval **a, int n) {
  (void)n;
  const char *p = a[0]->u.s.p;
  size_t len = a[0]->u.s.n;
  size_t i = len;
  while (i > 0 && p[i - 1] != '/')
    i--;
  sb o = {0};
  path_clean(&o, p, i);
  return sb_to_val(H, &o);
}
static tval *f_ext(texec *x, tval **a, int n) {
  (void)n;
  const char *p = a[0]->u.s.p;
  size_t len = a[0]->u.s.n;
  for (size_t i = len; i > 0 && p[i - 1] != '/'; i--)
    if (p[i - 1] == '.') return tv_str(H, p + i - 1, len - i + 1);
  return tv_str(H, "", 0);
}
static tval *f_isabs(texec *x, tval **a, int n) {
  (void)n;
  return tv_bool(H, a[0]->u.s.n > 0 && a[0]->u.s.p[0] == '/');
}

/* ---------------- net/url ---------------- */
static int unhex(char c) {
  return c >= '0' && c <= '9'                 ? c - '0'
         : (c | 32) >= 'a' && (c | 32) <= 'f' ? (c | 32) - 'a' + 10
                                              : -1;
}

static bool pct_decode(sb *o, const char *s, size_t n) {
  sb_putn(o, "", 0);
  for (size_t i = 0; i < n; i++) {
    if (s[i] == '%') {
      if (i + 2 >= n + 0 && i + 2 > n - 1 + 1) return false;
      if (i + 2 >= n || unhex(s[i + 1]) < 0 || unhex(s[i + 2]) < 0) return false;
      sb_putc(o, (char)(unhex(s[i + 1]) * 16 + unhex(s[i + 2])));
      i += 2;
    } else
      sb_putc(o, s[i]);
  }
  return true;
}

static void map_str(texec *x, tval *m, const char *k, const char *v, size_t n) {
  tm_set(H, m, k, strlen(k), tv_str(H, v, n));
}

static tval *f_urlparse(texec *x, tval **a, int n) {
  (void)n;
  const char *s = a[0]->u.s.p;
  size_t len = a[0]->u.s.n;
  tval *m = tv_map(H);
  const char *frag = memchr(s, '#', len);
  size_t rest = frag ? (size_t)(frag - s) : len;
  sb fr = {0};
  if (frag && !pct_decode(&fr, frag + 1, len - rest - 1)) {
    sb_free(&fr);
    return fn_error(x, "unable to parse url: parse \"%s\": invalid URL escape", s);
  }
  map_str(x, m, "fragment", fr.p ? fr.p : "", fr.n);
  sb_free(&fr);
  /* scheme */
  size_t i = 0;
  const char *scheme = "";
  size_t sl = 0;
  if (rest && ((s[0] | 32) >= 'a' && (s[0] | 32) <= 'z')) {
    size_t k = 1;
    while (k < rest && (((s[k] | 32) >= 'a' && (s[k] | 32) <= 'z') ||
                        (s[k] >= '0' && s[k] <= '9') || s[k] == '+' || s[k] == '-' || s[k] == '.'))
      k++;
    if (k < rest && s[k] == ':') {
      scheme = s;
      sl = k;
      i = k + 1;
    }
  }
  sb sch = {0};
  for (size_t k = 0; k < sl; k++)
    sb_putc(&sch, (char)((s[k] >= 'A' && s[k] <= 'Z') ? s[k] + 32 : s[k]));
  map_str(x, m, "scheme", sch.p ? sch.p : "", sch.n);
  sb_free(&sch);
  (void)scheme;
  const char *q = memchr(s + i, '?', rest - i);
  size_t pend = q ? (size_t)(q - s) : rest;
  map_str(x, m, "query", q ? q + 1 : "", q ? rest - pend - 1 : 0);
  const char *user = "";
  size_t ul = 0;
  const char *host = "";
  size_t hl = 0;
  const char *opaque = "";
  size_t ol = 0;
  if (sl && i < pend && s[i] != '/') {
    opaque = s + i;
    ol = pend - i;
    i = pend;
  } else if (pend - i >= 2 && s[i] == '/' && s[i + 1] == '/') {
    i += 2;
    size_t ae = i;
    while (ae < pend && s[ae] != '/')
      ae++;
    const char *at = NULL;
    for (size_t k = i; k < ae; k++)
      if (s[k] == '@') at = s + k;
    if (at) {
      user = s + i;
      ul = (size_t)(at - (s + i));
      host = at + 1;
      hl = (size_t)(s + ae - host);
    } else {
      host = s + i;
      hl = ae - i;
    }
    i = ae;
  }
  map_str(x, m, "opaque", opaque, ol);
  map_str(x, m, "host", host, hl);
  /* hostname: strip port and IPv6 brackets */
  size_t hn = hl;
  const char *hs = host;
  if (hl && host[0] == '[') {
    const char *rb = memchr(host, ']', hl);
    hs = host + 1;
    hn = rb ? (size_t)(rb - hs) : hl - 1;
  } else {
    const char *colon = NULL;
    for (size_t k = 0; k < hl; k++)
      if (host[k] == ':') colon = host + k;
    if (colon) hn = (size_t)(colon - host);
  }
  map_str(x, m, "hostname", hs, hn);
  sb path = {0};
  if (!pct_decode(&path, s + i, pend - i)) {
    sb_free(&path);
    return fn_error(x, "unable to parse url: parse \"%s\": invalid URL escape", s);
  }
  map_str(x, m, "path", path.p ? path.p : "", path.n);
  sb_free(&path);
  map_str(x, m, "userinfo", user, ul);
  return m;
}

static const char *meta(tval *d, const char *k) {
  tval *v = d && d->kind == TMPL_MAP ? tm_get(d, k, strlen(k)) : NULL;
  return v && v->kind == TMPL_STRING ? v->u.s.p : "";
}

static void escape_path(sb *o, const char *p) {
  static const char hex[] = "0123456789ABCDEF";
  for (; *p; p++) {
    unsigned char c = (unsigned char)*p;
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
        strchr("-_.~/!$&'()*+,;=:@", c))
      sb_putc(o, (char)c);
    else {
      sb_putc(o, '%');
      sb_putc(o, hex[c >> 4]);
      sb_putc(o, hex[c & 15]);
    }
  }
}

static tval *f_urljoin(texec *x, tval **a, int n) {
  (void)n;
  tval *d = a[0];
  const char *scheme = meta(d, "scheme"), *host = meta(d, "host"), *path = meta(d, "path"),
             *query = meta(d, "query"), *opaque = meta(d, "opaque"), *frag = meta(d, "fragment"),
             *user = meta(d, "userinfo");
  sb o = {0};
  sb_putn(&o, "", 0);
  if (*scheme) {
    sb_puts(&o, scheme);
    sb_putc(&o, ':');
  }
  if (*opaque)
    sb_puts(&o, opaque);
  else {
    if (*scheme || *host || *user) {
      if (*host || *path || *user) sb_puts(&o, "//");
      if (*user) {
        sb_puts(&o, user);
        sb_putc(&o, '@');
      }
      sb_puts(&o, host);
    }
    if (*path && path[0] != '/' && *host) sb_putc(&o, '/');
    escape_path(&o, path);
  }
  if (*query) {
    sb_putc(&o, '?');
    sb_puts(&o, query);
  }
  if (*frag) {
    sb_putc(&o, '#');
    escape_path(&o, frag);
  }
  return sb_to_val(H, &o);
}

static tval *f_gethostbyname(texec *x, tval **a, int n) {
  (void)n;
  /* Helm without --enable-dns (the default) answers "" */
  if (!exec_opts(x)->enable_dns) return tv_str(H, "", 0);
  struct addrinfo hints = {0}, *res = NULL;
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  if (getaddrinfo(a[0]->u.s.p, NULL, &hints, &res) != 0 || !res)
    return fn_error(x, "invalid argument to Intn");
  char buf[INET6_ADDRSTRLEN] = "";
  if (res->ai_family == AF_INET)
    inet_ntop(AF_INET, &((struct sockaddr_in *)res->ai_addr)->sin_addr, buf, sizeof buf);
  else
    inet_ntop(AF_INET6, &((struct sockaddr_in6 *)res->ai_addr)->sin6_addr, buf, sizeof buf);
  freeaddrinfo(res);
  return tv_cstr(H, buf);
}

const tfunc tmpl_funcs_encoding[] = {
    {"urlParse", f_urlparse, 1, {P_STR}, false, 0, "map[string]interface {}"},
    {"urlJoin", f_urljoin, 1, {P_MAP}, false, 0, "string"},
    {"getHostByName", f_gethostbyname, 1, {P_STR}, false, 0, "string"},
    {"b64enc", f_b64enc, 1, {P_STR}, false, 0, "string"},
    {"b64dec", f_b64dec, 1, {P_STR}, false, 0, "string"},
    {"b32enc", f_b32enc, 1, {P_STR}, false, 0, "string"},
    {"b32dec", f_b32dec, 1, {P_STR}, false, 0, "string"},
    {"sha1sum", f_sha1, 1, {P_STR}, false, 0, "string"},
    {"sha256sum", f_sha256, 1, {P_STR}, false, 0, "string"},
    {"sha512sum", f_sha512, 1, {P_STR}, false, 0, "string"},
    {"adler32sum", f_adler32, 1, {P_STR}, false, 0, "string"},
    {"uuidv4", f_uuidv4, 0, {0}, false, 0, "string"},
    {"randBytes", f_randbytes, 1, {P_INT}, false, 0, "string"},
    {"base", f_base, 1, {P_STR}, false, 0, "string"},
    {"dir", f_dir, 1, {P_STR}, false, 0, "string"},
    {"clean", f_clean, 1, {P_STR}, false, 0, "string"},
    {"ext", f_ext, 1, {P_STR}, false, 0, "string"},
    {"isAbs", f_isabs, 1, {P_STR}, false, 0, "bool"},
    {"osBase", f_base, 1, {P_STR}, false, 0, "string"},
    {"osDir", f_dir, 1, {P_STR}, false, 0, "string"},
    {"osClean", f_clean, 1, {P_STR}, false, 0, "string"},
    {"osExt", f_ext, 1, {P_STR}, false, 0, "string"},
    {"osIsAbs", f_isabs, 1, {P_STR}, false, 0, "bool"},
    {NULL, NULL, 0, {0}, false, 0, NULL},
};
