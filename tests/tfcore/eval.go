package main

// Expression evaluation: scope (var, local, resources, data, path,
// terraform, count, each) and the function table.

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io/ioutil"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/tryfunc"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
)

type Evaluator struct {
	mu        sync.RWMutex
	vars      map[string]cty.Value
	locals    map[string]cty.Value
	resources map[string]cty.Value // "T.N" or "data.T.N" -> aggregate value
	workspace string
	moduleDir string
	funcs     map[string]function.Function
}

func newEvaluator(dir, workspace string) *Evaluator {
	e := &Evaluator{vars: map[string]cty.Value{}, locals: map[string]cty.Value{},
		resources: map[string]cty.Value{}, workspace: workspace, moduleDir: dir}
	e.funcs = makeFunctions(dir)
	return e
}

func (e *Evaluator) SetLocal(n string, v cty.Value) {
	e.mu.Lock()
	e.locals[n] = v
	e.mu.Unlock()
}

func (e *Evaluator) SetResource(key string, v cty.Value) {
	e.mu.Lock()
	e.resources[key] = v
	e.mu.Unlock()
}

func (e *Evaluator) GetResource(key string) (cty.Value, bool) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	v, ok := e.resources[key]
	return v, ok
}

// keyData are the repetition variables for one instance.
type keyData struct {
	CountIndex cty.Value
	EachKey    cty.Value
	EachValue  cty.Value
}

func (e *Evaluator) Ctx(kd keyData) *hcl.EvalContext {
	e.mu.RLock()
	defer e.mu.RUnlock()
	vars := map[string]cty.Value{}
	vars["var"] = cty.ObjectVal(copyMap(e.vars))
	vars["local"] = cty.ObjectVal(copyMap(e.locals))
	abs, _ := filepath.Abs(e.moduleDir)
	cwd, _ := os.Getwd()
	vars["path"] = cty.ObjectVal(map[string]cty.Value{
		"module": cty.StringVal(relOrDot(cwd, abs)), "root": cty.StringVal(relOrDot(cwd, abs)), "cwd": cty.StringVal(cwd)})
	vars["terraform"] = cty.ObjectVal(map[string]cty.Value{"workspace": cty.StringVal(e.workspace)})
	managed := map[string]map[string]cty.Value{}
	data := map[string]map[string]cty.Value{}
	for k, v := range e.resources {
		parts := strings.Split(k, ".")
		if parts[0] == "data" && len(parts) == 3 {
			if data[parts[1]] == nil {
				data[parts[1]] = map[string]cty.Value{}
			}
			data[parts[1]][parts[2]] = v
		} else if len(parts) == 2 {
			if managed[parts[0]] == nil {
				managed[parts[0]] = map[string]cty.Value{}
			}
			managed[parts[0]][parts[1]] = v
		}
	}
	for t, m := range managed {
		vars[t] = cty.ObjectVal(m)
	}
	dv := map[string]cty.Value{}
	for t, m := range data {
		dv[t] = cty.ObjectVal(m)
	}
	vars["data"] = cty.ObjectVal(dv)
	if kd.CountIndex != cty.NilVal {
		vars["count"] = cty.ObjectVal(map[string]cty.Value{"index": kd.CountIndex})
	}
	if kd.EachKey != cty.NilVal {
		vars["each"] = cty.ObjectVal(map[string]cty.Value{"key": kd.EachKey, "value": kd.EachValue})
	}
	return &hcl.EvalContext{Variables: vars, Functions: e.funcs}
}

func relOrDot(base, p string) string {
	r, err := filepath.Rel(base, p)
	if err != nil {
		return p
	}
	return r
}

