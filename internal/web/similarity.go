package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"github.com/assayhq/assay/internal/auth"
	"github.com/assayhq/assay/internal/rules"
	"github.com/assayhq/assay/internal/snapshot"
	"github.com/assayhq/assay/internal/store"
	"github.com/gin-gonic/gin"
)

// similarityView is the scorecard's similarity section: the submission's
// closest matches, each with the other side as the viewer may see it.
type similarityView struct {
	Threshold float64
	Matches   []matchView
	Flagged   *matchView // the most similar flagged match, for the notice at the top
}

// matchView is a match with its other side named for the viewer: a candidate
// under blind review by their number, a known solution by its URL.
type matchView struct {
	store.SimilarityMatch
	OtherName string
	OtherURL  string // the other submission's scorecard, or the known solution's repository
	Known     bool
}

// PairURL is the pair page.
func (m matchView) PairURL() string {
	return "/submissions/" + m.SubmissionID + "/similarity/" + m.OtherID
}

// otherSide names the other side of a match as the viewer of role may see
// it; a submission of another assessment than assessmentID (the same
// take-home) carries that assessment's title, since candidates are numbered
// per assessment.
func (s *server) otherSide(ctx context.Context, p *auth.Principal, assessmentID string, m store.SimilarityMatch) (matchView, error) {
	v := matchView{SimilarityMatch: m}
	if m.OtherKind == store.OtherKnownSolution {
		k, err := s.Store.KnownSolution(ctx, p.OrgID, m.OtherID)
		if err != nil {
			return v, err
		}
		v.Known, v.OtherName, v.OtherURL = true, "Known solution "+k.RepoURL, k.RepoURL
		return v, nil
	}
	d, err := s.Store.Submission(ctx, p.OrgID, m.OtherID)
	if err != nil {
		return v, err
	}
	as, err := s.Store.Assessment(ctx, p.OrgID, d.Submission.AssessmentID)
	if err != nil {
		return v, err
	}
	who := rules.Candidate{Name: d.Invitation.CandidateName, Email: d.Invitation.CandidateEmail, RepoURL: d.Submission.RepoURL,
		Number: d.CandidateNumber, BlindReview: as.BlindReview, Decided: d.Decision() != nil}.ForViewer(p.Role)
	v.OtherName, v.OtherURL = who.Name, "/submissions/"+m.OtherID
	if as.ID != assessmentID {
		v.OtherName += " (" + as.Title + ")"
	}
	return v, nil
}

// similarityOf builds the scorecard's similarity section of a submission of
// the assessment.
func (s *server) similarityOf(c *gin.Context, submissionID, assessmentID string) (*similarityView, error) {
	ctx, p := c.Request.Context(), auth.Current(c)
	matches, threshold, err := s.Store.SubmissionSimilarity(ctx, p.OrgID, submissionID)
	if err != nil {
		return nil, err
	}
	v := &similarityView{Threshold: threshold}
	for _, m := range matches {
		mv, err := s.otherSide(ctx, p, assessmentID, m)
		if err != nil {
			return nil, err
		}
		v.Matches = append(v.Matches, mv)
	}
	for i := range v.Matches {
		if v.Matches[i].Flagged {
			v.Flagged = &v.Matches[i]
			break
		}
	}
	return v, nil
}

// pairData is the pair page: both files side by side, the shared fragments
// highlighted, and the list of fragments linking to them.
type pairData struct {
	Detail    *store.SubmissionDetail
	Who       rules.Identity
	Match     matchView
	Threshold float64
	Self      pairPane
	Other     pairPane
	Fragments []fragmentView
	CanMark   bool
}

// pairPane is one side's file, its lines marked where a fragment covers them.
type pairPane struct {
	Title   string // whose file it is
	Path    string
	Lines   []pairLine
	Missing string // why the file cannot be shown
}

type pairLine struct {
	codeLine
	Match   bool
	Anchors []string // "a-f3": fragment 3 starts on this line on this side
}

// fragmentView is one fragment in the list, with the page showing its files
// (the template adds each side's anchor).
type fragmentView struct {
	store.SimilarityFragment
	N   int
	URL string
}

