package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"
)

// TestRunResultsOutliveRegrades: each finished run keeps its scorecard, a regrade
// does not erase the earlier one, only the newest KeptRuns are kept, and another
// organisation sees none of it.
func TestRunResultsOutliveRegrades(t *testing.T) {
	ctx := context.Background()
	st, a := newTestStore(t)
	token := newInvitation(t, st, a, 5)
	sub, err := st.Submit(ctx, token, "https://github.com/ada/x", "")
	if err != nil {
		t.Fatal(err)
	}
	finish := func(score int) {
		t.Helper()
		if _, err := st.ClaimSubmission(ctx, sub.ID, "w", time.Minute); err != nil {
			t.Fatal(err)
		}
		card := fmt.Sprintf(`{"score": %d, "phases": [{"name": "build", "output_tail": "run with score %d"}]}`, score, score)
		r := GradeResult{Status: StatusGraded, Score: score, MaxScore: 100, CommitSHA: "abc", Takehome: "planets-crud",
			SuiteVersion: "1", Scorecard: json.RawMessage(card)}
		if err := st.FinishGrading(ctx, sub.ID, "w", r); err != nil {
			t.Fatal(err)
		}
	}
	regrade := func() {
		t.Helper()
		if _, err := st.RequestRegrade(ctx, a, sub.ID); err != nil {
			t.Fatal(err)
		}
	}
	finish(40)
	regrade()
	finish(90)

	runs, err := st.SubmissionRuns(ctx, a.OrgID, sub.ID)
	if err != nil || len(runs) != 2 || runs[0].Run != 2 || *runs[0].Score != 90 || runs[1].Run != 1 || *runs[1].Score != 40 || runs[0].Scorecard != nil {
		t.Fatalf("runs %+v %v", runs, err)
	}
	first, err := st.SubmissionRun(ctx, a.OrgID, sub.ID, 1)
	if err != nil {
		t.Fatal(err)
	}
	var card struct {
		Phases []struct {
			OutputTail string `json:"output_tail"`
		}
	}
	if err := json.Unmarshal(first.Scorecard, &card); err != nil || card.Phases[0].OutputTail != "run with score 40" {
		t.Fatalf("run 1 kept %s (%v)", first.Scorecard, err)
	}
	// The current scorecard is the newest run's.
	d, err := st.Submission(ctx, a.OrgID, sub.ID)
	if err != nil || !json.Valid(d.Scorecard) || *d.Submission.Score != 90 {
		t.Fatalf("current %s %v", d.Scorecard, err)
	}

	// Another organisation, a run never made.
	other, err := st.EnsureOrganization(ctx, "Elsewhere")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.SubmissionRuns(ctx, other.ID, sub.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("another organisation lists runs: %v", err)
	}
	if _, err := st.SubmissionRun(ctx, other.ID, sub.ID, 1); !errors.Is(err, ErrNotFound) {
		t.Errorf("another organisation reads a run: %v", err)
	}
	if _, err := st.SubmissionRun(ctx, a.OrgID, sub.ID, 7); !errors.Is(err, ErrNotFound) {
		t.Errorf("a run never made: %v", err)
	}

	// Bounded: the oldest go beyond KeptRuns.
	for i := 0; i < KeptRuns; i++ {
		regrade()
		finish(50 + i)
	}
	runs, err = st.SubmissionRuns(ctx, a.OrgID, sub.ID)
	if err != nil || len(runs) != KeptRuns || runs[len(runs)-1].Run != 3 || runs[0].Run != KeptRuns+2 {
		t.Fatalf("after %d more runs: %d kept, oldest %d (%v)", KeptRuns, len(runs), runs[len(runs)-1].Run, err)
	}
}
