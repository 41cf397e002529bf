package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/assayhq/assay/internal/tasks"
	"gorm.io/gorm"
)

// Where a take-home version's bundle came from.
const (
	TakehomeSourceUpload = "upload"
	TakehomeSourceGit    = "git"
)

// A take-home version's status: checked by grading its reference solution
// and flawed variants, then issuable or rejected.
const (
	TakehomeChecking = "checking"
	TakehomeIssuable = "issuable"
	TakehomeRejected = "rejected"
)

// Takehome is an organisation's own take-home; its versions hold the bundles.
type Takehome struct {
	ID        string    `gorm:"primaryKey;default:gen_random_uuid()" json:"id"`
	OrgID     string    `json:"-"`
	Slug      string    `json:"slug"`
	Title     string    `json:"title"`
	CreatedBy *string   `json:"created_by,omitempty"`
	CreatedAt time.Time `json:"created_at"`

	// Latest is the newest version (filled by the store's reads, not a column).
	Latest *TakehomeVersion `gorm:"-" json:"latest,omitempty"`
}

// TakehomeVersion is one uploaded or fetched bundle of a take-home and the
// verdict of its check.
type TakehomeVersion struct {
	ID           string  `gorm:"primaryKey;default:gen_random_uuid()" json:"id"`
	OrgID        string  `json:"-"`
	TakehomeID   string  `json:"takehome_id"`
	Number       int     `json:"number"`
	SuiteVersion string  `json:"suite_version"` // takehome.yaml's version
	Title        string  `json:"title"`
	Brief        string  `json:"-"`
	Source       string  `json:"source"`
	RepoURL      *string `json:"repo_url,omitempty"`
	CommitSHA    *string `json:"commit,omitempty"`
	// Bundle is the zip; only TakehomeBundle reads it.
	Bundle       []byte          `json:"-"`
	BundleSHA256 string          `gorm:"column:bundle_sha256" json:"bundle_sha256"`
	Status       string          `gorm:"default:checking" json:"status"`
	Report       json.RawMessage `gorm:"type:jsonb" json:"report,omitempty"`
	Message      string          `json:"message,omitempty"`
	CreatedBy    *string         `json:"created_by,omitempty"`
	CreatedAt    time.Time       `json:"created_at"`
	CheckedAt    *time.Time      `json:"checked_at,omitempty"`
}

// versionColumns are a version's columns without the bundle's bytes.
var versionColumns = []string{"id", "org_id", "takehome_id", "number", "suite_version", "title", "brief", "source",
	"repo_url", "commit_sha", "bundle_sha256", "status", "report", "message", "created_by", "created_at", "checked_at"}

// CreateTakehome stores a new take-home of the actor's organisation with its
// first version, and the task that checks it, in one transaction. A slug the
// organisation already uses is a conflict: a new bundle of it is a version.
func (s *Store) CreateTakehome(ctx context.Context, a Actor, slug string, v *TakehomeVersion) (*Takehome, error) {
	th := Takehome{OrgID: a.OrgID, Slug: slug, Title: v.Title}
	if a.UserID != "" {
		th.CreatedBy = &a.UserID
	}
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Create(&th).Error; err != nil {
			if isUniqueViolation(err) {
				return fmt.Errorf("%w: the organisation already has a take-home %q; upload the bundle as a new version of it", ErrConflict, slug)
			}
			return fmt.Errorf("create take-home: %w", err)
		}
		if err := addTakehomeVersion(tx, a, &th, v); err != nil {
			return err
		}
		return audit(tx, a, "takehome.created", "takehome", th.ID, map[string]any{"slug": slug, "version": v.Number})
	})
	if err != nil {
		return nil, err
	}
	th.Latest = v
	return &th, nil
}

