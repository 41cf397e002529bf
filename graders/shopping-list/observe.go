package shoppinglist

import (
	"context"
	"database/sql"
	"github.com/assayhq/assay/internal/grading"
	"reflect"
	"slices"
	"time"
)

// A service may go on migrating or seeding after it first answers on $PORT
// (the brief allows it), so the database is read until two readings
// settleInterval apart agree, for at most settleLimit.
const (
	settleInterval = 250 * time.Millisecond
	settleLimit    = 5 * time.Second
)

// settle calls read until two results in a row are the same.
func settle[T any](ctx context.Context, read func() (T, error), same func(a, b T) bool) (T, error) {
	deadline := time.Now().Add(settleLimit)
	prev, err := read()
	for err == nil && time.Now().Before(deadline) {
		select {
		case <-ctx.Done():
			return prev, ctx.Err()
		case <-time.After(settleInterval):
		}
		var cur T
		if cur, err = read(); err == nil && same(prev, cur) {
			return cur, nil
		}
		prev = cur
	}
	return prev, err
}

// observation is the schema and the data as read at one moment.
type observation struct {
	cat     *catalog
	sch     *schema // nil when the tables were not found
	missing string  // why sch is nil
	// outside is set when the database holds no table at all: the service
	// keeps its data elsewhere (a SQLite file, its memory), and missing
	// says where.
	outside bool
	snap    *snapshot
}

// observe reads the schema and the data once they have settled. Until some
// items are stored the reading is never taken as settled: a service still
// creating its tables would otherwise look like one that stores nothing.
func observe(ctx context.Context, svc *grading.Service, sets []dataSet) (*observation, error) {
	db := svc.DB()
	o, err := settle(ctx, func() (*observation, error) {
		o := &observation{}
		var err error
		if o.cat, err = readCatalog(ctx, db); err != nil {
			return nil, err
		}
		if o.sch, o.missing, err = discover(ctx, db, o.cat, sets); err != nil || o.sch == nil {
			return o, err
		}
		o.snap, err = takeSnapshot(ctx, db, o.sch)
		return o, err
	}, func(a, b *observation) bool {
		return b.snap != nil && len(b.snap.Items) > 0 &&
			reflect.DeepEqual(a.cat, b.cat) && reflect.DeepEqual(a.sch, b.sch) && sameData(a.snap, b.snap)
	})
	// No table at all: say where the data went instead (a SQLite file, or
	// nowhere but the service's memory), the one cause of every database check.
	if o != nil && o.sch == nil {
		if reason := svc.NoTablesReason(ctx); reason != "" {
			o.missing, o.outside = reason, true
		}
	}
	return o, err
}

// settledSnapshot reads the data through a known schema once it has settled.
func settledSnapshot(ctx context.Context, db *sql.DB, sch *schema) (*snapshot, error) {
	return settle(ctx, func() (*snapshot, error) { return takeSnapshot(ctx, db, sch) }, sameData)
}

func sameData(a, b *snapshot) bool {
	if a == nil || b == nil {
		return a == b
	}
	return slices.Equal(a.state(), b.state())
}
