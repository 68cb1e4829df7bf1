// ctyvectors produces msgpack test vectors with go-cty's own encoder and checks
// the C implementation's re-encodings with go-cty's decoder.
//
//	ctyvectors gen DIR    writes DIR/manifest.txt and, per case NNN,
//	                      NNN.type (type JSON), NNN.mp (cty msgpack) and,
//	                      where the value can be written as JSON, NNN.json
//	ctyvectors check DIR  decodes DIR/out/NNN.mp (and NNN.json) written by the C
//	                      test, compares with the original values and prints
//	                      "tf-vectors: N passed, M failed"
//
// Built in GOPATH mode from Debian's golang-github-zclconf-go-cty-dev (1.12.1,
// which predates refinements: refined unknowns are tested in C only).
package main

import (
	"bufio"
	"bytes"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"
	ctymsgpack "github.com/zclconf/go-cty/cty/msgpack"
)

type vcase struct {
	name string
	ty   cty.Type
	val  cty.Value
}

func num(s string) cty.Value { return cty.MustParseNumberVal(s) }

func obj(m map[string]cty.Value) cty.Value { return cty.ObjectVal(m) }

func cases() []vcase {
	var cs []vcase
	add := func(name string, ty cty.Type, v cty.Value) { cs = append(cs, vcase{name, ty, v}) }

	// strings
	for i, s := range []string{"", "hi", "héllo ☃", "a\x00b", "quote\" back\\ nl\n tab\t",
		strings.Repeat("x", 31), strings.Repeat("y", 32), strings.Repeat("z", 255),
		strings.Repeat("w", 256), strings.Repeat("v", 65536)} {
		add(fmt.Sprintf("string-%d", i), cty.String, cty.StringVal(s))
	}
	// integers at every msgpack width boundary
	ints := []int64{0, 1, -1, 31, 127, 128, 255, 256, -32, -33, -127, -128, -129, 32767, 32768,
		-32768, -32769, 65535, 65536, math.MaxInt32, math.MaxInt32 + 1, math.MinInt32,
		math.MinInt32 - 1, math.MaxUint32, math.MaxUint32 + 1, 1 << 53, 1<<53 + 1,
		math.MaxInt64, math.MinInt64}
	for _, n := range ints {
		add("int "+strconv.FormatInt(n, 10), cty.Number, cty.NumberIntVal(n))
	}
	add("uint64 max", cty.Number, cty.NumberUIntVal(math.MaxUint64))
	add("uint64 2^63", cty.Number, cty.NumberUIntVal(1<<63))
	// decimals: the encoder picks int, float64 or a decimal string
	for _, s := range []string{"0.1", "1.5", "-2.25", "3.14159", "1e-7", "1e20", "1e100",
		"18446744073709551616", "18446744073709551617", "-9223372036854775809",
		"123456789012345678901234567890.123456789", "0.30000000000000004", "1e-300", "100.000"} {
		add("decimal "+s, cty.Number, num(s))
	}
	for _, f := range []float64{0.1, 1.5, -0.5, 1e300, math.MaxFloat64, math.SmallestNonzeroFloat64,
		2.5e-10, 123456.789} {
		add("float "+strconv.FormatFloat(f, 'g', -1, 64), cty.Number, cty.NumberFloatVal(f))
	}
	add("+Inf", cty.Number, cty.PositiveInfinity)
	add("-Inf", cty.Number, cty.NegativeInfinity)
	add("true", cty.Bool, cty.True)
	add("false", cty.Bool, cty.False)

	objT := cty.Object(map[string]cty.Type{"id": cty.String, "name": cty.String, "size": cty.Number})
	allTypes := []cty.Type{cty.String, cty.Number, cty.Bool, cty.DynamicPseudoType,
		cty.List(cty.String), cty.Set(cty.Number), cty.Map(cty.Bool), objT,
		cty.Tuple([]cty.Type{cty.String, cty.Number}), cty.EmptyObject, cty.EmptyTuple}
	for _, t := range allTypes {
		add("null "+t.FriendlyName(), t, cty.NullVal(t))
		add("unknown "+t.FriendlyName(), t, cty.UnknownVal(t))
	}

	// the spec's worked example and its planned state
	add("spec 3.6 proposed", objT, obj(map[string]cty.Value{
		"id": cty.NullVal(cty.String), "name": cty.StringVal("x"), "size": cty.NumberIntVal(3)}))
	add("spec 3.6 planned", objT, obj(map[string]cty.Value{
		"id": cty.UnknownVal(cty.String), "name": cty.StringVal("x"), "size": cty.NumberIntVal(3)}))

	// collections
	add("list empty", cty.List(cty.String), cty.ListValEmpty(cty.String))
	add("list strings", cty.List(cty.String), cty.ListVal([]cty.Value{cty.StringVal("a"), cty.StringVal("b"), cty.StringVal("a")}))
	add("list with unknown", cty.List(cty.Number), cty.ListVal([]cty.Value{cty.NumberIntVal(1), cty.UnknownVal(cty.Number), cty.NullVal(cty.Number)}))
	var many []cty.Value
	for i := 0; i < 70000; i++ {
		many = append(many, cty.NumberIntVal(int64(i*7-1000)))
	}
	add("list 70000 numbers", cty.List(cty.Number), cty.ListVal(many))
	add("set empty", cty.Set(cty.String), cty.SetValEmpty(cty.String))
	add("set strings", cty.Set(cty.String), cty.SetVal([]cty.Value{cty.StringVal("c"), cty.StringVal("a"), cty.StringVal("b")}))
	add("set numbers", cty.Set(cty.Number), cty.SetVal([]cty.Value{num("0.1"), cty.NumberIntVal(-5), num("1e30")}))
	add("set objects", cty.Set(cty.Object(map[string]cty.Type{"k": cty.String, "n": cty.Number})),
		cty.SetVal([]cty.Value{
			obj(map[string]cty.Value{"k": cty.StringVal("a"), "n": cty.NumberIntVal(1)}),
			obj(map[string]cty.Value{"k": cty.StringVal("b"), "n": cty.NullVal(cty.Number)}),
		}))
	add("map empty", cty.Map(cty.String), cty.MapValEmpty(cty.String))
	add("map strings", cty.Map(cty.String), cty.MapVal(map[string]cty.Value{"z": cty.StringVal("1"), "a": cty.StringVal("2"), "": cty.StringVal("empty key"), "ü": cty.NullVal(cty.String)}))
	add("map of lists", cty.Map(cty.List(cty.Number)), cty.MapVal(map[string]cty.Value{
		"a": cty.ListVal([]cty.Value{cty.NumberIntVal(1)}), "b": cty.ListValEmpty(cty.Number)}))
	add("tuple", cty.Tuple([]cty.Type{cty.String, cty.Number, cty.Bool}),
		cty.TupleVal([]cty.Value{cty.StringVal("x"), num("2.5"), cty.False}))
	add("tuple empty", cty.EmptyTuple, cty.EmptyTupleVal)
	add("object empty", cty.EmptyObject, cty.EmptyObjectVal)

	nestedT := cty.Object(map[string]cty.Type{
		"name":  cty.String,
		"tags":  cty.Map(cty.String),
		"rules": cty.List(cty.Object(map[string]cty.Type{"port": cty.Number, "cidrs": cty.Set(cty.String)})),
		"meta":  cty.Object(map[string]cty.Type{"a": cty.Bool, "b": cty.Tuple([]cty.Type{cty.String})}),
	})
	add("nested object", nestedT, obj(map[string]cty.Value{
		"name": cty.StringVal("n"),
		"tags": cty.MapVal(map[string]cty.Value{"env": cty.StringVal("prod")}),
		"rules": cty.ListVal([]cty.Value{
			obj(map[string]cty.Value{"port": cty.NumberIntVal(443), "cidrs": cty.SetVal([]cty.Value{cty.StringVal("10.0.0.0/8")})}),
			obj(map[string]cty.Value{"port": cty.NumberIntVal(80), "cidrs": cty.NullVal(cty.Set(cty.String))}),
		}),
		"meta": obj(map[string]cty.Value{"a": cty.True, "b": cty.TupleVal([]cty.Value{cty.StringVal("t")})}),
	}))
	add("nested object partly unknown", nestedT, obj(map[string]cty.Value{
		"name":  cty.UnknownVal(cty.String),
		"tags":  cty.UnknownVal(cty.Map(cty.String)),
		"rules": cty.ListVal([]cty.Value{obj(map[string]cty.Value{"port": cty.UnknownVal(cty.Number), "cidrs": cty.UnknownVal(cty.Set(cty.String))})}),
		"meta":  cty.NullVal(cty.Object(map[string]cty.Type{"a": cty.Bool, "b": cty.Tuple([]cty.Type{cty.String})})),
	}))

	// dynamic values: the [typeJSON, value] wrapper
	dyn := cty.DynamicPseudoType
	add("dynamic string", dyn, cty.StringVal("hi"))
	add("dynamic number", dyn, cty.NumberIntVal(42))
	add("dynamic decimal", dyn, num("0.1"))
	add("dynamic bool", dyn, cty.True)
	add("dynamic list", dyn, cty.ListVal([]cty.Value{cty.StringVal("a")}))
	add("dynamic set", dyn, cty.SetVal([]cty.Value{cty.NumberIntVal(1), cty.NumberIntVal(2)}))
	add("dynamic map", dyn, cty.MapVal(map[string]cty.Value{"k": cty.NumberIntVal(1)}))
	add("dynamic object", dyn, obj(map[string]cty.Value{"a": cty.StringVal("x"), "b": cty.ListValEmpty(cty.Bool)}))
	add("dynamic tuple", dyn, cty.TupleVal([]cty.Value{cty.StringVal("x"), cty.NumberIntVal(1)}))
	add("dynamic empty object", dyn, cty.EmptyObjectVal)
	objDynT := cty.Object(map[string]cty.Type{"config": dyn, "id": cty.String, "items": cty.List(dyn)})
	add("object with dynamic attrs", objDynT, obj(map[string]cty.Value{
		"config": obj(map[string]cty.Value{"replicas": cty.NumberIntVal(3), "image": cty.StringVal("nginx")}),
		"id":     cty.StringVal("x"),
		"items":  cty.ListVal([]cty.Value{cty.StringVal("a"), cty.StringVal("b")}),
	}))
	add("object with dynamic null and unknown", objDynT, obj(map[string]cty.Value{
		"config": cty.NullVal(dyn), "id": cty.UnknownVal(cty.String), "items": cty.ListVal([]cty.Value{cty.DynamicVal}),
	}))
	add("map of dynamic", cty.Map(dyn), cty.MapVal(map[string]cty.Value{"a": cty.NumberIntVal(1), "b": cty.NumberIntVal(2)}))

	// deep nesting, beyond msgpack-c's own 32-level limit
	deepT, deepV := cty.String, cty.StringVal("deep")
	for i := 0; i < 60; i++ {
		deepT = cty.List(deepT)
		deepV = cty.ListVal([]cty.Value{deepV})
	}
	add("list nested 60 deep", deepT, deepV)
	return cs
}