// AddTakehomeVersion stores a new version of one of the organisation's
// take-homes, numbered after the last, and the task that checks it. The
// bundle must declare the take-home's slug.
func (s *Store) AddTakehomeVersion(ctx context.Context, a Actor, takehomeID, slug string, v *TakehomeVersion) error {
	return s.tx(ctx, func(tx *gorm.DB) error {
		var th Takehome
		if !validUUID(takehomeID) {
			return fmt.Errorf("take-home %q: %w", takehomeID, ErrNotFound)
		}
		// The lock numbers concurrent uploads one after the other.
		if err := tx.Clauses(forUpdate).Where("org_id = ? AND id = ?", a.OrgID, takehomeID).Take(&th).Error; err != nil {
			return notFound(err, "take-home")
		}
		if slug != th.Slug {
			return fmt.Errorf("%w: the bundle's slug is %q, but this take-home is %q", ErrInvalid, slug, th.Slug)
		}
		if err := addTakehomeVersion(tx, a, &th, v); err != nil {
			return err
		}
		if err := tx.Model(&th).Update("title", v.Title).Error; err != nil {
			return fmt.Errorf("retitle take-home: %w", err)
		}
		return audit(tx, a, "takehome.version_added", "takehome", th.ID, map[string]any{"version": v.Number})
	})
}

// addTakehomeVersion inserts v as th's next version with its check task.
func addTakehomeVersion(tx *gorm.DB, a Actor, th *Takehome, v *TakehomeVersion) error {
	if err := tx.Raw(`SELECT coalesce(max(number), 0) + 1 FROM takehome_versions WHERE takehome_id = ?`, th.ID).Scan(&v.Number).Error; err != nil {
		return fmt.Errorf("number take-home version: %w", err)
	}
	sum := sha256.Sum256(v.Bundle)
	v.OrgID, v.TakehomeID, v.Status, v.BundleSHA256 = a.OrgID, th.ID, TakehomeChecking, hex.EncodeToString(sum[:])
	v.Report, v.Message, v.CheckedAt = nil, "", nil
	if a.UserID != "" {
		v.CreatedBy = &a.UserID
	}
	if err := tx.Create(v).Error; err != nil {
		return fmt.Errorf("create take-home version: %w", err)
	}
	return addOutbox(tx, tasks.CheckTakehome, "takehome-check:"+v.ID, tasks.QueueGrading,
		tasks.TakehomeCheckPayload{OrgID: a.OrgID, VersionID: v.ID})
}

// Takehomes lists the organisation's take-homes, newest first, each with its
// latest version (without the bundle).
func (s *Store) Takehomes(ctx context.Context, orgID string, p Page) ([]Takehome, string, error) {
	q := s.db.WithContext(ctx).Model(&Takehome{}).Where("org_id = ?", orgID)
	rows, next, err := paginate(q, "takehomes", p, func(t *Takehome) cursor { return cursor{t.CreatedAt, t.ID} })
	if err != nil {
		return nil, "", fmt.Errorf("list take-homes: %w", err)
	}
	if len(rows) == 0 {
		return rows, next, nil
	}
	ids := make([]string, len(rows))
	for i, t := range rows {
		ids[i] = t.ID
	}
	var latest []TakehomeVersion
	err = s.db.WithContext(ctx).Select(versionColumns).
		Where("org_id = ? AND takehome_id IN ? AND number = (SELECT max(number) FROM takehome_versions l WHERE l.takehome_id = takehome_versions.takehome_id)", orgID, ids).
		Find(&latest).Error
	if err != nil {
		return nil, "", fmt.Errorf("latest take-home versions: %w", err)
	}
	byTakehome := map[string]*TakehomeVersion{}
	for i := range latest {
		byTakehome[latest[i].TakehomeID] = &latest[i]
	}
	for i := range rows {
		rows[i].Latest = byTakehome[rows[i].ID]
	}
	return rows, next, nil
}

// Takehome finds one of the organisation's take-homes with its versions,
// newest first (without their bundles).
func (s *Store) Takehome(ctx context.Context, orgID, id string) (*Takehome, []TakehomeVersion, error) {
	var th Takehome
	if !validUUID(id) {
		return nil, nil, fmt.Errorf("take-home %q: %w", id, ErrNotFound)
	}
	if err := s.db.WithContext(ctx).Where("org_id = ? AND id = ?", orgID, id).Take(&th).Error; err != nil {
		return nil, nil, notFound(err, "take-home")
	}
	var versions []TakehomeVersion
	if err := s.db.WithContext(ctx).Select(versionColumns).Where("org_id = ? AND takehome_id = ?", orgID, id).
		Order("number DESC").Find(&versions).Error; err != nil {
		return nil, nil, fmt.Errorf("take-home versions: %w", err)
	}
	if len(versions) > 0 {
		th.Latest = &versions[0]
	}
	return &th, versions, nil
}

