package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// CreateAssessment stores a new assessment of the actor's organisation.
func (s *Store) CreateAssessment(ctx context.Context, a Actor, as *Assessment) error {
	as.OrgID = a.OrgID
	if a.UserID != "" {
		as.CreatedBy = &a.UserID
	}
	return s.tx(ctx, func(tx *gorm.DB) error {
		if err := checkPin(tx, a.OrgID, as); err != nil {
			return err
		}
		if err := tx.Create(as).Error; err != nil {
			return fmt.Errorf("create assessment: %w", err)
		}
		return audit(tx, a, "assessment.created", "assessment", as.ID, map[string]any{"title": as.Title, "takehome": as.Takehome})
	})
}

// checkPin refuses an assessment pinning a version of a custom take-home
// that is not the organisation's own or has not passed its check. The row is
// share-locked, so its status cannot change before the assessment is stored.
func checkPin(tx *gorm.DB, orgID string, as *Assessment) error {
	if as.TakehomeVersionID == nil {
		return nil
	}
	var v TakehomeVersion
	if !validUUID(*as.TakehomeVersionID) {
		return fmt.Errorf("take-home version %q: %w", *as.TakehomeVersionID, ErrNotFound)
	}
	err := tx.Clauses(clause.Locking{Strength: "SHARE"}).Select(versionColumns).
		Where("org_id = ? AND id = ?", orgID, *as.TakehomeVersionID).Take(&v).Error
	if err != nil {
		return notFound(err, "take-home version")
	}
	return issuable(as.Takehome, &v)
}

// Assessment finds one assessment of the organisation.
func (s *Store) Assessment(ctx context.Context, orgID, id string) (*Assessment, error) {
	var as Assessment
	if !validUUID(id) {
		return nil, fmt.Errorf("assessment %q: %w", id, ErrNotFound)
	}
	if err := s.db.WithContext(ctx).Where("org_id = ? AND id = ?", orgID, id).Take(&as).Error; err != nil {
		return nil, notFound(err, "assessment")
	}
	return &as, nil
}

// AssessmentFilter narrows a list of assessments.
type AssessmentFilter struct {
	IncludeArchived bool
}

// Assessments lists the organisation's assessments, newest first.
func (s *Store) Assessments(ctx context.Context, orgID string, f AssessmentFilter, p Page) ([]Assessment, string, error) {
	q := s.db.WithContext(ctx).Model(&Assessment{}).Where("org_id = ?", orgID)
	if !f.IncludeArchived {
		q = q.Where("NOT archived")
	}
	rows, next, err := paginate(q, "assessments", p, func(a *Assessment) cursor { return cursor{a.CreatedAt, a.ID} })
	if err != nil {
		return nil, "", fmt.Errorf("list assessments: %w", err)
	}
	return rows, next, nil
}

// AssessmentChanges are the fields a PATCH may set; nil leaves a field as it is.
type AssessmentChanges struct {
	Title          *string
	Instructions   *string
	HoursAllowed   *int
	MaxSubmissions *int
	CandidateView  *string
	GradingMode    *string
	BlindReview    *bool
	Archived       *bool
	// SimilarityThreshold is from 0 (excluded) to 1 (rules.SimilarityThreshold).
	SimilarityThreshold *float64
}

// UpdateAssessment applies changes to one assessment of the actor's organisation.
func (s *Store) UpdateAssessment(ctx context.Context, a Actor, id string, c AssessmentChanges) (*Assessment, error) {
	var as Assessment
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if !validUUID(id) {
			return fmt.Errorf("assessment %q: %w", id, ErrNotFound)
		}
		if err := tx.Where("org_id = ? AND id = ?", a.OrgID, id).Take(&as).Error; err != nil {
			return notFound(err, "assessment")
		}
		changes := map[string]any{}
		set := func(name string, v any, ok bool) {
			if ok {
				changes[name] = v
			}
		}
		set("title", deref(c.Title), c.Title != nil)
		set("instructions", deref(c.Instructions), c.Instructions != nil)
		set("hours_allowed", deref(c.HoursAllowed), c.HoursAllowed != nil)
		set("max_submissions", deref(c.MaxSubmissions), c.MaxSubmissions != nil)
		set("candidate_view", deref(c.CandidateView), c.CandidateView != nil)
		set("grading_mode", deref(c.GradingMode), c.GradingMode != nil)
		set("blind_review", deref(c.BlindReview), c.BlindReview != nil)
		set("archived", deref(c.Archived), c.Archived != nil)
		set("similarity_threshold", deref(c.SimilarityThreshold), c.SimilarityThreshold != nil)
		if len(changes) == 0 {
			return nil
		}
		changes["updated_at"] = time.Now().UTC()
		if err := tx.Model(&as).Updates(changes).Error; err != nil {
			return fmt.Errorf("update assessment: %w", err)
		}
		delete(changes, "updated_at")
		return audit(tx, a, "assessment.updated", "assessment", as.ID, changes)
	})
	if err != nil {
		return nil, err
	}
	return &as, nil
}

// DeleteAssessment removes an assessment that has no invitations yet. One
// with invitations holds candidates' work, so it can only be archived.
func (s *Store) DeleteAssessment(ctx context.Context, a Actor, id string) error {
	return s.tx(ctx, func(tx *gorm.DB) error {
		var as Assessment
		if !validUUID(id) {
			return fmt.Errorf("assessment %q: %w", id, ErrNotFound)
		}
		if err := tx.Clauses(forUpdate).Where("org_id = ? AND id = ?", a.OrgID, id).Take(&as).Error; err != nil {
			return notFound(err, "assessment")
		}
		var n int64
		if err := tx.Model(&Invitation{}).Where("assessment_id = ?", id).Count(&n).Error; err != nil {
			return fmt.Errorf("count invitations: %w", err)
		}
		if n > 0 {
			return fmt.Errorf("%w: the assessment has %d invitations; archive it instead (PATCH archived=true)", ErrConflict, n)
		}
		if err := tx.Delete(&as).Error; err != nil {
			return fmt.Errorf("delete assessment: %w", err)
		}
		return audit(tx, a, "assessment.deleted", "assessment", id, map[string]any{"title": as.Title})
	})
}

func deref[T any](p *T) T {
	if p == nil {
		var zero T
		return zero
	}
	return *p
}
