/* Sprig encoding and hashing functions: b64*, b32*, sha*sum, adler32sum,
 * uuidv4, randBytes; path and URL helpers. */
#include "engine/gotmpl/tmpl_internal.h"

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>

#define H exec_heap(x)

static const char B64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int b64_encode(const unsigned char *in, size_t n, sb *out)
{
	sb_putn(out, "", 0);
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)in[i] << 16;
		if (i + 1 < n)
			v |= (unsigned)in[i + 1] << 8;
		if (i + 2 < n)
			v |= in[i + 2];
		sb_putc(out, B64[(v >> 18) & 63]);
		sb_putc(out, B64[(v >> 12) & 63]);
		sb_putc(out, i + 1 < n ? B64[(v >> 6) & 63] : '=');
		sb_putc(out, i + 2 < n ? B64[v & 63] : '=');
	}
	return 0;
}

/* base64.StdEncoding.DecodeString (strict padding, \r\n ignored);
 * returns 0 or the byte offset + 1 of the first illegal input */
static long b64_decode_go(const char *in, size_t n, sb *out)
{
	sb_putn(out, "", 0);
	unsigned v = 0;
	int k = 0;
	size_t i = 0;
	int pad = 0;
	size_t last_pos = 0;
	for (; i < n; i++) {
		char c = in[i];
		if (c == '\r' || c == '\n')
			continue;
		if (pad) {
			if (c == '=' && pad < 2 && k == 3) {
				pad++;
				continue;
			}
			return (long)i + 1;
		}
		if (c == '=') {
			if (k < 2)
				return (long)i + 1;
			pad = 1;
			last_pos = i;
			continue;
		}
		const char *p = strchr(B64, c);
		if (!p || !c)
			return (long)i + 1;
		v = (v << 6) | (unsigned)(p - B64);
		k++;
		if (k == 4) {
			sb_putc(out, (char)(v >> 16));
			sb_putc(out, (char)(v >> 8));
			sb_putc(out, (char)v);
			v = 0;
			k = 0;
		}
	}
	(void)last_pos;
	if (pad) {
		/* k == 2 needs "==", k == 3 needs "=" */
		if (k == 2 && pad != 2)
			return (long)n + 1;
		if (k == 3 && pad != 1)
			return (long)n + 1;
		if (k == 2)
			sb_putc(out, (char)(v >> 4));
		else if (k == 3) {
			sb_putc(out, (char)(v >> 10));
			sb_putc(out, (char)(v >> 2));
		}
		return 0;
	}
	if (k != 0)
		return (long)n + 1;
	return 0;
}

int b64_decode(const char *in, size_t n, sb *out) { return b64_decode_go(in, n, out) == 0 ? 0 : -1; }

static tval *f_b64enc(texec *x, tval **a, int n)
{
	(void)n;
	sb o = {0};
	b64_encode((const unsigned char *)a[0]->u.s.p, a[0]->u.s.n, &o);
	return sb_to_val(H, &o);
}

