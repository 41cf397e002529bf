package store

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// SubmissionRow is one line of the reviewers' submissions table: the
// submission with the names a person reads and the latest decision.
type SubmissionRow struct {
	ID              string
	AssessmentID    string
	AssessmentTitle string
	CandidateName   string
	CandidateEmail  string
	Status          string
	Attempt         int
	Score           *int
	MaxScore        *int
	CreatedAt       time.Time
	Decision        *string
}

// Orders of the submissions table.
const (
	SortByDate  = "date"
	SortByScore = "score"
)

// SubmissionTableQuery selects one page of the submissions table. Pages are
// numbered (not cursors) because reviewers sort by score and jump to a page.
type SubmissionTableQuery struct {
	AssessmentID string
	Status       string
	Sort         string // SortByDate (default) or SortByScore
	Page         int    // from 1
	PerPage      int    // 1..200; 0 means 50
}

// SubmissionTable returns one page of the organisation's submissions and how
// many match in all.
func (s *Store) SubmissionTable(ctx context.Context, orgID string, q SubmissionTableQuery) ([]SubmissionRow, int, error) {
	per := q.PerPage
	if per <= 0 {
		per = defaultPageSize
	}
	if per > maxPageSize {
		return nil, 0, fmt.Errorf("%w: at most %d rows per page", ErrInvalid, maxPageSize)
	}
	page := max(q.Page, 1)
	where := []string{"s.org_id = ?"}
	args := []any{orgID}
	if q.AssessmentID != "" {
		if !validUUID(q.AssessmentID) {
			return nil, 0, nil
		}
		where, args = append(where, "s.assessment_id = ?"), append(args, q.AssessmentID)
	}
	if q.Status != "" {
		where, args = append(where, "s.status = ?"), append(args, q.Status)
	}
	cond := strings.Join(where, " AND ")
	order := "s.created_at DESC, s.id DESC"
	if q.Sort == SortByScore {
		order = "s.score DESC NULLS LAST, s.created_at DESC, s.id DESC"
	}
	db := s.db.WithContext(ctx)
	var total int64
	if err := db.Raw("SELECT count(*) FROM submissions s WHERE "+cond, args...).Scan(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("count submissions: %w", err)
	}
	// The page's ids are found first, on submissions alone (its indexes
	// cover the filters and both orders); only those rows are then joined
	// and given their latest decision, so a deep page does not pay for
	// every row it skips.
	var rows []SubmissionRow
	err := db.Raw(`WITH page AS (SELECT s.id FROM submissions s WHERE `+cond+` ORDER BY `+order+` LIMIT ? OFFSET ?)
		SELECT s.id, s.assessment_id, a.title AS assessment_title, i.candidate_name, i.candidate_email,
			s.status, s.attempt, s.score, s.max_score, s.created_at,
			(SELECT r.decision FROM reviews r WHERE r.submission_id = s.id ORDER BY r.created_at DESC LIMIT 1) AS decision
		FROM page JOIN submissions s ON s.id = page.id
		JOIN invitations i ON i.id = s.invitation_id
		JOIN assessments a ON a.id = s.assessment_id
		ORDER BY `+order,
		append(args, per, (page-1)*per)...).Scan(&rows).Error
	if err != nil {
		return nil, 0, fmt.Errorf("list submissions table: %w", err)
	}
	return rows, int(total), nil
}
