package store

import (
	"context"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/assayhq/assay/internal/interview"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// EventInterviewScored is sent when an interviewer saves their scorecard.
const EventInterviewScored = "interview.scored"

// jsonList is a list kept in a jsonb column.
type jsonList[T any] []T

// Scan reads the list from jsonb.
func (l *jsonList[T]) Scan(src any) error {
	var raw []byte
	switch v := src.(type) {
	case []byte:
		raw = v
	case string:
		raw = []byte(v)
	case nil:
		*l = nil
		return nil
	default:
		return fmt.Errorf("jsonb list: unexpected %T", src)
	}
	return json.Unmarshal(raw, (*[]T)(l))
}

// Value writes the list as jsonb; nil is an empty array.
func (l jsonList[T]) Value() (driver.Value, error) {
	if l == nil {
		return "[]", nil
	}
	raw, err := json.Marshal([]T(l))
	return string(raw), err
}

// InterviewQuestion is an organisation's own interview question.
type InterviewQuestion struct {
	ID           string           `gorm:"primaryKey;default:gen_random_uuid()" json:"id"`
	OrgID        string           `json:"-"`
	Level        string           `json:"level"`
	Kind         string           `json:"kind"`
	Topic        string           `json:"topic"`
	Prompt       string           `json:"prompt"`
	Evaluates    string           `json:"evaluates"`
	StrongAnswer jsonList[string] `gorm:"type:jsonb" json:"strong_answer"`
	RedFlags     jsonList[string] `gorm:"type:jsonb" json:"red_flags"`
	FollowUps    jsonList[string] `gorm:"type:jsonb" json:"follow_ups"`
	CopiedFrom   *string          `json:"copied_from,omitempty"`
	CreatedBy    *string          `json:"created_by,omitempty"`
	CreatedAt    time.Time        `json:"created_at"`
	UpdatedAt    time.Time        `json:"updated_at"`
}

// Question is the row as the bank's shape, for lists that mix both.
func (q *InterviewQuestion) Question() interview.Question {
	return interview.Question{ID: q.ID, Level: q.Level, Kind: q.Kind, Topic: q.Topic, Prompt: q.Prompt,
		Evaluates: q.Evaluates, StrongAnswer: q.StrongAnswer, RedFlags: q.RedFlags, FollowUps: q.FollowUps}
}

// QuestionFields are what a person writes of a question.
type QuestionFields struct {
	Level, Kind, Topic, Prompt, Evaluates string
	StrongAnswer, RedFlags, FollowUps     []string
}

func (f QuestionFields) apply(q *InterviewQuestion) {
	q.Level, q.Kind, q.Topic, q.Prompt, q.Evaluates = f.Level, f.Kind, f.Topic, f.Prompt, f.Evaluates
	q.StrongAnswer, q.RedFlags, q.FollowUps = f.StrongAnswer, f.RedFlags, f.FollowUps
}

// Questions lists the shipped bank then the organisation's own questions,
// those that pass the filter.
func (s *Store) Questions(ctx context.Context, orgID string, f interview.Filter) ([]interview.Question, error) {
	var own []InterviewQuestion
	if err := s.db.WithContext(ctx).Where("org_id = ?", orgID).Order("created_at, id").Find(&own).Error; err != nil {
		return nil, fmt.Errorf("list interview questions: %w", err)
	}
	all := interview.Bank()
	for i := range own {
		all = append(all, own[i].Question())
	}
	return interview.Select(all, f), nil
}

// Question finds a question by id: the bank's ("bank:...") or the organisation's.
func (s *Store) Question(ctx context.Context, orgID, id string) (interview.Question, error) {
	return question(s.db.WithContext(ctx), orgID, id)
}

func question(tx *gorm.DB, orgID, id string) (interview.Question, error) {
	if strings.HasPrefix(id, interview.ShippedPrefix) {
		if q, ok := interview.Shipped(id); ok {
			return q, nil
		}
		return interview.Question{}, fmt.Errorf("question %q: %w", id, ErrNotFound)
	}
	q, err := ownQuestion(tx, orgID, id)
	if err != nil {
		return interview.Question{}, err
	}
	return q.Question(), nil
}

func ownQuestion(tx *gorm.DB, orgID, id string) (*InterviewQuestion, error) {
	if !validUUID(id) {
		return nil, fmt.Errorf("question %q: %w", id, ErrNotFound)
	}
	var q InterviewQuestion
	if err := tx.Where("org_id = ? AND id = ?", orgID, id).Take(&q).Error; err != nil {
		return nil, notFound(err, "question")
	}
	return &q, nil
}

// errShipped refuses a change to a question of the shipped bank.
func errShipped(id string) error {
	if strings.HasPrefix(id, interview.ShippedPrefix) {
		if _, ok := interview.Shipped(id); ok {
			return fmt.Errorf("%w: %s is a shipped question and cannot be changed: copy it, then edit the copy", ErrConflict, id)
		}
	}
	return nil
}

// CreateQuestion adds a question of the organisation's own.
func (s *Store) CreateQuestion(ctx context.Context, a Actor, f QuestionFields) (*InterviewQuestion, error) {
	q := &InterviewQuestion{OrgID: a.OrgID}
	f.apply(q)
	if a.UserID != "" {
		q.CreatedBy = &a.UserID
	}
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Create(q).Error; err != nil {
			return fmt.Errorf("create interview question: %w", err)
		}
		return audit(tx, a, "interview_question.created", "interview_question", q.ID, nil)
	})
	if err != nil {
		return nil, err
	}
	return q, nil
}