static tval *f_b64dec(texec *x, tval **a, int n)
{
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

static tval *f_b32enc(texec *x, tval **a, int n)
{
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

static tval *f_b32dec(texec *x, tval **a, int n)
{
	(void)n;
	const char *in = a[0]->u.s.p;
	size_t len = a[0]->u.s.n;
	sb o = {0};
	sb_putn(&o, "", 0);
	uint64_t v = 0;
	int bits = 0;
	for (size_t i = 0; i < len; i++) {
		char c = in[i];
		if (c == '\r' || c == '\n')
			continue;
		if (c == '=')
			break;
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

static tval *digest_hex(texec *x, const EVP_MD *md, tval *s)
{
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int dl = 0;
	EVP_Digest(s->u.s.p, s->u.s.n, d, &dl, md, NULL);
	char hex[2 * EVP_MAX_MD_SIZE + 1];
	for (unsigned i = 0; i < dl; i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
	return tv_str(H, hex, 2 * dl);
}

static tval *f_sha1(texec *x, tval **a, int n)
{
	(void)n;
	return digest_hex(x, EVP_sha1(), a[0]);
}
static tval *f_sha256(texec *x, tval **a, int n)
{
	(void)n;
	return digest_hex(x, EVP_sha256(), a[0]);
}
static tval *f_sha512(texec *x, tval **a, int n)
{
	(void)n;
	return digest_hex(x, EVP_sha512(), a[0]);
}
static tval *f_adler32(texec *x, tval **a, int n)
{
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

static void rand_bytes(texec *x, unsigned char *p, size_t n)
{
	if (exec_opts(x)->rand_seed) {
		for (size_t i = 0; i < n; i++)
			p[i] = (unsigned char)exec_rand(x);
		return;
	}
	if (RAND_bytes(p, (int)n) != 1)
		for (size_t i = 0; i < n; i++)
			p[i] = (unsigned char)exec_rand(x);
}

static tval *f_uuidv4(texec *x, tval **a, int n)
{
	(void)a;
	(void)n;
	unsigned char u[16];
	rand_bytes(x, u, 16);
	u[6] = (u[6] & 0x0f) | 0x40;
	u[8] = (u[8] & 0x3f) | 0x80;
	char s[40];
	snprintf(s, sizeof s, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", u[0], u[1],
		 u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15]);
	return tv_cstr(H, s);
}

static tval *f_randbytes(texec *x, tval **a, int n)
{
	(void)n;
	int64_t c = a[0]->u.i;
	if (c < 0 || c > (1 << 24))
		return fn_error(x, "invalid randBytes count");
	unsigned char *buf = malloc((size_t)c + 1);
	if (!buf)
		abort();
	rand_bytes(x, buf, (size_t)c);
	sb o = {0};
	b64_encode(buf, (size_t)c, &o);
	free(buf);
	return sb_to_val(H, &o);
}

/* ---------------- path (Go's path package) ---------------- */
static void path_clean(sb *o, const char *p, size_t n)
{
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
				if (o->n > 0)
					sb_putc(o, '/');
				sb_puts(o, "..");
				dotdot = o->n;
			}
		} else {
			if ((rooted && o->n != 1) || (!rooted && o->n != 0))
				sb_putc(o, '/');
			for (; r < n && p[r] != '/'; r++)
				sb_putc(o, p[r]);
		}
	}
	if (o->n == 0)
		sb_putc(o, '.');
}

static tval *f_clean(texec *x, tval **a, int n)
{
	(void)n;
	sb o = {0};
	path_clean(&o, a[0]->u.s.p, a[0]->u.s.n);
	return sb_to_val(H, &o);
}
static tval *f_base(texec *x, tval **a, int n)
{
	(void)n;
	const char *p = a[0]->u.s.p;
	size_t len = a[0]->u.s.n;
	if (len == 0)
		return tv_cstr(H, ".");
	while (len > 0 && p[len - 1] == '/')
		len--;
	size_t i = len;
	while (i > 0 && p[i - 1] != '/')
		i--;
	if (len == 0)
		return tv_cstr(H, "/");
	return tv_str(H, p + i, len - i);
}
static tval *f_dir(texec *x, tval **a, int n)
{
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
static tval *f_ext(texec *x, tval **a, int n)
{
	(void)n;
	const char *p = a[0]->u.s.p;
	size_t len = a[0]->u.s.n;
	for (size_t i = len; i > 0 && p[i - 1] != '/'; i--)
		if (p[i - 1] == '.')
			return tv_str(H, p + i - 1, len - i + 1);
	return tv_str(H, "", 0);
}
static tval *f_isabs(texec *x, tval **a, int n)
{
	(void)n;
	return tv_bool(H, a[0]->u.s.n > 0 && a[0]->u.s.p[0] == '/');
}

const tfunc tmpl_funcs_encoding[] = {
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
