/* Function tables not yet implemented (filled in by their own files). */
#include "engine/gotmpl/tmpl_internal.h"

#include <stdio.h>


const tfunc tmpl_funcs_date[] = {{NULL, NULL, 0, {0}, false, 0, NULL}};

int toml_emit(sb *b, const tval *v, char *errbuf, size_t errcap)
{
	(void)b;
	(void)v;
	snprintf(errbuf, errcap, "toToml is not supported");
	return -1;
}

void ts_to_rfc3339(sb *o, const char *s, size_t n) { sb_putn(o, s, n); }

void time_string(sb *b, const tval *self)
{
	(void)self;
	sb_puts(b, "0001-01-01 00:00:00 +0000 UTC");
}
