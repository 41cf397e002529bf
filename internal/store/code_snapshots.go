package store

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/assayhq/assay/internal/snapshot"
	"gorm.io/gorm"
)

// CodeSummary is what the code pages list of a run's snapshot without its
// files' contents: the index, what was skipped, the facts and the history.
type CodeSummary struct {
	Run     int                `json:"run"`
	Index   []CodeFileEntry    `json:"files"`
	Skipped []snapshot.Skipped `json:"skipped"`
	Facts   snapshot.Facts     `json:"facts"`
	History snapshot.History   `json:"history"`
}

// CodeFileEntry is one kept file in a snapshot's index.
type CodeFileEntry struct {
	Path  string `json:"path"`
	Bytes int    `json:"bytes"`
	Lines int    `json:"lines"`
}

// Lines returns the line count of the kept file at path, or -1.
func (c *CodeSummary) Lines(path string) int {
	for _, f := range c.Index {
		if f.Path == path {
			return f.Lines
		}
	}
	return -1
}

func summarize(s *snapshot.Snapshot) CodeSummary {
	sum := CodeSummary{Index: make([]CodeFileEntry, 0, len(s.Files)), Skipped: s.Skipped, Facts: s.Facts(), History: s.History}
	for _, f := range s.Files {
		sum.Index = append(sum.Index, CodeFileEntry{Path: f.Path, Bytes: len(f.Content), Lines: snapshot.LineCount(f.Content)})
	}
	return sum
}

// keepCodeSnapshot stores a run's snapshot beside its run result; the
// foreign key to run_results removes it when the run is pruned.
func keepCodeSnapshot(tx *gorm.DB, orgID, id string, run int, s *snapshot.Snapshot) error {
	summary, err := json.Marshal(summarize(s))
	if err != nil {
		return fmt.Errorf("encode code summary of %s: %w", id, err)
	}
	files, err := gzipFiles(s.Files)
	if err != nil {
		return fmt.Errorf("compress code of %s: %w", id, err)
	}
	err = tx.Exec(`INSERT INTO code_snapshots (org_id, submission_id, run, summary, files_gz) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (submission_id, run) DO NOTHING`, orgID, id, max(run, 1), summary, files).Error
	if err != nil {
		return fmt.Errorf("keep code snapshot of %s: %w", id, err)
	}
	return nil
}

// latestCodeRun is the newest run of the submission with a snapshot; 0 when
// none has one.
func (s *Store) latestCodeRun(ctx context.Context, orgID, submissionID string) (int, error) {
	var runs []int
	err := s.db.WithContext(ctx).Raw(`SELECT run FROM code_snapshots WHERE org_id = ? AND submission_id = ?
		ORDER BY run DESC LIMIT 1`, orgID, submissionID).Scan(&runs).Error
	if err != nil {
		return 0, fmt.Errorf("latest code snapshot of %s: %w", submissionID, err)
	}
	if len(runs) == 0 {
		return 0, nil
	}
	return runs[0], nil
}

// CodeSnapshot returns the summary of the snapshot of run (0: the newest run
// that has one) of a submission of the organisation. ErrNotFound when the
// submission is another organisation's or the run kept no code.
func (s *Store) CodeSnapshot(ctx context.Context, orgID, submissionID string, run int) (*CodeSummary, error) {
	if _, err := s.submissionOf(ctx, orgID, submissionID); err != nil {
		return nil, err
	}
	if run == 0 {
		latest, err := s.latestCodeRun(ctx, orgID, submissionID)
		if err != nil {
			return nil, err
		}
		run = latest
	}
	var rows []struct{ Summary []byte }
	err := s.db.WithContext(ctx).Raw(`SELECT summary FROM code_snapshots WHERE org_id = ? AND submission_id = ? AND run = ?`,
		orgID, submissionID, run).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("code snapshot of %s: %w", submissionID, err)
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("code of submission %s run %d: %w (code is kept for the last %d runs graded since it was introduced)",
			submissionID, run, ErrNotFound, KeptRuns)
	}
	sum := CodeSummary{Run: run}
	if err := json.Unmarshal(rows[0].Summary, &sum); err != nil {
		return nil, fmt.Errorf("read code summary of %s: %w", submissionID, err)
	}
	sum.Run = run
	return &sum, nil
}

