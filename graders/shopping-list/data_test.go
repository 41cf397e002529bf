package shoppinglist

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// TestStarterDataLayout: the starter kit's files are exactly what the encoders
// write, so a replacement looks to a candidate's code like the starter did.
func TestStarterDataLayout(t *testing.T) {
	lists, err := starterData()
	if err != nil {
		t.Fatal(err)
	}
	if n := len(lists); n < 3 || n > 6 {
		t.Errorf("starter has %d lists, contract §3 says 3 to 6", n)
	}
	for _, l := range lists {
		if n := len(l.Items); n < 2 || n > 8 {
			t.Errorf("starter list %q has %d items, contract §3 says 2 to 8", l.Name, n)
		}
	}
	for name, want := range map[string][]byte{"data.ts": encodeTS(lists), "data.json": encodeJSON(lists)} {
		got, err := fs.ReadFile(starterFS(), dataDir+"/"+name)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Errorf("starter %s differs from the encoder's layout:\n%s\nwant:\n%s", name, got, want)
		}
	}
	assertTSMatchesJSON(t, encodeTS(lists), encodeJSON(lists))
}

func TestGenerate(t *testing.T) {
	starter, err := starterData()
	if err != nil {
		t.Fatal(err)
	}
	starterNames := map[string]bool{}
	for _, l := range starter {
		starterNames[l.Name] = true
		for _, it := range l.Items {
			starterNames[it.Name] = true
		}
	}
	for seed := int64(0); seed < 200; seed++ {
		lists := generate(seed)
		if !reflect.DeepEqual(lists, generate(seed)) {
			t.Fatalf("seed %d: not reproducible", seed)
		}
		if len(lists) < minLists || len(lists) > maxLists || len(lists) <= len(starter) {
			t.Fatalf("seed %d: %d lists", seed, len(lists))
		}
		seen := map[string]int{}
		for _, l := range lists {
			if starterNames[l.Name] {
				t.Fatalf("seed %d: list name %q is in the starter", seed, l.Name)
			}
			if len(l.Items) < minItems || len(l.Items) > maxItems {
				t.Fatalf("seed %d: list %q has %d items", seed, l.Name, len(l.Items))
			}
			inList := map[string]bool{}
			for _, it := range l.Items {
				if inList[it.Name] || starterNames[it.Name] || it.Quantity < 1 || it.Quantity > maxQuantity {
					t.Fatalf("seed %d: bad item %+v in %q", seed, it, l.Name)
				}
				inList[it.Name] = true
				seen[it.Name]++
			}
		}
		shared := false
		for _, n := range seen {
			shared = shared || n > 1
		}
		if !shared {
			t.Fatalf("seed %d: no item name shared between lists", seed)
		}
		assertTSMatchesJSON(t, encodeTS(lists), encodeJSON(lists))
	}
}

func TestWriteData(t *testing.T) {
	dir := t.TempDir()
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	// A data file that is a link must be replaced, not written through.
	if err := os.MkdirAll(filepath.Join(dir, dataDir), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "keep.json"), []byte("keep"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../../keep.json", filepath.Join(dir, dataDir, "data.json")); err != nil {
		t.Fatal(err)
	}
	lists := generate(7)
	if err := writeData(root, lists); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(filepath.Join(dir, dataDir, "data.json"))
	if string(got) != string(encodeJSON(lists)) {
		t.Errorf("data.json not written")
	}
	if keep, _ := os.ReadFile(filepath.Join(dir, "keep.json")); string(keep) != "keep" {
		t.Errorf("write went through the symlink: keep.json = %q", keep)
	}
}

func TestWriteDataRefusesEscape(t *testing.T) {
	outside := t.TempDir()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "app"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(dir, dataDir)); err != nil {
		t.Fatal(err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	err = writeData(root, generate(1))
	if err == nil || !strings.Contains(err.Error(), "not a link out of the repository") {
		t.Fatalf("writeData through an escaping app/data: err = %v", err)
	}
	if entries, _ := os.ReadDir(outside); len(entries) != 0 {
		t.Fatalf("wrote outside the checkout: %v", entries)
	}
}

// assertTSMatchesJSON checks that data.ts holds the same value as data.json.
func assertTSMatchesJSON(t *testing.T, ts, js []byte) {
	t.Helper()
	var fromTS, fromJSON []List
	if err := json.Unmarshal(tsValueAsJSON(t, string(ts)), &fromTS); err != nil {
		t.Fatalf("data.ts value is not the expected literal: %v\n%s", err, ts)
	}
	if err := json.Unmarshal(js, &fromJSON); err != nil {
		t.Fatalf("data.json: %v", err)
	}
	if !reflect.DeepEqual(fromTS, fromJSON) || len(fromJSON) == 0 {
		t.Fatalf("data.ts and data.json differ:\n%v\n%v", fromTS, fromJSON)
	}
}

// tsValueAsJSON turns the `shoppingLists` literal of a data.ts into JSON:
// bare keys quoted, trailing commas dropped, strings copied untouched. It
// checks the header too, since candidates' parsers may rely on it.
func tsValueAsJSON(t *testing.T, ts string) []byte {
	t.Helper()
	value, ok := strings.CutPrefix(ts, tsHeader)
	if !ok {
		t.Fatalf("data.ts does not start with the contract's types:\n%s", ts)
	}
	value, ok = strings.CutSuffix(value, ";\n")
	if !ok {
		t.Fatalf("data.ts does not end with ';'")
	}
	var out strings.Builder
	for i := 0; i < len(value); i++ {
		c := value[i]
		switch {
		case c == '"':
			j := i + 1
			for ; value[j] != '"'; j++ {
				if value[j] == '\\' {
					j++
				}
			}
			out.WriteString(value[i : j+1])
			i = j
		case c >= 'a' && c <= 'z':
			j := i
			for j < len(value) && value[j] >= 'a' && value[j] <= 'z' {
				j++
			}
			out.WriteString(`"` + value[i:j] + `"`)
			i = j - 1
		case c == ',':
			if rest := strings.TrimLeft(value[i+1:], " \n"); rest != "" && (rest[0] == ']' || rest[0] == '}') {
				continue
			}
			out.WriteByte(c)
		default:
			out.WriteByte(c)
		}
	}
	return []byte(out.String())
}
