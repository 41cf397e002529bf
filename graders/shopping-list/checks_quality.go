package shoppinglist

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/assayhq/assay/internal/grading"
)

// statementSamples is how many times GET /shopping-lists is counted; the
// fewest statements seen is kept, so a pool's occasional health check or
// first-connection setup is not taken for N+1.
const statementSamples = 3

// checkListStatements counts the SQL statements of GET /shopping-lists and
// keeps the last answer for the endpoint checks. With N lists an N+1 service
// sends at least N+1 statements; the check passes when fewer than N were
// sent, so any fixed number of queries below the smallest data set's 8 lists
// passes, whatever the driver sends per query (BEGIN/COMMIT included).
func (r *run) checkListStatements(ctx context.Context) {
	counts := make([]int64, 0, statementSamples)
	var last *grading.Response
	var failure string
	for range statementSamples {
		before := r.svc.Statements()
		resp, err := r.svc.Do(ctx, "GET", "/shopping-lists", nil)
		counts = append(counts, r.svc.Statements()-before)
		last = resp
		if err != nil {
			failure = fmt.Sprintf("GET /shopping-lists got no answer: %v", err)
			break
		}
	}
	arr, problem := decodeArray(last, "GET /shopping-lists")
	if failure != "" {
		problem = failure
	}
	if problem == "" {
		r.lists, problem = parseLists(arr, "GET /shopping-lists")
	}
	r.listProblem, r.listResp = problem, last
	if r.lists == nil {
		r.g.NotRun("quality.list_sql_statements", "GET /shopping-lists did not answer the lists, so its statements were not counted")
		return
	}
	fewest := slices.Min(counts)
	r.g.Metric("list_endpoint_sql_statements", float64(fewest))
	if r.outside {
		// No statement reaches PostgreSQL: that is the store's flaw, not a
		// query plan to praise.
		r.failOutside("quality.list_sql_statements")
		return
	}
	r.g.Check("quality.list_sql_statements", func(c *grading.C) {
		c.Keep(last)
		c.Evidence("statements_per_request", counts)
		c.Evidence("lists", len(r.lists))
		if fewest >= int64(len(r.lists)) {
			c.Failf("GET /shopping-lists sent %d SQL statements for %d lists: load all items in one query (a join or WHERE list_id = ANY(...)) instead of one query per list.", fewest, len(r.lists))
		}
	})
}

func (r *run) checkFKIndex(ctx context.Context) error {
	if r.noSchema("quality.fk_index") {
		return nil
	}
	var n int
	err := r.svc.DB().QueryRowContext(ctx, `
		SELECT count(*) FROM pg_index i
		JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
		WHERE i.indrelid = $1::regclass AND a.attname = $2`, r.sch.Items.ident(), r.sch.ItemLink).Scan(&n)
	if err != nil {
		return fmt.Errorf("read indexes of %s: %w", r.sch.Items, err)
	}
	r.g.Check("quality.fk_index", func(c *grading.C) {
		c.Evidence("indexes_starting_with_column", n)
		if n == 0 {
			c.Failf("No index starts with %s.%s: add CREATE INDEX ON %s (%s) so a list's items are found without a full scan.",
				r.sch.Items, r.sch.ItemLink, r.sch.Items, r.sch.ItemLink)
		}
	})
	return nil
}

func (r *run) checkExactDecimal() {
	if r.noSchema("quality.price_exact_decimal") {
		return
	}
	if r.sch.Price == nil {
		r.g.NotRun("quality.price_exact_decimal", "there is no price column")
		return
	}
	r.g.Check("quality.price_exact_decimal", func(c *grading.C) {
		c.Evidence("type", r.sch.Price.Type)
		if r.sch.Price.Type != "numeric" {
			c.Failf("%s.price is %s, which rounds amounts like 0.10: use numeric (decimal) for money.", r.sch.Items, r.sch.Price.Type)
		}
	})
}

// historyNames are migration tools' history tables whose names do not
// contain "migration"; any table whose name does counts too.
var historyNames = map[string]bool{
	"schema_version": true, "schema_versions": true, "alembic_version": true, "goose_db_version": true,
	"flyway_schema_history": true, "sequelizemeta": true, "atlas_schema_revisions": true,
	"databasechangelog": true, // Liquibase
}

func (r *run) checkHistory(ctx context.Context) error {
	if r.outside {
		r.failOutside("quality.migration_history")
		return nil
	}
	found := map[string]int{}
	for _, t := range sortedTables(r.cat) {
		name := strings.ToLower(t.Name)
		if !strings.Contains(name, "migration") && !historyNames[name] {
			continue
		}
		var n int
		if err := r.svc.DB().QueryRowContext(ctx, "SELECT count(*) FROM "+t.ident()).Scan(&n); err != nil {
			return fmt.Errorf("count rows of %s: %w", t, err)
		}
		found[t.String()] = n
	}
	r.g.Check("quality.migration_history", func(c *grading.C) {
		c.Evidence("history_tables", found)
		for _, n := range found {
			if n > 0 {
				return
			}
		}
		if len(found) > 0 {
			c.Failf("The migration history table is empty: record each migration applied in it.")
			return
		}
		c.Failf("No migration history table was found: use a migration tool, or keep your own table (with \"migration\" in its name) recording each migration applied.")
	})
	return nil
}