// CopyQuestion makes an editable copy of a shipped or own question.
func (s *Store) CopyQuestion(ctx context.Context, a Actor, id string) (*InterviewQuestion, error) {
	src, err := s.Question(ctx, a.OrgID, id)
	if err != nil {
		return nil, err
	}
	q := &InterviewQuestion{OrgID: a.OrgID, CopiedFrom: &src.ID}
	QuestionFields{Level: src.Level, Kind: src.Kind, Topic: src.Topic, Prompt: src.Prompt, Evaluates: src.Evaluates,
		StrongAnswer: src.StrongAnswer, RedFlags: src.RedFlags, FollowUps: src.FollowUps}.apply(q)
	if a.UserID != "" {
		q.CreatedBy = &a.UserID
	}
	err = s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Create(q).Error; err != nil {
			return fmt.Errorf("copy interview question: %w", err)
		}
		return audit(tx, a, "interview_question.copied", "interview_question", q.ID, map[string]any{"from": src.ID})
	})
	if err != nil {
		return nil, err
	}
	return q, nil
}

// UpdateQuestion rewrites a question of the organisation's own.
func (s *Store) UpdateQuestion(ctx context.Context, a Actor, id string, f QuestionFields) (*InterviewQuestion, error) {
	if err := errShipped(id); err != nil {
		return nil, err
	}
	var q *InterviewQuestion
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var err error
		if q, err = ownQuestion(tx.Clauses(forUpdate), a.OrgID, id); err != nil {
			return err
		}
		f.apply(q)
		q.UpdatedAt = time.Now().UTC()
		if err := tx.Save(q).Error; err != nil {
			return fmt.Errorf("update interview question: %w", err)
		}
		return audit(tx, a, "interview_question.updated", "interview_question", q.ID, nil)
	})
	if err != nil {
		return nil, err
	}
	return q, nil
}

// DeleteQuestion removes a question of the organisation's own, and with it
// its place in every kit.
func (s *Store) DeleteQuestion(ctx context.Context, a Actor, id string) error {
	if err := errShipped(id); err != nil {
		return err
	}
	return s.tx(ctx, func(tx *gorm.DB) error {
		if _, err := ownQuestion(tx, a.OrgID, id); err != nil {
			return err
		}
		if err := tx.Exec(`DELETE FROM interview_kit_items WHERE org_id = ? AND question_id = ?`, a.OrgID, id).Error; err != nil {
			return fmt.Errorf("remove question from kits: %w", err)
		}
		// Close the gaps the removal left, keeping the order: out of the way
		// first, since positions are unique and checked row by row.
		if err := tx.Exec(`UPDATE interview_kit_items SET position = position + 1000000 WHERE org_id = ?`, a.OrgID).Error; err != nil {
			return fmt.Errorf("renumber kits: %w", err)
		}
		if err := tx.Exec(`UPDATE interview_kit_items k SET position = r.n FROM (
				SELECT assessment_id, position, row_number() OVER (PARTITION BY assessment_id ORDER BY position) AS n
				FROM interview_kit_items WHERE org_id = ?) r
			WHERE k.assessment_id = r.assessment_id AND k.position = r.position`, a.OrgID).Error; err != nil {
			return fmt.Errorf("renumber kits: %w", err)
		}
		if err := tx.Exec(`DELETE FROM interview_questions WHERE org_id = ? AND id = ?`, a.OrgID, id).Error; err != nil {
			return fmt.Errorf("delete interview question: %w", err)
		}
		return audit(tx, a, "interview_question.deleted", "interview_question", id, nil)
	})
}

// KitEntry is one question of a kit as a kit builder names it.
type KitEntry struct {
	QuestionID string `json:"question_id"`
	Minutes    int    `json:"minutes"`
}

