// Package progress streams a submission's status changes as server-sent events,
// for the API (/api/v1/.../events) and the dashboard's live blocks alike.
package progress

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/assayhq/assay/internal/store"
)

// Events reads a submission's status changes after a given event id.
type Events interface {
	SubmissionEvents(ctx context.Context, submissionID string, after int64) ([]store.SubmissionEvent, error)
}

const (
	poll     = 500 * time.Millisecond
	lifetime = 30 * time.Minute // then the browser reconnects with Last-Event-ID
)

// Stream sends the status changes of submission id as server-sent events: an
// "status" event per change, from the one after Last-Event-ID, and "done" after a
// final status, which ends the stream. It reads the store, not a broker, so a client
// sees the same wherever the worker that changed the status runs. The caller has
// checked that the client may see the submission.
func Stream(w http.ResponseWriter, r *http.Request, ev Events, id string) {
	var after int64
	if v := r.Header.Get("Last-Event-ID"); v != "" {
		after, _ = strconv.ParseInt(v, 10, 64)
	}
	flusher, _ := w.(http.Flusher)
	flush := func() {
		if flusher != nil {
			flusher.Flush()
		}
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	flush()
	ctx := r.Context()
	deadline := time.After(lifetime)
	tick := time.NewTicker(poll)
	defer tick.Stop()
	for {
		events, err := ev.SubmissionEvents(ctx, id, after)
		if err != nil {
			return
		}
		for _, e := range events {
			raw, _ := json.Marshal(e)
			fmt.Fprintf(w, "id: %d\nevent: status\ndata: %s\n\n", e.ID, raw)
			after = e.ID
			if store.Finished(e.Status) {
				fmt.Fprintf(w, "event: done\ndata: %s\n\n", raw)
				flush()
				return
			}
		}
		flush()
		select {
		case <-ctx.Done():
			return
		case <-deadline:
			return
		case <-tick.C:
		}
	}
}
