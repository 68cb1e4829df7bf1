package main

// Provider schemas: conversion from tfplugin6, implied types, empty values,
// Terraform's schema validation rules and the HCL decoder spec.

import (
	"fmt"
	"regexp"
	"sort"

	"github.com/hashicorp/hcl/v2/hcldec"
	"github.com/zclconf/go-cty/cty"

	proto "tfcoreproto/tfplugin6"
)

type Nesting int

const (
	NestingInvalid Nesting = iota
	NestingSingle
	NestingList
	NestingSet
	NestingMap
	NestingGroup
)

func (n Nesting) String() string {
	return [...]string{"NestingInvalid", "NestingSingle", "NestingList", "NestingSet", "NestingMap", "NestingGroup"}[n]
}

type Attribute struct {
	Type       cty.Type
	NestedType *Object
	Required   bool
	Optional   bool
	Computed   bool
	Sensitive  bool
	WriteOnly  bool
	Deprecated bool
}

type Object struct {
	Attributes map[string]*Attribute
	Nesting    Nesting
}

type NestedBlock struct {
	Block
	Nesting  Nesting
	MinItems int
	MaxItems int
}

type Block struct {
	Attributes map[string]*Attribute
	BlockTypes map[string]*NestedBlock
	Computed   bool
	Deprecated bool
}

type Schema struct {
	Version int64
	Block   *Block
}

type ProviderSchema struct {
	Provider     *Block
	Resources    map[string]*Schema
	DataSources  map[string]*Schema
	PlanDestroy  bool
	ProviderMeta *Block
}

// ---- conversion ------------------------------------------------------------

func convertProviderSchema(resp *proto.GetProviderSchema_Response) (*ProviderSchema, error) {
	out := &ProviderSchema{Resources: map[string]*Schema{}, DataSources: map[string]*Schema{}}
	if resp.Provider == nil {
		return nil, fmt.Errorf("missing provider schema")
	}
	pb, err := convertBlock(resp.Provider.Block)
	if err != nil {
		return nil, fmt.Errorf("invalid provider schema: %s", err)
	}
	out.Provider = pb
	for name, s := range resp.ResourceSchemas {
		if s.Version < 0 {
			return nil, fmt.Errorf("invalid negative schema version for managed resource type %q", name)
		}
		b, err := convertBlock(s.Block)
		if err != nil {
			return nil, fmt.Errorf("invalid schema for managed resource type %q: %s", name, err)
		}
		out.Resources[name] = &Schema{Version: s.Version, Block: b}
	}
	for name, s := range resp.DataSourceSchemas {
		if s.Version < 0 {
			return nil, fmt.Errorf("invalid negative schema version for data source %q", name)
		}
		b, err := convertBlock(s.Block)
		if err != nil {
			return nil, fmt.Errorf("invalid schema for data source %q: %s", name, err)
		}
		out.DataSources[name] = &Schema{Version: s.Version, Block: b}
	}
	if resp.ServerCapabilities != nil {
		out.PlanDestroy = resp.ServerCapabilities.PlanDestroy
	}
	return out, nil
}

func convertBlock(b *proto.Schema_Block) (*Block, error) {
	out := &Block{Attributes: map[string]*Attribute{}, BlockTypes: map[string]*NestedBlock{}}
	if b == nil {
		return out, nil
	}
	out.Computed = b.Computed
	out.Deprecated = b.Deprecated
	for _, a := range b.Attributes {
		ca, err := convertAttr(a)
		if err != nil {
			return nil, err
		}
		out.Attributes[a.Name] = ca
	}
	for _, nb := range b.BlockTypes {
		cb, err := convertBlock(nb.Block)
		if err != nil {
			return nil, err
		}
		n := &NestedBlock{Block: *cb, MinItems: int(nb.MinItems), MaxItems: int(nb.MaxItems)}
		switch nb.Nesting {
		case proto.Schema_NestedBlock_SINGLE:
			n.Nesting = NestingSingle
		case proto.Schema_NestedBlock_LIST:
			n.Nesting = NestingList
		case proto.Schema_NestedBlock_SET:
			n.Nesting = NestingSet
		case proto.Schema_NestedBlock_MAP:
			n.Nesting = NestingMap
		case proto.Schema_NestedBlock_GROUP:
			n.Nesting = NestingGroup
		default:
			n.Nesting = NestingInvalid
		}
		out.BlockTypes[nb.TypeName] = n
	}
	return out, nil
}

