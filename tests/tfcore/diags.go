package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

type Severity int

const (
	SevError Severity = iota + 1
	SevWarning
)

type Diag struct {
	Severity     Severity
	Summary      string
	Detail       string
	Subject      *hcl.Range
	Address      string // rendered as "with ADDR,"
	FromProvider bool
	HasPath      bool
	AttrPath     cty.Path
}

type Diags []Diag

func (d Diags) Append(more ...Diag) Diags { return append(d, more...) }

func (d Diags) HasErrors() bool {
	for _, x := range d {
		if x.Severity == SevError {
			return true
		}
	}
	return false
}

func errDiag(summary, detail string) Diag {
	return Diag{Severity: SevError, Summary: summary, Detail: detail}
}

func hclDiags(hd hcl.Diagnostics) Diags {
	var out Diags
	for _, d := range hd {
		sev := SevError
		if d.Severity == hcl.DiagWarning {
			sev = SevWarning
		}
		out = append(out, Diag{Severity: sev, Summary: d.Summary, Detail: d.Detail, Subject: d.Subject})
	}
	return out
}

// withAddr sets the address (and a default subject) on diagnostics that have none.
func (d Diags) withAddr(addr string, rng *hcl.Range) Diags {
	for i := range d {
		if d[i].Address == "" && d[i].Subject != nil {
			d[i].Address = addr
		}
		if d[i].Subject == nil && rng != nil && d[i].FromProvider {
			r := *rng
			d[i].Subject = &r
			d[i].Address = addr
		}
	}
	return d
}

// sourceFiles holds the bytes of every parsed file, for snippets.
var sourceFiles = map[string][]byte{}
var sourceFilesNav = map[string]*hcl.File{}
var sourceMu sync.Mutex

func contextString(rng *hcl.Range) string {
	sourceMu.Lock()
	f := sourceFilesNav[rng.Filename]
	sourceMu.Unlock()
	if f == nil || f.Nav == nil {
		return ""
	}
	if cs, ok := f.Nav.(interface{ ContextString(offset int) string }); ok {
		return cs.ContextString(rng.Start.Byte)
	}
	return ""
}

func (d Diag) Render() string {
	var buf bytes.Buffer
	switch d.Severity {
	case SevError:
		buf.WriteString("\nError: ")
	default:
		buf.WriteString("\nWarning: ")
	}
	buf.WriteString(d.Summary)
	buf.WriteString("\n\n")
	hasSource := false
	if d.Address != "" {
		fmt.Fprintf(&buf, "  with %s,\n", d.Address)
		hasSource = true
	}
	if d.Subject != nil && d.Subject.Filename != "" {
		hasSource = true
		ctx := contextString(d.Subject)
		if ctx != "" {
			ctx = ", in " + ctx
		}
		fmt.Fprintf(&buf, "  on %s line %d%s:\n", d.Subject.Filename, d.Subject.Start.Line, ctx)
		sourceMu.Lock()
		src := sourceFiles[d.Subject.Filename]
		sourceMu.Unlock()
		if src != nil {
			sc := bufio.NewScanner(bytes.NewReader(src))
			sc.Buffer(make([]byte, 1024*1024), 1024*1024)
			line := 0
			for sc.Scan() {
				line++
				if line >= d.Subject.Start.Line && line <= d.Subject.End.Line && line < d.Subject.Start.Line+5 {
					fmt.Fprintf(&buf, "%4d: %s\n", line, sc.Text())
				}
				if line > d.Subject.End.Line {
					break
				}
			}
		}
	}
	if hasSource {
		buf.WriteString("\n")
	}
	if d.Detail != "" {
		buf.WriteString(d.Detail)
		buf.WriteString("\n")
	}
	return buf.String()
}

func printDiags(w io.Writer, wErr io.Writer, diags Diags) {
	for _, d := range diags {
		if d.Severity == SevError {
			fmt.Fprint(wErr, d.Render())
		} else {
			fmt.Fprint(w, d.Render())
		}
	}
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func indentLines(s, ind string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = ind + l
		}
	}
	return strings.Join(lines, "\n")
}
