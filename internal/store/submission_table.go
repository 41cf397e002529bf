package store

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// SubmissionRow is one line of the reviewers' submissions table: a candidate
// with their latest attempt, the names a person reads, the latest attempt's
// decision, and the earlier attempts inside.
type SubmissionRow struct {
	ID              string
	AssessmentID    string
	AssessmentTitle string
	InvitationID    string
	CandidateName   string
	CandidateEmail  string
	CandidateNumber int  // within the assessment, for blind review
	BlindReview     bool // the assessment is reviewed blind
	Status          string
	Attempt         int
	Score           *int
	MaxScore        *int
	CreatedAt       time.Time
	Decision        *string
	Earlier         []Attempt `gorm:"-"` // the candidate's earlier attempts, newest first
}

// Attempt is an earlier submission of the same candidate.
type Attempt struct {
	ID           string
	InvitationID string
	Attempt      int
	Status       string
	Score        *int
	MaxScore     *int
	CreatedAt    time.Time
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
	Status       string // of the latest attempt
	Undecided    bool   // only candidates whose latest attempt has no decision
	// Search matches part of a candidate's name or email. With
	// SearchSkipsBlind (a reviewer searching) candidates still under blind
	// review never match: a search must not reveal who they are.
	Search           string
	SearchSkipsBlind bool
	Sort             string // SortByDate (default) or SortByScore
	Page             int    // from 1
	PerPage          int    // 1..200; 0 means 50
}

// SubmissionTable returns one page of the organisation's candidates with
// their latest attempt and how many match in all.
func (s *Store) SubmissionTable(ctx context.Context, orgID string, q SubmissionTableQuery) ([]SubmissionRow, int, error) {
	per := q.PerPage
	if per <= 0 {
		per = defaultPageSize
	}
	if per > maxPageSize {
		return nil, 0, fmt.Errorf("%w: at most %d rows per page", ErrInvalid, maxPageSize)
	}
	page := max(q.Page, 1)
	// One row per candidate: their latest attempt (marked by the database,
	// migration 00012). The page's ids are found first, on submissions (and
	// invitations when searching) alone, in the order of the table's
	// indexes; only those rows are then joined and given their decision
	// and blind-review number, so a deep page does not pay for every row
	// it skips.
	from := "submissions s"
	where := []string{"s.org_id = ?", "s.latest"}
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
	const undecided = "NOT EXISTS (SELECT 1 FROM reviews r WHERE r.submission_id = s.id)"
	if q.Undecided {
		where = append(where, undecided)
	}
	if q.Search != "" {
		pattern := "%" + likeEscaper.Replace(q.Search) + "%"
		from += " JOIN invitations i ON i.id = s.invitation_id"
		where, args = append(where, "(i.candidate_name ILIKE ? OR i.candidate_email ILIKE ?)"), append(args, pattern, pattern)
		if q.SearchSkipsBlind {
			from += " JOIN assessments a ON a.id = s.assessment_id"
			where = append(where, "NOT (a.blind_review AND "+undecided+")")
		}
	}
	cond := strings.Join(where, " AND ")
	order := "s.created_at DESC, s.id DESC"
	if q.Sort == SortByScore {
		order = "s.score DESC NULLS LAST, s.created_at DESC, s.id DESC"
	}
	db := s.db.WithContext(ctx)
	var total int64
	if err := db.Raw("SELECT count(*) FROM "+from+" WHERE "+cond, args...).Scan(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("count submissions: %w", err)
	}
	var rows []SubmissionRow
	err := db.Raw(`WITH page AS (SELECT s.id FROM `+from+` WHERE `+cond+` ORDER BY `+order+` LIMIT ? OFFSET ?)
		SELECT s.id, s.assessment_id, a.title AS assessment_title, s.invitation_id,
			i.candidate_name, i.candidate_email, i.candidate_number, a.blind_review,
			s.status, s.attempt, s.score, s.max_score, s.created_at,
			(SELECT r.decision FROM reviews r WHERE r.submission_id = s.id ORDER BY r.created_at DESC LIMIT 1) AS decision
		FROM page JOIN submissions s ON s.id = page.id
		JOIN invitations i ON i.id = s.invitation_id
		JOIN assessments a ON a.id = s.assessment_id
		ORDER BY `+order, append(args, per, (page-1)*per)...).Scan(&rows).Error
	if err != nil {
		return nil, 0, fmt.Errorf("list submissions table: %w", err)
	}
	if err := s.attachEarlier(ctx, rows); err != nil {
		return nil, 0, err
	}
	return rows, int(total), nil
}

// attachEarlier gives each row its candidate's earlier attempts.
func (s *Store) attachEarlier(ctx context.Context, rows []SubmissionRow) error {
	if len(rows) == 0 {
		return nil
	}
	invs, latest := make([]string, len(rows)), make([]string, len(rows))
	at := map[string]int{}
	for i, r := range rows {
		invs[i], latest[i], at[r.InvitationID] = r.InvitationID, r.ID, i
	}
	var earlier []Attempt
	if err := s.db.WithContext(ctx).Model(&Submission{}).
		Select("id, invitation_id, attempt, status, score, max_score, created_at").
		Where("invitation_id IN ? AND id NOT IN ?", invs, latest).
		Order("attempt DESC").Scan(&earlier).Error; err != nil {
		return fmt.Errorf("earlier attempts: %w", err)
	}
	for _, e := range earlier {
		i := at[e.InvitationID]
		rows[i].Earlier = append(rows[i].Earlier, e)
	}
	return nil
}

// likeEscaper makes a search string match itself in ILIKE.
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
