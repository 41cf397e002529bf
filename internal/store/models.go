package store

import (
	"encoding/json"
	"time"
)

// Roles of staff users.
const (
	RoleAdmin     = "admin"
	RoleRecruiter = "recruiter"
	RoleReviewer  = "reviewer"
)

// ValidRole reports whether r names a staff role.
func ValidRole(r string) bool { return r == RoleAdmin || r == RoleRecruiter || r == RoleReviewer }

// What a candidate sees of their results.
const (
	ViewNothing       = "nothing"
	ViewTotal         = "total"
	ViewVisibleChecks = "visible_checks"
)

// Invitation states.
const (
	InvitationPending   = "pending"
	InvitationOpened    = "opened"
	InvitationSubmitted = "submitted"
	InvitationRevoked   = "revoked"
)

// Submission statuses, in the order a submission moves through them.
const (
	StatusQueued      = "queued"
	StatusFetching    = "fetching"
	StatusBuilding    = "building"
	StatusStarting    = "starting"
	StatusChecking    = "checking"
	StatusGraded      = "graded"
	StatusBuildFailed = "build_failed"
	StatusStartFailed = "start_failed"
	StatusError       = "error"
	StatusCanceled    = "canceled"
)

// SubmissionStatuses lists every status, for validating filters.
var SubmissionStatuses = []string{StatusQueued, StatusFetching, StatusBuilding, StatusStarting,
	StatusChecking, StatusGraded, StatusBuildFailed, StatusStartFailed, StatusError, StatusCanceled}