// pairFiles reads the two sides' files: the submission's run, and the other
// submission's run or the known solution.
func (s *server) pairFiles(ctx context.Context, orgID string, m store.SimilarityMatch) (self, other []snapshot.File, err error) {
	self, err = s.Store.CodeFiles(ctx, orgID, m.SubmissionID, m.Run)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, nil, err
	}
	if m.OtherKind == store.OtherKnownSolution {
		other, err = s.Store.KnownSolutionFiles(ctx, orgID, m.OtherID)
	} else {
		other, err = s.Store.CodeFiles(ctx, orgID, m.OtherID, m.OtherRun)
	}
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, nil, err
	}
	return self, other, nil
}

// similarityPair is the pair page (?a= the submission's file, ?b= the
// other's; by default the files of the longest fragment).
func (s *server) similarityPair(c *gin.Context) {
	ctx, p := c.Request.Context(), auth.Current(c)
	d, as, err := s.submissionOf(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	m, err := s.Store.SimilarityPair(ctx, p.OrgID, d.Submission.ID, c.Param("other"))
	if err != nil {
		s.fail(c, err)
		return
	}
	mv, err := s.otherSide(ctx, p, as.ID, *m)
	if err != nil {
		s.fail(c, err)
		return
	}
	data := pairData{Detail: d, Who: identity(c, d, as), Match: mv, Threshold: as.SimilarityThreshold,
		CanMark: rules.In(rules.Reviewers, p.Role)}
	a, b := snapshot.CleanPath(c.Query("a")), snapshot.CleanPath(c.Query("b"))
	if a == "" {
		a = m.Longest.SelfPath
	}
	if b == "" {
		b = m.Longest.OtherPath
	}
	base := data.Match.PairURL()
	for i, f := range m.Fragments {
		q := url.Values{"a": {f.SelfPath}, "b": {f.OtherPath}}
		data.Fragments = append(data.Fragments, fragmentView{SimilarityFragment: f, N: i + 1, URL: base + "?" + q.Encode()})
	}
	selfFiles, otherFiles, err := s.pairFiles(ctx, p.OrgID, *m)
	if err != nil {
		s.fail(c, err)
		return
	}
	if data.Self, err = pane("This submission", selfFiles, a, "a", m.Fragments, func(f store.SimilarityFragment) (string, int, int) {
		return f.SelfPath, f.SelfStart, f.SelfEnd
	}); err != nil {
		s.fail(c, err)
		return
	}
	if data.Other, err = pane(mv.OtherName, otherFiles, b, "b", m.Fragments, func(f store.SimilarityFragment) (string, int, int) {
		return f.OtherPath, f.OtherStart, f.OtherEnd
	}); err != nil {
		s.fail(c, err)
		return
	}
	s.render(c, http.StatusOK, "similarity", "Similarity — "+data.Who.Name, data)
}

// pane highlights path among files and marks the lines each fragment covers
// on this side (side gives a fragment's path and lines), with an anchor where
// each starts.
func pane(title string, files []snapshot.File, path, prefix string, fragments []store.SimilarityFragment,
	side func(store.SimilarityFragment) (string, int, int)) (pairPane, error) {
	out := pairPane{Title: title, Path: path}
	var content *string
	for i := range files {
		if files[i].Path == path {
			content = &files[i].Content
		}
	}
	if content == nil {
		out.Missing = "This file is no longer kept (its run was pruned) or is not part of the snapshot."
		return out, nil
	}
	lines, err := highlight(path, *content)
	if err != nil {
		return out, err
	}
	out.Lines = make([]pairLine, len(lines))
	for i, l := range lines {
		out.Lines[i].codeLine = l
	}
	for n, f := range fragments {
		p, start, end := side(f)
		if p != path {
			continue
		}
		for ln := max(start, 1); ln <= end && ln <= len(lines); ln++ {
			out.Lines[ln-1].Match = true
		}
		if start >= 1 && start <= len(lines) {
			out.Lines[start-1].Anchors = append(out.Lines[start-1].Anchors, prefix+"-f"+strconv.Itoa(n+1))
		}
	}
	return out, nil
}

// markSimilarity records or withdraws (reviewed=false) "reviewed: not a
// concern" on a pair; audited by the store.
func (s *server) markSimilarity(c *gin.Context) {
	reviewed := c.PostForm("reviewed") != "false"
	m, err := s.Store.MarkSimilarity(c.Request.Context(), actor(c), c.Param("id"), c.Param("other"), reviewed)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/submissions/"+m.SubmissionID+"/similarity/"+m.OtherID)
}
