package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/assayhq/assay/internal/snapshot"
	"github.com/assayhq/assay/internal/tasks"
	"gorm.io/gorm"
)

// Known solution states: fetched by the similarity task after registration.
const (
	KnownPending = "pending"
	KnownReady   = "ready"
	KnownFailed  = "failed"
)

// KnownSolution is a public answer to a take-home an admin registered for the
// organisation, compared with every submission of the take-home.
type KnownSolution struct {
	ID        string     `json:"id"`
	Takehome  string     `json:"takehome"`
	RepoURL   string     `json:"repo_url"`
	Status    string     `json:"status"`
	Error     string     `json:"error,omitempty"`
	CommitSHA string     `json:"commit_sha,omitempty"`
	Files     int        `json:"files"`
	Lines     int        `json:"lines"`
	AddedBy   string     `json:"added_by"`
	CreatedAt time.Time  `json:"created_at"`
	FetchedAt *time.Time `json:"fetched_at,omitempty"`
}

const knownSelect = `SELECT k.id, k.takehome, k.repo_url, k.status, k.error, k.commit_sha,
		COALESCE((k.summary->'facts'->>'files')::int, 0) AS files, COALESCE((k.summary->'facts'->>'lines')::int, 0) AS lines,
		COALESCE(u.email, '') AS added_by, k.created_at, k.fetched_at
	FROM known_solutions k LEFT JOIN users u ON u.id = k.added_by`

// AddKnownSolution registers repoURL (checked by the caller against the
// intake policy) as a known solution of takehome for a's organisation and
// hands it to the similarity task, which fetches it. Audited.
func (s *Store) AddKnownSolution(ctx context.Context, a Actor, takehome, repoURL string) (*KnownSolution, error) {
	var id string
	var by any
	if a.UserID != "" {
		by = a.UserID
	}
	err := s.tx(ctx, func(tx *gorm.DB) error {
		res := tx.Raw(`INSERT INTO known_solutions (org_id, takehome, repo_url, added_by) VALUES (?, ?, ?, ?)
			ON CONFLICT (org_id, takehome, repo_url) DO NOTHING RETURNING id`, a.OrgID, takehome, repoURL, by).Row()
		if err := res.Scan(&id); errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("%w: %s is already a known solution of %s", ErrConflict, repoURL, takehome)
		} else if err != nil {
			return fmt.Errorf("add known solution: %w", err)
		}
		if err := addOutbox(tx, tasks.CompareKnownSolution, "known:"+id, tasks.QueueSimilarity,
			tasks.KnownSolutionPayload{KnownSolutionID: id}); err != nil {
			return err
		}
		return audit(tx, a, "known_solution.added", "known_solution", id, map[string]any{"takehome": takehome, "repo_url": repoURL})
	})
	if err != nil {
		return nil, err
	}
	return s.KnownSolution(ctx, a.OrgID, id)
}

// RefetchKnownSolution hands a known solution of a's organisation to the
// similarity task again: after a failed fetch, or when its repository moved
// on. Its snapshot and fingerprints are dropped, so the task fetches the
// default branch afresh; its matches stay until the task replaces them.
// Audited.
func (s *Store) RefetchKnownSolution(ctx context.Context, a Actor, id string) (*KnownSolution, error) {
	k, err := s.KnownSolution(ctx, a.OrgID, id)
	if err != nil {
		return nil, err
	}
	err = s.tx(ctx, func(tx *gorm.DB) error {
		var fetches int
		err := tx.Raw(`UPDATE known_solutions SET status = 'pending', error = '', summary = NULL, files_gz = NULL,
			fingerprints = NULL, fetches = fetches + 1 WHERE org_id = ? AND id = ? RETURNING fetches`, a.OrgID, id).Row().Scan(&fetches)
		if err != nil {
			return fmt.Errorf("refetch known solution %s: %w", id, err)
		}
		// A task id of its own: the first fetch's may still be kept by the queue.
		if err := addOutbox(tx, tasks.CompareKnownSolution, fmt.Sprintf("known:%s:%d", id, fetches), tasks.QueueSimilarity,
			tasks.KnownSolutionPayload{KnownSolutionID: id}); err != nil {
			return err
		}
		return audit(tx, a, "known_solution.refetched", "known_solution", id, map[string]any{"takehome": k.Takehome, "repo_url": k.RepoURL})
	})
	if err != nil {
		return nil, err
	}
	return s.KnownSolution(ctx, a.OrgID, id)
}

// KnownSolutions lists the organisation's known solutions (of one take-home
// when takehome is not empty), newest first.
func (s *Store) KnownSolutions(ctx context.Context, orgID, takehome string) ([]KnownSolution, error) {
	out := []KnownSolution{}
	err := s.db.WithContext(ctx).Raw(knownSelect+` WHERE k.org_id = ? AND (? = '' OR k.takehome = ?)
		ORDER BY k.created_at DESC, k.id`, orgID, takehome, takehome).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("list known solutions: %w", err)
	}
	return out, nil
}