func die(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "ctyvectors: "+format+"\n", args...)
	os.Exit(2)
}

func caseID(i int) string { return fmt.Sprintf("%03d", i) }

func hasSet(t cty.Type) bool {
	switch {
	case t.IsSetType():
		return true
	case t.IsListType(), t.IsMapType():
		return hasSet(t.ElementType())
	case t.IsObjectType():
		for _, at := range t.AttributeTypes() {
			if hasSet(at) {
				return true
			}
		}
	case t.IsTupleType():
		for _, et := range t.TupleElementTypes() {
			if hasSet(et) {
				return true
			}
		}
	}
	return false
}

// jsonSafe: JSON cannot hold infinities, and cJSON strings stop at a NUL
// byte, so values with those are not compared through JSON. Neither are the
// few floats whose big.Float shortest text differs from the IEEE shortest
// text the C side uses: powers of two with more than 17 significant digits
// (big.Float takes symmetric half-ulp bounds there) and subnormals (printed
// with 53 bits of precision).
func jsonSafe(v cty.Value) bool {
	if v.IsNull() || !v.IsKnown() {
		return true
	}
	t := v.Type()
	switch {
	case t == cty.Number:
		bf := v.AsBigFloat()
		if bf.IsInf() {
			return false
		}
		if bf.Prec() <= 64 {
			f, _ := bf.Float64()
			return bf.Text('f', -1) == strconv.FormatFloat(f, 'f', -1, 64)
		}
		return true
	case t == cty.String:
		return !strings.Contains(v.AsString(), "\x00")
	case t.IsPrimitiveType():
		return true
	}
	for it := v.ElementIterator(); it.Next(); {
		_, ev := it.Element()
		if !jsonSafe(ev) {
			return false
		}
	}
	return true
}

