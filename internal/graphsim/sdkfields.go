package graphsim

import (
	"strings"
)

// The field tables of sdkfields_gen.go come from Meta's Python SDK; rerun
// this after `pip install facebook-business==<new version>`.
//go:generate sh -c "python3 gen/fields.py -o sdkfields_gen.go && gofmt -w sdkfields_gen.go"

// sdkField is one field an SDK class declares, with the SDK's type string
// ("string", "list<AdsActionStats>", "map<string, int>", an enum name, ...).
type sdkField struct{ name, typ string }

// sdkClass is one class of the SDK's adobjects.
type sdkClass struct {
	crud   bool                // a node with an id of its own, not a struct
	fields []sdkField          // readable fields, in the SDK's order
	params []string            // declared, but parameters of create or update calls only
	enums  map[string][]string // the class's enums by name

	types map[string]*fieldType // fields by name, parsed; built by init
}

// typeKind is the JSON shape a field's value takes.
type typeKind uint8

const (
	tString typeKind = iota
	tInt
	tFloat
	tBool
	tTime   // datetime: "2026-11-28T10:00:00+0000"
	tEnum   // a string among enum
	tList   // [elem, ...]
	tMap    // {"key": elem}
	tObject // an object of class (unknown classes render as plain objects)
)

// fieldType is a parsed SDK type string.
type fieldType struct {
	kind  typeKind
	elem  *fieldType // list and map elements
	enum  []string
	class string // tObject: the SDK class name, "" for the SDK's untyped Object
}

// graphNodeTypes are the names the Graph API gives the node types in its
// errors, where they differ from the SDK's class names.
var graphNodeTypes = map[string]string{
	"Ad":       "Adgroup",
	"AdSet":    "AdCampaign",
	"Campaign": "AdCampaignGroup",
	"AdVideo":  "Video",
}

func nodeTypeName(class string) string {
	if n, ok := graphNodeTypes[class]; ok {
		return n
	}
	return class
}

// sdkClasses are the generated tables with every declared type parsed, by
// class name.
var sdkClasses = withTypes(sdkClassTables)

func withTypes(classes map[string]*sdkClass) map[string]*sdkClass {
	for _, c := range classes {
		c.types = make(map[string]*fieldType, len(c.fields))
		for _, f := range c.fields {
			c.types[f.name] = parseSDKType(c, f.typ)
		}
	}
	return classes
}

// parseSDKType reads an SDK type string in the context of class c, whose
// enums the bare names may refer to.
func parseSDKType(c *sdkClass, s string) *fieldType {
	s = strings.TrimSpace(s)
	if inner, ok := strings.CutPrefix(s, "list<"); ok {
		return &fieldType{kind: tList, elem: parseSDKType(c, strings.TrimSuffix(inner, ">"))}
	}
	if inner, ok := strings.CutPrefix(s, "map<"); ok {
		inner = strings.TrimSuffix(inner, ">")
		_, v, _ := strings.Cut(inner, ",")
		return &fieldType{kind: tMap, elem: parseSDKType(c, v)}
	}
	switch s {
	case "string", "file", "":
		return &fieldType{kind: tString}
	case "int", "unsigned int", "int32", "int64":
		return &fieldType{kind: tInt}
	case "float", "double":
		return &fieldType{kind: tFloat}
	case "bool":
		return &fieldType{kind: tBool}
	case "datetime":
		return &fieldType{kind: tTime}
	case "map":
		return &fieldType{kind: tMap, elem: &fieldType{kind: tString}}
	case "Object":
		return &fieldType{kind: tObject}
	}
	if vals, ok := c.enums[s]; ok {
		return &fieldType{kind: tEnum, enum: vals}
	}
	return &fieldType{kind: tObject, class: s}
}

// field returns the declared type of a readable field of the class.
func (c *sdkClass) field(name string) (*fieldType, bool) {
	t, ok := c.types[name]
	return t, ok
}

// checkNodeFields returns the Graph API's error for the first requested
// field the class cannot return: unknown names and the SDK's create-only
// parameters alike, as the real API does. Expansions (creative{id,name}) are
// checked against the expanded class when graphsim knows it.
func checkNodeFields(fs []field, class string) *graphError {
	c := sdkClasses[class]
	if c == nil {
		return nil
	}
	for _, f := range fs {
		t, ok := c.field(f.name)
		if !ok {
			return errParam("Tried accessing nonexisting field (%s) on node type (%s)", f.name, nodeTypeName(class))
		}
		if len(f.sub) == 0 {
			continue
		}
		for t.kind == tList || t.kind == tMap {
			t = t.elem
		}
		if t.kind == tObject && t.class != "" {
			if err := checkNodeFields(f.sub, t.class); err != nil {
				return err
			}
		}
	}
	return nil
}

// readableFields lists every field a class returns, for callers asking for
// all of them at once.
func readableFields(class string) []field {
	c := sdkClasses[class]
	out := make([]field, 0, len(c.fields))
	for _, f := range c.fields {
		out = append(out, field{name: f.name})
	}
	return out
}
