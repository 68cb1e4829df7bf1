/* gzip + tar reader for chart archives: bounded (entry count, per-file and
 * total decompressed size), never writes to disk, never follows links. */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "engine/helm/helm_internal.h"

#define BLK 512

typedef struct gunz {
  unsigned char *buf;
  size_t len, cap;
} gunz;

/* Decompress all gzip members; fail past `limit` bytes of output. */
static int gunzip_all(const unsigned char *gz, size_t len, size_t limit, gunz *o, helm_error *err) {
  z_stream zs;
  memset(&zs, 0, sizeof zs);
  if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) return HELM_ENOMEM_ERR(err);
  zs.next_in = (unsigned char *)gz;
  zs.avail_in = (uInt)(len > UINT32_MAX ? UINT32_MAX : len);
  int rc = 0;
  for (;;) {
    if (o->len == o->cap) {
      size_t nc = o->cap ? o->cap * 2 : 65536;
      if (nc > limit + BLK * 4) nc = limit + BLK * 4;
      if (nc <= o->len) {
        rc = HELM_ERR(err, HELM_ETOOBIG, "decompressed chart is larger than the maximum size %zu",
                      limit);
        break;
      }
      unsigned char *p = realloc(o->buf, nc);
      if (!p) {
        rc = HELM_ENOMEM_ERR(err);
        break;
      }
      o->buf = p;
      o->cap = nc;
    }
    zs.next_out = o->buf + o->len;
    zs.avail_out = (uInt)(o->cap - o->len);
    int z = inflate(&zs, Z_NO_FLUSH);
    o->len = o->cap - zs.avail_out;
    if (z == Z_STREAM_END) {
      /* concatenated members */
      if (zs.avail_in > 0 && zs.next_in[0] == 0x1f) {
        inflateReset(&zs);
        continue;
      }
      break;
    }
    if (z == Z_BUF_ERROR && zs.avail_in == 0) {
      rc = HELM_ERR(err, HELM_EINVALID, "unexpected EOF");
      break;
    }
    if (z != Z_OK && z != Z_BUF_ERROR) {
      rc = HELM_ERR(err, HELM_EINVALID, "gzip: invalid header");
      break;
    }
  }
  inflateEnd(&zs);
  return rc;
}

static int64_t octal(const unsigned char *p, size_t n, int *ok) {
  *ok = 1;
  if (n && (p[0] & 0x80)) { /* base-256 */
    if (p[0] != 0x80) {
      *ok = 0;
      return 0;
    }
    uint64_t v = 0;
    for (size_t i = 1; i < n; i++) {
      if (v >> 55) {
        *ok = 0;
        return 0;
      }
      v = (v << 8) | p[i];
    }
    return (int64_t)v;
  }
  size_t i = 0;
  while (i < n && (p[i] == ' ' || p[i] == 0))
    i++;
  int64_t v = 0;
  int digits = 0;
  for (; i < n && p[i] >= '0' && p[i] <= '7'; i++) {
    if (v > (INT64_MAX >> 3)) {
      *ok = 0;
      return 0;
    }
    v = v * 8 + (p[i] - '0');
    digits++;
  }
  for (; i < n; i++)
    if (p[i] != ' ' && p[i] != 0) *ok = 0;
  (void)digits;
  return v;
}

static char *field(const unsigned char *p, size_t n) {
  size_t k = 0;
  while (k < n && p[k])
    k++;
  return helm_strndup((const char *)p, k);
}

/* PAX records "LEN key=value\n": returns the path / linkpath if present. */
static void pax_parse(const unsigned char *d, size_t n, char **path) {
  size_t i = 0;
  while (i < n) {
    size_t j = i, l = 0;
    while (j < n && d[j] >= '0' && d[j] <= '9')
      l = l * 10 + (size_t)(d[j++] - '0');
    if (j >= n || d[j] != ' ' || l == 0 || i + l > n) return;
    const unsigned char *kv = d + j + 1;
    size_t kvn = i + l - (j + 1);
    if (kvn && kv[kvn - 1] == '\n') kvn--;
    if (kvn > 5 && memcmp(kv, "path=", 5) == 0) {
      free(*path);
      *path = helm_strndup((const char *)kv + 5, kvn - 5);
    }
    i += l;
  }
}

void helm_tar_entries_free(helm_tar_entry *e, size_t n) {
  if (!e) return;
  for (size_t i = 0; i < n; i++) {
    free(e[i].name);
    free(e[i].data);
  }
  free(e);
}