// KnownSolution is one known solution of the organisation.
func (s *Store) KnownSolution(ctx context.Context, orgID, id string) (*KnownSolution, error) {
	if !validUUID(id) {
		return nil, fmt.Errorf("known solution %q: %w", id, ErrNotFound)
	}
	var out []KnownSolution
	if err := s.db.WithContext(ctx).Raw(knownSelect+` WHERE k.org_id = ? AND k.id = ?`, orgID, id).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("known solution %s: %w", id, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("known solution %s: %w", id, ErrNotFound)
	}
	return &out[0], nil
}

// DeleteKnownSolution removes a known solution of a's organisation and its
// matches. Audited.
func (s *Store) DeleteKnownSolution(ctx context.Context, a Actor, id string) error {
	k, err := s.KnownSolution(ctx, a.OrgID, id)
	if err != nil {
		return err
	}
	return s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Exec(`DELETE FROM known_solutions WHERE org_id = ? AND id = ?`, a.OrgID, id).Error; err != nil {
			return fmt.Errorf("delete known solution %s: %w", id, err)
		}
		return audit(tx, a, "known_solution.deleted", "known_solution", id, map[string]any{"takehome": k.Takehome, "repo_url": k.RepoURL})
	})
}

// KnownSolutionForTask is what the similarity task needs of a known
// solution: its organisation, take-home, URL, state and fingerprints. For
// the worker: not scoped to a caller.
func (s *Store) KnownSolutionForTask(ctx context.Context, id string) (orgID string, k *KnownSolution, doc SimilarityDoc, err error) {
	if !validUUID(id) {
		return "", nil, doc, fmt.Errorf("known solution %q: %w", id, ErrNotFound)
	}
	var rows []struct{ OrgID string }
	if err := s.db.WithContext(ctx).Raw(`SELECT org_id FROM known_solutions WHERE id = ?`, id).Scan(&rows).Error; err != nil {
		return "", nil, doc, fmt.Errorf("known solution %s: %w", id, err)
	}
	if len(rows) == 0 {
		return "", nil, doc, fmt.Errorf("known solution %s: %w", id, ErrNotFound)
	}
	k, err = s.KnownSolution(ctx, rows[0].OrgID, id)
	if err != nil {
		return "", nil, doc, err
	}
	doc = SimilarityDoc{Kind: OtherKnownSolution, ID: id}
	if err := s.db.WithContext(ctx).Raw(`SELECT fingerprints FROM known_solutions WHERE id = ?`, id).
		Row().Scan(&doc.Fingerprints); err != nil {
		return "", nil, doc, fmt.Errorf("fingerprints of known solution %s: %w", id, err)
	}
	return rows[0].OrgID, k, doc, nil
}

// KnownSolutionFetched keeps the snapshot of a fetched known solution and its
// fingerprints, and makes it ready.
func (s *Store) KnownSolutionFetched(ctx context.Context, id, commit string, snap *snapshot.Snapshot, fingerprints []byte) error {
	summary, err := json.Marshal(summarize(snap))
	if err != nil {
		return fmt.Errorf("encode summary of known solution %s: %w", id, err)
	}
	files, err := gzipFiles(snap.Files)
	if err != nil {
		return fmt.Errorf("compress known solution %s: %w", id, err)
	}
	err = s.db.WithContext(ctx).Exec(`UPDATE known_solutions SET status = 'ready', error = '', commit_sha = ?, summary = ?,
		files_gz = ?, fingerprints = ?, fetched_at = now() WHERE id = ?`, commit, summary, files, fingerprints, id).Error
	if err != nil {
		return fmt.Errorf("keep known solution %s: %w", id, err)
	}
	return nil
}

// SetKnownSolutionFingerprints keeps a known solution's fingerprints made
// again (by another version of the engine).
func (s *Store) SetKnownSolutionFingerprints(ctx context.Context, orgID, id string, fp []byte) error {
	err := s.db.WithContext(ctx).Exec(`UPDATE known_solutions SET fingerprints = ? WHERE org_id = ? AND id = ?`, fp, orgID, id).Error
	if err != nil {
		return fmt.Errorf("keep fingerprints of known solution %s: %w", id, err)
	}
	return nil
}

// KnownSolutionFailed records why a known solution could not be fetched.
func (s *Store) KnownSolutionFailed(ctx context.Context, id, reason string) error {
	err := s.db.WithContext(ctx).Exec(`UPDATE known_solutions SET status = 'failed', error = ?, fetched_at = now() WHERE id = ?`,
		truncate(reason, 2000), id).Error
	if err != nil {
		return fmt.Errorf("mark known solution %s failed: %w", id, err)
	}
	return nil
}

// KnownSolutionFiles returns the kept files of a fetched known solution of
// the organisation.
func (s *Store) KnownSolutionFiles(ctx context.Context, orgID, id string) ([]snapshot.File, error) {
	if !validUUID(id) {
		return nil, fmt.Errorf("known solution %q: %w", id, ErrNotFound)
	}
	var rows []struct{ FilesGz []byte }
	err := s.db.WithContext(ctx).Raw(`SELECT files_gz FROM known_solutions WHERE org_id = ? AND id = ? AND files_gz IS NOT NULL`,
		orgID, id).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("code of known solution %s: %w", id, err)
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("code of known solution %s: %w", id, ErrNotFound)
	}
	files, err := gunzipFiles(rows[0].FilesGz)
	if err != nil {
		return nil, fmt.Errorf("read code of known solution %s: %w", id, err)
	}
	return files, nil
}