func copyMap(m map[string]cty.Value) map[string]cty.Value {
	out := make(map[string]cty.Value, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// ---- functions ------------------------------------------------------------------

func makeFunctions(baseDir string) map[string]function.Function {
	fs := map[string]function.Function{
		"abs": stdlib.AbsoluteFunc, "ceil": stdlib.CeilFunc, "floor": stdlib.FloorFunc, "log": stdlib.LogFunc,
		"max": stdlib.MaxFunc, "min": stdlib.MinFunc, "parseint": stdlib.ParseIntFunc, "pow": stdlib.PowFunc,
		"signum": stdlib.SignumFunc, "chomp": stdlib.ChompFunc, "format": stdlib.FormatFunc,
		"formatlist": stdlib.FormatListFunc, "indent": stdlib.IndentFunc, "join": stdlib.JoinFunc,
		"lower": stdlib.LowerFunc, "regex": stdlib.RegexFunc, "regexall": stdlib.RegexAllFunc,
		"replace": stdlib.ReplaceFunc, "split": stdlib.SplitFunc, "strrev": stdlib.ReverseFunc,
		"substr": stdlib.SubstrFunc, "title": stdlib.TitleFunc, "trim": stdlib.TrimFunc,
		"trimprefix": stdlib.TrimPrefixFunc, "trimsuffix": stdlib.TrimSuffixFunc, "trimspace": stdlib.TrimSpaceFunc,
		"upper": stdlib.UpperFunc, "chunklist": stdlib.ChunklistFunc, "coalesce": stdlib.CoalesceFunc,
		"coalescelist": stdlib.CoalesceListFunc, "compact": stdlib.CompactFunc, "concat": stdlib.ConcatFunc,
		"contains": stdlib.ContainsFunc, "distinct": stdlib.DistinctFunc, "element": stdlib.ElementFunc,
		"flatten": stdlib.FlattenFunc, "index": stdlib.IndexFunc, "keys": stdlib.KeysFunc,
		"length": lengthFunc, "lookup": stdlib.LookupFunc, "merge": stdlib.MergeFunc, "range": stdlib.RangeFunc,
		"reverse": stdlib.ReverseListFunc, "setintersection": stdlib.SetIntersectionFunc,
		"setproduct": stdlib.SetProductFunc, "setsubtract": stdlib.SetSubtractFunc, "setunion": stdlib.SetUnionFunc,
		"slice": stdlib.SliceFunc, "sort": stdlib.SortFunc, "values": stdlib.ValuesFunc, "zipmap": stdlib.ZipmapFunc,
		"jsonencode": stdlib.JSONEncodeFunc, "jsondecode": stdlib.JSONDecodeFunc, "csvdecode": stdlib.CSVDecodeFunc,
		"formatdate": stdlib.FormatDateFunc, "timeadd": stdlib.TimeAddFunc,
		"try": tryfunc.TryFunc, "can": tryfunc.CanFunc,
		"tostring": makeToFunc(cty.String), "tonumber": makeToFunc(cty.Number), "tobool": makeToFunc(cty.Bool),
		"tolist": makeToFunc(cty.List(cty.DynamicPseudoType)), "toset": makeToFunc(cty.Set(cty.DynamicPseudoType)),
		"tomap":        makeToFunc(cty.Map(cty.DynamicPseudoType)),
		"base64encode": strFunc(func(s string) (string, error) { return base64.StdEncoding.EncodeToString([]byte(s)), nil }),
		"base64decode": strFunc(func(s string) (string, error) {
			b, err := base64.StdEncoding.DecodeString(s)
			return string(b), err
		}),
		"md5":      strFunc(func(s string) (string, error) { h := md5.Sum([]byte(s)); return hex.EncodeToString(h[:]), nil }),
		"sha1":     strFunc(func(s string) (string, error) { h := sha1.Sum([]byte(s)); return hex.EncodeToString(h[:]), nil }),
		"sha256":   strFunc(func(s string) (string, error) { h := sha256.Sum256([]byte(s)); return hex.EncodeToString(h[:]), nil }),
		"sha512":   strFunc(func(s string) (string, error) { h := sha512.Sum512([]byte(s)); return hex.EncodeToString(h[:]), nil }),
		"basename": strFunc(func(s string) (string, error) { return filepath.Base(s), nil }),
		"dirname":  strFunc(func(s string) (string, error) { return filepath.Dir(s), nil }),
		"abspath":  strFunc(func(s string) (string, error) { return filepath.Abs(s) }),
		"pathexpand": strFunc(func(s string) (string, error) {
			if strings.HasPrefix(s, "~") {
				h, _ := os.UserHomeDir()
				return h + s[1:], nil
			}
			return s, nil
		}),
		"file": strFunc(func(s string) (string, error) {
			b, err := ioutil.ReadFile(resolvePath(baseDir, s))
			if err != nil {
				return "", fmt.Errorf("no file exists at %q; this function works only with files that are distributed as part of the configuration source code, so if this file will be created by a resource in this configuration you must instead obtain this result from an attribute of that resource", s)
			}
			return string(b), nil
		}),
		"filebase64": strFunc(func(s string) (string, error) {
			b, err := ioutil.ReadFile(resolvePath(baseDir, s))
			if err != nil {
				return "", fmt.Errorf("no file exists at %q", s)
			}
			return base64.StdEncoding.EncodeToString(b), nil
		}),
		"timestamp": function.New(&function.Spec{Type: function.StaticReturnType(cty.String),
			Impl: func([]cty.Value, cty.Type) (cty.Value, error) {
				return cty.StringVal(time.Now().UTC().Format(time.RFC3339)), nil
			}}),
		"fileexists": function.New(&function.Spec{Params: []function.Parameter{{Name: "path", Type: cty.String}},
			Type: function.StaticReturnType(cty.Bool), Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
				st, err := os.Stat(resolvePath(baseDir, args[0].AsString()))
				return cty.BoolVal(err == nil && !st.IsDir()), nil
			}}),
		"one":     oneFunc,
		"sum":     sumFunc,
		"alltrue": boolsFunc(true),
		"anytrue": boolsFunc(false),
		"nonsensitive": function.New(&function.Spec{Params: []function.Parameter{{Name: "v", Type: cty.DynamicPseudoType, AllowNull: true, AllowUnknown: true, AllowDynamicType: true}},
			Type: func(a []cty.Value) (cty.Type, error) { return a[0].Type(), nil },
			Impl: func(a []cty.Value, _ cty.Type) (cty.Value, error) { return a[0], nil }}),
		"sensitive": function.New(&function.Spec{Params: []function.Parameter{{Name: "v", Type: cty.DynamicPseudoType, AllowNull: true, AllowUnknown: true, AllowDynamicType: true}},
			Type: func(a []cty.Value) (cty.Type, error) { return a[0].Type(), nil },
			Impl: func(a []cty.Value, _ cty.Type) (cty.Value, error) { return a[0], nil }}),
	}
	fs["templatefile"] = makeTemplateFileFunc(baseDir, func() map[string]function.Function { return fs })
	fs["yamlencode"] = yamlEncodeFunc
	fs["yamldecode"] = yamlDecodeFunc
	return fs
}

func resolvePath(base, p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return p // Terraform resolves relative to the working directory
}

func strFunc(f func(string) (string, error)) function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "str", Type: cty.String}},
		Type:   function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			s, err := f(args[0].AsString())
			if err != nil {
				return cty.UnknownVal(cty.String), err
			}
			return cty.StringVal(s), nil
		},
	})
}

