package rules

import (
	"reflect"
	"strings"
)

// nulRule is what a field with a NUL byte is told: PostgreSQL's text
// cannot hold one (error 22021), so it is refused at the door, never
// half-way through a change.
const nulRule = "must not contain NUL characters"

// NoNUL checks one value of a field.
func NoNUL(field, s string) error {
	if strings.ContainsRune(s, 0) {
		return &Error{field, nulRule}
	}
	return nil
}

// NoNULIn checks every string a decoded JSON body holds (struct fields,
// pointers, slices, maps), naming the field by its JSON name.
func NoNULIn(v any) error {
	return noNUL(reflect.ValueOf(v), "body")
}

func noNUL(v reflect.Value, field string) error {
	switch v.Kind() {
	case reflect.String:
		return NoNUL(field, v.String())
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return noNUL(v.Elem(), field)
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			if err := noNUL(v.Index(i), field); err != nil {
				return err
			}
		}
	case reflect.Map:
		for it := v.MapRange(); it.Next(); {
			if err := noNUL(it.Key(), field); err != nil {
				return err
			}
			if err := noNUL(it.Value(), field); err != nil {
				return err
			}
		}
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			if !t.Field(i).IsExported() {
				continue
			}
			name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
			if name == "" {
				name = t.Field(i).Name
			}
			if err := noNUL(v.Field(i), name); err != nil {
				return err
			}
		}
	}
	return nil
}

// NoNULInForm checks every value of a parsed form (query included).
func NoNULInForm(values map[string][]string) error {
	for field, vs := range values {
		if err := NoNUL(field, field); err != nil {
			return err
		}
		for _, v := range vs {
			if err := NoNUL(field, v); err != nil {
				return err
			}
		}
	}
	return nil
}