func convertAttr(a *proto.Schema_Attribute) (*Attribute, error) {
	ca := &Attribute{Required: a.Required, Optional: a.Optional, Computed: a.Computed,
		Sensitive: a.Sensitive, WriteOnly: a.WriteOnly, Deprecated: a.Deprecated}
	if len(a.Type) > 0 {
		var ty cty.Type
		if err := ty.UnmarshalJSON(a.Type); err != nil {
			// Terraform panics here (convert/schema.go); tfcore reports it.
			return nil, fmt.Errorf("attribute %q has an invalid type %q: %s (Terraform itself panics on this)", a.Name, string(a.Type), err)
		}
		ca.Type = ty
	}
	if a.NestedType != nil {
		o := &Object{Attributes: map[string]*Attribute{}}
		for _, na := range a.NestedType.Attributes {
			c, err := convertAttr(na)
			if err != nil {
				return nil, err
			}
			o.Attributes[na.Name] = c
		}
		switch a.NestedType.Nesting {
		case proto.Schema_Object_SINGLE:
			o.Nesting = NestingSingle
		case proto.Schema_Object_LIST:
			o.Nesting = NestingList
		case proto.Schema_Object_SET:
			o.Nesting = NestingSet
		case proto.Schema_Object_MAP:
			o.Nesting = NestingMap
		}
		ca.NestedType = o
	}
	return ca, nil
}

// ---- types -----------------------------------------------------------------

func (a *Attribute) ImpliedType() cty.Type {
	if a.NestedType != nil {
		return a.NestedType.ImpliedType()
	}
	if a.Type == cty.NilType {
		return cty.DynamicPseudoType
	}
	return a.Type
}

func (o *Object) objType(optional bool) cty.Type {
	atys := map[string]cty.Type{}
	var opt []string
	for n, a := range o.Attributes {
		if optional && a.NestedType != nil {
			atys[n] = a.NestedType.specType()
		} else {
			atys[n] = a.ImpliedType()
		}
		if optional && !a.Required {
			opt = append(opt, n)
		}
	}
	if optional && len(opt) > 0 {
		return cty.ObjectWithOptionalAttrs(atys, opt)
	}
	return cty.Object(atys)
}

func (o *Object) wrap(ety cty.Type) cty.Type {
	switch o.Nesting {
	case NestingList:
		if ety.HasDynamicTypes() {
			return cty.DynamicPseudoType
		}
		return cty.List(ety)
	case NestingSet:
		return cty.Set(ety)
	case NestingMap:
		if ety.HasDynamicTypes() {
			return cty.DynamicPseudoType
		}
		return cty.Map(ety)
	}
	return ety
}

func (o *Object) ImpliedType() cty.Type { return o.wrap(o.objType(false)) }

// specType is the type used to decode config: non-required attributes are
// optional object attributes.
func (o *Object) specType() cty.Type { return o.wrap(o.objType(true)) }

func (b *Block) ImpliedType() cty.Type {
	atys := map[string]cty.Type{}
	for n, a := range b.Attributes {
		atys[n] = a.ImpliedType()
	}
	for n, nb := range b.BlockTypes {
		atys[n] = nb.ImpliedType()
	}
	return cty.Object(atys)
}

func (nb *NestedBlock) ImpliedType() cty.Type {
	ety := nb.Block.ImpliedType()
	switch nb.Nesting {
	case NestingSingle, NestingGroup:
		return ety
	case NestingList:
		if ety.HasDynamicTypes() {
			return cty.DynamicPseudoType
		}
		return cty.List(ety)
	case NestingSet:
		return cty.Set(ety)
	case NestingMap:
		if ety.HasDynamicTypes() {
			return cty.DynamicPseudoType
		}
		return cty.Map(ety)
	}
	return cty.DynamicPseudoType
}

// EmptyValue is the value an empty config block decodes to.
func (b *Block) EmptyValue() cty.Value {
	vals := map[string]cty.Value{}
	for n, a := range b.Attributes {
		vals[n] = cty.NullVal(a.ImpliedType())
	}
	for n, nb := range b.BlockTypes {
		vals[n] = nb.EmptyValue()
	}
	return cty.ObjectVal(vals)
}

func (nb *NestedBlock) EmptyValue() cty.Value {
	ety := nb.Block.ImpliedType()
	switch nb.Nesting {
	case NestingSingle:
		return cty.NullVal(ety)
	case NestingGroup:
		return nb.Block.EmptyValue()
	case NestingList:
		if ety.HasDynamicTypes() {
			return cty.EmptyTupleVal
		}
		return cty.ListValEmpty(ety)
	case NestingSet:
		return cty.SetValEmpty(ety)
	case NestingMap:
		if ety.HasDynamicTypes() {
			return cty.EmptyObjectVal
		}
		return cty.MapValEmpty(ety)
	}
	return cty.NullVal(cty.DynamicPseudoType)
}

// ---- decoder spec ------------------------------------------------------------