func gen(dir string) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		die("%v", err)
	}
	var manifest bytes.Buffer
	for i, c := range cases() {
		id := caseID(i)
		tj, err := c.ty.MarshalJSON()
		if err != nil {
			die("%s: type: %v", c.name, err)
		}
		mp, err := ctymsgpack.Marshal(c.val, c.ty)
		if err != nil {
			die("%s: msgpack: %v", c.name, err)
		}
		write(filepath.Join(dir, id+".type"), tj)
		write(filepath.Join(dir, id+".mp"), mp)
		// The JSON is of the value as cty decodes the msgpack: a number cty
		// wrote as float64 becomes a float there (2^64 from decimal text reads
		// back as the float 18446744073709552000 in cty's own equality).
		back, err := ctymsgpack.Unmarshal(mp, c.ty)
		if err != nil {
			die("%s: cty cannot decode its own msgpack: %v", c.name, err)
		}
		if back.IsWhollyKnown() && jsonSafe(back) {
			if js, err := ctyjson.Marshal(back, c.ty); err == nil {
				write(filepath.Join(dir, id+".json"), js)
			}
		}
		fmt.Fprintf(&manifest, "%s\t%s\n", id, c.name)
	}
	write(filepath.Join(dir, "manifest.txt"), manifest.Bytes())
	fmt.Printf("ctyvectors: wrote %d cases to %s\n", len(cases()), dir)
}

