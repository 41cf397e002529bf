package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/assayhq/assay/internal/auth"
	"github.com/assayhq/assay/internal/store"
	"github.com/gin-gonic/gin"
)

func (a *api) regrade(c *gin.Context) {
	sub, err := a.Store.RequestRegrade(c.Request.Context(), actor(c), c.Param("id"))
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusAccepted, sub)
}

func (a *api) cancel(c *gin.Context) {
	sub, err := a.Store.CancelSubmission(c.Request.Context(), actor(c), c.Param("id"))
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, sub)
}

// submissionEvents streams a staff member's view of a submission's progress.
func (a *api) submissionEvents(c *gin.Context) {
	d, err := a.Store.Submission(c.Request.Context(), auth.Current(c).OrgID, c.Param("id"))
	if err != nil {
		respondError(c, err)
		return
	}
	a.streamEvents(c, d.Submission.ID)
}

// candidateSubmissionEvents streams the same to the candidate who submitted.
func (a *api) candidateSubmissionEvents(c *gin.Context) {
	token, ok := candidateToken(c)
	if !ok {
		return
	}
	d, _, err := a.Store.CandidateSubmission(c.Request.Context(), token, c.Param("id"))
	if err != nil {
		respondError(c, err)
		return
	}
	a.streamEvents(c, d.Submission.ID)
}

const (
	eventPoll      = 500 * time.Millisecond
	streamLifetime = 30 * time.Minute
)

// streamEvents sends a submission's status changes as server-sent events,
// from the one after Last-Event-ID, and ends after a final status. It reads
// the store (not a broker), so a client sees the same wherever the worker
// that changed the status runs.
func (a *api) streamEvents(c *gin.Context, id string) {
	var after int64
	if v := c.GetHeader("Last-Event-ID"); v != "" {
		after, _ = strconv.ParseInt(v, 10, 64)
	}
	w := c.Writer
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	w.Flush()
	ctx := c.Request.Context()
	deadline := time.After(streamLifetime)
	tick := time.NewTicker(eventPoll)
	defer tick.Stop()
	for {
		events, err := a.Store.SubmissionEvents(ctx, id, after)
		if err != nil {
			return
		}
		for _, e := range events {
			raw, _ := json.Marshal(e)
			fmt.Fprintf(w, "id: %d\nevent: status\ndata: %s\n\n", e.ID, raw)
			after = e.ID
			if store.Finished(e.Status) {
				fmt.Fprintf(w, "event: done\ndata: %s\n\n", raw)
				w.Flush()
				return
			}
		}
		w.Flush()
		select {
		case <-ctx.Done():
			return
		case <-deadline:
			return
		case <-tick.C:
		}
	}
}