// KitItem is one question of a kit, resolved.
type KitItem struct {
	Position int                `json:"position"`
	Minutes  int                `json:"minutes"`
	Question interview.Question `json:"question"`
}

// Kit is an assessment's live interview: ordered questions and their time.
type Kit struct {
	AssessmentID string    `json:"assessment_id"`
	Items        []KitItem `json:"items"`
	TotalMinutes int       `json:"total_minutes"`
}

type kitRow struct {
	AssessmentID string
	OrgID        string
	Position     int
	QuestionID   string
	Minutes      int
}

func (kitRow) TableName() string { return "interview_kit_items" }

// Kit reads an assessment's kit; an assessment without one has an empty kit.
func (s *Store) Kit(ctx context.Context, orgID, assessmentID string) (*Kit, error) {
	if _, err := s.Assessment(ctx, orgID, assessmentID); err != nil {
		return nil, err
	}
	return kit(s.db.WithContext(ctx), orgID, assessmentID)
}

func kit(tx *gorm.DB, orgID, assessmentID string) (*Kit, error) {
	var rows []kitRow
	if err := tx.Where("org_id = ? AND assessment_id = ?", orgID, assessmentID).Order("position").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("read kit: %w", err)
	}
	k := &Kit{AssessmentID: assessmentID, Items: []KitItem{}}
	for _, r := range rows {
		q, err := question(tx, orgID, r.QuestionID)
		if errors.Is(err, ErrNotFound) {
			continue // a shipped question withdrawn from the bank in a later release
		}
		if err != nil {
			return nil, err
		}
		k.Items = append(k.Items, KitItem{Position: r.Position, Minutes: r.Minutes, Question: q})
		k.TotalMinutes += r.Minutes
	}
	return k, nil
}

// SetKit replaces an assessment's kit with entries, in their order. Each
// must name a question of the bank or of the organisation, once.
func (s *Store) SetKit(ctx context.Context, a Actor, assessmentID string, entries []KitEntry) (*Kit, error) {
	var k *Kit
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if !validUUID(assessmentID) {
			return fmt.Errorf("assessment %q: %w", assessmentID, ErrNotFound)
		}
		var as Assessment
		if err := tx.Clauses(forUpdate).Where("org_id = ? AND id = ?", a.OrgID, assessmentID).Take(&as).Error; err != nil {
			return notFound(err, "assessment")
		}
		seen := map[string]bool{}
		rows := make([]kitRow, 0, len(entries))
		for i, e := range entries {
			if seen[e.QuestionID] {
				return fmt.Errorf("%w: question %s is in the kit twice", ErrInvalid, e.QuestionID)
			}
			seen[e.QuestionID] = true
			if _, err := question(tx, a.OrgID, e.QuestionID); errors.Is(err, ErrNotFound) {
				return fmt.Errorf("%w: no question %s", ErrInvalid, e.QuestionID)
			} else if err != nil {
				return err
			}
			rows = append(rows, kitRow{AssessmentID: assessmentID, OrgID: a.OrgID, Position: i + 1, QuestionID: e.QuestionID, Minutes: e.Minutes})
		}
		if err := tx.Where("org_id = ? AND assessment_id = ?", a.OrgID, assessmentID).Delete(&kitRow{}).Error; err != nil {
			return fmt.Errorf("clear kit: %w", err)
		}
		if len(rows) > 0 {
			if err := tx.Create(&rows).Error; err != nil {
				return fmt.Errorf("write kit: %w", err)
			}
		}
		var err error
		if k, err = kit(tx, a.OrgID, assessmentID); err != nil {
			return err
		}
		return audit(tx, a, "interview_kit.updated", "assessment", assessmentID, map[string]any{"questions": len(rows), "minutes": k.TotalMinutes})
	})
	if err != nil {
		return nil, err
	}
	return k, nil
}

// InterviewScore is an interviewer's verdict on one question.
type InterviewScore struct {
	QuestionID string `json:"question_id"`
	Prompt     string `json:"prompt"`
	Rating     int    `json:"rating"` // 1 to 4; 0 when the question was not asked
	Note       string `json:"note"`
}

// Interview is one interviewer's scorecard of a candidate's live interview.
type Interview struct {
	ID               string                   `gorm:"primaryKey;default:gen_random_uuid()" json:"id"`
	OrgID            string                   `json:"-"`
	SubmissionID     string                   `json:"submission_id"`
	InterviewerID    string                   `json:"interviewer_id"`
	InterviewerEmail string                   `json:"interviewer_email"`
	Scores           jsonList[InterviewScore] `gorm:"type:jsonb" json:"scores"`
	Notes            string                   `json:"notes"`
	CreatedAt        time.Time                `json:"created_at"`
	UpdatedAt        time.Time                `json:"updated_at"`
}