func makeToFunc(wantTy cty.Type) function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "v", Type: cty.DynamicPseudoType, AllowNull: true, AllowDynamicType: true}},
		Type: func(args []cty.Value) (cty.Type, error) {
			gotTy := args[0].Type()
			if gotTy.Equals(wantTy) {
				return wantTy, nil
			}
			conv := convert.GetConversionUnsafe(args[0].Type(), wantTy)
			if conv == nil {
				return cty.NilType, function.NewArgErrorf(0, "cannot convert %s to %s", gotTy.FriendlyName(), wantTy.FriendlyNameForConstraint())
			}
			if !args[0].IsKnown() {
				// best effort type
				v, err := convert.Convert(cty.UnknownVal(gotTy), wantTy)
				if err == nil {
					return v.Type(), nil
				}
				return cty.DynamicPseudoType, nil
			}
			v, err := convert.Convert(args[0], wantTy)
			if err != nil {
				return cty.NilType, function.NewArgError(0, err)
			}
			return v.Type(), nil
		},
		Impl: func(args []cty.Value, retType cty.Type) (cty.Value, error) {
			v, err := convert.Convert(args[0], retType)
			if err != nil {
				return cty.NilVal, function.NewArgError(0, err)
			}
			return v, nil
		},
	})
}

var lengthFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "value", Type: cty.DynamicPseudoType, AllowDynamicType: true, AllowUnknown: true}},
	Type:   function.StaticReturnType(cty.Number),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		v := args[0]
		ty := v.Type()
		switch {
		case ty == cty.DynamicPseudoType:
			return cty.UnknownVal(cty.Number), nil
		case ty.IsTupleType():
			return cty.NumberIntVal(int64(ty.Length())), nil
		case ty.IsObjectType():
			return cty.NumberIntVal(int64(len(ty.AttributeTypes()))), nil
		case ty == cty.String:
			if !v.IsKnown() {
				return cty.UnknownVal(cty.Number), nil
			}
			return stdlib.Strlen(v)
		case ty.IsListType() || ty.IsSetType() || ty.IsMapType():
			return v.Length(), nil
		}
		return cty.UnknownVal(cty.Number), fmt.Errorf("argument must be a string, a collection type, or a structural type")
	},
})

var oneFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "list", Type: cty.DynamicPseudoType}},
	Type: func(args []cty.Value) (cty.Type, error) {
		ty := args[0].Type()
		switch {
		case ty.IsListType() || ty.IsSetType():
			return ty.ElementType(), nil
		case ty.IsTupleType():
			ets := ty.TupleElementTypes()
			switch len(ets) {
			case 0:
				return cty.DynamicPseudoType, nil
			case 1:
				return ets[0], nil
			}
			return cty.NilType, function.NewArgErrorf(0, "must be a list, set, or tuple value with either zero or one elements")
		}
		return cty.NilType, function.NewArgErrorf(0, "must be a list, set, or tuple value with either zero or one elements")
	},
	Impl: func(args []cty.Value, retType cty.Type) (cty.Value, error) {
		v := args[0]
		if v.LengthInt() == 0 {
			return cty.NullVal(retType), nil
		}
		if v.LengthInt() > 1 {
			return cty.NilVal, function.NewArgErrorf(0, "must be a list, set, or tuple value with either zero or one elements")
		}
		it := v.ElementIterator()
		it.Next()
		_, e := it.Element()
		return e, nil
	},
})

var sumFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "list", Type: cty.DynamicPseudoType}},
	Type:   function.StaticReturnType(cty.Number),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		v := args[0]
		if !v.CanIterateElements() || v.LengthInt() == 0 {
			return cty.NilVal, function.NewArgErrorf(0, "cannot sum an empty list")
		}
		total := cty.Zero
		for it := v.ElementIterator(); it.Next(); {
			_, e := it.Element()
			n, err := convert.Convert(e, cty.Number)
			if err != nil || n.IsNull() {
				return cty.NilVal, function.NewArgErrorf(0, "argument must be list, set, or tuple of number values")
			}
			total = total.Add(n)
		}
		return total, nil
	},
})

func boolsFunc(all bool) function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "list", Type: cty.List(cty.Bool)}},
		Type:   function.StaticReturnType(cty.Bool),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			res := all
			for it := args[0].ElementIterator(); it.Next(); {
				_, e := it.Element()
				if !e.IsKnown() {
					return cty.UnknownVal(cty.Bool), nil
				}
				b := !e.IsNull() && e.True()
				if all && !b {
					res = false
				}
				if !all && b {
					res = true
				}
			}
			return cty.BoolVal(res), nil
		},
	})
}