// TakehomeVersion finds version number of one of the organisation's
// take-homes (without the bundle).
func (s *Store) TakehomeVersion(ctx context.Context, orgID, takehomeID string, number int) (*TakehomeVersion, error) {
	var v TakehomeVersion
	if !validUUID(takehomeID) {
		return nil, fmt.Errorf("take-home %q: %w", takehomeID, ErrNotFound)
	}
	err := s.db.WithContext(ctx).Select(versionColumns).
		Where("org_id = ? AND takehome_id = ? AND number = ?", orgID, takehomeID, number).Take(&v).Error
	if err != nil {
		return nil, notFound(err, "take-home version")
	}
	return &v, nil
}

// TakehomeBundle reads one of the organisation's versions with its bundle's
// bytes: what the check and the grading of a pinned assessment load.
func (s *Store) TakehomeBundle(ctx context.Context, orgID, versionID string) (*TakehomeVersion, error) {
	var v TakehomeVersion
	if !validUUID(versionID) {
		return nil, fmt.Errorf("take-home version %q: %w", versionID, ErrNotFound)
	}
	if err := s.db.WithContext(ctx).Where("org_id = ? AND id = ?", orgID, versionID).Take(&v).Error; err != nil {
		return nil, notFound(err, "take-home version")
	}
	return &v, nil
}

// FinishTakehomeCheck records a check's verdict on a version still being
// checked: issuable or rejected, the verdict table and, when the check could
// not run at all, why. A version already decided gives ErrFinished, so a
// check task delivered twice decides once.
func (s *Store) FinishTakehomeCheck(ctx context.Context, orgID, versionID, status string, report json.RawMessage, message string) error {
	if status != TakehomeIssuable && status != TakehomeRejected {
		return fmt.Errorf("finish take-home check: status %q is neither issuable nor rejected", status)
	}
	return s.tx(ctx, func(tx *gorm.DB) error {
		res := tx.Exec(`UPDATE takehome_versions SET status = ?, report = ?, message = ?, checked_at = now()
			WHERE org_id = ? AND id = ? AND status = ?`, status, nullJSON(report), truncate(message, 4000), orgID, versionID, TakehomeChecking)
		if res.Error != nil {
			return fmt.Errorf("finish take-home check: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			return fmt.Errorf("take-home version %s: %w", versionID, ErrFinished)
		}
		var v TakehomeVersion
		if err := tx.Select("takehome_id", "number").Where("id = ?", versionID).Take(&v).Error; err != nil {
			return notFound(err, "take-home version")
		}
		return audit(tx, Actor{OrgID: orgID, Label: "system"}, "takehome.checked", "takehome", v.TakehomeID,
			map[string]any{"version": v.Number, "status": status})
	})
}

// RequeueStaleChecks writes a new outbox row for each version still being
// checked whose last row was handed over more than olderThan ago: the queue
// may have lost its task (a flushed Redis). The task id is the version's, so
// a check still queued, running or waiting to retry is not doubled (the
// queue refuses the id). It returns how many were requeued.
func (s *Store) RequeueStaleChecks(ctx context.Context, olderThan time.Duration) (int, error) {
	var rows []struct{ ID, OrgID string }
	err := s.tx(ctx, func(tx *gorm.DB) error {
		err := tx.Raw(`SELECT v.id, v.org_id FROM takehome_versions v
			WHERE v.status = ? AND v.created_at < now() - make_interval(secs => ?)
			AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.task_id = 'takehome-check:' || v.id::text
				AND (o.sent_at IS NULL OR o.sent_at > now() - make_interval(secs => ?)))
			ORDER BY v.created_at LIMIT 100 FOR UPDATE OF v SKIP LOCKED`,
			TakehomeChecking, olderThan.Seconds(), olderThan.Seconds()).Scan(&rows).Error
		if err != nil {
			return fmt.Errorf("find stale take-home checks: %w", err)
		}
		for _, r := range rows {
			if err := addOutbox(tx, tasks.CheckTakehome, "takehome-check:"+r.ID, tasks.QueueGrading,
				tasks.TakehomeCheckPayload{OrgID: r.OrgID, VersionID: r.ID}); err != nil {
				return err
			}
		}
		return nil
	})
	return len(rows), err
}

func nullJSON(raw json.RawMessage) any {
	if len(raw) == 0 {
		return nil
	}
	return string(raw)
}

// IssuableTakehome is the newest issuable version of one of an
// organisation's take-homes: what its catalogue offers.
type IssuableTakehome struct {
	Slug         string
	VersionID    string
	Number       int
	SuiteVersion string
	Title        string
	Brief        string
}

// IssuableTakehomes lists, for each of the organisation's take-homes that
// has one, its newest issuable version, by slug.
func (s *Store) IssuableTakehomes(ctx context.Context, orgID string) ([]IssuableTakehome, error) {
	var out []IssuableTakehome
	err := s.db.WithContext(ctx).Raw(`SELECT DISTINCT ON (t.id) t.slug, v.id AS version_id, v.number, v.suite_version, v.title, v.brief
		FROM takehomes t JOIN takehome_versions v ON v.takehome_id = t.id AND v.org_id = t.org_id
		WHERE t.org_id = ? AND v.status = ?
		ORDER BY t.id, v.number DESC`, orgID, TakehomeIssuable).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("issuable take-homes: %w", err)
	}
	return out, nil
}