// Organization is a customer of Assay.
type Organization struct {
	ID        string    `gorm:"primaryKey;default:gen_random_uuid()" json:"id"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
}

// User is a staff member of an organisation.
type User struct {
	ID           string `gorm:"primaryKey;default:gen_random_uuid()" json:"id"`
	OrgID        string `json:"org_id"`
	Email        string `json:"email"`
	Role         string `json:"role"`
	PasswordHash string `json:"-"`
	Disabled     bool   `json:"disabled"`
	// PlatformOperator may open the queue monitor, which shows every
	// organisation's tasks; only the command line sets it.
	PlatformOperator bool      `json:"platform_operator,omitempty"`
	CreatedAt        time.Time `json:"created_at"`
}

// Assessment is a take-home an organisation sends to candidates.
type Assessment struct {
	ID             string    `gorm:"primaryKey;default:gen_random_uuid()" json:"id"`
	OrgID          string    `json:"-"`
	Takehome       string    `json:"takehome"`
	SuiteVersion   string    `json:"suite_version"`
	Title          string    `json:"title"`
	Instructions   string    `json:"instructions"`
	HoursAllowed   int       `json:"hours_allowed"`
	MaxSubmissions int       `json:"max_submissions"`
	CandidateView  string    `json:"candidate_view"`
	GradingMode    string    `gorm:"default:adaptive" json:"grading_mode"` // empty on create: the column's default
	Archived       bool      `json:"archived"`
	CreatedBy      *string   `json:"created_by,omitempty"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`

	// BlindReview hides candidates from reviewers until a decision (rules.Candidate.ForViewer).
	BlindReview bool `json:"blind_review"`
	// SimilarityThreshold flags a submission sharing this much code with
	// another or with a known solution (0 on create: the column's default, 0.4).
	SimilarityThreshold float64 `gorm:"default:0.4" json:"similarity_threshold"`
	// Rubric is the criteria as edited; nil until then (Criteria gives the rubric in force).
	Rubric []Criterion `gorm:"serializer:json" json:"-"`
	// TakehomeVersionID pins the version of an organisation's own take-home
	// the assessment grades with; nil for a built-in take-home.
	TakehomeVersionID *string `json:"takehome_version_id,omitempty"`
}

// Invitation lets one candidate take one assessment.
type Invitation struct {
	ID               string     `gorm:"primaryKey;default:gen_random_uuid()" json:"id"`
	OrgID            string     `json:"-"`
	AssessmentID     string     `json:"assessment_id"`
	CandidateName    string     `json:"candidate_name"`
	CandidateEmail   string     `json:"candidate_email"`
	TokenHash        []byte     `json:"-"`
	State            string     `json:"state"`
	OpenedAt         *time.Time `json:"opened_at,omitempty"`
	ExpiresAt        *time.Time `json:"expires_at,omitempty"`
	ExternalSource   *string    `json:"external_source,omitempty"`
	ExternalID       *string    `json:"external_id,omitempty"`
	ExternalCallback *string    `json:"-"`
	CreatedBy        *string    `json:"created_by,omitempty"`
	CreatedAt        time.Time  `json:"created_at"`
	RevokedAt        *time.Time `json:"revoked_at,omitempty"`
	// ExtraAttempts and ExtraHours are what a recruiter granted this
	// candidate on top of the assessment's attempts and hours.
	ExtraAttempts int `json:"extra_attempts"`
	ExtraHours    int `json:"extra_hours"`
	// PartnerCompletedAt is when the partner that sent the invitation was
	// told the candidate is done (Greenhouse's completion PATCH).
	PartnerCompletedAt *time.Time `json:"partner_completed_at,omitempty"`
}

// AttemptsAllowed is the assessment's attempts plus those granted to inv.
func (inv *Invitation) AttemptsAllowed(as *Assessment) int {
	return as.MaxSubmissions + inv.ExtraAttempts
}

// HoursAllowed is the assessment's hours plus those granted to inv.
func (inv *Invitation) HoursAllowed(as *Assessment) int { return as.HoursAllowed + inv.ExtraHours }

// Submission is one attempt of a candidate: a repository at a revision.
type Submission struct {
	ID           string `gorm:"primaryKey;default:gen_random_uuid()" json:"id"`
	OrgID        string `json:"-"`
	AssessmentID string `json:"assessment_id"`
	InvitationID string `json:"invitation_id"`
	RepoURL      string `json:"repo_url"`
	Ref          string `json:"ref"`
	CommitSHA    string `json:"commit_sha"`
	Attempt      int    `json:"attempt"`
	Status       string `json:"status"`
	Score        *int   `json:"score"`
	MaxScore     *int   `json:"max_score"`
	Error        string `json:"error,omitempty"`
	// Final is the candidate saying this is their last submission.
	Final      bool       `json:"final"`
	CreatedAt  time.Time  `json:"created_at"`
	StartedAt  *time.Time `json:"started_at,omitempty"`
	FinishedAt *time.Time `json:"finished_at,omitempty"`
	UpdatedAt  time.Time  `json:"updated_at"`
	// SharedAt is when reviewers shared the full scorecard with the candidate.
	SharedAt *time.Time `json:"shared_at,omitempty"`
}

// Scorecard is the grader's verdict on a submission: the contract's JSON in
// Data plus the columns dashboards filter and sort on.
type Scorecard struct {
	ID           string          `gorm:"primaryKey;default:gen_random_uuid()" json:"-"`
	OrgID        string          `json:"-"`
	SubmissionID string          `json:"-"`
	Takehome     string          `json:"-"`
	SuiteVersion string          `json:"-"`
	Status       string          `json:"-"`
	Score        int             `json:"-"`
	MaxScore     int             `json:"-"`
	Data         json.RawMessage `gorm:"type:jsonb"`
	CreatedAt    time.Time       `json:"-"`
}

// Review is a reviewer's decision on a submission.
type Review struct {
	ID           string    `gorm:"primaryKey;default:gen_random_uuid()" json:"id"`
	OrgID        string    `json:"-"`
	SubmissionID string    `json:"submission_id"`
	ReviewerID   *string   `json:"reviewer_id"`
	Decision     string    `json:"decision"`
	Notes        string    `json:"notes"`
	CreatedAt    time.Time `json:"created_at"`

	// Changed marks an admin's change of the decision recorded before.
	Changed bool `json:"changed"`
	// ReviewerEmail names the author on pages; read with the review, not stored.
	ReviewerEmail string `gorm:"->;-:migration" json:"reviewer_email"`
}

// AuditEntry records who did what to which object.
type AuditEntry struct {
	ID         int64           `gorm:"primaryKey" json:"id"`
	OrgID      *string         `json:"-"`
	ActorID    *string         `json:"actor_id,omitempty"`
	Actor      string          `json:"actor"`
	Action     string          `json:"action"`
	TargetType string          `json:"target_type"`
	TargetID   string          `json:"target_id"`
	Details    json.RawMessage `gorm:"type:jsonb" json:"details"`
	CreatedAt  time.Time       `json:"created_at"`
}

// TableName maps AuditEntry to audit_log.
func (AuditEntry) TableName() string { return "audit_log" }

// OutboxMessage is a task waiting to be handed to the queue.
type OutboxMessage struct {
	ID          int64           `gorm:"primaryKey"`
	TaskType    string          `gorm:"column:task_type"`
	TaskID      string          `gorm:"column:task_id"`
	Queue       string          `gorm:"column:queue"`
	Payload     json.RawMessage `gorm:"type:jsonb"`
	CreatedAt   time.Time
	AvailableAt time.Time
	SentAt      *time.Time
	Attempts    int
	LastError   string
}

// TableName maps OutboxMessage to outbox.
func (OutboxMessage) TableName() string { return "outbox" }