func write(path string, b []byte) {
	if err := os.WriteFile(path, b, 0o644); err != nil {
		die("%v", err)
	}
}

// same compares a value decoded from the C encoding with the original. Under a
// dynamic type a null or unknown keeps no concrete type (the C side writes it
// unwrapped, as the spec says), so only null-ness/unknown-ness is compared.
//
// With tol (used for JSON), a number that cty holds with at most 64 bits of
// precision (it came from a float64 or an int, not from decimal text) only has
// to match as a float64: cty's own JSON writes such a number as its shortest
// decimal digits, which is what the C side writes too.
func same(a, b cty.Value, ty cty.Type) (bool, string) { return sameTol(a, b, ty, false) }

func sameTol(a, b cty.Value, ty cty.Type, tol bool) (bool, string) {
	if ty == cty.DynamicPseudoType {
		if a.IsNull() || b.IsNull() || !a.IsKnown() || !b.IsKnown() {
			if a.IsNull() == b.IsNull() && a.IsKnown() == b.IsKnown() {
				return true, ""
			}
			return false, fmt.Sprintf("dynamic null/unknown mismatch: %#v vs %#v", a, b)
		}
		if !a.Type().Equals(b.Type()) {
			return false, fmt.Sprintf("dynamic type %s vs %s", a.Type().FriendlyName(), b.Type().FriendlyName())
		}
		ty = a.Type()
	}
	if !a.IsKnown() || !b.IsKnown() {
		if a.IsKnown() == b.IsKnown() {
			return true, ""
		}
		return false, "known/unknown mismatch"
	}
	if a.IsNull() || b.IsNull() {
		if a.IsNull() == b.IsNull() {
			return true, ""
		}
		return false, "null mismatch"
	}
	switch {
	case ty == cty.Number:
		if a.AsBigFloat().Cmp(b.AsBigFloat()) == 0 {
			return true, ""
		}
		if tol && a.AsBigFloat().Prec() <= 64 {
			fa, _ := a.AsBigFloat().Float64()
			fb, _ := b.AsBigFloat().Float64()
			if fa == fb {
				return true, ""
			}
		}
		return false, fmt.Sprintf("number %s vs %s", a.AsBigFloat().Text('g', -1), b.AsBigFloat().Text('g', -1))
	case ty == cty.String:
		if a.AsString() == b.AsString() {
			return true, ""
		}
		return false, fmt.Sprintf("string %q vs %q", a.AsString(), b.AsString())
	case ty == cty.Bool:
		if a.True() == b.True() {
			return true, ""
		}
		return false, "bool mismatch"
	case ty.IsListType() || ty.IsTupleType():
		if a.LengthInt() != b.LengthInt() {
			return false, "length mismatch"
		}
		for i := 0; i < a.LengthInt(); i++ {
			idx := cty.NumberIntVal(int64(i))
			et := cty.DynamicPseudoType
			if ty.IsListType() {
				et = ty.ElementType()
			} else {
				et = ty.TupleElementType(i)
			}
			if ok, why := sameTol(a.Index(idx), b.Index(idx), et, tol); !ok {
				return false, fmt.Sprintf("[%d]: %s", i, why)
			}
		}
		return true, ""
	case ty.IsSetType():
		if a.LengthInt() != b.LengthInt() {
			return false, "set length mismatch"
		}
		for ai := a.ElementIterator(); ai.Next(); {
			_, av := ai.Element()
			found := false
			for bi := b.ElementIterator(); bi.Next() && !found; {
				_, bv := bi.Element()
				found, _ = sameTol(av, bv, ty.ElementType(), tol)
			}
			if !found {
				return false, fmt.Sprintf("set element %#v missing", av)
			}
		}
		return true, ""
	case ty.IsMapType():
		if a.LengthInt() != b.LengthInt() {
			return false, "map length mismatch"
		}
		for k, av := range a.AsValueMap() {
			bv := b.Index(cty.StringVal(k))
			if ok, why := sameTol(av, bv, ty.ElementType(), tol); !ok {
				return false, fmt.Sprintf("[%q]: %s", k, why)
			}
		}
		return true, ""
	case ty.IsObjectType():
		for name, at := range ty.AttributeTypes() {
			if ok, why := sameTol(a.GetAttr(name), b.GetAttr(name), at, tol); !ok {
				return false, fmt.Sprintf(".%s: %s", name, why)
			}
		}
		return true, ""
	}
	return false, "unsupported type " + ty.FriendlyName()
}

