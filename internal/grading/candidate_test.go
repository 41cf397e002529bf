package grading

import (
	"encoding/json"
	"strings"
	"testing"
)

func candidateCard() *Scorecard {
	return &Scorecard{Status: StatusGraded, Score: 8, MaxScore: 17, Checks: []CheckResult{
		{ID: "import.complete", Title: "Every planet imported", Category: Correctness, Status: CheckPassed, Score: 8, MaxScore: 8,
			Visibility: Visible, Evidence: map[string]any{"rows": 60}},
		{ID: "crud.get_404", Title: "404 for a missing planet", Category: Endpoints, Status: CheckFailed, MaxScore: 3,
			Visibility: Visible, Message: "answer 404", Evidence: map[string]any{"exchanges": "GET /planets/99"}},
		{ID: "resilience.retry_503", Title: "Import retried", Category: Correctness, Status: CheckFailed, MaxScore: 6,
			Visibility: Hidden, Message: "no retry"},
	}}
}

func TestForCandidateSharesWhatTheViewSays(t *testing.T) {
	card := candidateCard()
	if got := card.ForCandidate(ViewNothing, false); got != nil {
		t.Errorf("nothing view shares %+v", got)
	}
	if got := card.ForCandidate("everything", false); got != nil {
		t.Errorf("unknown view shares %+v", got)
	}
	total := card.ForCandidate(ViewTotal, false)
	if total == nil || total.Score != 8 || total.MaxScore != 17 || total.Checks != nil || total.Unshared != "" {
		t.Errorf("total view: %+v", total)
	}
	v := card.ForCandidate(ViewVisibleChecks, false)
	if v.Score != 8 || v.MaxScore != 17 {
		t.Errorf("visible view totals %d/%d, want the full 8/17", v.Score, v.MaxScore)
	}
	if len(v.Checks) != 2 || !v.Shares("crud.get_404") || v.Shares("resilience.retry_503") {
		t.Errorf("visible view checks: %+v", v.Checks)
	}
	if v.UnsharedPoints != 6 || v.Unshared != "6 points are in checks your reviewers have not shared" {
		t.Errorf("unshared: %d %q", v.UnsharedPoints, v.Unshared)
	}
	raw, _ := json.Marshal(v)
	for _, leak := range []string{"retry_503", "no retry", "evidence", "exchanges", "visibility"} {
		if strings.Contains(string(raw), leak) {
			t.Errorf("candidate JSON holds %q: %s", leak, raw)
		}
	}
}

func TestForCandidateWithoutHiddenChecksSaysNothingUnshared(t *testing.T) {
	card := candidateCard()
	card.Checks, card.MaxScore = card.Checks[:2], 11
	v := card.ForCandidate(ViewVisibleChecks, false)
	if v.UnsharedPoints != 0 || v.Unshared != "" || len(v.Checks) != 2 {
		t.Errorf("all visible: %+v", v)
	}
	card.Checks[1].Visibility, card.Checks[1].MaxScore = Hidden, 1
	if got := card.ForCandidate(ViewVisibleChecks, false).Unshared; got != "1 point is in checks your reviewers have not shared" {
		t.Errorf("one point: %q", got)
	}
}

func TestForCandidateSaysWhyTheStartFailed(t *testing.T) {
	card := candidateCard()
	card.Status = StatusStartFailed
	card.Phases = []Phase{{Name: "build", Status: PhaseOK, OutputTail: "built"},
		{Name: "web", Status: PhaseFailed, Message: "listened on 3000 instead: read the port from PORT", OutputTail: "listening on :3000"}}
	for _, view := range []string{ViewTotal, ViewVisibleChecks} {
		f := card.ForCandidate(view, false).Failure
		if f == nil || f.Phase != "web" || !strings.Contains(f.Message, "read the port from PORT") || f.OutputTail != "listening on :3000" {
			t.Errorf("%s view: failure %+v", view, f)
		}
	}
	if got := card.ForCandidate(ViewNothing, false); got != nil {
		t.Errorf("nothing view shares %+v", got)
	}
	// The platform's own failure is not the candidate's to read.
	card.Status, card.Phases[1].Status = StatusError, PhaseError
	if f := card.ForCandidate(ViewTotal, false).Failure; f != nil {
		t.Errorf("platform error shared as %+v", f)
	}
}

func TestForCandidateSharedListsEveryCheckWithoutEvidence(t *testing.T) {
	for _, view := range CandidateViews {
		v := candidateCard().ForCandidate(view, true)
		if v == nil || len(v.Checks) != 3 || !v.Shares("resilience.retry_503") || v.Unshared != "" || !v.Shared {
			t.Errorf("%s view, shared: %+v", view, v)
			continue
		}
		raw, _ := json.Marshal(v)
		if strings.Contains(string(raw), "exchanges") || strings.Contains(string(raw), "evidence") {
			t.Errorf("%s view, shared: evidence in %s", view, raw)
		}
	}
}
