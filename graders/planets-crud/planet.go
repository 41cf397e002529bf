package planetscrud

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// apiPlanet is a planet as the service answered it, read leniently: a field
// of the wrong shape is kept as sent, so that each check judges only the
// fields it is about and can say precisely what is wrong.
type apiPlanet struct {
	ID       string // opaque: a JSON number's digits or a string; "" when neither
	Name     string
	Pop      string   // population as sent, in JSON: "123", "null", "\"123\"", "" when absent
	Terrains []string // nil when not an array of strings
	Climates []string
	raw      map[string]any
	Problem  string // the first way the planet differs from the contract's shape
}

// parsePlanet reads one planet object.
func parsePlanet(v any) apiPlanet {
	m, ok := v.(map[string]any)
	if !ok {
		return apiPlanet{Problem: fmt.Sprintf("a planet must be a JSON object, got %s", jsonText(v))}
	}
	p := apiPlanet{raw: m}
	problem := func(format string, args ...any) {
		if p.Problem == "" {
			p.Problem = fmt.Sprintf(format, args...)
		}
	}
	p.Name, _ = m["name"].(string)
	if _, ok := m["name"].(string); !ok {
		problem("\"name\" must be a string, got %s", jsonText(m["name"]))
	}
	switch id := m["id"].(type) {
	case json.Number:
		p.ID = id.String()
	case string:
		p.ID = id
	default:
		problem("planet %q: \"id\" must be a number or a string, got %s", p.Name, jsonText(m["id"]))
	}
	if pop, present := m["population"]; present {
		p.Pop = jsonText(pop)
		if _, err := strconv.ParseInt(p.Pop, 10, 64); err != nil && p.Pop != "null" {
			problem("planet %q: \"population\" must be an integer or null, got %s", p.Name, p.Pop)
		}
	} else {
		problem("planet %q has no \"population\"; send null when it is unknown", p.Name)
	}
	var err error
	if p.Terrains, err = stringList(m, "terrains", p.Name); err != nil {
		problem("%v", err)
	}
	if p.Climates, err = stringList(m, "climates", p.Name); err != nil {
		problem("%v", err)
	}
	return p
}

func stringList(m map[string]any, key, name string) ([]string, error) {
	raw, ok := m[key].([]any)
	if !ok {
		return nil, fmt.Errorf("planet %q: %q must be an array of strings ([] when empty), got %s", name, key, jsonText(m[key]))
	}
	out := make([]string, len(raw))
	for i, v := range raw {
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("planet %q: %q must hold strings, got %s", name, key, jsonText(v))
		}
		out[i] = s
	}
	return out, nil
}

// parsePlanets reads a listing: every element is kept, problems included.
func parsePlanets(v any) ([]apiPlanet, error) {
	list, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("GET /planets must answer a JSON array, got %s", jsonText(v))
	}
	out := make([]apiPlanet, 0, len(list))
	for _, item := range list {
		out = append(out, parsePlanet(item))
	}
	return out, nil
}

// sameSet compares string arrays ignoring order, as the contract allows.
func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// diff describes how got differs from want, or "" when it does not.
func diff(want Planet, got apiPlanet) string {
	var d []string
	if got.Name != want.Name {
		d = append(d, fmt.Sprintf("name %q, want %q", got.Name, want.Name))
	}
	if d1 := diffPopulation(want, got); d1 != "" {
		d = append(d, d1)
	}
	if d1 := diffArrays(want, got); d1 != "" {
		d = append(d, d1)
	}
	return strings.Join(d, ", ")
}

func diffPopulation(want Planet, got apiPlanet) string {
	if got.Pop == popText(want.Population) {
		return ""
	}
	if got.Pop == "" {
		return fmt.Sprintf("population missing, want %s", popText(want.Population))
	}
	return fmt.Sprintf("population %s, want %s", got.Pop, popText(want.Population))
}

func diffArrays(want Planet, got apiPlanet) string {
	var d []string
	if got.Terrains == nil || !sameSet(got.Terrains, want.Terrains) {
		d = append(d, fmt.Sprintf("terrains %s, want %s", jsonText(got.raw["terrains"]), jsonText(want.Terrains)))
	}
	if got.Climates == nil || !sameSet(got.Climates, want.Climates) {
		d = append(d, fmt.Sprintf("climates %s, want %s", jsonText(got.raw["climates"]), jsonText(want.Climates)))
	}
	return strings.Join(d, ", ")
}

func popText(p *int64) string {
	if p == nil {
		return "null"
	}
	return strconv.FormatInt(*p, 10)
}

// jsonText shows a value as JSON, short enough for a one-line message.
func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	if len(b) > 80 {
		return string(b[:77]) + "..."
	}
	return string(b)
}
