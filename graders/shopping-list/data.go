package shoppinglist

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
)

// Item and List are the shape of app/data (contract §3): the value of
// `shoppingLists` in data.ts, and the whole of data.json.
type Item struct {
	Name     string `json:"name"`
	Quantity int    `json:"quantity"`
}

type List struct {
	Name  string `json:"name"`
	Items []Item `json:"items"`
}

// tsHeader is the part of data.ts before the value; it is the same in the
// starter kit and in every replacement so a candidate's parser keeps working.
const tsHeader = `export type Item = { name: string; quantity: number };
export type ShoppingList = { name: string; items: Item[] };

export const shoppingLists: ShoppingList[] = `

// encodeJSON renders lists exactly in the starter kit's data.json layout.
func encodeJSON(lists []List) []byte {
	return encode(lists, func(k string) string { return strconv.Quote(k) }, "")
}

// encodeTS renders lists exactly in the starter kit's data.ts layout: bare
// keys, trailing commas, strings as JSON string literals (valid TypeScript).
func encodeTS(lists []List) []byte {
	var b bytes.Buffer
	b.WriteString(tsHeader)
	b.Write(bytes.TrimSuffix(encode(lists, func(k string) string { return k }, ","), []byte("\n")))
	b.WriteString(";\n")
	return b.Bytes()
}

// encode writes the shared layout; key renders an object key and trailing
// is the separator after the last element of a multi-line array or object.
func encode(lists []List, key func(string) string, trailing string) []byte {
	var b bytes.Buffer
	b.WriteString("[\n")
	for i, l := range lists {
		fmt.Fprintf(&b, "  {\n    %s: %s,\n    %s: [\n", key("name"), quote(l.Name), key("items"))
		for j, it := range l.Items {
			sep := ","
			if j == len(l.Items)-1 {
				sep = trailing
			}
			fmt.Fprintf(&b, "      { %s: %s, %s: %d }%s\n", key("name"), quote(it.Name), key("quantity"), it.Quantity, sep)
		}
		sep := ","
		if i == len(lists)-1 {
			sep = trailing
		}
		fmt.Fprintf(&b, "    ]%s\n  }%s\n", trailing, sep)
	}
	b.WriteString("]\n")
	return b.Bytes()
}

// quote renders s as a JSON string without HTML escaping, so "Ben & Jerry's"
// stays readable in the candidate's files.
func quote(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	return string(bytes.TrimSuffix(b.Bytes(), []byte("\n")))
}

// itemCount is the number of items over all lists.
func itemCount(lists []List) int {
	n := 0
	for _, l := range lists {
		n += len(l.Items)
	}
	return n
}