func readCResults(dir string) map[string]string {
	res := map[string]string{}
	f, err := os.Open(filepath.Join(dir, "out", "c_results.txt"))
	if err != nil {
		return res
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		parts := strings.SplitN(sc.Text(), "\t", 2)
		if len(parts) == 2 {
			res[parts[0]] = parts[1]
		}
	}
	return res
}

func check(dir string) {
	cres := readCResults(dir)
	passed, failed := 0, 0
	var problems []string
	for i, c := range cases() {
		id := caseID(i)
		fail := func(format string, args ...interface{}) {
			problems = append(problems, fmt.Sprintf("%s %s: %s", id, c.name, fmt.Sprintf(format, args...)))
		}
		before := len(problems)
		if r, ok := cres[id]; !ok {
			fail("no result from the C test")
		} else if r != "ok" {
			fail("C: %s", r)
		}
		cb, err := os.ReadFile(filepath.Join(dir, "out", id+".mp"))
		if err != nil {
			fail("no C msgpack: %v", err)
		} else {
			got, err := ctymsgpack.Unmarshal(cb, c.ty)
			if err != nil {
				fail("cty cannot decode the C msgpack: %v", err)
			} else if ok, why := same(c.val, got, c.ty); !ok {
				fail("msgpack value differs: %s", why)
			}
			// Without sets (whose element order is free) the bytes must be identical.
			orig, _ := ctymsgpack.Marshal(c.val, c.ty)
			if !hasSet(c.ty) && !bytes.Equal(orig, cb) && !dynamicNullOrUnknown(c.val, c.ty) {
				fail("msgpack bytes differ:\n    cty %x\n    C   %x", trunc(orig), trunc(cb))
			}
		}
		if jb, err := os.ReadFile(filepath.Join(dir, "out", id+".json")); err == nil {
			// Compare with the value as cty itself sees it after a msgpack trip
			// (a uint64 2^63 becomes a float64 there).
			orig, _ := ctymsgpack.Marshal(c.val, c.ty)
			want, _ := ctymsgpack.Unmarshal(orig, c.ty)
			got, err := ctyjson.Unmarshal(jb, c.ty)
			if err != nil {
				fail("cty cannot decode the C JSON %s: %v", jb, err)
			} else if ok, why := sameTol(want, got, c.ty, true); !ok {
				fail("JSON value differs: %s", why)
			}
		}
		if len(problems) == before {
			passed++
		} else {
			failed++
		}
	}
	for _, p := range problems {
		fmt.Println("FAIL " + p)
	}
	fmt.Printf("tf-vectors: %d passed, %d failed\n", passed, failed)
	if failed > 0 {
		os.Exit(1)
	}
}

// cty wraps a typed null/unknown under a dynamic type ([typeJSON, nil]); the C
// side writes it unwrapped, as spec 3.5 asks, so those bytes legitimately differ.
func dynamicNullOrUnknown(v cty.Value, ty cty.Type) bool {
	if ty == cty.DynamicPseudoType {
		return v.IsNull() || !v.IsKnown()
	}
	if v.IsNull() || !v.IsKnown() {
		return false
	}
	switch {
	case ty.IsObjectType():
		for name, at := range ty.AttributeTypes() {
			if dynamicNullOrUnknown(v.GetAttr(name), at) {
				return true
			}
		}
	case ty.IsListType() || ty.IsMapType() || ty.IsSetType():
		for it := v.ElementIterator(); it.Next(); {
			_, ev := it.Element()
			if dynamicNullOrUnknown(ev, ty.ElementType()) {
				return true
			}
		}
	case ty.IsTupleType():
		for i, et := range ty.TupleElementTypes() {
			if dynamicNullOrUnknown(v.Index(cty.NumberIntVal(int64(i))), et) {
				return true
			}
		}
	}
	return false
}

func trunc(b []byte) []byte {
	if len(b) > 64 {
		return b[:64]
	}
	return b
}

func main() {
	if len(os.Args) != 3 {
		die("usage: ctyvectors gen|check DIR")
	}
	switch os.Args[1] {
	case "gen":
		gen(os.Args[2])
	case "check":
		check(os.Args[2])
	default:
		die("unknown mode %q", os.Args[1])
	}
}