int helm_tar_read_gz(const unsigned char *gz, size_t len, const helm_load_limits *lim,
                     helm_tar_entry **entries, size_t *n, helm_error *err) {
  *entries = NULL;
  *n = 0;
  size_t max_total = lim && lim->max_total_size ? lim->max_total_size : 100u << 20;
  size_t max_file = lim && lim->max_file_size ? lim->max_file_size : 5u << 20;
  size_t max_files = lim && lim->max_files ? lim->max_files : 20000;
  /* the tar stream holds headers and padding too: allow 2x for them */
  gunz g = {0};
  int rc = gunzip_all(gz, len, max_total * 2 + 1024 * 1024, &g, err);
  if (rc) {
    free(g.buf);
    return rc;
  }
  helm_tar_entry *out = NULL;
  size_t cnt = 0, cap = 0, total = 0;
  char *long_name = NULL, *pax_path = NULL;
  size_t off = 0;
  while (off + BLK <= g.len) {
    const unsigned char *h = g.buf + off;
    int zero = 1;
    for (int i = 0; i < BLK; i++)
      if (h[i]) {
        zero = 0;
        break;
      }
    if (zero) break;
    /* checksum */
    unsigned sum = 0;
    for (int i = 0; i < BLK; i++)
      sum += (i >= 148 && i < 156) ? ' ' : h[i];
    int ok;
    int64_t want = octal(h + 148, 8, &ok);
    if (!ok || (unsigned)want != sum) {
      rc = HELM_ERR(err, HELM_EINVALID, "archive/tar: invalid tar header");
      goto fail;
    }
    int64_t size = octal(h + 124, 12, &ok);
    if (!ok || size < 0) {
      rc = HELM_ERR(err, HELM_EINVALID, "archive/tar: invalid tar header");
      goto fail;
    }
    char type = (char)h[156];
    size_t data_off = off + BLK;
    size_t padded = ((size_t)size + BLK - 1) / BLK * BLK;
    if ((uint64_t)size > g.len || data_off + padded > g.len + BLK) {
      rc = HELM_ERR(err, HELM_EINVALID, "unexpected EOF");
      goto fail;
    }
    size_t avail = g.len - data_off < (size_t)size ? g.len - data_off : (size_t)size;
    off = data_off + padded;
    if (type == 'L') { /* GNU long name */
      free(long_name);
      long_name = helm_strndup((const char *)g.buf + data_off, avail);
      if (long_name) long_name[strnlen(long_name, avail)] = 0;
      continue;
    }
    if (type == 'x') {
      pax_parse(g.buf + data_off, avail, &pax_path);
      continue;
    }
    if (type == 'g' || type == 'K') continue;
    char *name;
    if (pax_path) {
      name = pax_path;
      pax_path = NULL;
    } else if (long_name) {
      name = long_name;
      long_name = NULL;
    } else {
      char *nm = field(h, 100);
      if (!nm) goto oom;
      if (memcmp(h + 257, "ustar", 5) == 0 && h[345]) {
        char *pre = field(h + 345, 155);
        if (!pre) {
          free(nm);
          goto oom;
        }
        helm_sb b = {0};
        helm_sb_puts(&b, pre);
        helm_sb_putc(&b, '/');
        helm_sb_puts(&b, nm);
        free(pre);
        free(nm);
        nm = helm_sb_take(&b);
        if (!nm) goto oom;
      }
      name = nm;
    }
    if (cnt >= max_files) {
      free(name);
      rc = HELM_ERR(err, HELM_ETOOBIG, "chart archive has more than %zu files", max_files);
      goto fail;
    }
    int regular = type == '0' || type == 0 || type == '7';
    size_t nlen = strlen(name);
    int is_dir = type == '5' || (nlen && name[nlen - 1] == '/' && (type == '0' || type == 0));
    if (regular && !is_dir && (size_t)size > max_file) {
      rc = HELM_ERR(err, HELM_ETOOBIG,
                    "decompressed chart file \"%s\" is larger than the maximum file size %zu", name,
                    max_file);
      free(name);
      goto fail;
    }
    if (regular && !is_dir) total += (size_t)size;
    if (total > max_total) {
      free(name);
      rc = HELM_ERR(err, HELM_ETOOBIG, "decompressed chart is larger than the maximum size %zu",
                    max_total);
      goto fail;
    }
    if (cnt == cap) {
      size_t nc = cap ? cap * 2 : 32;
      helm_tar_entry *p = realloc(out, nc * sizeof *p);
      if (!p) {
        free(name);
        goto oom;
      }
      out = p;
      cap = nc;
    }
    helm_tar_entry *e = &out[cnt++];
    memset(e, 0, sizeof *e);
    e->name = name;
    e->type = is_dir ? '5' : type ? type : '0';
    if (regular && !is_dir) {
      if (avail < (size_t)size) {
        rc = HELM_ERR(err, HELM_EINVALID, "unexpected EOF");
        goto fail;
      }
      e->data = malloc((size_t)size + 1);
      if (!e->data) goto oom;
      memcpy(e->data, g.buf + data_off, (size_t)size);
      e->data[size] = 0;
      e->size = (size_t)size;
    } else {
      /* links, devices, fifos: content never read, never followed */
      e->data = calloc(1, 1);
      if (!e->data) goto oom;
    }
  }
  free(long_name);
  free(pax_path);
  free(g.buf);
  *entries = out;
  *n = cnt;
  return 0;
oom:
  rc = HELM_ENOMEM_ERR(err);
fail:
  free(long_name);
  free(pax_path);
  free(g.buf);
  helm_tar_entries_free(out, cnt);
  return rc;
}
