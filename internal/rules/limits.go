package rules

import (
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/assayhq/assay/internal/grading"
	"github.com/assayhq/assay/internal/store"
)

// Limits on what staff and candidates enter.
const (
	MaxNameRunes        = 200   // an assessment's title, a candidate's name
	MaxTextBytes        = 20000 // an assessment's instructions, a review's notes
	MaxHours            = 720   // hours a candidate has from opening the link
	MaxAttempts         = 20    // submissions per invitation
	MaxDescriptionBytes = 500   // a webhook endpoint's description
)

// Defaults of a new assessment.
const (
	DefaultHours         = 72
	DefaultAttempts      = 3
	DefaultCandidateView = grading.ViewVisibleChecks
	DefaultGradingMode   = grading.ModeAdaptive
)

// Title checks an assessment's title (already trimmed).
func Title(s string) error { return name("title", s) }

// CandidateName checks a candidate's name (already trimmed).
func CandidateName(s string) error { return name("candidate_name", s) }

func name(field, s string) error {
	if n := utf8.RuneCountInString(s); n < 1 || n > MaxNameRunes {
		return &Error{field, fmt.Sprintf("must be 1 to %d characters", MaxNameRunes)}
	}
	return NoNUL(field, s)
}

// Instructions checks an assessment's instructions (Markdown).
func Instructions(s string) error { return text("instructions", s) }

// Notes checks a review's notes.
func Notes(s string) error { return text("notes", s) }

func text(field, s string) error {
	if len(s) > MaxTextBytes {
		return &Error{field, fmt.Sprintf("must be at most %d bytes", MaxTextBytes)}
	}
	return NoNUL(field, s)
}

// HoursAllowed checks an assessment's deadline in hours.
func HoursAllowed(n int) error {
	if n < 1 || n > MaxHours {
		return &Error{"hours_allowed", fmt.Sprintf("must be from 1 to %d", MaxHours)}
	}
	return nil
}

// MaxSubmissions checks how many attempts an assessment allows.
func MaxSubmissions(n int) error {
	if n < 1 || n > MaxAttempts {
		return &Error{"max_submissions", fmt.Sprintf("must be from 1 to %d", MaxAttempts)}
	}
	return nil
}

// CandidateView checks what an assessment shows its candidates.
func CandidateView(v string) error {
	if !slices.Contains(grading.CandidateViews, v) {
		return &Error{"candidate_view", "must be " + oneOf(grading.CandidateViews)}
	}
	return nil
}

// GradingMode checks how an assessment's submissions are run.
func GradingMode(m string) error {
	if !grading.ValidMode(m) {
		return &Error{"grading_mode", "must be " + oneOf([]string{grading.ModeAdaptive, grading.ModeStrict})}
	}
	return nil
}

// Decision checks a review's decision.
func Decision(d string) error {
	if !slices.Contains(store.Decisions, d) {
		return &Error{"decision", "must be " + oneOf(store.Decisions)}
	}
	return nil
}

// Email checks an address (already trimmed and lower-cased) under the name
// of its field: a bare address ("a@b.example"), not a display-name form.
func Email(field, s string) error {
	addr, err := mail.ParseAddress(s)
	if err != nil || addr.Address != s || len(s) > 254 || !strings.Contains(s[strings.LastIndex(s, "@"):], ".") {
		return &Error{field, "must be an address like name@example.com"}
	}
	return nil
}

// Role checks a staff role.
func Role(r string) error {
	if !slices.Contains(Staff, r) {
		return &Error{"role", "must be " + oneOf(Staff)}
	}
	return nil
}

// WebhookDescription checks a webhook endpoint's description.
func WebhookDescription(s string) error {
	if len(s) > MaxDescriptionBytes {
		return &Error{"description", fmt.Sprintf("must be at most %d characters", MaxDescriptionBytes)}
	}
	return nil
}

// oneOf lists values as a sentence does: "a, b or c".
func oneOf(values []string) string {
	if len(values) < 2 {
		return strings.Join(values, "")
	}
	return strings.Join(values[:len(values)-1], ", ") + " or " + values[len(values)-1]
}

// Grant checks what a recruiter gives one candidate on top of the
// assessment: extra attempts and hours, at least one of them (the store
// also caps the totals an invitation may get).
func Grant(attempts, hours int) error {
	switch {
	case attempts < 0 || attempts > MaxAttempts:
		return &Error{"extra_attempts", fmt.Sprintf("must be from 0 to %d", MaxAttempts)}
	case hours < 0 || hours > MaxHours:
		return &Error{"extra_hours", fmt.Sprintf("must be from 0 to %d", MaxHours)}
	case attempts == 0 && hours == 0:
		return &Error{"extra_attempts", "or extra_hours must be more than 0"}
	}
	return nil
}

// Comment checks a reviewer's comment on a line of code.
func Comment(s string) error {
	if strings.TrimSpace(s) == "" {
		return &Error{"body", "must not be empty"}
	}
	return text("body", s)
}

// SimilarityThreshold checks an assessment's similarity threshold: a share
// of fingerprints, above 0 (everything would flag) and at most 1.
func SimilarityThreshold(f float64) error {
	if !(f > 0 && f <= 1) {
		return &Error{"similarity_threshold", "must be above 0 and at most 1 (0.4 flags a submission sharing 40% of its code)"}
	}
	return nil
}
