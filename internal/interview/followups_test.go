package interview_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	planetscrud "github.com/assayhq/assay/graders/planets-crud"
	shoppinglist "github.com/assayhq/assay/graders/shopping-list"
	"github.com/assayhq/assay/internal/grading"
	"github.com/assayhq/assay/internal/interview"
)

// variant is the scorecard a reference solution or a flawed variant gets
// (graders/shopping-list/variants_test.go, graders/planets-crud/
// solutions_test.go), built here as a fixture: the checks it fails with
// their messages, the evidence the follow-ups read, and the metrics.
type variant struct {
	suite    *grading.Suite
	failed   map[string]string         // check id → message
	evidence map[string]map[string]any // check id → evidence
	metrics  map[string]float64
	// want is each expected follow-up, in order: "check status" and a part
	// of its prompt holding the evidence values.
	want [][2]string
}

var shoppingPassedEvidence = map[string]map[string]any{
	"quality.list_sql_statements":        {"statements_per_request": []int64{3, 3, 3}, "lists": 9},
	"migrations.quantities_doubled_once": {"after_first_start": "item (1, Milk) holds 4, originally 2"},
}

// deeperShopping are the questions every shopping-list solution that passes gets.
var deeperShopping = [][2]string{
	{"migrations.quantities_doubled_once passed", "doubled every quantity exactly once. With 100 times the items"},
	{"quality.list_sql_statements passed", "GET /shopping-lists sent 3 statements for 9 lists, whatever their number. At 100 times"},
}

var deeperPlanets = [][2]string{
	{"import.large_population passed", "kept populations above 2^31 exactly"},
	{"resilience.retry_503 passed", "survived a 503 (2 requests to the endpoint)"},
	{"import.once_after_restart passed", "two instances start at the same moment"},
}

var planetsPassedEvidence = map[string]map[string]any{
	"resilience.retry_503": {"graphql_requests": 2, "imported_first_run": 60, "listed": 60},
}

