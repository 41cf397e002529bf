package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// RubricLevels is how many levels a criterion has: scores run from 1 to 4.
const RubricLevels = 4

// Criterion is one thing reviewers judge by reading the code, with what each
// level from 1 to 4 means.
type Criterion struct {
	Name   string               `json:"name"`
	Levels [RubricLevels]string `json:"levels"`
}

// DefaultRubric is the rubric of an assessment nobody edited: what a
// take-home exists to show and no black-box check can judge alone.
var DefaultRubric = []Criterion{
	{Name: "Structure", Levels: [RubricLevels]string{"One tangle; hard to follow", "Some separation, leaky", "Clear parts with one job each", "Clear parts, easy to change"}},
	{Name: "Error handling", Levels: [RubricLevels]string{"Errors ignored or crash", "Some errors handled", "Errors handled and reported clearly", "Every failure path handled with care"}},
	{Name: "Tests", Levels: [RubricLevels]string{"No tests", "A few happy-path tests", "Main behaviour tested", "Behaviour and edge cases tested"}},
	{Name: "README", Levels: [RubricLevels]string{"Missing", "Says how to run it", "How to run it and the choices made", "Clear, complete, honest about limits"}},
}

// Criteria is the rubric in force for the assessment.
func (as *Assessment) Criteria() []Criterion {
	if as.Rubric == nil {
		return DefaultRubric
	}
	return as.Rubric
}

// SetRubric replaces an assessment's rubric (already checked by rules.Rubric).
// An empty rubric is kept as such: the assessment is then scored by checks alone.
func (s *Store) SetRubric(ctx context.Context, a Actor, assessmentID string, criteria []Criterion) (*Assessment, error) {
	if criteria == nil {
		criteria = []Criterion{}
	}
	var as Assessment
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if !validUUID(assessmentID) {
			return fmt.Errorf("assessment %q: %w", assessmentID, ErrNotFound)
		}
		if err := tx.Clauses(forUpdate).Where("org_id = ? AND id = ?", a.OrgID, assessmentID).Take(&as).Error; err != nil {
			return notFound(err, "assessment")
		}
		as.Rubric = criteria
		if err := tx.Model(&as).Select("rubric", "updated_at").Updates(&Assessment{Rubric: criteria, UpdatedAt: time.Now().UTC()}).Error; err != nil {
			return fmt.Errorf("update rubric: %w", err)
		}
		names := make([]string, len(criteria))
		for i, c := range criteria {
			names[i] = c.Name
		}
		return audit(tx, a, "assessment.rubric_changed", "assessment", as.ID, map[string]any{"criteria": names})
	})
	if err != nil {
		return nil, err
	}
	return &as, nil
}

// RubricScore is one reviewer's scores of one submission, by criterion name.
type RubricScore struct {
	OrgID         string         `json:"-"`
	SubmissionID  string         `json:"submission_id"`
	ReviewerID    string         `json:"reviewer_id"`
	ReviewerEmail string         `gorm:"->;-:migration" json:"reviewer_email"`
	Scores        map[string]int `gorm:"serializer:json" json:"scores"`
	Notes         string         `json:"notes"`
	CreatedAt     time.Time      `json:"created_at"`
	UpdatedAt     time.Time      `json:"updated_at"`
}