// CodeFiles returns the kept files of run (not 0) of a submission of the
// organisation.
func (s *Store) CodeFiles(ctx context.Context, orgID, submissionID string, run int) ([]snapshot.File, error) {
	if _, err := s.submissionOf(ctx, orgID, submissionID); err != nil {
		return nil, err
	}
	var rows []struct{ FilesGz []byte }
	err := s.db.WithContext(ctx).Raw(`SELECT files_gz FROM code_snapshots WHERE org_id = ? AND submission_id = ? AND run = ?`,
		orgID, submissionID, run).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("code of %s: %w", submissionID, err)
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("code of submission %s run %d: %w", submissionID, run, ErrNotFound)
	}
	files, err := gunzipFiles(rows[0].FilesGz)
	if err != nil {
		return nil, fmt.Errorf("read code of %s: %w", submissionID, err)
	}
	return files, nil
}

// gzipFiles is how a snapshot's files are stored: one gzip-compressed JSON
// document.
func gzipFiles(files []snapshot.File) ([]byte, error) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if err := json.NewEncoder(zw).Encode(files); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func gunzipFiles(b []byte) ([]snapshot.File, error) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	var files []snapshot.File
	if err := json.NewDecoder(io.Reader(zr)).Decode(&files); err != nil {
		return nil, err
	}
	return files, nil
}

// CodeComment is a reviewer's comment on one line of a file of a run.
type CodeComment struct {
	ID        string    `json:"id"`
	Run       int       `json:"run"`
	Path      string    `json:"path"`
	Line      int       `json:"line"`
	Body      string    `json:"body"`
	Author    string    `json:"author"`
	CreatedAt time.Time `json:"created_at"`
}

// AddCodeComment records a's comment on line of path in run's snapshot of a
// submission of a's organisation. The file and the line must exist there.
func (s *Store) AddCodeComment(ctx context.Context, a Actor, submissionID string, run int, path string, line int, body string) (*CodeComment, error) {
	sum, err := s.CodeSnapshot(ctx, a.OrgID, submissionID, run)
	if err != nil {
		return nil, err
	}
	if n := sum.Lines(path); n < 0 {
		return nil, fmt.Errorf("%w: run %d kept no file %q", ErrInvalid, sum.Run, path)
	} else if line < 1 || line > max(n, 1) {
		return nil, fmt.Errorf("%w: %s has lines 1 to %d", ErrInvalid, path, max(n, 1))
	}
	var author any
	if a.UserID != "" {
		author = a.UserID
	}
	c := CodeComment{Run: sum.Run, Path: path, Line: line, Body: body}
	err = s.tx(ctx, func(tx *gorm.DB) error {
		err := tx.Raw(`INSERT INTO code_comments (org_id, submission_id, run, path, line, body, author_id, author_label)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id, created_at`,
			a.OrgID, submissionID, sum.Run, path, line, body, author, a.Label).Row().Scan(&c.ID, &c.CreatedAt)
		if err != nil {
			return fmt.Errorf("add code comment on %s: %w", submissionID, err)
		}
		return audit(tx, a, "code_comment.added", "submission", submissionID, map[string]any{"run": sum.Run, "path": path, "line": line})
	})
	if err != nil {
		return nil, err
	}
	c.Author = authorName(a.Label)
	return &c, nil
}

// CodeComments lists the comments on a submission of the organisation,
// oldest first, with their author's email (or the label they were made under).
func (s *Store) CodeComments(ctx context.Context, orgID, submissionID string) ([]CodeComment, error) {
	if _, err := s.submissionOf(ctx, orgID, submissionID); err != nil {
		return nil, err
	}
	var out []CodeComment
	err := s.db.WithContext(ctx).Raw(`SELECT c.id, c.run, c.path, c.line, c.body, COALESCE(u.email, c.author_label) AS author, c.created_at
		FROM code_comments c LEFT JOIN users u ON u.id = c.author_id
		WHERE c.org_id = ? AND c.submission_id = ? ORDER BY c.created_at, c.id`, orgID, submissionID).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("list code comments of %s: %w", submissionID, err)
	}
	for i := range out {
		out[i].Author = authorName(out[i].Author)
	}
	return out, nil
}

// authorName shows an actor label as a person reads it ("user:ann@x" → "ann@x").
func authorName(label string) string {
	const prefix = "user:"
	if len(label) > len(prefix) && label[:len(prefix)] == prefix {
		return label[len(prefix):]
	}
	return label
}
