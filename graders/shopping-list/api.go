package shoppinglist

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/assayhq/assay/internal/grading"
)

// apiItem and apiList are what the service answered, checked against the
// JSON shapes of the brief. IDs are opaque: kept as their JSON text.
type apiItem struct {
	ID       string
	Name     string
	Quantity int64
	Price    *float64
}

type apiList struct {
	ID    string
	Name  string
	Items []apiItem
}

// decodeArray reads a 200 JSON array response; problem is a sentence for the
// candidate when the answer is not one.
func decodeArray(r *grading.Response, what string) (arr []any, problem string) {
	if p := jsonProblem(r, what); p != "" {
		return nil, p
	}
	if err := r.JSON(&arr); err != nil || arr == nil {
		return nil, fmt.Sprintf("%s must answer a JSON array", what)
	}
	return arr, ""
}

// jsonProblem says what is wrong with a response expected to be 200 JSON.
func jsonProblem(r *grading.Response, what string) string {
	if r.Status != 200 {
		return fmt.Sprintf("%s answered %d: it must answer 200", what, r.Status)
	}
	if !r.IsJSON() {
		return fmt.Sprintf("%s answered Content-Type %q: send application/json", what, r.Header.Get("Content-Type"))
	}
	return ""
}

func parseLists(arr []any, what string) ([]apiList, string) {
	out := make([]apiList, 0, len(arr))
	for i, v := range arr {
		l, p := parseList(v, fmt.Sprintf("%s: list %d", what, i+1))
		if p != "" {
			return nil, p
		}
		out = append(out, l)
	}
	return out, ""
}

func parseList(v any, where string) (apiList, string) {
	obj, ok := v.(map[string]any)
	if !ok {
		return apiList{}, where + " is not a JSON object"
	}
	var l apiList
	var p string
	if l.ID, p = parseID(obj, where); p != "" {
		return l, p
	}
	if l.Name, ok = obj["name"].(string); !ok {
		return l, where + ` has no "name" string`
	}
	items, ok := obj["items"].([]any)
	if !ok {
		return l, fmt.Sprintf("%s (%q) has no \"items\" array", where, l.Name)
	}
	l.Items, p = parseItems(items, fmt.Sprintf("%s (%q)", where, l.Name))
	return l, p
}

func parseItems(arr []any, where string) ([]apiItem, string) {
	out := make([]apiItem, 0, len(arr))
	for i, v := range arr {
		it, p := parseItem(v, fmt.Sprintf("%s, item %d", where, i+1))
		if p != "" {
			return nil, p
		}
		out = append(out, it)
	}
	return out, ""
}

func parseItem(v any, where string) (apiItem, string) {
	obj, ok := v.(map[string]any)
	if !ok {
		return apiItem{}, where + " is not a JSON object"
	}
	var it apiItem
	var p string
	if it.ID, p = parseID(obj, where); p != "" {
		return it, p
	}
	if it.Name, ok = obj["name"].(string); !ok {
		return it, where + ` has no "name" string`
	}
	q, ok := obj["quantity"].(json.Number)
	n, err := strconv.ParseInt(q.String(), 10, 64)
	if !ok || err != nil {
		return it, fmt.Sprintf("%s (%q) has no integer \"quantity\" (got %s)", where, it.Name, show(obj["quantity"]))
	}
	it.Quantity = n
	price, present := obj["price"]
	switch pv := price.(type) {
	case nil:
		if !present {
			return it, fmt.Sprintf(`%s (%q) has no "price": send a number or null`, where, it.Name)
		}
	case json.Number:
		f, err := pv.Float64()
		if err != nil {
			return it, fmt.Sprintf("%s (%q) has a \"price\" that is not a number", where, it.Name)
		}
		it.Price = &f
	default:
		return it, fmt.Sprintf("%s (%q) has \"price\" %s: send a JSON number or null", where, it.Name, show(price))
	}
	return it, ""
}

// parseID reads an "id" that is a JSON number or string (contract §1).
func parseID(obj map[string]any, where string) (string, string) {
	switch id := obj["id"].(type) {
	case json.Number:
		return id.String(), ""
	case string:
		if id != "" {
			return id, ""
		}
	}
	return "", fmt.Sprintf(`%s has no "id" (a number or a string)`, where)
}

// show renders a JSON value for a message.
func show(v any) string {
	if v == nil {
		return "null"
	}
	b, _ := json.Marshal(v)
	return string(b)
}