// ScoreRubric records the actor's scores of a submission on its assessment's
// rubric, replacing their earlier ones. Every criterion must be scored from
// 1 to 4; names outside the rubric are refused.
func (s *Store) ScoreRubric(ctx context.Context, a Actor, submissionID string, scores map[string]int, notes string) (*RubricScore, error) {
	if a.UserID == "" {
		return nil, fmt.Errorf("%w: only a signed-in reviewer scores a rubric", ErrInvalid)
	}
	var rs RubricScore
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if !validUUID(submissionID) {
			return fmt.Errorf("submission %q: %w", submissionID, ErrNotFound)
		}
		var sub Submission
		if err := tx.Where("org_id = ? AND id = ?", a.OrgID, submissionID).Take(&sub).Error; err != nil {
			return notFound(err, "submission")
		}
		var as Assessment
		if err := tx.Where("id = ?", sub.AssessmentID).Take(&as).Error; err != nil {
			return notFound(err, "assessment")
		}
		if err := scoresFit(as.Criteria(), scores); err != nil {
			return err
		}
		now := time.Now().UTC()
		rs = RubricScore{OrgID: a.OrgID, SubmissionID: sub.ID, ReviewerID: a.UserID, Scores: scores, Notes: notes, CreatedAt: now, UpdatedAt: now}
		if err := tx.Clauses(clause.OnConflict{
			Columns:   []clause.Column{{Name: "submission_id"}, {Name: "reviewer_id"}},
			DoUpdates: clause.AssignmentColumns([]string{"scores", "notes", "updated_at"}),
		}).Create(&rs).Error; err != nil {
			return fmt.Errorf("save rubric scores: %w", err)
		}
		return audit(tx, a, "submission.rubric_scored", "submission", sub.ID, map[string]any{"scores": scores})
	})
	if err != nil {
		return nil, err
	}
	return &rs, nil
}

// scoresFit checks that scores give every criterion of the rubric a level.
func scoresFit(criteria []Criterion, scores map[string]int) error {
	if len(criteria) == 0 {
		return fmt.Errorf("%w: the assessment has no rubric to score", ErrInvalid)
	}
	known := map[string]bool{}
	for _, c := range criteria {
		known[c.Name] = true
		n, ok := scores[c.Name]
		if !ok {
			return fmt.Errorf("%w: scores: %q is not scored", ErrInvalid, c.Name)
		}
		if n < 1 || n > RubricLevels {
			return fmt.Errorf("%w: scores: %q must be from 1 to %d", ErrInvalid, c.Name, RubricLevels)
		}
	}
	for name := range scores {
		if !known[name] {
			return fmt.Errorf("%w: scores: %q is not a criterion of the rubric", ErrInvalid, name)
		}
	}
	return nil
}

// RubricScores returns every reviewer's scores of the organisation's
// submissions among ids, keyed by submission id, oldest first.
func (s *Store) RubricScores(ctx context.Context, orgID string, ids []string) (map[string][]RubricScore, error) {
	out := map[string][]RubricScore{}
	var valid []string
	for _, id := range ids {
		if validUUID(id) {
			valid = append(valid, id)
		}
	}
	if len(valid) == 0 {
		return out, nil
	}
	var rows []RubricScore
	err := s.db.WithContext(ctx).Table("rubric_scores rs").
		Select("rs.*, u.email AS reviewer_email").
		Joins("JOIN users u ON u.id = rs.reviewer_id").
		Where("rs.org_id = ? AND rs.submission_id IN ?", orgID, valid).
		Order("rs.created_at, rs.reviewer_id").Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("rubric scores: %w", err)
	}
	for _, r := range rows {
		out[r.SubmissionID] = append(out[r.SubmissionID], r)
	}
	return out, nil
}

// RubricMean is the reviewers' mean score of each criterion and overall.
type RubricMean struct {
	Criteria  []float64 // in the rubric's order; 0 when nobody scored it
	Overall   float64   // mean of the criteria scored; 0 when none
	Reviewers int
}

// MeanScores averages reviewers' scores over the criteria of a rubric;
// scores of criteria no longer in the rubric are left out.
func MeanScores(criteria []Criterion, scores []RubricScore) RubricMean {
	m := RubricMean{Criteria: make([]float64, len(criteria)), Reviewers: len(scores)}
	var sum float64
	var scored int
	for i, c := range criteria {
		var total, n int
		for _, rs := range scores {
			if v, ok := rs.Scores[c.Name]; ok {
				total, n = total+v, n+1
			}
		}
		if n > 0 {
			m.Criteria[i] = float64(total) / float64(n)
			sum, scored = sum+m.Criteria[i], scored+1
		}
	}
	if scored > 0 {
		m.Overall = sum / float64(scored)
	}
	return m
}
