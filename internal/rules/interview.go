package rules

import (
	"fmt"
	"slices"
	"strings"

	"github.com/assayhq/assay/internal/interview"
	"github.com/assayhq/assay/internal/store"
)

// Who may take part in interviews. Kit builders choose an assessment's
// interview questions; interviewers score interviews. Deciding stays with
// Reviewers.
var (
	KitBuilders  = Recruiters
	Interviewers = Reviewers
)

// Limits on interview questions, kits and scorecards.
const (
	MaxPromptBytes   = 2000 // a question's prompt or what it evaluates
	MaxPoints        = 12   // points of a strong answer, red flags, follow-ups
	MaxPointBytes    = 500  // one of those points
	MaxKitQuestions  = 40   // questions in a kit
	MaxMinutes       = 120  // minutes for one question
	MaxInterviewNote = 5000 // an interviewer's note on one answer
)

// Question checks an organisation's question: a known level, kind and
// topic, a prompt, and at most MaxPoints short points in each list.
func Question(f store.QuestionFields) error {
	switch {
	case !slices.Contains(interview.Levels, f.Level):
		return &Error{"level", "must be " + oneOf(interview.Levels)}
	case !slices.Contains(interview.Kinds, f.Kind):
		return &Error{"kind", "must be " + oneOf(interview.Kinds)}
	case !slices.Contains(interview.Topics, f.Topic):
		return &Error{"topic", "must be " + oneOf(interview.Topics)}
	case strings.TrimSpace(f.Prompt) == "" || len(f.Prompt) > MaxPromptBytes:
		return &Error{"prompt", fmt.Sprintf("must be 1 to %d bytes", MaxPromptBytes)}
	case len(f.Evaluates) > MaxPromptBytes:
		return &Error{"evaluates", fmt.Sprintf("must be at most %d bytes", MaxPromptBytes)}
	}
	for field, list := range map[string][]string{"strong_answer": f.StrongAnswer, "red_flags": f.RedFlags, "follow_ups": f.FollowUps} {
		if len(list) > MaxPoints {
			return &Error{field, fmt.Sprintf("must have at most %d points", MaxPoints)}
		}
		for _, p := range list {
			if strings.TrimSpace(p) == "" || len(p) > MaxPointBytes {
				return &Error{field, fmt.Sprintf("points must be 1 to %d bytes", MaxPointBytes)}
			}
		}
	}
	if len(f.StrongAnswer) == 0 {
		return &Error{"strong_answer", "must have at least one point"}
	}
	return nil
}

// Kit checks a kit's size and each question's minutes.
func Kit(entries []store.KitEntry) error {
	if len(entries) > MaxKitQuestions {
		return &Error{"items", fmt.Sprintf("must be at most %d questions", MaxKitQuestions)}
	}
	for _, e := range entries {
		if e.Minutes < 1 || e.Minutes > MaxMinutes {
			return &Error{"minutes", fmt.Sprintf("must be from 1 to %d", MaxMinutes)}
		}
	}
	return nil
}

// InterviewScores checks a scorecard: each question named once with its
// prompt as asked, each rating 0 (not asked) or 1 to 4, notes within their limit.
func InterviewScores(scores []store.InterviewScore, notes string) error {
	if len(scores) > MaxKitQuestions*2 {
		return &Error{"scores", fmt.Sprintf("must be at most %d", MaxKitQuestions*2)}
	}
	seen := map[string]bool{}
	for _, s := range scores {
		if s.QuestionID == "" || seen[s.QuestionID] {
			return &Error{"scores", "must name each question once"}
		}
		seen[s.QuestionID] = true
		if s.Rating != 0 && (s.Rating < interview.RatingMin || s.Rating > interview.RatingMax) {
			return &Error{"rating", fmt.Sprintf("must be from %d to %d, or 0 for a question not asked", interview.RatingMin, interview.RatingMax)}
		}
		if strings.TrimSpace(s.Prompt) == "" || len(s.Prompt) > MaxPromptBytes {
			return &Error{"prompt", fmt.Sprintf("must be the question as asked, 1 to %d bytes", MaxPromptBytes)}
		}
		if len(s.Note) > MaxInterviewNote {
			return &Error{"note", fmt.Sprintf("must be at most %d bytes", MaxInterviewNote)}
		}
	}
	return Notes(notes)
}
