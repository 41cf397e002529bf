package store

import (
	"context"
	"encoding/json"
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

// CandidateTotal is a candidate's latest graded attempt of an assessment.
type CandidateTotal struct {
	SubmissionID  string
	CandidateName string
	Score         int
	MaxScore      int
}

// AssessmentTotals lists, for each candidate of an assessment with a
// scorecard, the total of their latest scored attempt, highest first.
func (s *Store) AssessmentTotals(ctx context.Context, orgID, assessmentID string) ([]CandidateTotal, error) {
	if !validUUID(assessmentID) {
		return nil, fmt.Errorf("assessment %q: %w", assessmentID, ErrNotFound)
	}
	var rows []CandidateTotal
	err := s.db.WithContext(ctx).Raw(`SELECT * FROM (
			SELECT DISTINCT ON (s.invitation_id) s.id AS submission_id, i.candidate_name, sc.score, sc.max_score
			FROM submissions s
			JOIN scorecards sc ON sc.submission_id = s.id
			JOIN invitations i ON i.id = s.invitation_id
			WHERE s.org_id = ? AND s.assessment_id = ?
			ORDER BY s.invitation_id, s.created_at DESC) latest
		ORDER BY score DESC, candidate_name`, orgID, assessmentID).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("assessment totals: %w", err)
	}
	return rows, nil
}

// Scorecards returns the scorecard JSON of the organisation's submissions
// among ids, keyed by submission id.
func (s *Store) Scorecards(ctx context.Context, orgID string, ids []string) (map[string]json.RawMessage, error) {
	var valid []string
	for _, id := range ids {
		if validUUID(id) {
			valid = append(valid, id)
		}
	}
	out := map[string]json.RawMessage{}
	if len(valid) == 0 {
		return out, nil
	}
	var rows []Scorecard
	if err := s.db.WithContext(ctx).Where("org_id = ? AND submission_id IN ?", orgID, valid).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("scorecards: %w", err)
	}
	for _, r := range rows {
		out[r.SubmissionID] = r.Data
	}
	return out, nil
}

// InvitationSubmissions lists the attempts made through an invitation,
// newest first, for the candidate's own page (the caller opened the
// invitation with its token).
func (s *Store) InvitationSubmissions(ctx context.Context, invitationID string) ([]Submission, error) {
	var rows []Submission
	if err := s.db.WithContext(ctx).Where("invitation_id = ?", invitationID).Order("attempt DESC").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("submissions of invitation: %w", err)
	}
	return rows, nil
}
