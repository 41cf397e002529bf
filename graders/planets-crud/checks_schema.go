package planetscrud

import (
	"context"
	"fmt"

	"github.com/assayhq/assay/internal/grading"
)

// schemaCheck looks at the population column in the database itself: a
// 32-bit column is a flaw even before a large population arrives.
func (r *run) schemaCheck(ctx context.Context) {
	r.g.Check("schema.population_bigint", func(c *grading.C) {
		rows, err := r.svc.DB().QueryContext(ctx, `
SELECT table_schema || '.' || table_name, data_type
FROM information_schema.columns
WHERE table_schema NOT IN ('pg_catalog', 'information_schema') AND lower(column_name) = 'population'
ORDER BY 1`)
		if err != nil {
			c.Failf("the database could not be inspected: %v", err)
			return
		}
		defer rows.Close()
		var found []string
		for rows.Next() {
			var table, typ string
			if err := rows.Scan(&table, &typ); err != nil {
				c.Failf("the database could not be inspected: %v", err)
				return
			}
			found = append(found, fmt.Sprintf("%s.population %s", table, typ))
			if typ != "bigint" && typ != "numeric" {
				c.Evidence("columns", found)
				c.Failf("column %s.population is %s, which cannot hold every population up to 10^13 exactly; make it bigint", table, typ)
				return
			}
		}
		c.Evidence("columns", found)
		if err := rows.Err(); err != nil {
			c.Failf("the database could not be inspected: %v", err)
		} else if len(found) == 0 {
			if reason := r.svc.NoTablesReason(ctx); reason != "" {
				c.Failf("%s", reason)
				return
			}
			c.Failf("no table has a column named population; store each planet's population in a bigint column named population")
		}
	})
}