// PinnedTakehome is the version an assessment pins, as its candidates see
// it; ErrNotFound when the assessment's organisation has no such version.
func (s *Store) PinnedTakehome(ctx context.Context, orgID, versionID string) (*IssuableTakehome, error) {
	var out IssuableTakehome
	if !validUUID(versionID) {
		return nil, fmt.Errorf("take-home version %q: %w", versionID, ErrNotFound)
	}
	res := s.db.WithContext(ctx).Raw(`SELECT t.slug, v.id AS version_id, v.number, v.suite_version, v.title, v.brief
		FROM takehomes t JOIN takehome_versions v ON v.takehome_id = t.id AND v.org_id = t.org_id
		WHERE v.org_id = ? AND v.id = ?`, orgID, versionID).Scan(&out)
	switch {
	case res.Error != nil:
		return nil, fmt.Errorf("pinned take-home: %w", res.Error)
	case res.RowsAffected == 0:
		return nil, fmt.Errorf("take-home version %s: %w", versionID, ErrNotFound)
	}
	return &out, nil
}

// IssuableVersion finds the version of the organisation's take-home slug an
// assessment may pin: number, or with 0 the newest issuable one. A version
// still being checked or rejected is a conflict saying so.
func (s *Store) IssuableVersion(ctx context.Context, orgID, slug string, number int) (*IssuableTakehome, error) {
	var th Takehome
	if err := s.db.WithContext(ctx).Where("org_id = ? AND slug = ?", orgID, slug).Take(&th).Error; err != nil {
		return nil, notFound(err, "take-home")
	}
	q := s.db.WithContext(ctx).Select(versionColumns).Where("org_id = ? AND takehome_id = ?", orgID, th.ID)
	if number > 0 {
		q = q.Where("number = ?", number)
	} else {
		q = q.Where("status = ?", TakehomeIssuable).Order("number DESC")
	}
	var v TakehomeVersion
	if err := q.Take(&v).Error; err != nil {
		switch {
		case errors.Is(err, gorm.ErrRecordNotFound) && number == 0:
			return nil, fmt.Errorf("%w: no version of take-home %q has passed its check yet", ErrConflict, slug)
		case errors.Is(err, gorm.ErrRecordNotFound):
			return nil, fmt.Errorf("%w: take-home %q has no version %d", ErrInvalid, slug, number)
		}
		return nil, notFound(err, "take-home version")
	}
	if err := issuable(slug, &v); err != nil {
		return nil, err
	}
	return &IssuableTakehome{Slug: th.Slug, VersionID: v.ID, Number: v.Number, SuiteVersion: v.SuiteVersion, Title: v.Title, Brief: v.Brief}, nil
}

// issuable says why v cannot be issued, or nil when it can.
func issuable(slug string, v *TakehomeVersion) error {
	switch v.Status {
	case TakehomeIssuable:
		return nil
	case TakehomeChecking:
		return fmt.Errorf("%w: version %d of take-home %q is still being checked (its reference solution is being graded)", ErrConflict, v.Number, slug)
	}
	why := "its check failed"
	if v.Message != "" {
		why = v.Message
	}
	return fmt.Errorf("%w: version %d of take-home %q was rejected: %s", ErrConflict, v.Number, slug, why)
}