var variants = map[string]variant{
	"shopping-list/go":         {suite: shoppinglist.Suite, metrics: map[string]float64{"list_endpoint_sql_statements": 3}, want: deeperShopping},
	"shopping-list/typescript": {suite: shoppinglist.Suite, metrics: map[string]float64{"list_endpoint_sql_statements": 3}, want: deeperShopping},
	"shopping-list/n-plus-one": {suite: shoppinglist.Suite,
		failed:   map[string]string{"quality.list_sql_statements": "GET /shopping-lists sent 10 SQL statements for 9 lists: load all items in one query."},
		evidence: map[string]map[string]any{"quality.list_sql_statements": {"statements_per_request": []int64{10, 11, 10}, "lists": 9}},
		metrics:  map[string]float64{"list_endpoint_sql_statements": 10},
		want: [][2]string{
			{"quality.list_sql_statements failed", "GET /shopping-lists sent 10 statements for 9 lists: how would you find and remove the extra ones?"},
			deeperShopping[0],
		}},
	"shopping-list/double-every-start": {suite: shoppinglist.Suite,
		failed: map[string]string{"migrations.quantities_doubled_once": "After 2 restarts the quantities are 8 times the original."},
		evidence: map[string]map[string]any{"migrations.quantities_doubled_once": {
			"after_first_start": "item (1, Milk) holds 4, originally 2", "after_2_restarts": "item (1, Milk) holds 16, originally 2"}},
		metrics: map[string]float64{"list_endpoint_sql_statements": 3},
		want: [][2]string{
			{"migrations.quantities_doubled_once failed", "Your release doubled the quantities again on the second run (after 2 restarts: item (1, Milk) holds 16, originally 2): how do you make a data migration safe to run twice?"},
			deeperShopping[1],
		}},
	"shopping-list/double-in-api": {suite: shoppinglist.Suite,
		failed:   map[string]string{"migrations.quantities_doubled_once": "The database holds the original quantities."},
		evidence: map[string]map[string]any{"migrations.quantities_doubled_once": {"after_first_start": "item (1, Milk) holds 2, originally 2"}},
		metrics:  map[string]float64{"list_endpoint_sql_statements": 3},
		want: [][2]string{
			{"migrations.quantities_doubled_once failed", "not doubled in the database (item (1, Milk) holds 2, originally 2)"},
			deeperShopping[1],
		}},
	"shopping-list/release-not-rerunnable": {suite: shoppinglist.Suite,
		failed: map[string]string{"data.stored_once": "Lists are stored 3 times.", "migrations.quantities_doubled_once": "After 2 restarts the quantities are 8 times the original."},
		evidence: map[string]map[string]any{"migrations.quantities_doubled_once": {
			"after_first_start": "item (1, Milk) holds 4, originally 2", "after_2_restarts": "item (1, Milk) holds 16, originally 2"}},
		metrics: map[string]float64{"list_endpoint_sql_statements": 3},
		want: [][2]string{
			{"data.stored_once failed", "not stored exactly once (Lists are stored 3 times)"},
			{"migrations.quantities_doubled_once failed", "after 2 restarts: item (1, Milk) holds 16, originally 2"},
			deeperShopping[1],
		}},
	"shopping-list/no-foreign-key": {suite: shoppinglist.Suite, failed: map[string]string{"schema.foreign_key": "No foreign key."},
		metrics: map[string]float64{"list_endpoint_sql_statements": 3},
		want:    append([][2]string{{"schema.foreign_key failed", "do not reference their list through a foreign key"}}, deeperShopping...)},
	"shopping-list/price-float": {suite: shoppinglist.Suite, failed: map[string]string{"quality.price_exact_decimal": "items.price is double precision."},
		evidence: map[string]map[string]any{"quality.price_exact_decimal": {"type": "double precision"}},
		metrics:  map[string]float64{"list_endpoint_sql_statements": 3},
		want:     append([][2]string{{"quality.price_exact_decimal failed", "The price column is double precision:"}}, deeperShopping...)},
	"shopping-list/missing-404": {suite: shoppinglist.Suite, failed: map[string]string{"endpoints.get_404": "GET /shopping-lists/999999 answered 200."},
		metrics: map[string]float64{"list_endpoint_sql_statements": 3},
		want:    append([][2]string{{"endpoints.get_404 failed", "did not answer 404 (GET /shopping-lists/999999 answered 200)"}}, deeperShopping...)},
	"shopping-list/hard-coded-data": {suite: shoppinglist.Suite, failed: map[string]string{"data.stored_once": "The stored lists are not those of app/data."},
		metrics: map[string]float64{"list_endpoint_sql_statements": 3},
		want:    append([][2]string{{"data.stored_once failed", "(The stored lists are not those of app/data)"}}, deeperShopping...)},

	"planets-crud/go":   {suite: planetscrud.Suite, want: deeperPlanets},
	"planets-crud/node": {suite: planetscrud.Suite, want: deeperPlanets},
	"planets-crud/int32-population": {suite: planetscrud.Suite,
		failed: map[string]string{"import.complete": "GET /planets lacks 2 of the 60 planets", "import.large_population": "2 planets with a population above 2^31 are missing",
			"schema.population_bigint": "population is integer"},
		evidence: map[string]map[string]any{
			"import.large_population":  {"compared": 0, "differences": []string{}, "missing": []string{"Coruscant", "Kamino"}},
			"schema.population_bigint": {"columns": "population integer"}},
		want: [][2]string{
			{"import.large_population failed", "A population above 2^31 failed to import (2 of them, e.g. Coruscant): what column type, and why?"},
			{"schema.population_bigint failed", "(population integer)"},
			deeperPlanets[1], deeperPlanets[2],
		}},
	"planets-crud/no-retry": {suite: planetscrud.Suite,
		failed:   map[string]string{"resilience.retry_503": "with PLANETS_GRAPHQL_URL answering the first request with 503, 60 of the 60 planets are missing"},
		evidence: map[string]map[string]any{"resilience.retry_503": {"graphql_requests": 1, "imported_first_run": 60, "listed": 0}},
		want: [][2]string{
			{"resilience.retry_503 failed", "The import gave up on the first 503 (1 request to the endpoint): how would you retry a flaky upstream?"},
			deeperPlanets[0], deeperPlanets[2],
		}},
	"planets-crud/reimport-every-start": {suite: planetscrud.Suite,
		failed: map[string]string{"import.once_after_restart": "after a restart GET /planets lists 59 imported planets more often",
			"restart.no_resurrection": `planet "Hoth", deleted before the restart, is back after it`},
		evidence: map[string]map[string]any{"import.once_after_restart": {"more_after_restart": []string{"Tatooine", "Alderaan"}, "gone_after_restart": []string{}}},
		want: [][2]string{
			{"import.once_after_restart failed", "(2 of them, e.g. Tatooine)"},
			{"restart.no_resurrection failed", `(planet "Hoth", deleted before the restart, is back after it)`},
			deeperPlanets[0], deeperPlanets[1],
		}},
	"planets-crud/deleted-come-back": {suite: planetscrud.Suite,
		failed: map[string]string{"restart.no_resurrection": `planet "Hoth", deleted before the restart, is back after it`},
		want:   append([][2]string{{"restart.no_resurrection failed", `"Hoth"`}}, deeperPlanets...)},
	"planets-crud/malformed-500": {suite: planetscrud.Suite,
		failed: map[string]string{"crud.get_malformed": "GET /planets/abc answered 500"},
		want:   append([][2]string{{"crud.get_malformed failed", "(GET /planets/abc answered 500)"}}, deeperPlanets...)},
	"planets-crud/missing-404": {suite: planetscrud.Suite, failed: map[string]string{"crud.get_404": "answered 200"}, want: deeperPlanets},
	// Graded adaptively, the wrong port and the missing Procfile cost their setup check.
	"planets-crud/wrong-port": {suite: planetscrud.Suite,
		failed: map[string]string{"setup.port": "listened on 3000 instead of $PORT: reached it there"},
		want:   append([][2]string{{"setup.port failed", "did not listen on $PORT (listened on 3000 instead of $PORT: reached it there)"}}, deeperPlanets...)},
	"planets-crud/no-procfile": {suite: planetscrud.Suite,
		failed: map[string]string{"setup.procfile": "no Procfile: started with `npm start` from package.json"},
		want:   append([][2]string{{"setup.procfile failed", "(no Procfile: started with `npm start` from package.json)"}}, deeperPlanets...)},
	"planets-crud/no-database-url": {suite: planetscrud.Suite,
		failed: map[string]string{"setup.database_url": "PGHOST, PGUSER set from $DATABASE_URL"},
		want:   append([][2]string{{"setup.database_url failed", "did not log in with $DATABASE_URL (PGHOST, PGUSER set from $DATABASE_URL)"}}, deeperPlanets...)},
}