func (b *Block) DecoderSpec() hcldec.ObjectSpec {
	ret := hcldec.ObjectSpec{}
	for name, a := range b.Attributes {
		ty := a.ImpliedType()
		if a.NestedType != nil {
			ty = a.NestedType.specType()
		}
		ret[name] = &hcldec.AttrSpec{Name: name, Type: ty, Required: a.Required}
	}
	for name, nb := range b.BlockTypes {
		child := nb.Block.DecoderSpec()
		switch nb.Nesting {
		case NestingSingle:
			ret[name] = &hcldec.BlockSpec{TypeName: name, Nested: child, Required: nb.MinItems == 1}
		case NestingGroup:
			ret[name] = &hcldec.DefaultSpec{
				Primary: &hcldec.BlockSpec{TypeName: name, Nested: child},
				Default: &hcldec.LiteralSpec{Value: nb.Block.EmptyValue()},
			}
		case NestingList:
			if nb.Block.ImpliedType().HasDynamicTypes() {
				ret[name] = &hcldec.BlockTupleSpec{TypeName: name, Nested: child, MinItems: nb.MinItems, MaxItems: nb.MaxItems}
			} else {
				ret[name] = &hcldec.BlockListSpec{TypeName: name, Nested: child, MinItems: nb.MinItems, MaxItems: nb.MaxItems}
			}
		case NestingSet:
			ret[name] = &hcldec.BlockSetSpec{TypeName: name, Nested: child, MinItems: nb.MinItems, MaxItems: nb.MaxItems}
		case NestingMap:
			if nb.Block.ImpliedType().HasDynamicTypes() {
				ret[name] = &hcldec.BlockObjectSpec{TypeName: name, Nested: child, LabelNames: []string{"key"}}
			} else {
				ret[name] = &hcldec.BlockMapSpec{TypeName: name, Nested: child, LabelNames: []string{"key"}}
			}
		}
	}
	return ret
}

// ---- validation (Terraform's configschema InternalValidate rules) -------------

var validName = regexp.MustCompile(`^[a-z0-9_]+$`)

func (b *Block) InternalValidate() []error {
	return b.internalValidate("")
}

func (b *Block) internalValidate(prefix string) []error {
	var errs []error
	names := make([]string, 0, len(b.Attributes))
	for n := range b.Attributes {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		a := b.Attributes[name]
		errs = append(errs, validateAttr(prefix, name, a, b.Computed)...)
	}
	bnames := make([]string, 0, len(b.BlockTypes))
	for n := range b.BlockTypes {
		bnames = append(bnames, n)
	}
	sort.Strings(bnames)
	for _, name := range bnames {
		nb := b.BlockTypes[name]
		if !validName.MatchString(name) {
			errs = append(errs, fmt.Errorf("%s%s: name may contain only lowercase letters, digits and underscores", prefix, name))
		}
		if _, dup := b.Attributes[name]; dup {
			errs = append(errs, fmt.Errorf("%s%s: name defined as both attribute and child block type", prefix, name))
		}
		if nb.MinItems < 0 || nb.MaxItems < 0 {
			errs = append(errs, fmt.Errorf("%s%s: MinItems and MaxItems must both be greater than zero", prefix, name))
		}
		switch nb.Nesting {
		case NestingSingle:
			switch {
			case nb.MinItems != nb.MaxItems:
				errs = append(errs, fmt.Errorf("%s%s: MinItems and MaxItems must match in NestingSingle mode", prefix, name))
			case nb.MinItems < 0 || nb.MinItems > 1:
				errs = append(errs, fmt.Errorf("%s%s: MinItems and MaxItems must be set to either 0 or 1 in NestingSingle mode", prefix, name))
			}
		case NestingGroup:
			if nb.MinItems != 0 || nb.MaxItems != 0 {
				errs = append(errs, fmt.Errorf("%s%s: MinItems and MaxItems cannot be used in NestingGroup mode", prefix, name))
			}
			if nb.Block.Computed {
				errs = append(errs, fmt.Errorf("%s%s: NestingGroup blocks cannot be computed", prefix, name))
			}
		case NestingList, NestingSet:
			if nb.MinItems > nb.MaxItems && nb.MaxItems != 0 {
				errs = append(errs, fmt.Errorf("%s%s: MinItems must be less than or equal to MaxItems in %s mode", prefix, name, nb.Nesting))
			}
			if nb.Nesting == NestingSet && nb.Block.ImpliedType().HasDynamicTypes() {
				errs = append(errs, fmt.Errorf("%s%s: NestingSet blocks may not contain attributes of cty.DynamicPseudoType", prefix, name))
			}
		case NestingMap:
			if nb.MinItems != 0 || nb.MaxItems != 0 {
				errs = append(errs, fmt.Errorf("%s%s: MinItems and MaxItems must both be 0 in NestingMap mode", prefix, name))
			}
		default:
			errs = append(errs, fmt.Errorf("%s%s: invalid nesting mode %s", prefix, name, nb.Nesting))
		}
		if nb.Block.Computed && nb.MinItems != 0 {
			errs = append(errs, fmt.Errorf("%s%s: computed blocks must have MinItems 0", prefix, name))
		}
		if b.Computed && !nb.Block.Computed {
			errs = append(errs, fmt.Errorf("%s%s: blocks nested in a computed block must be computed", prefix, name))
		}
		errs = append(errs, nb.Block.internalValidate(prefix+name+".")...)
	}
	return errs
}