func makeTemplateFileFunc(baseDir string, funcs func() map[string]function.Function) function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "path", Type: cty.String}, {Name: "vars", Type: cty.DynamicPseudoType}},
		Type:   function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			p := args[0].AsString()
			src, err := ioutil.ReadFile(resolvePath(baseDir, p))
			if err != nil {
				return cty.UnknownVal(cty.String), fmt.Errorf("no file exists at %q", p)
			}
			expr, hd := hclsyntax.ParseTemplate(src, p, hcl.Pos{Line: 1, Column: 1})
			if hd.HasErrors() {
				return cty.UnknownVal(cty.String), hd
			}
			vars := map[string]cty.Value{}
			if v := args[1]; !v.IsNull() && v.CanIterateElements() {
				for it := v.ElementIterator(); it.Next(); {
					k, ev := it.Element()
					vars[k.AsString()] = ev
				}
			}
			fns := map[string]function.Function{}
			for k, f := range funcs() {
				if k != "templatefile" {
					fns[k] = f
				}
			}
			v, hd := expr.Value(&hcl.EvalContext{Variables: vars, Functions: fns})
			if hd.HasErrors() {
				return cty.UnknownVal(cty.String), hd
			}
			sv, err := convert.Convert(v, cty.String)
			if err != nil {
				return cty.UnknownVal(cty.String), err
			}
			return sv, nil
		},
	})
}

// ---- input variables -----------------------------------------------------------