// scorecard builds the variant's scorecard: every check of the suite
// passed unless the variant fails it.
func (v variant) scorecard() *grading.Scorecard {
	card := &grading.Scorecard{Takehome: v.suite.Slug, Status: grading.StatusGraded, Metrics: v.metrics}
	passed := shoppingPassedEvidence
	if v.suite == planetscrud.Suite {
		passed = planetsPassedEvidence
	}
	for _, def := range v.suite.Checks {
		ch := grading.CheckResult{ID: def.ID, Title: def.Title, Category: def.Category, Status: grading.CheckPassed,
			MaxScore: def.Points, Score: def.Points, Evidence: passed[def.ID]}
		if msg, ok := v.failed[def.ID]; ok {
			ch.Status, ch.Score, ch.Message, ch.Evidence = grading.CheckFailed, 0, msg, v.evidence[def.ID]
		}
		card.Checks = append(card.Checks, ch)
	}
	return card
}

// stored is the scorecard as the pages read it back from the database:
// JSON with numbers kept as written.
func stored(t *testing.T, card *grading.Scorecard) *grading.Scorecard {
	raw, err := json.Marshal(card)
	if err != nil {
		t.Fatal(err)
	}
	var back grading.Scorecard
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&back); err != nil {
		t.Fatal(err)
	}
	return &back
}

func TestFollowUpsFromEachVariantsScorecard(t *testing.T) {
	for name, v := range variants {
		for _, form := range []string{"fresh", "stored"} {
			t.Run(name+" "+form, func(t *testing.T) {
				for id := range v.failed {
					if !hasCheck(v.suite, id) {
						t.Fatalf("fixture fails %s, which %s does not have", id, v.suite.Slug)
					}
				}
				card := v.scorecard()
				if form == "stored" {
					card = stored(t, card)
				}
				got := interview.FollowUps(card)
				var lines []string
				for _, f := range got {
					lines = append(lines, fmt.Sprintf("%s %s: %s", f.Check, f.CheckStatus, f.Prompt))
				}
				if len(got) != len(v.want) {
					t.Fatalf("%d follow-ups, want %d:\n%s", len(got), len(v.want), strings.Join(lines, "\n"))
				}
				for i, w := range v.want {
					f := got[i]
					if f.Check+" "+f.CheckStatus != w[0] || !strings.Contains(f.Prompt, w[1]) {
						t.Errorf("follow-up %d is %q, want %s with %q", i+1, lines[i], w[0], w[1])
					}
					if strings.Contains(f.Prompt, "?)") || strings.Contains(f.Prompt, " ? ") || strings.Contains(f.Prompt, "not recorded") {
						t.Errorf("follow-up %d lacks its evidence: %q", i+1, f.Prompt)
					}
					if f.ID != interview.FollowUpPrefix+f.Check || len(f.StrongAnswer) < 2 || f.Topic == "" {
						t.Errorf("follow-up %d incomplete: %+v", i+1, f)
					}
				}
			})
		}
	}
}

func TestNoScorecardNoFollowUps(t *testing.T) {
	if got := interview.FollowUps(nil); got != nil {
		t.Errorf("no scorecard gave %v", got)
	}
}

func hasCheck(s *grading.Suite, id string) bool {
	for _, d := range s.Checks {
		if d.ID == id {
			return true
		}
	}
	return false
}
