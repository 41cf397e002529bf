package store

import (
	"context"
	"encoding/json"
	"fmt"
)

// CandidateTotal is a candidate's latest graded attempt of an assessment.
type CandidateTotal struct {
	SubmissionID    string
	InvitationID    string
	CandidateName   string
	CandidateNumber int  // within the assessment, for blind review
	Decided         bool // the attempt has a decision
	Score           int
	MaxScore        int
}

// AssessmentTotals lists, for each candidate of an assessment with a
// scorecard, the total of their latest scored attempt, highest first.
func (s *Store) AssessmentTotals(ctx context.Context, orgID, assessmentID string) ([]CandidateTotal, error) {
	if !validUUID(assessmentID) {
		return nil, fmt.Errorf("assessment %q: %w", assessmentID, ErrNotFound)
	}
	var rows []CandidateTotal
	err := s.db.WithContext(ctx).Raw(`SELECT * FROM (
			SELECT DISTINCT ON (s.invitation_id) s.id AS submission_id, s.invitation_id, i.candidate_name, sc.score, sc.max_score,
				i.candidate_number,
				EXISTS (SELECT 1 FROM reviews r WHERE r.submission_id = s.id) AS decided
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