// resolveVariables computes var.* from defaults, tfvars, TF_VAR_ env and -var.
func resolveVariables(m *Module, cliVars []string, varFiles []string) (map[string]cty.Value, Diags) {
	var diags Diags
	raw := map[string]cty.Value{}
	rawExprs := map[string]string{} // from env/cli, parsed according to type
	// terraform.tfvars, *.auto.tfvars
	var files []string
	if _, err := os.Stat(filepath.Join(m.Dir, "terraform.tfvars")); err == nil {
		files = append(files, filepath.Join(m.Dir, "terraform.tfvars"))
	}
	auto, _ := filepath.Glob(filepath.Join(m.Dir, "*.auto.tfvars"))
	sort.Strings(auto)
	files = append(files, auto...)
	// env
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "TF_VAR_") {
			i := strings.Index(kv, "=")
			rawExprs[kv[7:i]] = kv[i+1:]
		}
	}
	loadFile := func(f string) {
		src, err := ioutil.ReadFile(f)
		if err != nil {
			diags = diags.Append(errDiag("Failed to read variables file", fmt.Sprintf("Given variables file %s does not exist.", f)))
			return
		}
		file, hd := hclsyntax.ParseConfig(src, f, hcl.Pos{Line: 1, Column: 1})
		diags = append(diags, hclDiags(hd)...)
		if file == nil {
			return
		}
		sourceMu.Lock()
		sourceFiles[f] = src
		sourceMu.Unlock()
		attrs, hd := file.Body.JustAttributes()
		diags = append(diags, hclDiags(hd)...)
		for n, a := range attrs {
			v, hd := a.Expr.Value(nil)
			diags = append(diags, hclDiags(hd)...)
			raw[n] = v
			delete(rawExprs, n)
		}
	}
	// env first (lowest), then files, then -var-file/-var in order
	envVals := rawExprs
	rawExprs = map[string]string{}
	for n, s := range envVals {
		rawExprs[n] = s
	}
	for _, f := range files {
		loadFile(f)
	}
	for _, f := range varFiles {
		loadFile(f)
	}
	for _, kv := range cliVars {
		i := strings.Index(kv, "=")
		if i < 0 {
			diags = diags.Append(errDiag("Invalid -var option", fmt.Sprintf("The given -var option %q is not correctly specified. Must be a variable name and value separated by an equals sign, like -var=\"key=value\".", kv)))
			continue
		}
		rawExprs[strings.TrimSpace(kv[:i])] = kv[i+1:]
		delete(raw, strings.TrimSpace(kv[:i]))
	}
	out := map[string]cty.Value{}
	for _, name := range sortedKeys(m.Variables) {
		v := m.Variables[name]
		val, ok := raw[name]
		if s, isRaw := rawExprs[name]; isRaw {
			ok = true
			if v.Type == cty.String || v.Type == cty.DynamicPseudoType && !looksLikeHCL(s) {
				val = cty.StringVal(s)
			} else if v.Type.IsPrimitiveType() {
				val = cty.StringVal(s)
			} else {
				expr, hd := hclsyntax.ParseExpression([]byte(s), "<value for var."+name+">", hcl.Pos{Line: 1, Column: 1})
				diags = append(diags, hclDiags(hd)...)
				if hd.HasErrors() {
					continue
				}
				val, hd = expr.Value(nil)
				diags = append(diags, hclDiags(hd)...)
			}
		}
		if !ok {
			if !v.HasDefault {
				rng := v.DeclRange
				diags = diags.Append(Diag{Severity: SevError, Summary: "No value for required variable",
					Detail: fmt.Sprintf("The root module input variable %q is not set, and has no default value. Use a -var or -var-file command line argument to provide a value for this variable.", name), Subject: &rng})
				continue
			}
			val = v.Default
		}
		if v.Defaults != nil {
			val = v.Defaults.Apply(val)
		}
		cv, err := convert.Convert(val, v.Type)
		if err != nil {
			rng := v.DeclRange
			diags = diags.Append(Diag{Severity: SevError, Summary: "Invalid value for input variable",
				Detail: fmt.Sprintf("The given value is not suitable for var.%s declared at %s:%d,%d-%d: %s.", name, rng.Filename, rng.Start.Line, rng.Start.Column, rng.End.Column, err), Subject: &rng})
			continue
		}
		if cv.IsNull() && !v.Nullable {
			rng := v.DeclRange
			diags = diags.Append(Diag{Severity: SevError, Summary: "Required variable not set",
				Detail: fmt.Sprintf("Unsuitable value for var.%s set using the default value: required variable may not be set to null.", name), Subject: &rng})
			continue
		}
		out[name] = cv
	}
	for n := range rawExprs {
		if _, ok := m.Variables[n]; !ok {
			if _, env := envVals[n]; env {
				continue
			}
			diags = diags.Append(errDiag("Value for undeclared variable",
				fmt.Sprintf("A variable named %q was assigned on the command line, but the root module does not declare a variable of that name. To use this value, add a \"variable\" block to the configuration.", n)))
		}
	}
	if diags.HasErrors() {
		return out, diags
	}
	// validations
	ctxVars := map[string]cty.Value{"var": cty.ObjectVal(out)}
	for _, name := range sortedKeys(m.Variables) {
		v := m.Variables[name]
		for _, vr := range v.Validations {
			ctx := &hcl.EvalContext{Variables: ctxVars, Functions: makeFunctions(m.Dir)}
			res, hd := vr.Condition.Value(ctx)
			diags = append(diags, hclDiags(hd)...)
			if hd.HasErrors() || !res.IsKnown() || res.IsNull() {
				continue
			}
			if res.Type() != cty.Bool || res.False() {
				msg, hd := vr.ErrorMessage.Value(ctx)
				m := "(error message unavailable)"
				if !hd.HasErrors() && msg.Type() == cty.String && msg.IsKnown() && !msg.IsNull() {
					m = msg.AsString()
				}
				rng := vr.Condition.Range()
				diags = diags.Append(Diag{Severity: SevError, Summary: "Invalid value for variable",
					Detail: m + "\n\nThis was checked by the validation rule at " + fmt.Sprintf("%s:%d,%d-%d.", vr.DeclRange.Filename, vr.DeclRange.Start.Line, vr.DeclRange.Start.Column, vr.DeclRange.End.Column), Subject: &rng})
			}
		}
	}
	return out, diags
}

func looksLikeHCL(s string) bool {
	s = strings.TrimSpace(s)
	return strings.HasPrefix(s, "[") || strings.HasPrefix(s, "{")
}

// ---- YAML (gopkg.in/yaml.v3 from Debian) ------------------------------------------

var yamlDecodeFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "src", Type: cty.String}},
	Type: func(args []cty.Value) (cty.Type, error) {
		if !args[0].IsKnown() {
			return cty.DynamicPseudoType, nil
		}
		v, err := yamlToCty(args[0].AsString())
		if err != nil {
			return cty.NilType, function.NewArgError(0, err)
		}
		return v.Type(), nil
	},
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		return yamlToCty(args[0].AsString())
	},
})

var yamlEncodeFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "value", Type: cty.DynamicPseudoType, AllowNull: true, AllowDynamicType: true}},
	Type:   function.StaticReturnType(cty.String),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		s, err := ctyToYAML(args[0])
		if err != nil {
			return cty.UnknownVal(cty.String), err
		}
		return cty.StringVal(s), nil
	},
})