func validateAttr(prefix, name string, a *Attribute, parentComputed bool) []error {
	var errs []error
	if !validName.MatchString(name) {
		errs = append(errs, fmt.Errorf("%s%s: name may contain only lowercase letters, digits and underscores", prefix, name))
	}
	if !a.Optional && !a.Required && !a.Computed {
		errs = append(errs, fmt.Errorf("%s%s: must set Optional, Required or Computed", prefix, name))
	}
	if a.Optional && a.Required {
		errs = append(errs, fmt.Errorf("%s%s: cannot set both Optional and Required", prefix, name))
	}
	if a.Computed && a.Required {
		errs = append(errs, fmt.Errorf("%s%s: cannot set both Computed and Required", prefix, name))
	}
	if a.Type == cty.NilType && a.NestedType == nil {
		errs = append(errs, fmt.Errorf("%s%s: either Type or NestedType must be defined", prefix, name))
	}
	if a.Type != cty.NilType && a.NestedType != nil {
		errs = append(errs, fmt.Errorf("%s%s: Type and NestedType cannot both be set", prefix, name))
	}
	if a.WriteOnly && a.Computed {
		errs = append(errs, fmt.Errorf("%s%s: write-only attributes cannot be computed", prefix, name))
	}
	if parentComputed && !a.Computed {
		errs = append(errs, fmt.Errorf("%s%s: attributes nested in a computed block must be computed", prefix, name))
	}
	if a.NestedType != nil {
		switch a.NestedType.Nesting {
		case NestingSingle, NestingList, NestingSet, NestingMap:
		default:
			errs = append(errs, fmt.Errorf("%s%s: invalid nesting mode %s", prefix, name, a.NestedType.Nesting))
		}
		if a.NestedType.Nesting == NestingSet && a.NestedType.objType(false).HasDynamicTypes() {
			errs = append(errs, fmt.Errorf("%s%s: NestingSet attributes may not contain attributes of cty.DynamicPseudoType", prefix, name))
		}
		keys := make([]string, 0)
		for n := range a.NestedType.Attributes {
			keys = append(keys, n)
		}
		sort.Strings(keys)
		for _, n := range keys {
			errs = append(errs, validateAttr(prefix+name+".", n, a.NestedType.Attributes[n], false)...)
		}
	}
	return errs
}

// writeOnlyPaths returns the paths of write-only attributes whose value in v
// is not null.
func (b *Block) nonNullWriteOnly(v cty.Value, path cty.Path) []cty.Path {
	var out []cty.Path
	if v.IsNull() || !v.IsKnown() {
		return nil
	}
	for n, a := range b.Attributes {
		av := v.GetAttr(n)
		if a.WriteOnly && !av.IsNull() {
			out = append(out, append(copyPath(path), cty.GetAttrStep{Name: n}))
		}
	}
	for n, nb := range b.BlockTypes {
		bv := v.GetAttr(n)
		if bv.IsNull() || !bv.IsKnown() {
			continue
		}
		p := append(copyPath(path), cty.GetAttrStep{Name: n})
		switch nb.Nesting {
		case NestingSingle, NestingGroup:
			out = append(out, nb.Block.nonNullWriteOnly(bv, p)...)
		default:
			for it := bv.ElementIterator(); it.Next(); {
				k, ev := it.Element()
				out = append(out, nb.Block.nonNullWriteOnly(ev, append(copyPath(p), cty.IndexStep{Key: k}))...)
			}
		}
	}
	return out
}

func copyPath(p cty.Path) cty.Path {
	out := make(cty.Path, len(p), len(p)+2)
	copy(out, p)
	return out
}

// sensitivePaths lists top-level sensitive attribute paths (for state's
// sensitive_attributes and for display).
func (b *Block) sensitiveAttrs() map[string]bool {
	out := map[string]bool{}
	for n, a := range b.Attributes {
		if a.Sensitive {
			out[n] = true
		}
	}
	return out
}
