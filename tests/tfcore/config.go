package main

// Loading a root module from .tf files.

import (
	"fmt"
	"io/ioutil"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/typeexpr"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

type Mode int

const (
	ManagedMode Mode = iota
	DataMode
)

type Variable struct {
	Name        string
	Type        cty.Type
	Defaults    *typeexpr.Defaults
	Default     cty.Value
	HasDefault  bool
	Sensitive   bool
	Nullable    bool
	Validations []*Validation
	DeclRange   hcl.Range
}

type Validation struct {
	Condition    hcl.Expression
	ErrorMessage hcl.Expression
	DeclRange    hcl.Range
}

type Local struct {
	Name string
	Expr hcl.Expression
}

type Output struct {
	Name      string
	Expr      hcl.Expression
	Sensitive bool
	DependsOn []hcl.Traversal
	DeclRange hcl.Range
}

type ProviderConfig struct {
	Name      string // local name
	Alias     string
	Config    hcl.Body
	HasBody   bool
	DeclRange hcl.Range
}

func (p *ProviderConfig) Key() string {
	if p.Alias != "" {
		return p.Name + "." + p.Alias
	}
	return p.Name
}

type ResourceConfig struct {
	Mode                Mode
	Type, Name          string
	Count, ForEach      hcl.Expression
	ProviderName        string // local name
	ProviderAlias       string
	DependsOn           []hcl.Traversal
	Config              hcl.Body
	IgnoreChanges       []hcl.Traversal
	IgnoreAll           bool
	CreateBeforeDestroy bool
	PreventDestroy      bool
	DeclRange           hcl.Range
	TypeRange           hcl.Range
}

func (r *ResourceConfig) Key() string {
	if r.Mode == DataMode {
		return "data." + r.Type + "." + r.Name
	}
	return r.Type + "." + r.Name
}

func (r *ResourceConfig) ProviderKey() string {
	if r.ProviderAlias != "" {
		return r.ProviderName + "." + r.ProviderAlias
	}
	return r.ProviderName
}

type Module struct {
	Dir               string
	RequiredProviders map[string]string // local name -> source address
	Providers         map[string]*ProviderConfig
	Variables         map[string]*Variable
	Locals            map[string]*Local
	Resources         map[string]*ResourceConfig
	Outputs           map[string]*Output
}

// impliedProvider is the local name implied by a resource type.
func impliedProvider(typ string) string {
	if i := strings.Index(typ, "_"); i > 0 {
		return typ[:i]
	}
	return typ
}

// normalizeSource turns "ns/type" into "registry.terraform.io/ns/type".
func normalizeSource(src string) string {
	parts := strings.Split(src, "/")
	switch len(parts) {
	case 1:
		return "registry.terraform.io/hashicorp/" + strings.ToLower(src)
	case 2:
		return "registry.terraform.io/" + strings.ToLower(src)
	}
	return strings.ToLower(src)
}

func (m *Module) ProviderSource(local string) string {
	if s, ok := m.RequiredProviders[local]; ok {
		return s
	}
	return "registry.terraform.io/hashicorp/" + local
}

func providerAddrString(source, alias string) string {
	s := fmt.Sprintf("provider[%q]", source)
	if alias != "" {
		s += "." + alias
	}
	return s
}

var rootSchema = &hcl.BodySchema{
	Blocks: []hcl.BlockHeaderSchema{
		{Type: "terraform"},
		{Type: "provider", LabelNames: []string{"name"}},
		{Type: "variable", LabelNames: []string{"name"}},
		{Type: "locals"},
		{Type: "output", LabelNames: []string{"name"}},
		{Type: "module", LabelNames: []string{"name"}},
		{Type: "resource", LabelNames: []string{"type", "name"}},
		{Type: "data", LabelNames: []string{"type", "name"}},
		{Type: "moved"},
		{Type: "import"},
		{Type: "check", LabelNames: []string{"name"}},
		{Type: "removed"},
	},
}

func loadModule(dir string) (*Module, Diags) {
	var diags Diags
	m := &Module{Dir: dir, RequiredProviders: map[string]string{}, Providers: map[string]*ProviderConfig{},
		Variables: map[string]*Variable{}, Locals: map[string]*Local{}, Resources: map[string]*ResourceConfig{},
		Outputs: map[string]*Output{}}
	entries, err := ioutil.ReadDir(dir)
	if err != nil {
		return nil, diags.Append(errDiag("Failed to read module directory", fmt.Sprintf("Module directory %s does not exist or cannot be read.", dir)))
	}
	parser := hclparse.NewParser()
	var files []string
	for _, e := range entries {
		n := e.Name()
		if e.IsDir() || strings.HasPrefix(n, ".") || strings.HasPrefix(n, "#") || strings.HasSuffix(n, "~") {
			continue
		}
		if strings.HasSuffix(n, ".tf") || strings.HasSuffix(n, ".tf.json") {
			files = append(files, n)
		}
	}
	sort.Strings(files)
	for _, n := range files {
		p := filepath.Join(dir, n)
		src, err := ioutil.ReadFile(p)
		if err != nil {
			diags = diags.Append(errDiag("Failed to read file", err.Error()))
			continue
		}
		var f *hcl.File
		var hd hcl.Diagnostics
		if strings.HasSuffix(n, ".json") {
			f, hd = parser.ParseJSON(src, n)
		} else {
			f, hd = parser.ParseHCL(src, n)
		}
		sourceMu.Lock()
		sourceFiles[n] = src
		sourceFilesNav[n] = f
		sourceMu.Unlock()
		diags = append(diags, hclDiags(hd)...)
		if f == nil {
			continue
		}
		diags = append(diags, m.loadFile(f)...)
	}
	// check provider references
	for _, r := range m.Resources {
		if r.ProviderAlias != "" {
			if _, ok := m.Providers[r.ProviderKey()]; !ok {
				rng := r.DeclRange
				diags = diags.Append(Diag{Severity: SevError, Summary: "Provider configuration not present",
					Detail: fmt.Sprintf("To work with %s its original provider configuration at %s is required, but it has been removed. This occurs when a provider configuration is removed while objects created by that provider still exist in the state. Re-add the provider configuration to destroy %s, after which you can remove the provider configuration again.",
						r.Key(), providerAddrString(m.ProviderSource(r.ProviderName), r.ProviderAlias), r.Key()), Subject: &rng})
			}
		}
	}
	return m, diags
}

func (m *Module) loadFile(f *hcl.File) Diags {
	var diags Diags
	content, hd := f.Body.Content(rootSchema)
	diags = append(diags, hclDiags(hd)...)
	for _, b := range content.Blocks {
		switch b.Type {
		case "terraform":
			diags = append(diags, m.loadTerraformBlock(b)...)
		case "provider":
			diags = append(diags, m.loadProvider(b)...)
		case "variable":
			diags = append(diags, m.loadVariable(b)...)
		case "locals":
			attrs, hd := b.Body.JustAttributes()
			diags = append(diags, hclDiags(hd)...)
			for name, a := range attrs {
				if _, dup := m.Locals[name]; dup {
					rng := a.NameRange
					diags = diags.Append(Diag{Severity: SevError, Summary: "Duplicate local value definition",
						Detail: fmt.Sprintf("A local value named %q was already defined. Local value names must be unique within a module.", name), Subject: &rng})
				}
				m.Locals[name] = &Local{Name: name, Expr: a.Expr}
			}
		case "output":
			diags = append(diags, m.loadOutput(b)...)
		case "resource", "data":
			diags = append(diags, m.loadResource(b)...)
		case "module":
			rng := b.DefRange
			diags = diags.Append(Diag{Severity: SevError, Summary: "Unsupported block type",
				Detail: "tfcore does not support module calls.", Subject: &rng})
		default:
			rng := b.DefRange
			diags = diags.Append(Diag{Severity: SevWarning, Summary: "Unsupported block type",
				Detail: fmt.Sprintf("tfcore ignores %q blocks.", b.Type), Subject: &rng})
		}
	}
	return diags
}

func (m *Module) loadTerraformBlock(b *hcl.Block) Diags {
	var diags Diags
	content, _, hd := b.Body.PartialContent(&hcl.BodySchema{
		Blocks: []hcl.BlockHeaderSchema{{Type: "required_providers"}},
	})
	diags = append(diags, hclDiags(hd)...)
	for _, rb := range content.Blocks {
		attrs, hd := rb.Body.JustAttributes()
		diags = append(diags, hclDiags(hd)...)
		for name, a := range attrs {
			v, hd := a.Expr.Value(nil)
			diags = append(diags, hclDiags(hd)...)
			if hd.HasErrors() {
				continue
			}
			src := ""
			switch {
			case v.Type() == cty.String:
				// legacy version-only form
			case v.Type().IsObjectType() && v.Type().HasAttribute("source"):
				s := v.GetAttr("source")
				if !s.IsNull() && s.Type() == cty.String {
					src = s.AsString()
				}
			}
			if src == "" {
				src = name
			}
			m.RequiredProviders[name] = normalizeSource(src)
		}
	}
	return diags
}

func (m *Module) loadProvider(b *hcl.Block) Diags {
	var diags Diags
	content, rest, hd := b.Body.PartialContent(&hcl.BodySchema{
		Attributes: []hcl.AttributeSchema{{Name: "alias"}, {Name: "version"}},
	})
	diags = append(diags, hclDiags(hd)...)
	pc := &ProviderConfig{Name: b.Labels[0], Config: rest, DeclRange: b.DefRange}
	if a, ok := content.Attributes["alias"]; ok {
		t, hd := hcl.AbsTraversalForExpr(a.Expr)
		if hd.HasErrors() || len(t) != 1 {
			v, hd2 := a.Expr.Value(nil)
			if hd2.HasErrors() || v.Type() != cty.String {
				diags = append(diags, hclDiags(hd)...)
			} else {
				pc.Alias = v.AsString()
			}
		} else {
			pc.Alias = t.RootName()
		}
	}
	if sb, ok := rest.(*hclsyntax.Body); ok {
		pc.HasBody = len(sb.Attributes) > 0 || len(sb.Blocks) > 0
		if _, ok := content.Attributes["alias"]; ok {
			pc.HasBody = len(sb.Attributes) > 0 || len(sb.Blocks) > 0
		}
	}
	if _, dup := m.Providers[pc.Key()]; dup {
		rng := b.DefRange
		return diags.Append(Diag{Severity: SevError, Summary: "Duplicate provider configuration",
			Detail: fmt.Sprintf("A default (non-aliased) provider configuration for %q was already given. Each configuration for the same provider must have a distinct alias.", pc.Name), Subject: &rng})
	}
	m.Providers[pc.Key()] = pc
	return diags
}

func (m *Module) loadVariable(b *hcl.Block) Diags {
	var diags Diags
	content, hd := b.Body.Content(&hcl.BodySchema{
		Attributes: []hcl.AttributeSchema{{Name: "type"}, {Name: "default"}, {Name: "description"},
			{Name: "sensitive"}, {Name: "nullable"}, {Name: "ephemeral"}},
		Blocks: []hcl.BlockHeaderSchema{{Type: "validation"}},
	})
	diags = append(diags, hclDiags(hd)...)
	v := &Variable{Name: b.Labels[0], Type: cty.DynamicPseudoType, Nullable: true, DeclRange: b.DefRange}
	if a, ok := content.Attributes["type"]; ok {
		ty, defs, hd := typeexpr.TypeConstraintWithDefaults(a.Expr)
		diags = append(diags, hclDiags(hd)...)
		v.Type = ty
		v.Defaults = defs
	}
	if a, ok := content.Attributes["sensitive"]; ok {
		val, hd := a.Expr.Value(nil)
		diags = append(diags, hclDiags(hd)...)
		v.Sensitive = val.True()
	}
	if a, ok := content.Attributes["nullable"]; ok {
		val, hd := a.Expr.Value(nil)
		diags = append(diags, hclDiags(hd)...)
		if val.Type() == cty.Bool && !val.IsNull() {
			v.Nullable = val.True()
		}
	}
	if a, ok := content.Attributes["default"]; ok {
		val, hd := a.Expr.Value(nil)
		diags = append(diags, hclDiags(hd)...)
		v.HasDefault = true
		v.Default = val
	}
	for _, vb := range content.Blocks {
		vc, hd := vb.Body.Content(&hcl.BodySchema{Attributes: []hcl.AttributeSchema{
			{Name: "condition", Required: true}, {Name: "error_message", Required: true}}})
		diags = append(diags, hclDiags(hd)...)
		if hd.HasErrors() {
			continue
		}
		v.Validations = append(v.Validations, &Validation{Condition: vc.Attributes["condition"].Expr,
			ErrorMessage: vc.Attributes["error_message"].Expr, DeclRange: vb.DefRange})
	}
	m.Variables[v.Name] = v
	return diags
}

func (m *Module) loadOutput(b *hcl.Block) Diags {
	var diags Diags
	content, hd := b.Body.Content(&hcl.BodySchema{
		Attributes: []hcl.AttributeSchema{{Name: "value", Required: true}, {Name: "description"},
			{Name: "sensitive"}, {Name: "depends_on"}, {Name: "ephemeral"}},
		Blocks: []hcl.BlockHeaderSchema{{Type: "precondition"}},
	})
	diags = append(diags, hclDiags(hd)...)
	o := &Output{Name: b.Labels[0], DeclRange: b.DefRange}
	if a, ok := content.Attributes["value"]; ok {
		o.Expr = a.Expr
	} else {
		o.Expr = hcl.StaticExpr(cty.NullVal(cty.DynamicPseudoType), b.DefRange)
	}
	if a, ok := content.Attributes["sensitive"]; ok {
		val, hd := a.Expr.Value(nil)
		diags = append(diags, hclDiags(hd)...)
		o.Sensitive = val.True()
	}
	if a, ok := content.Attributes["depends_on"]; ok {
		ts, d := traversalList(a.Expr)
		diags = append(diags, d...)
		o.DependsOn = ts
	}
	m.Outputs[o.Name] = o
	return diags
}

func traversalList(expr hcl.Expression) ([]hcl.Traversal, Diags) {
	var diags Diags
	exprs, hd := hcl.ExprList(expr)
	diags = append(diags, hclDiags(hd)...)
	var out []hcl.Traversal
	for _, e := range exprs {
		t, hd := hcl.AbsTraversalForExpr(e)
		diags = append(diags, hclDiags(hd)...)
		if !hd.HasErrors() {
			out = append(out, t)
		}
	}
	return out, diags
}

var resourceMetaSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "count"}, {Name: "for_each"}, {Name: "provider"}, {Name: "depends_on"}},
	Blocks: []hcl.BlockHeaderSchema{{Type: "lifecycle"}, {Type: "provisioner", LabelNames: []string{"type"}},
		{Type: "connection"}},
}

