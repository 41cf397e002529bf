package planetscrud

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestCheckSelection(t *testing.T) {
	for _, q := range []string{
		ContractQuery,
		"{allPlanets{planets{name population terrains climates}}}",
		"query Other {\n  allPlanets {\n    planets { climates, terrains, name, population }\n  }\n}",
		"query{allPlanets{planets{name population terrains climates}}}",
	} {
		if err := checkSelection(q); err != nil {
			t.Errorf("%q refused: %v", q, err)
		}
	}
	for _, q := range []string{
		"", "{allPlanets{planets{name population}}}",
		"{allPlanets{planets{name population terrains climates diameter}}}",
		"{allPlanets{totalCount planets{name population terrains climates}}}",
		"{allPlanets(first: 3){planets{name population terrains climates}}}",
		"mutation {allPlanets{planets{name population terrains climates}}}",
	} {
		if checkSelection(q) == nil {
			t.Errorf("%q accepted", q)
		}
	}
}

func TestEndpointFailsFirstThenServes(t *testing.T) {
	data := Generate(7)
	e := NewEndpoint(data, 1)
	post := func(q string) (int, []byte) {
		body, _ := json.Marshal(map[string]string{"query": q})
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/", strings.NewReader(string(body))))
		return rec.Code, rec.Body.Bytes()
	}
	if code, _ := post(ContractQuery); code != http.StatusServiceUnavailable {
		t.Fatalf("first request: %d, want 503", code)
	}
	code, body := post(ContractQuery)
	if code != http.StatusOK {
		t.Fatalf("second request: %d, want 200", code)
	}
	var out struct {
		Data struct {
			AllPlanets struct{ Planets []Planet } `json:"allPlanets"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &out); err != nil || len(out.Data.AllPlanets.Planets) != len(data) {
		t.Fatalf("answer: %v, %d planets, want %d", err, len(out.Data.AllPlanets.Planets), len(data))
	}
	if code, _ := post("{allPlanets{planets{name}}}"); code != http.StatusBadRequest {
		t.Fatalf("other selection: %d, want 400", code)
	}
	if got := e.Requests(); len(got) != 3 || got[2].Status != 400 {
		t.Fatalf("requests recorded: %+v", got)
	}
}

func TestGenerateShape(t *testing.T) {
	for seed := int64(1); seed <= 200; seed++ {
		data := Generate(seed)
		if len(data) < 40 || len(data) > 80 {
			t.Fatalf("seed %d: %d planets", seed, len(data))
		}
		names := map[string]bool{}
		count := map[kind]int{}
		empty, unknown := 0, 0
		for _, p := range data {
			if names[p.Name] {
				t.Fatalf("seed %d: name %q twice", seed, p.Name)
			}
			names[p.Name] = true
			count[p.kind()]++
			if p.Population != nil && (*p.Population < 0 || *p.Population > 10_000_000_000_000) {
				t.Fatalf("seed %d: population %d out of range", seed, *p.Population)
			}
			if len(p.Terrains) == 0 || len(p.Climates) == 0 {
				empty++
			}
			if isUnknown(p.Terrains) || isUnknown(p.Climates) {
				unknown++
			}
		}
		if count[large] < minLarge || count[nullPopulation] < minNull || count[ordinary] < minOrdinary || empty < minEmpty || unknown < minUnknown {
			t.Fatalf("seed %d: kinds %v, empty %d, unknown %d", seed, count, empty, unknown)
		}
	}
	a, _ := json.Marshal(Generate(42))
	b, _ := json.Marshal(Generate(42))
	if string(a) != string(b) {
		t.Fatal("the same seed gave two data sets")
	}
}
