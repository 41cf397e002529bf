package interview

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/assayhq/assay/internal/grading"
)

// FollowUpPrefix starts the id of a follow-up question; the check's id follows.
const FollowUpPrefix = "check:"

// FollowUp is a question about the candidate's own work, written from one
// check of their scorecard with its evidence filled in.
type FollowUp struct {
	ID           string   `json:"id"`
	Check        string   `json:"check"`
	CheckTitle   string   `json:"check_title"`
	CheckStatus  string   `json:"check_status"`
	Topic        string   `json:"topic"`
	Prompt       string   `json:"prompt"`
	StrongAnswer []string `json:"strong_answer"`
}

// Question gives the follow-up the shape of a bank question, so an
// interviewer scores it like any other.
func (f FollowUp) Question() Question {
	return Question{ID: f.ID, Level: Intermediate, Kind: CodeReading, Topic: f.Topic, Prompt: f.Prompt,
		Evaluates: "The candidate's own take-home: " + f.CheckTitle, StrongAnswer: f.StrongAnswer}
}

// followUpRule turns one check in one status into a question. prompt reads
// the check's evidence and the scorecard's metrics.
type followUpRule struct {
	check, status, topic string
	prompt               func(e evidence) string
	strong               []string
}

// followUpRules is the one table of follow-ups, for the take-homes Assay
// ships (graders/shopping-list, graders/planets-crud) and the setup checks
// every suite has. A failed check asks how the candidate would fix what the
// evidence shows; a passed one asks what would change at a larger scale.
var followUpRules = []followUpRule{
	// Setup: how the service is configured by the platform.
	{check: "setup.procfile", status: grading.CheckFailed, topic: "configuration",
		prompt: func(e evidence) string {
			return "Assay had to adapt how your service was built or started (" + e.message() + "): how do you tell a platform how to build, release and start a service?"
		},
		strong: []string{"A Procfile (or equivalent) names the build, release and web commands.", "Release steps run once per deploy; web only serves.", "The same build runs unchanged in every environment."}},
	{check: "setup.port", status: grading.CheckFailed, topic: "configuration",
		prompt: func(e evidence) string {
			return "Your service did not listen on $PORT (" + e.message() + "): why should the platform, not the code, choose the port?"
		},
		strong: []string{"Reads the port from the environment and fails clearly without it.", "Several instances on one host need different ports.", "Configuration varies per environment; code does not."}},
	{check: "setup.database_url", status: grading.CheckFailed, topic: "configuration",
		prompt: func(e evidence) string {
			return "Your service did not log in with $DATABASE_URL (" + e.message() + "): how should a service get its database address and credentials in each environment?"
		},
		strong: []string{"From the environment (DATABASE_URL) set by the platform.", "No credentials in the repository; secrets rotated without a code change.", "Fails at start with a clear message when it is missing."}},

	// shopping-list
	{check: "quality.list_sql_statements", status: grading.CheckFailed, topic: "n_plus_one",
		prompt: func(e evidence) string {
			return fmt.Sprintf("GET /shopping-lists sent %s statements for %s lists: how would you find and remove the extra ones?",
				e.metricOr("list_endpoint_sql_statements", e.fewest("statements_per_request")), e.num("lists"))
		},
		strong: []string{"Recognises one query per list (N+1).", "Counts statements per request to confirm (query log, pg_stat_statements, a test).", "Loads all items in one query (a join or WHERE list_id = ANY(...)) and groups them in code.", "Adds a test that fails if the count grows with the lists."}},
	{check: "quality.list_sql_statements", status: grading.CheckPassed, topic: "n_plus_one",
		prompt: func(e evidence) string {
			return fmt.Sprintf("GET /shopping-lists sent %s statements for %s lists, whatever their number. At 100 times the lists and items, what would you change in that endpoint?",
				e.metricOr("list_endpoint_sql_statements", e.fewest("statements_per_request")), e.num("lists"))
		},
		strong: []string{"Pagination of the lists (keyset, not offset).", "The response size and time grow; streams or limits the items.", "Indexes that serve the query; measures with EXPLAIN."}},
	{check: "migrations.quantities_doubled_once", status: grading.CheckFailed, topic: "migrations",
		prompt: func(e evidence) string {
			if n, sample, ok := e.afterRestarts(); ok {
				return fmt.Sprintf("Your release doubled the quantities again on the second run (after %d restarts: %s): how do you make a data migration safe to run twice?", n, sample)
			}
			return "The quantities were not doubled in the database (" + e.str("after_first_start") + "): why does a change to stored data belong in a migration, and how do you make it run once?"
		},
		strong: []string{"Records each migration in a history table, in the same transaction as its change.", "Or makes the change idempotent (a condition only unconverted rows match).", "Changes stored data in the database, not in the API's answers.", "Tests by running the release twice."}},
	{check: "migrations.quantities_doubled_once", status: grading.CheckPassed, topic: "migrations",
		prompt: func(evidence) string {
			return "Your migration doubled every quantity exactly once. With 100 times the items on a live database, how would you run that UPDATE without blocking the service?"
		},
		strong: []string{"Batches the update by key ranges, each in a short transaction.", "Keeps the migration resumable and recorded.", "Watches locks and replication lag while it runs."}},
	{check: "data.stored_once", status: grading.CheckFailed, topic: "idempotency",
		prompt: func(e evidence) string {
			return "The data of app/data was not stored exactly once (" + e.message() + "): how does your release tell what it already stored?"
		},
		strong: []string{"A natural key with a unique constraint and ON CONFLICT.", "A record that the seed ran, written with it.", "Reads the data from the files given, not a copy in code."}},
	{check: "schema.foreign_key", status: grading.CheckFailed, topic: "data_modelling",
		prompt: func(evidence) string {
			return "Your items do not reference their list through a foreign key: what can go wrong without one, and how would you add it to a table that already holds orphans?"
		},
		strong: []string{"Orphaned items and lists deleted from under their items.", "Cleans or reassigns orphans first, then adds the constraint (NOT VALID, then VALIDATE).", "Chooses ON DELETE behaviour deliberately."}},
	{check: "quality.fk_index", status: grading.CheckFailed, topic: "indexes",
		prompt: func(e evidence) string {
			return fmt.Sprintf("%s indexes start with the items' list column: what happens to GET /shopping-lists/{id}/items at 100 times the data, and how would you add the index to a live table?", e.num("indexes_starting_with_column"))
		},
		strong: []string{"Without it each lookup scans all items; deleting a list scans too.", "CREATE INDEX CONCURRENTLY to avoid blocking writes.", "Checks the plan with EXPLAIN before and after."}},
	{check: "quality.price_exact_decimal", status: grading.CheckFailed, topic: "data_types",
		prompt: func(e evidence) string {
			return "The price column is " + e.str("type") + ": what goes wrong when you add up prices, and which type would you choose?"
		},
		strong: []string{"Binary floats cannot hold 0.10 exactly; sums drift.", "numeric (decimal) or integer cents.", "Keeps the exact value through the API (string or cents in JSON)."}},
	{check: "quality.migration_history", status: grading.CheckFailed, topic: "migrations",
		prompt: func(evidence) string {
			return "Your migrations are not recorded in a history table: how does your release know which ones already ran, and what happens on the next deploy?"
		},
		strong: []string{"A history table of applied versions, written with each migration.", "Each migration runs once, in order.", "A migration tool or a small runner with a lock."}},
	{check: "endpoints.get_404", status: grading.CheckFailed, topic: "rest",
		prompt: func(e evidence) string {
			return "GET /shopping-lists/{id} for a missing list did not answer 404 (" + e.message() + "): what should it answer, and how would a client tell \"missing\" from \"empty\"?"
		},
		strong: []string{"404 with a JSON error for a list that does not exist.", "An existing list without items is 200 with an empty array.", "A test for each."}},

	// planets-crud
	{check: "import.large_population", status: grading.CheckFailed, topic: "data_types",
		prompt: func(e evidence) string {
			return "A population above 2^31 failed to import (" + e.firstOf("missing", "differences") + "): what column type, and why?"
		},
		strong: []string{"A 32-bit integer stops at 2,147,483,647; bigint holds 64 bits.", "Checks every layer: column, language type, JSON.", "The import should have failed loudly, not skipped the planet."}},
	{check: "import.large_population", status: grading.CheckPassed, topic: "data_types",
		prompt: func(evidence) string {
			return "Your import kept populations above 2^31 exactly. Which other layer, a JavaScript client for instance, could still lose them, and what would you do?"
		},
		strong: []string{"JavaScript numbers are exact only up to 2^53.", "Sends very large numbers as strings where clients need it.", "Documents the type in the API contract."}},
	{check: "schema.population_bigint", status: grading.CheckFailed, topic: "data_types",
		prompt: func(e evidence) string {
			return "Population is not stored in a 64-bit column (" + e.str("columns") + "): how would you change the column's type on a table that is already in production?"
		},
		strong: []string{"ALTER COLUMN TYPE bigint rewrites the table under an exclusive lock.", "Or a new column, dual writes, backfill in batches, switch, drop.", "Plans for the size and lock time."}},
	{check: "resilience.retry_503", status: grading.CheckFailed, topic: "retries",
		prompt: func(e evidence) string {
			return fmt.Sprintf("The import gave up on the first 503 (%s to the endpoint): how would you retry a flaky upstream?", e.count("graphql_requests", "request"))
		},
		strong: []string{"Retries 5xx, timeouts and 429, not 4xx.", "Exponential backoff with jitter and a limit on attempts or time.", "Decides and documents what happens when it finally gives up.", "Tests it against a fake endpoint that fails first."}},
	{check: "resilience.retry_503", status: grading.CheckPassed, topic: "retries",
		prompt: func(e evidence) string {
			return fmt.Sprintf("Your import survived a 503 (%s to the endpoint). What if the upstream answered 503 for ten minutes, or 429 with Retry-After?", e.count("graphql_requests", "request"))
		},
		strong: []string{"A cap on total retry time, then a clear failure.", "Honours Retry-After and rate limits.", "The service starts and serves what it has, or refuses, by a deliberate choice."}},
	{check: "import.once_after_restart", status: grading.CheckFailed, topic: "idempotency",
		prompt: func(e evidence) string {
			return "After a restart planets were imported again (" + e.firstOf("more_after_restart", "gone_after_restart") + "): how does your service know the import already ran?"
		},
		strong: []string{"Records the completed import in the database, in the same transaction.", "Or a unique natural key with ON CONFLICT DO NOTHING.", "Two instances starting at once must not both import (a lock)."}},
	{check: "import.once_after_restart", status: grading.CheckPassed, topic: "idempotency",
		prompt: func(evidence) string {
			return "Your import ran once across restarts. What happens if two instances start at the same moment on an empty database?"
		},
		strong: []string{"Both may import: a race between the check and the write.", "An advisory lock or a unique constraint makes one win.", "A release phase that runs once per deploy avoids it."}},
	{check: "restart.no_resurrection", status: grading.CheckFailed, topic: "idempotency",
		prompt: func(e evidence) string {
			return "A planet deleted before a restart was back after it (" + e.message() + "): how would you make the import respect what users deleted?"
		},
		strong: []string{"Imports only into an empty database, or once, recorded.", "Soft deletes or a tombstone if re-imports must happen.", "Distinguishes 'deleted' from 'never imported'."}},
	{check: "import.null_population", status: grading.CheckFailed, topic: "data_modelling",
		prompt: func(e evidence) string {
			return "An unknown population was not kept as null (" + e.firstOf("differences", "missing") + "): why is null different from 0 here?"
		},
		strong: []string{"Unknown is not zero: averages and sorts go wrong.", "A nullable column and null in the JSON.", "Maps the source's 'unknown' explicitly."}},
	{check: "crud.get_malformed", status: grading.CheckFailed, topic: "error_handling",
		prompt: func(e evidence) string {
			return "GET /planets/{id} with a malformed id did not answer 400 or 404 (" + e.message() + "): where should the id be validated, and what should the client see?"
		},
		strong: []string{"Validates the id before the database sees it.", "400 (or 404) with a JSON error, never a 500.", "Logs server errors, not client mistakes."}},
}