func (m *Module) loadResource(b *hcl.Block) Diags {
	var diags Diags
	r := &ResourceConfig{Type: b.Labels[0], Name: b.Labels[1], DeclRange: b.DefRange}
	if b.Type == "data" {
		r.Mode = DataMode
	}
	if len(b.LabelRanges) > 0 {
		r.TypeRange = b.LabelRanges[0]
	}
	if !hclsyntax.ValidIdentifier(r.Name) {
		rng := b.LabelRanges[1]
		diags = diags.Append(Diag{Severity: SevError, Summary: "Invalid resource name",
			Detail: "A name must start with a letter or underscore and may contain only letters, digits, underscores, and dashes.", Subject: &rng})
	}
	content, rest, hd := b.Body.PartialContent(resourceMetaSchema)
	diags = append(diags, hclDiags(hd)...)
	r.Config = rest
	r.ProviderName = impliedProvider(r.Type)
	if a, ok := content.Attributes["count"]; ok {
		r.Count = a.Expr
	}
	if a, ok := content.Attributes["for_each"]; ok {
		r.ForEach = a.Expr
		if r.Count != nil {
			rng := a.NameRange
			diags = diags.Append(Diag{Severity: SevError, Summary: `Invalid combination of "count" and "for_each"`,
				Detail: `The "count" and "for_each" meta-arguments are mutually-exclusive, only one should be used to be explicit about the number of resources to be created.`, Subject: &rng})
		}
	}
	if a, ok := content.Attributes["provider"]; ok {
		t, hd := hcl.AbsTraversalForExpr(a.Expr)
		diags = append(diags, hclDiags(hd)...)
		if !hd.HasErrors() {
			r.ProviderName = t.RootName()
			if len(t) > 1 {
				if ga, ok := t[1].(hcl.TraverseAttr); ok {
					r.ProviderAlias = ga.Name
				}
			}
		}
	}
	if a, ok := content.Attributes["depends_on"]; ok {
		ts, d := traversalList(a.Expr)
		diags = append(diags, d...)
		r.DependsOn = ts
	}
	for _, lb := range content.Blocks {
		if lb.Type != "lifecycle" {
			continue
		}
		lc, hd := lb.Body.Content(&hcl.BodySchema{Attributes: []hcl.AttributeSchema{
			{Name: "create_before_destroy"}, {Name: "prevent_destroy"}, {Name: "ignore_changes"},
			{Name: "replace_triggered_by"}}, Blocks: []hcl.BlockHeaderSchema{{Type: "precondition"}, {Type: "postcondition"}}})
		diags = append(diags, hclDiags(hd)...)
		if a, ok := lc.Attributes["create_before_destroy"]; ok {
			v, hd := a.Expr.Value(nil)
			diags = append(diags, hclDiags(hd)...)
			r.CreateBeforeDestroy = v.Type() == cty.Bool && v.True()
		}
		if a, ok := lc.Attributes["prevent_destroy"]; ok {
			v, hd := a.Expr.Value(nil)
			diags = append(diags, hclDiags(hd)...)
			r.PreventDestroy = v.Type() == cty.Bool && v.True()
		}
		if a, ok := lc.Attributes["ignore_changes"]; ok {
			if kw := hcl.ExprAsKeyword(a.Expr); kw == "all" {
				r.IgnoreAll = true
			} else {
				exprs, hd := hcl.ExprList(a.Expr)
				diags = append(diags, hclDiags(hd)...)
				for _, e := range exprs {
					if hcl.ExprAsKeyword(e) == "all" {
						r.IgnoreAll = true
						continue
					}
					t, hd := hcl.RelTraversalForExpr(e)
					diags = append(diags, hclDiags(hd)...)
					if !hd.HasErrors() {
						r.IgnoreChanges = append(r.IgnoreChanges, t)
					}
				}
			}
		}
	}
	if _, dup := m.Resources[r.Key()]; dup {
		rng := b.DefRange
		what := "resource"
		if r.Mode == DataMode {
			what = "data"
		}
		return diags.Append(Diag{Severity: SevError, Summary: "Duplicate " + map[bool]string{true: "data", false: "resource"}[r.Mode == DataMode] + " \"" + r.Type + "\" configuration",
			Detail: fmt.Sprintf("A %s %q %q was already declared. Resource names must be unique per type in each module.", what, r.Type, r.Name), Subject: &rng})
	}
	m.Resources[r.Key()] = r
	return diags
}
