/* Sprig date functions over a time.Time-like object with Go's layout-based
 * formatting.  Zones: "UTC", "Local" (the process's local zone) and names
 * of the system zoneinfo; unknown names fall back to UTC (as Sprig does). */
#include "engine/gotmpl/tmpl_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define H exec_heap(x)

typedef struct ttime {
  int64_t sec;
  int32_t nsec;
  int32_t off; /* seconds east of UTC */
  char zone[16];
  bool mono;
  double mono_s;
} ttime;

static const char *days[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                             "Thursday", "Friday", "Saturday"};
static const char *months[] = {"January",   "February", "March",    "April",
                               "May",       "June",     "July",     "August",
                               "September", "October",  "November", "December"};

static void civil(int64_t t, struct tm *tm) {
  time_t tt = (time_t)t;
  gmtime_r(&tt, tm);
}

/* time.LoadLocation from the system's zoneinfo (TZif v2+ 64-bit data);
 * instants past the last transition keep the last offset. */
static uint32_t be32(const unsigned char *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static bool tz_lookup(const char *zone, int64_t t, int32_t *off, char *abbr, size_t abcap) {
  if (!zone[0] || zone[0] == '/' || strstr(zone, "..") || strlen(zone) > 200) return false;
  char path[512];
  const char *dir = getenv("ZONEINFO");
  snprintf(path, sizeof path, "%s/%s", dir && *dir ? dir : "/usr/share/zoneinfo", zone);
  FILE *f = fopen(path, "rb");
  if (!f) return false;
  unsigned char *d = malloc(1 << 20);
  if (!d) {
    fclose(f);
    return false;
  }
  size_t n = fread(d, 1, 1 << 20, f);
  fclose(f);
  bool ok = false;
  if (n < 44 || memcmp(d, "TZif", 4)) {
    free(d);
    return false;
  }
  size_t p = 0;
  int tsize = 4;
  uint32_t isut = be32(d + 20), isstd = be32(d + 24), leap = be32(d + 28), timecnt = be32(d + 32),
           typecnt = be32(d + 36), charcnt = be32(d + 40);
  if (d[4] >= '2') {
    size_t skip =
        44 + (size_t)timecnt * 5 + (size_t)typecnt * 6 + charcnt + (size_t)leap * 8 + isstd + isut;
    if (skip + 44 > n) goto out;
    p = skip;
    tsize = 8;
    isut = be32(d + p + 20), isstd = be32(d + p + 24), leap = be32(d + p + 28),
    timecnt = be32(d + p + 32), typecnt = be32(d + p + 36), charcnt = be32(d + p + 40);
  }
  p += 44;
  size_t need = (size_t)timecnt * (size_t)(tsize + 1) + (size_t)typecnt * 6 + charcnt;
  if (typecnt == 0 || p + need > n) goto out;
  const unsigned char *trans = d + p, *idx = trans + (size_t)timecnt * (size_t)tsize,
                      *types = idx + timecnt, *chars = types + (size_t)typecnt * 6;
  uint32_t ti = 0;
  bool found = false;
  for (uint32_t i = 0; i < timecnt; i++) {
    int64_t tt = tsize == 8
                     ? (int64_t)((uint64_t)be32(trans + 8 * i) << 32 | be32(trans + 8 * i + 4))
                     : (int64_t)(int32_t)be32(trans + 4 * i);
    if (tt > t) break;
    ti = idx[i];
    found = true;
  }
  if (!found) {
    /* before the first transition: the first standard-time type */
    ti = 0;
    for (uint32_t k = 0; k < typecnt; k++)
      if (!types[6 * k + 4]) {
        ti = k;
        break;
      }
  }
  if (ti >= typecnt) goto out;
  *off = (int32_t)be32(types + 6 * ti);
  unsigned ai = types[6 * ti + 5];
  if (ai < charcnt)
    snprintf(abbr, abcap, "%s", (const char *)chars + ai);
  else
    snprintf(abbr, abcap, "UTC");
  ok = true;
out:
  free(d);
  return ok;
}

static void in_zone(ttime *t, const char *zone) {
  if (!strcmp(zone, "Local")) {
    struct tm tm;
    time_t tt = (time_t)t->sec;
    localtime_r(&tt, &tm);
    t->off = (int32_t)tm.tm_gmtoff;
    snprintf(t->zone, sizeof t->zone, "%s", tm.tm_zone ? tm.tm_zone : "UTC");
    return;
  }
  if (strcmp(zone, "UTC") && strcmp(zone, "")) {
    int32_t off;
    char ab[16];
    if (tz_lookup(zone, t->sec, &off, ab, sizeof ab)) {
      t->off = off;
      snprintf(t->zone, sizeof t->zone, "%s", ab);
      return;
    }
  }
  t->off = 0;
  snprintf(t->zone, sizeof t->zone, "UTC");
}

static void put2(sb *b, int v) {
  sb_printf(b, "%02d", v);
}

static void fmt_zone(sb *b, int32_t off, bool colon, bool seconds, bool z, bool hours_only) {
  if (z && off == 0) {
    sb_putc(b, 'Z');
    return;
  }
  int a = off < 0 ? -off : off;
  sb_putc(b, off < 0 ? '-' : '+');
  put2(b, a / 3600);
  if (hours_only) return;
  if (colon) sb_putc(b, ':');
  put2(b, (a / 60) % 60);
  if (seconds) {
    if (colon) sb_putc(b, ':');
    put2(b, a % 60);
  }
}

static bool hasp(const char *s, const char *p) {
  return !strncmp(s, p, strlen(p));
}

/* time.Time.Format */
void go_time_format(sb *b, const ttime *t, const char *layout) {
  struct tm tm;
  civil(t->sec + t->off, &tm);
  int year = tm.tm_year + 1900;
  const char *p = layout;
  while (*p) {
    if (hasp(p, "January")) {
      sb_puts(b, months[tm.tm_mon]);
      p += 7;
      continue;
    }
    if (hasp(p, "Jan")) {
      sb_printf(b, "%.3s", months[tm.tm_mon]);
      p += 3;
      continue;
    }
    if (hasp(p, "Monday")) {
      sb_puts(b, days[tm.tm_wday]);
      p += 6;
      continue;
    }
    if (hasp(p, "Mon")) {
      sb_printf(b, "%.3s", days[tm.tm_wday]);
      p += 3;
      continue;
    }
    if (hasp(p, "MST")) {
      sb_puts(b, t->zone[0] ? t->zone : "UTC");
      p += 3;
      continue;
    }
    if (hasp(p, "2006")) {
      sb_printf(b, "%04d", year);
      p += 4;
      continue;
    }
    if (hasp(p, "2")) {
      sb_printf(b, "%d", tm.tm_mday);
      p += 1;
      continue;
    }
    if (hasp(p, "_2")) {
      if (hasp(p, "_2006")) {
        sb_printf(b, "_%04d", year);
        p += 5;
        continue;
      }
      sb_printf(b, "%2d", tm.tm_mday);
      p += 2;
      continue;
    }
    if (hasp(p, "002")) {
      sb_printf(b, "%03d", tm.tm_yday + 1);
      p += 3;
      continue;
    }
    if (hasp(p, "01")) {
      put2(b, tm.tm_mon + 1);
      p += 2;
      continue;
    }
    if (hasp(p, "02")) {
      put2(b, tm.tm_mday);
      p += 2;
      continue;
    }
    if (hasp(p, "03")) {
      put2(b, tm.tm_hour % 12 ? tm.tm_hour % 12 : 12);
      p += 2;
      continue;
    }
    if (hasp(p, "04")) {
      put2(b, tm.tm_min);
      p += 2;
      continue;
    }
    if (hasp(p, "05")) {
      put2(b, tm.tm_sec);
      p += 2;
      continue;
    }
    if (hasp(p, "06")) {
      put2(b, year % 100);
      p += 2;
      continue;
    }
    if (hasp(p, "15")) {
      put2(b, tm.tm_hour);
      p += 2;
      continue;
    }
    if (hasp(p, "1")) {
      sb_printf(b, "%d", tm.tm_mon + 1);
      p += 1;
      continue;
    }
    if (hasp(p, "3")) {
      sb_printf(b, "%d", tm.tm_hour % 12 ? tm.tm_hour % 12 : 12);
      p += 1;
      continue;
    }
    if (hasp(p, "4")) {
      sb_printf(b, "%d", tm.tm_min);
      p += 1;
      continue;
    }
    if (hasp(p, "5")) {
      sb_printf(b, "%d", tm.tm_sec);
      p += 1;
      continue;
    }
    if (hasp(p, "PM")) {
      sb_puts(b, tm.tm_hour >= 12 ? "PM" : "AM");
      p += 2;
      continue;
    }
    if (hasp(p, "pm")) {
      sb_puts(b, tm.tm_hour >= 12 ? "pm" : "am");
      p += 2;
      continue;
    }
    if (hasp(p, "Z070000")) {
      fmt_zone(b, t->off, false, true, true, false);
      p += 7;
      continue;
    }
    if (hasp(p, "Z07:00:00")) {
      fmt_zone(b, t->off, true, true, true, false);
      p += 9;
      continue;
    }
    if (hasp(p, "Z0700")) {
      fmt_zone(b, t->off, false, false, true, false);
      p += 5;
      continue;
    }
    if (hasp(p, "Z07:00")) {
      fmt_zone(b, t->off, true, false, true, false);
      p += 6;
      continue;
    }
    if (hasp(p, "Z07")) {
      fmt_zone(b, t->off, false, false, true, true);
      p += 3;
      continue;
    }
    if (hasp(p, "-070000")) {
      fmt_zone(b, t->off, false, true, false, false);
      p += 7;
      continue;
    }
    if (hasp(p, "-07:00:00")) {
      fmt_zone(b, t->off, true, true, false, false);
      p += 9;
      continue;
    }
    if (hasp(p, "-0700")) {
      fmt_zone(b, t->off, false, false, false, false);
      p += 5;
      continue;
    }
    if (hasp(p, "-07:00")) {
      fmt_zone(b, t->off, true, false, false, false);
      p += 6;
      continue;
    }
    if (hasp(p, "-07")) {
      fmt_zone(b, t->off, false, false, false, true);
      p += 3;
      continue;
    }
    if ((p[0] == '.' || p[0] == ',') && (p[1] == '0' || p[1] == '9')) {
      char d = p[1];
      int n = 1;
      while (p[1 + n] == d)
        n++;
      if (!(p[1 + n] >= '0' && p[1 + n] <= '9')) {
        char frac[16];
        snprintf(frac, sizeof frac, "%09d", t->nsec);
        if (n > 9) n = 9;
        if (d == '0') {
          sb_putc(b, p[0]);
          sb_putn(b, frac, (size_t)n);
        } else {
          int k = n;
          while (k > 0 && frac[k - 1] == '0')
            k--;
          if (k > 0) {
            sb_putc(b, p[0]);
            sb_putn(b, frac, (size_t)k);
          }
        }
        p += 1 + n;
        continue;
      }
    }
    sb_putc(b, *p++);
  }
}

void time_string(sb *b, const tval *self) {
  const ttime *t = (const ttime *)self->u.m->ext;
  go_time_format(b, t, "2006-01-02 15:04:05.999999999 -0700 MST");
  if (t->mono) sb_printf(b, " m=+%.9f", t->mono_s);
}

static tval *time_value(texec *x, const ttime *t);

static int m_time_unix(tmpl_call *c, void *ud, tmpl_value *self, tmpl_value **a, size_t n,
                       tmpl_value **out) {
  (void)ud;
  (void)a;
  (void)n;
  *out = tv_i64(tmpl_call_heap(c), ((ttime *)self->u.m->ext)->sec);
  return 0;
}

static int m_time_format(tmpl_call *c, void *ud, tmpl_value *self, tmpl_value **a, size_t n,
                         tmpl_value **out) {
  (void)ud;
  (void)n;
  sb b = {0};
  go_time_format(&b, (ttime *)self->u.m->ext, a[0]->u.s.p);
  *out = sb_to_val(tmpl_call_heap(c), &b);
  return 0;
}

static int m_time_part(tmpl_call *c, void *ud, tmpl_value *self, tmpl_value **a, size_t n,
                       tmpl_value **out) {
  (void)a;
  (void)n;
  ttime *t = (ttime *)self->u.m->ext;
  struct tm tm;
  civil(t->sec + t->off, &tm);
  int v = 0;
  switch ((int)(intptr_t)ud) {
  case 0:
    v = tm.tm_year + 1900;
    break;
  case 1:
    v = tm.tm_mon + 1;
    break;
  case 2:
    v = tm.tm_mday;
    break;
  case 3:
    v = tm.tm_hour;
    break;
  case 4:
    v = tm.tm_min;
    break;
  case 5:
    v = tm.tm_sec;
    break;
  case 6:
    v = tm.tm_yday + 1;
    break;
  }
  *out = tv_int(tmpl_call_heap(c), v);
  return 0;
}

static tval *time_value(texec *x, const ttime *t) {
  tval *s = tmpl_struct(H, "time.Time");
  ttime *c = th_alloc(H, sizeof *c);
  *c = *t;
  s->u.m->ext = c;
  s->u.m->ext_type = 3;
  tmpl_add_method(s, "Unix", 0, m_time_unix, NULL);
  tmpl_add_method(s, "Format", 1, m_time_format, NULL);
  tmpl_add_method(s, "Year", 0, m_time_part, (void *)0);
  tmpl_add_method(s, "Day", 0, m_time_part, (void *)2);
  tmpl_add_method(s, "Hour", 0, m_time_part, (void *)3);
  tmpl_add_method(s, "Minute", 0, m_time_part, (void *)4);
  tmpl_add_method(s, "Second", 0, m_time_part, (void *)5);
  tmpl_add_method(s, "YearDay", 0, m_time_part, (void *)6);
  return s;
}

static bool is_time(const tval *v) {
  return v && v->kind == TMPL_STRUCT && v->u.m->ext_type == 3;
}

static ttime now_time(texec *x) {
  ttime t = {0};
  if (exec_opts(x)->fixed_now) {
    t.sec = exec_now(x);
  } else {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    t.sec = ts.tv_sec;
    t.nsec = (int32_t)ts.tv_nsec;
    t.mono = true;
    t.mono_s = 0.01;
  }
  in_zone(&t, "Local");
  return t;
}

static tval *f_now(texec *x, tval **a, int n) {
  (void)a;
  (void)n;
  ttime t = now_time(x);
  return time_value(x, &t);
}

static ttime arg_time(texec *x, tval *v) {
  ttime t;
  if (is_time(v)) return *(ttime *)v->u.m->ext;
  if (v->kind == TMPL_INT &&
      (!v->tname || !strcmp(v->tname, "int") || !strcmp(v->tname, "int32"))) {
    memset(&t, 0, sizeof t);
    t.sec = v->u.i;
    in_zone(&t, "Local");
    return t;
  }
  t = now_time(x);
  return t;
}

static tval *date_in_zone(texec *x, tval *fmt, tval *date, const char *zone) {
  ttime t = arg_time(x, date);
  t.mono = false;
  in_zone(&t, zone);
  sb b = {0};
  go_time_format(&b, &t, fmt->u.s.p);
  return sb_to_val(H, &b);
}

static tval *f_date(texec *x, tval **a, int n) {
  (void)n;
  return date_in_zone(x, a[0], a[1], "Local");
}
static tval *f_dateinzone(texec *x, tval **a, int n) {
  (void)n;
  return date_in_zone(x, a[0], a[1], a[2]->u.s.p);
}
static tval *f_htmldate(texec *x, tval **a, int n) {
  (void)n;
  tval f = {.kind = TMPL_STRING};
  f.u.s.p = "2006-01-02";
  f.u.s.n = 10;
  return date_in_zone(x, &f, a[0], "Local");
}
static tval *f_htmldateinzone(texec *x, tval **a, int n) {
  (void)n;
  tval f = {.kind = TMPL_STRING};
  f.u.s.p = "2006-01-02";
  f.u.s.n = 10;
  return date_in_zone(x, &f, a[0], a[1]->u.s.p);
}

/* time.Duration.String for whole nanoseconds */
static void duration_string(sb *b, int64_t d) {
  if (d == 0) {
    sb_puts(b, "0s");
    return;
  }
  uint64_t u = d < 0 ? (uint64_t)0 - (uint64_t)d : (uint64_t)d;
  if (d < 0) sb_putc(b, '-');
  if (u < 1000000000ULL) {
    /* ns, µs, ms */
    const char *unit;
    uint64_t div;
    if (u < 1000) {
      sb_printf(b, "%lluns", (unsigned long long)u);
      return;
    } else if (u < 1000000) {
      unit = "µs";
      div = 1000;
    } else {
      unit = "ms";
      div = 1000000;
    }
    sb_printf(b, "%llu", (unsigned long long)(u / div));
    uint64_t frac = u % div;
    if (frac) {
      char f[16];
      int w = div == 1000 ? 3 : 6;
      snprintf(f, sizeof f, "%0*llu", w, (unsigned long long)frac);
      int k = w;
      while (k > 0 && f[k - 1] == '0')
        k--;
      sb_printf(b, ".%.*s", k, f);
    }
    sb_puts(b, unit);
    return;
  }
  uint64_t secs = u / 1000000000ULL, frac = u % 1000000000ULL;
  uint64_t h = secs / 3600, m = (secs / 60) % 60, s = secs % 60;
  if (h) sb_printf(b, "%lluh", (unsigned long long)h);
  if (h || m) sb_printf(b, "%llum", (unsigned long long)m);
  sb_printf(b, "%llu", (unsigned long long)s);
  if (frac) {
    char f[16];
    snprintf(f, sizeof f, "%09llu", (unsigned long long)frac);
    int k = 9;
    while (k > 0 && f[k - 1] == '0')
      k--;
    sb_printf(b, ".%.*s", k, f);
  }
  sb_putc(b, 's');
}

static tval *f_duration(texec *x, tval **a, int n) {
  (void)n;
  int64_t s = 0;
  tval *v = a[0];
  if (v->kind == TMPL_STRING) {
    char *end;
    s = strtoll(v->u.s.p, &end, 10);
    if (*end) s = 0;
  } else if (v->kind == TMPL_INT && (!v->tname || !strcmp(v->tname, "int64")))
    s = v->u.i;
  sb b = {0};
  duration_string(&b, s * 1000000000LL);
  return sb_to_val(H, &b);
}

/* time.ParseDuration; returns 0 ok */
static int parse_duration(const char *s, int64_t *out) {
  const char *p = s;
  bool neg = false;
  if (*p == '-' || *p == '+') {
    neg = *p == '-';
    p++;
  }
  if (!strcmp(p, "0")) {
    *out = 0;
    return 0;
  }
  if (!*p) return -1;
  double total = 0;
  while (*p) {
    if (!((*p >= '0' && *p <= '9') || *p == '.')) return -1;
    char *end;
    double v = strtod(p, &end);
    if (end == p) return -1;
    p = end;
    double unit;
    if (hasp(p, "ns"))
      unit = 1, p += 2;
    else if (hasp(p, "us"))
      unit = 1e3, p += 2;
    else if (hasp(p, "µs"))
      unit = 1e3, p += strlen("µs");
    else if (hasp(p, "ms"))
      unit = 1e6, p += 2;
    else if (hasp(p, "s"))
      unit = 1e9, p += 1;
    else if (hasp(p, "m"))
      unit = 60e9, p += 1;
    else if (hasp(p, "h"))
      unit = 3600e9, p += 1;
    else
      return -1;
    total += v * unit;
  }
  *out = (int64_t)(neg ? -total : total);
  return 0;
}

static tval *f_durationround(texec *x, tval **a, int n) {
  (void)n;
  int64_t d = 0;
  tval *v = a[0];
  if (v->kind == TMPL_STRING)
    parse_duration(v->u.s.p, &d);
  else if (v->kind == TMPL_INT && (!v->tname || !strcmp(v->tname, "int64")))
    d = v->u.i;
  else if (is_time(v)) {
    ttime t = *(ttime *)v->u.m->ext;
    d = (exec_now(x) - t.sec) * 1000000000LL;
  }
  uint64_t u = d < 0 ? (uint64_t)0 - (uint64_t)d : (uint64_t)d;
  const uint64_t S = 1000000000ULL, M = 60 * S, Hh = 60 * M, D = 24 * Hh, MO = 30 * D, Y = 365 * D;
  char buf[32];
  if (u > Y)
    snprintf(buf, sizeof buf, "%lluy", (unsigned long long)(u / Y));
  else if (u > MO)
    snprintf(buf, sizeof buf, "%llumo", (unsigned long long)(u / MO));
  else if (u > D)
    snprintf(buf, sizeof buf, "%llud", (unsigned long long)(u / D));
  else if (u > Hh)
    snprintf(buf, sizeof buf, "%lluh", (unsigned long long)(u / Hh));
  else if (u > M)
    snprintf(buf, sizeof buf, "%llum", (unsigned long long)(u / M));
  else if (u > S)
    snprintf(buf, sizeof buf, "%llus", (unsigned long long)(u / S));
  else
    snprintf(buf, sizeof buf, "0s");
  return tv_cstr(H, buf);
}

static int64_t now_ns(texec *x) {
  if (exec_opts(x)->fixed_now) return exec_now(x) * 1000000000LL;
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static tval *f_ago(texec *x, tval **a, int n) {
  (void)n;
  ttime t = arg_time(x, a[0]);
  /* time.Since(t).Round(time.Second) */
  int64_t d = now_ns(x) - (t.sec * 1000000000LL + t.nsec);
  int64_t r = d >= 0 ? (d + 500000000LL) / 1000000000LL : -((-d + 500000000LL) / 1000000000LL);
  sb b = {0};
  duration_string(&b, r * 1000000000LL);
  return sb_to_val(H, &b);
}

static tval *f_unixepoch(texec *x, tval **a, int n) {
  (void)n;
  if (!is_time(a[0]))
    return fn_error(x, "wrong type for value; expected time.Time; got %s", tv_type(a[0]));
  char buf[32];
  snprintf(buf, sizeof buf, "%lld", (long long)((ttime *)a[0]->u.m->ext)->sec);
  return tv_cstr(H, buf);
}

static tval *date_modify(texec *x, tval **a, bool must) {
  if (!is_time(a[1]))
    return fn_error(x, "wrong type for value; expected time.Time; got %s", tv_type(a[1]));
  int64_t d;
  if (parse_duration(a[0]->u.s.p, &d) != 0) {
    if (must) return fn_error(x, "time: invalid duration \"%s\"", a[0]->u.s.p);
    return a[1];
  }
  ttime t = *(ttime *)a[1]->u.m->ext;
  int64_t ns = (int64_t)t.nsec + d % 1000000000LL;
  t.sec += d / 1000000000LL + (ns >= 1000000000LL ? 1 : ns < 0 ? -1 : 0);
  t.nsec = (int32_t)((ns % 1000000000LL + 1000000000LL) % 1000000000LL);
  return time_value(x, &t);
}
static tval *f_datemodify(texec *x, tval **a, int n) {
  (void)n;
  return date_modify(x, a, false);
}
static tval *f_mustdatemodify(texec *x, tval **a, int n) {
  (void)n;
  return date_modify(x, a, true);
}

/* time.ParseInLocation for numeric layouts (2006 01 02 15 04 05 Z07:00 …) */
static int parse_num(const char **s, int min, int max, int *out) {
  int v = 0, k = 0;
  while (**s >= '0' && **s <= '9' && k < max) {
    v = v * 10 + (**s - '0');
    (*s)++;
    k++;
  }
  if (k < min) return -1;
  *out = v;
  return 0;
}

static int time_parse(const char *layout, const char *value, ttime *out) {
  int year = 1, mon = 1, day = 1, hour = 0, min = 0, sec = 0, nsec = 0, off = 0;
  bool pm = false, has_pm = false;
  const char *p = layout, *v = value;
  while (*p) {
    if (hasp(p, "2006")) {
      if (parse_num(&v, 4, 4, &year)) return -1;
      p += 4;
      continue;
    }
    if (hasp(p, "01")) {
      if (parse_num(&v, 2, 2, &mon)) return -1;
      p += 2;
      continue;
    }
    if (hasp(p, "02")) {
      if (parse_num(&v, 2, 2, &day)) return -1;
      p += 2;
      continue;
    }
    if (hasp(p, "15")) {
      if (parse_num(&v, 2, 2, &hour)) return -1;
      p += 2;
      continue;
    }
    if (hasp(p, "03")) {
      if (parse_num(&v, 2, 2, &hour)) return -1;
      p += 2;
      continue;
    }
    if (hasp(p, "04")) {
      if (parse_num(&v, 2, 2, &min)) return -1;
      p += 2;
      continue;
    }
    if (hasp(p, "05")) {
      if (parse_num(&v, 2, 2, &sec)) return -1;
      p += 2;
      continue;
    }
    if (hasp(p, "06")) {
      if (parse_num(&v, 2, 2, &year)) return -1;
      year += year >= 69 ? 1900 : 2000;
      p += 2;
      continue;
    }
    if (hasp(p, "Jan")) {
      int m = -1;
      for (int i = 0; i < 12; i++)
        if (!strncmp(v, months[i], 3)) m = i;
      if (m < 0) return -1;
      mon = m + 1;
      v += 3;
      p += hasp(p, "January") ? 7 : 3;
      if (p[-1] == 'y') v += strlen(months[m]) - 3;
      continue;
    }
    if (hasp(p, "1")) {
      if (parse_num(&v, 1, 2, &mon)) return -1;
      p += 1;
      continue;
    }
    if (hasp(p, "2")) {
      if (parse_num(&v, 1, 2, &day)) return -1;
      p += 1;
      continue;
    }
    if (hasp(p, "3")) {
      if (parse_num(&v, 1, 2, &hour)) return -1;
      p += 1;
      continue;
    }
    if (hasp(p, "4")) {
      if (parse_num(&v, 1, 2, &min)) return -1;
      p += 1;
      continue;
    }
    if (hasp(p, "5")) {
      if (parse_num(&v, 1, 2, &sec)) return -1;
      p += 1;
      continue;
    }
    if (hasp(p, "PM")) {
      has_pm = true;
      pm = !strncmp(v, "PM", 2);
      v += 2;
      p += 2;
      continue;
    }
    if (hasp(p, "Z07:00") || hasp(p, "-07:00")) {
      if (*v == 'Z' && p[0] == 'Z') {
        v++;
      } else {
        int sign = *v == '-' ? -1 : *v == '+' ? 1 : 0;
        if (!sign) return -1;
        v++;
        int hh, mm;
        if (parse_num(&v, 2, 2, &hh) || *v++ != ':' || parse_num(&v, 2, 2, &mm)) return -1;
        off = sign * (hh * 3600 + mm * 60);
      }
      p += 6;
      continue;
    }
    if ((p[0] == '.' || p[0] == ',') && (p[1] == '0' || p[1] == '9')) {
      p++;
      while (*p == '0' || *p == '9')
        p++;
      if (*v == '.' || *v == ',') {
        v++;
        int k = 0;
        while (*v >= '0' && *v <= '9') {
          if (k < 9) nsec = nsec * 10 + (*v - '0');
          k++;
          v++;
        }
        while (k++ < 9)
          nsec *= 10;
      }
      continue;
    }
    if (*p != *v) return -1;
    p++;
    v++;
  }
  if (*v) return -1;
  if (has_pm && pm && hour < 12) hour += 12;
  if (mon < 1 || mon > 12 || day < 1 || day > 31 || hour > 23 || min > 59 || sec > 59) return -2;
  struct tm tm = {0};
  tm.tm_year = year - 1900;
  tm.tm_mon = mon - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = min;
  tm.tm_sec = sec;
  out->sec = (int64_t)timegm(&tm) - off;
  out->nsec = nsec;
  out->off = off;
  snprintf(out->zone, sizeof out->zone, off == 0 ? "UTC" : "");
  return 0;
}

static tval *to_date(texec *x, tval **a, bool must) {
  ttime t = {0};
  if (time_parse(a[0]->u.s.p, a[1]->u.s.p, &t) != 0) {
    if (must)
      return fn_error(x, "parsing time \"%s\" as \"%s\": cannot parse \"%s\" as \"%s\"",
                      a[1]->u.s.p, a[0]->u.s.p, a[1]->u.s.p, a[0]->u.s.p);
    ttime z = {0};
    z.sec = -62135596800LL;
    snprintf(z.zone, sizeof z.zone, "UTC");
    return time_value(x, &z);
  }
  if (t.off == 0 && !strchr(a[0]->u.s.p, 'Z')) in_zone(&t, "Local");
  return time_value(x, &t);
}
static tval *f_todate(texec *x, tval **a, int n) {
  (void)n;
  return to_date(x, a, false);
}
static tval *f_musttodate(texec *x, tval **a, int n) {
  (void)n;
  return to_date(x, a, true);
}

const tfunc tmpl_funcs_date[] = {
    {"now", f_now, 0, {0}, false, 0, "time.Time"},
    {"date", f_date, 2, {P_STR, P_ANY}, false, 0, "string"},
    {"dateInZone", f_dateinzone, 3, {P_STR, P_ANY, P_STR}, false, 0, "string"},
    {"date_in_zone", f_dateinzone, 3, {P_STR, P_ANY, P_STR}, false, 0, "string"},
    {"htmlDate", f_htmldate, 1, {P_ANY}, false, 0, "string"},
    {"htmlDateInZone", f_htmldateinzone, 2, {P_ANY, P_STR}, false, 0, "string"},
    {"duration", f_duration, 1, {P_ANY}, false, 0, "string"},
    {"durationRound", f_durationround, 1, {P_ANY}, false, 0, "string"},
    {"ago", f_ago, 1, {P_ANY}, false, 0, "string"},
    {"unixEpoch", f_unixepoch, 1, {P_ANY}, false, 0, "string"},
    {"dateModify", f_datemodify, 2, {P_STR, P_ANY}, false, 0, "time.Time"},
    {"date_modify", f_datemodify, 2, {P_STR, P_ANY}, false, 0, "time.Time"},
    {"mustDateModify", f_mustdatemodify, 2, {P_STR, P_ANY}, false, 0, "time.Time"},
    {"must_date_modify", f_mustdatemodify, 2, {P_STR, P_ANY}, false, 0, "time.Time"},
    {"toDate", f_todate, 2, {P_STR, P_STR}, false, 0, "time.Time"},
    {"mustToDate", f_musttodate, 2, {P_STR, P_STR}, false, 0, "time.Time"},
    {NULL, NULL, 0, {0}, false, 0, NULL},
};
