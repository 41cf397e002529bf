package web

import (
	"github.com/assayhq/assay/internal/auth"
	"github.com/assayhq/assay/internal/rules"
	"github.com/assayhq/assay/internal/store"
	"github.com/gin-gonic/gin"
)

// reviewWorkspace is what the scorecard page adds for people judging the
// code: who the viewer may see (blind review), the rubric with every
// reviewer's scores and their mean, the viewer's own scores to change, and
// the schema dump laid out as tables.
type reviewWorkspace struct {
	Who          rules.Identity
	Criteria     []store.Criterion
	RubricScores []store.RubricScore
	Mean         store.RubricMean
	MyScores     map[string]int
	MyNotes      string
	CanChange    bool // an admin may change the decision once recorded
	Schema       *schemaView
}

// schemaView is the schema dump as tables, with the raw dump one click away.
type schemaView struct {
	Tables []schemaTable
	Raw    string
}

func schemaOf(dump string) *schemaView {
	if dump == "" {
		return nil
	}
	return &schemaView{Tables: parseSchema(dump), Raw: rawSchema(dump)}
}

// identity is what the viewer may see of a submission's candidate.
// submissionOf loads the submission named in the route and its assessment, both
// of the caller's organisation (another organisation's answers ErrNotFound):
// what every page about one candidate starts from.
func (s *server) submissionOf(c *gin.Context) (*store.SubmissionDetail, *store.Assessment, error) {
	ctx, org := c.Request.Context(), auth.Current(c).OrgID
	d, err := s.Store.Submission(ctx, org, c.Param("id"))
	if err != nil {
		return nil, nil, err
	}
	as, err := s.Store.Assessment(ctx, org, d.Submission.AssessmentID)
	if err != nil {
		return nil, nil, err
	}
	return d, as, nil
}

func identity(c *gin.Context, d *store.SubmissionDetail, as *store.Assessment) rules.Identity {
	return rules.Candidate{Name: d.Invitation.CandidateName, Email: d.Invitation.CandidateEmail, RepoURL: d.Submission.RepoURL,
		Number: d.CandidateNumber, BlindReview: as.BlindReview, Decided: d.Decision() != nil}.ForViewer(auth.Current(c).Role)
}

func (s *server) workspace(c *gin.Context, d *store.SubmissionDetail, as *store.Assessment) (reviewWorkspace, error) {
	p := auth.Current(c)
	w := reviewWorkspace{Who: identity(c, d, as), Criteria: as.Criteria(), CanChange: rules.In(rules.Admins, p.Role)}
	scores, err := s.Store.RubricScores(c.Request.Context(), p.OrgID, []string{d.Submission.ID})
	if err != nil {
		return w, err
	}
	w.RubricScores = scores[d.Submission.ID]
	w.Mean = store.MeanScores(w.Criteria, w.RubricScores)
	for _, rs := range w.RubricScores {
		if rs.ReviewerID == p.UserID {
			w.MyScores, w.MyNotes = rs.Scores, rs.Notes
		}
	}
	return w, nil
}