// FollowUps writes the follow-up questions for a scorecard: one per check
// a rule names, failed checks first, in the scorecard's order.
func FollowUps(card *grading.Scorecard) []FollowUp {
	if card == nil {
		return nil
	}
	var failed, passed []FollowUp
	for _, ch := range card.Checks {
		for _, r := range followUpRules {
			if r.check != ch.ID || r.status != ch.Status {
				continue
			}
			f := FollowUp{ID: FollowUpPrefix + ch.ID, Check: ch.ID, CheckTitle: ch.Title, CheckStatus: ch.Status,
				Topic: r.topic, Prompt: r.prompt(evidence{check: ch, metrics: card.Metrics}), StrongAnswer: slices.Clone(r.strong)}
			if ch.Status == grading.CheckFailed {
				failed = append(failed, f)
			} else {
				passed = append(passed, f)
			}
		}
	}
	return append(failed, passed...)
}

// evidence reads one check's evidence and the scorecard's metrics for a
// prompt. Stored scorecards decode numbers as json.Number or float64,
// fresh ones hold ints: every reader accepts each.
type evidence struct {
	check   grading.CheckResult
	metrics map[string]float64
}

func (e evidence) message() string {
	if m := strings.TrimSpace(e.check.Message); m != "" {
		return strings.TrimRight(m, ".")
	}
	return "see the check's evidence"
}