// Rated counts the questions rated and their mean rating (0 without any).
func (iv *Interview) Rated() (n int, mean float64) {
	sum := 0
	for _, sc := range iv.Scores {
		if sc.Rating > 0 {
			n++
			sum += sc.Rating
		}
	}
	if n > 0 {
		mean = float64(sum) / float64(n)
	}
	return n, mean
}

// Interviews lists a submission's interview scorecards, oldest first.
func (s *Store) Interviews(ctx context.Context, orgID, submissionID string) ([]Interview, error) {
	if _, err := s.submissionOf(ctx, orgID, submissionID); err != nil {
		return nil, err
	}
	var out []Interview
	if err := s.db.WithContext(ctx).Where("org_id = ? AND submission_id = ?", orgID, submissionID).
		Order("created_at, id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list interviews: %w", err)
	}
	return out, nil
}

// SaveInterview records the signed-in interviewer's scorecard of a
// submission, replacing their earlier one, and emits interview.scored.
func (s *Store) SaveInterview(ctx context.Context, a Actor, interviewerEmail, submissionID string, scores []InterviewScore, notes string) (*Interview, error) {
	if a.UserID == "" {
		return nil, fmt.Errorf("%w: only a signed-in interviewer can score an interview", ErrInvalid)
	}
	iv := &Interview{OrgID: a.OrgID, SubmissionID: submissionID, InterviewerID: a.UserID, InterviewerEmail: interviewerEmail,
		Scores: scores, Notes: notes}
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if !validUUID(submissionID) {
			return fmt.Errorf("submission %q: %w", submissionID, ErrNotFound)
		}
		var sub Submission
		if err := tx.Where("org_id = ? AND id = ?", a.OrgID, submissionID).Take(&sub).Error; err != nil {
			return notFound(err, "submission")
		}
		now := time.Now().UTC()
		iv.CreatedAt, iv.UpdatedAt = now, now
		err := tx.Clauses(clause.OnConflict{
			Columns:   []clause.Column{{Name: "submission_id"}, {Name: "interviewer_id"}},
			DoUpdates: clause.AssignmentColumns([]string{"scores", "notes", "interviewer_email", "updated_at"}),
		}).Create(iv).Error
		if err != nil {
			return fmt.Errorf("save interview: %w", err)
		}
		// The upsert's RETURNING gives the existing row's id on conflict.
		if err := tx.Where("submission_id = ? AND interviewer_id = ?", submissionID, a.UserID).Take(iv).Error; err != nil {
			return fmt.Errorf("read interview back: %w", err)
		}
		if err := emitInterviewScored(tx, iv, &sub); err != nil {
			return err
		}
		return audit(tx, a, "interview.scored", "submission", submissionID, map[string]any{"interview_id": iv.ID})
	})
	if err != nil {
		return nil, err
	}
	return iv, nil
}

// InterviewEventData is the data of interview.scored.
type InterviewEventData struct {
	InterviewID  string           `json:"interview_id"`
	SubmissionID string           `json:"submission_id"`
	AssessmentID string           `json:"assessment_id"`
	InvitationID string           `json:"invitation_id"`
	Candidate    EventCandidate   `json:"candidate"`
	External     *EventExternal   `json:"external,omitempty"`
	Interviewer  string           `json:"interviewer"`
	Rated        int              `json:"questions_rated"`
	MeanRating   float64          `json:"mean_rating"`
	Scores       []InterviewScore `json:"scores"`
	Notes        string           `json:"notes"`
	ScoredAt     time.Time        `json:"scored_at"`
}

func emitInterviewScored(tx *gorm.DB, iv *Interview, sub *Submission) error {
	var inv Invitation
	if err := tx.Where("id = ?", sub.InvitationID).Take(&inv).Error; err != nil {
		return notFound(err, "invitation of interview")
	}
	n, mean := iv.Rated()
	d := InterviewEventData{InterviewID: iv.ID, SubmissionID: sub.ID, AssessmentID: sub.AssessmentID, InvitationID: inv.ID,
		Candidate:   EventCandidate{Name: inv.CandidateName, Email: inv.CandidateEmail},
		Interviewer: iv.InterviewerEmail, Rated: n, MeanRating: mean, Scores: iv.Scores, Notes: iv.Notes, ScoredAt: iv.UpdatedAt}
	if inv.ExternalSource != nil && inv.ExternalID != nil {
		d.External = &EventExternal{Source: *inv.ExternalSource, ID: *inv.ExternalID}
	}
	return emitEvent(tx, iv.OrgID, EventInterviewScored, d)
}