// num formats a number of the evidence, "?" when it is not there.
func (e evidence) num(key string) string {
	if f, ok := number(e.check.Evidence[key]); ok {
		return formatNumber(f)
	}
	return "?"
}

// count is a number of the evidence with its noun: "1 request", "2 requests".
func (e evidence) count(key, noun string) string {
	n := e.num(key)
	if n == "1" {
		return n + " " + noun
	}
	return n + " " + noun + "s"
}

// metricOr is a metric of the scorecard, or fallback without it.
func (e evidence) metricOr(name, fallback string) string {
	if v, ok := e.metrics[name]; ok {
		return formatNumber(v)
	}
	return fallback
}

// fewest is the smallest number of a list of numbers in the evidence.
func (e evidence) fewest(key string) string {
	list, _ := e.check.Evidence[key].([]any)
	var min float64
	found := false
	for _, v := range list {
		if f, ok := number(v); ok && (!found || f < min) {
			min, found = f, true
		}
	}
	if ints, ok := e.check.Evidence[key].([]int64); ok && len(ints) > 0 {
		min, found = float64(slices.Min(ints)), true
	}
	if !found {
		return "?"
	}
	return formatNumber(min)
}

// str is a piece of evidence as text: strings as they are, anything else as JSON.
func (e evidence) str(key string) string {
	v, ok := e.check.Evidence[key]
	if !ok {
		return "not recorded"
	}
	if s, ok := v.(string); ok {
		return s
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(raw)
}

// firstOf describes the first non-empty list among keys: its length and
// first element ("2 planets, e.g. \"Naboo\""); the check's message else.
func (e evidence) firstOf(keys ...string) string {
	for _, k := range keys {
		list := stringList(e.check.Evidence[k])
		switch len(list) {
		case 0:
			continue
		case 1:
			return list[0]
		default:
			return fmt.Sprintf("%d of them, e.g. %s", len(list), list[0])
		}
	}
	return e.message()
}

var restartsKey = regexp.MustCompile(`^after_(\d+)_restarts$`)

// afterRestarts finds the shopping-list's after_N_restarts evidence: the
// quantities were right after the first start and wrong after N restarts.
func (e evidence) afterRestarts() (int, string, bool) {
	for k, v := range e.check.Evidence {
		if m := restartsKey.FindStringSubmatch(k); m != nil {
			n, _ := strconv.Atoi(m[1])
			return n, fmt.Sprint(v), true
		}
	}
	return 0, "", false
}

func number(v any) (float64, bool) {
	switch n := v.(type) {
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	case float64:
		return n, true
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	}
	return 0, false
}

func formatNumber(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func stringList(v any) []string {
	switch l := v.(type) {
	case []string:
		return l
	case []any:
		out := make([]string, 0, len(l))
		for _, x := range l {
			out = append(out, fmt.Sprint(x))
		}
		return out
	}
	return nil
}
