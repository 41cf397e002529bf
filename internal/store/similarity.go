package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// Kinds of the other side of a similarity match.
const (
	OtherSubmission    = "submission"
	OtherKnownSolution = "known_solution"
)

// MaxSimilarityMatches is how many closest matches a submission keeps: only
// the closest pairs are worth a reviewer's time (similarity.DefaultMaxMatches).
const MaxSimilarityMatches = 10

// MaxStoredFragments bounds the fragments kept per pair, the longest first:
// a whole copied repository is a few hundred; the page lists them all.
const MaxStoredFragments = 500

// SimilarityFragment is a run of code found in both, as line ranges (both
// ends included) on the submission's side ("self") and the other's.
type SimilarityFragment struct {
	SelfPath     string `json:"self_path"`
	SelfStart    int    `json:"self_start"`
	SelfEnd      int    `json:"self_end"`
	OtherPath    string `json:"other_path"`
	OtherStart   int    `json:"other_start"`
	OtherEnd     int    `json:"other_end"`
	Fingerprints int    `json:"fingerprints"`
}

// Swapped is the fragment seen from the other side.
func (f SimilarityFragment) Swapped() SimilarityFragment {
	return SimilarityFragment{SelfPath: f.OtherPath, SelfStart: f.OtherStart, SelfEnd: f.OtherEnd,
		OtherPath: f.SelfPath, OtherStart: f.SelfStart, OtherEnd: f.SelfEnd, Fingerprints: f.Fingerprints}
}

// SimilarityMatch is one submission's comparison with another submission of
// the same take-home in its organisation, or with a known solution.
// Similarity on each side is the fingerprints both share over that side's
// total (starter kit excluded); Similarity is the larger.
type SimilarityMatch struct {
	SubmissionID    string               `json:"submission_id"`
	Run             int                  `json:"run"`
	OtherKind       string               `json:"other_kind"`
	OtherID         string               `json:"other_id"`
	OtherRun        int                  `json:"other_run,omitempty"`
	Similarity      float64              `json:"similarity"`
	SimilaritySelf  float64              `json:"similarity_self"`
	SimilarityOther float64              `json:"similarity_other"`
	Shared          int                  `json:"shared_fingerprints"`
	LinesSelf       int                  `json:"lines_self"`
	LinesOther      int                  `json:"lines_other"`
	Longest         SimilarityFragment   `json:"longest_fragment"`
	Fragments       []SimilarityFragment `json:"fragments,omitempty"`
	ComputedAt      time.Time            `json:"computed_at"`
	// Flagged: at or over the assessment's threshold and not marked.
	Flagged bool `json:"flagged"`
	// Reviewed is the "reviewed: not a concern" mark on the pair, if any.
	Reviewed *SimilarityMark `json:"reviewed,omitempty"`
}

// SimilarityMark is a reviewer's "reviewed: not a concern" on a pair.
type SimilarityMark struct {
	By string    `json:"by"`
	At time.Time `json:"at"`
}

// Swapped is the match seen from the other submission's side.
func (m SimilarityMatch) Swapped() SimilarityMatch {
	out := SimilarityMatch{SubmissionID: m.OtherID, Run: m.OtherRun, OtherKind: OtherSubmission, OtherID: m.SubmissionID,
		OtherRun: m.Run, Similarity: m.Similarity, SimilaritySelf: m.SimilarityOther, SimilarityOther: m.SimilaritySelf,
		Shared: m.Shared, LinesSelf: m.LinesOther, LinesOther: m.LinesSelf, Longest: m.Longest.Swapped()}
	for _, f := range m.Fragments {
		out.Fragments = append(out.Fragments, f.Swapped())
	}
	return out
}

// SimilarityDoc is one document of a take-home's group as the similarity
// task indexes it: the newest snapshot of each candidate's latest
// submission, or a fetched known solution. Fingerprints are nil until
// computed.
type SimilarityDoc struct {
	Kind         string // OtherSubmission or OtherKnownSolution
	ID           string
	Run          int    // submissions: the snapshot's run
	InvitationID string // submissions only
	Fingerprints []byte
}

// SimilarityGroup lists the documents compared with one another: the
// organisation's submissions of the take-home (each candidate's latest
// attempt, its newest run with code) and its ready known solutions, oldest
// first.
func (s *Store) SimilarityGroup(ctx context.Context, orgID, takehome string) ([]SimilarityDoc, error) {
	var docs []SimilarityDoc
	err := s.db.WithContext(ctx).Raw(`SELECT kind, id, run, COALESCE(invitation_id::text, '') AS invitation_id, fingerprints FROM (
			(SELECT DISTINCT ON (s.id) 'submission' AS kind, s.id, cs.run, s.invitation_id, cs.fingerprints, s.created_at
			FROM submissions s
			JOIN assessments a ON a.id = s.assessment_id AND a.org_id = s.org_id
			JOIN code_snapshots cs ON cs.submission_id = s.id AND cs.org_id = s.org_id
			WHERE s.org_id = ? AND a.takehome = ? AND s.latest
			ORDER BY s.id, cs.run DESC)
		UNION ALL
			SELECT 'known_solution', k.id, 0, NULL, k.fingerprints, k.created_at FROM known_solutions k
			WHERE k.org_id = ? AND k.takehome = ? AND k.status = 'ready'
		) docs ORDER BY created_at, id`, orgID, takehome, orgID, takehome).Scan(&docs).Error
	if err != nil {
		return nil, fmt.Errorf("similarity group %s: %w", takehome, err)
	}
	return docs, nil
}

// SnapshotForSimilarity is what the similarity task needs of one code
// snapshot of a submission: its organisation, take-home and invitation, and
// its fingerprints (nil until computed). ErrNotFound when the run kept no
// code or was pruned since. For the worker: not scoped to a caller.
func (s *Store) SnapshotForSimilarity(ctx context.Context, submissionID string, run int) (orgID, takehome string, doc SimilarityDoc, err error) {
	if !validUUID(submissionID) {
		return "", "", doc, fmt.Errorf("submission %q: %w", submissionID, ErrNotFound)
	}
	var rows []struct {
		OrgID, Takehome, InvitationID string
		Fingerprints                  []byte
	}
	err = s.db.WithContext(ctx).Raw(`SELECT s.org_id, a.takehome, s.invitation_id, cs.fingerprints
		FROM code_snapshots cs JOIN submissions s ON s.id = cs.submission_id JOIN assessments a ON a.id = s.assessment_id
		WHERE cs.submission_id = ? AND cs.run = ?`, submissionID, run).Scan(&rows).Error
	if err != nil {
		return "", "", doc, fmt.Errorf("snapshot %s run %d: %w", submissionID, run, err)
	}
	if len(rows) == 0 {
		return "", "", doc, fmt.Errorf("code of submission %s run %d: %w", submissionID, run, ErrNotFound)
	}
	r := rows[0]
	return r.OrgID, r.Takehome, SimilarityDoc{Kind: OtherSubmission, ID: submissionID, Run: run,
		InvitationID: r.InvitationID, Fingerprints: r.Fingerprints}, nil
}

// SetSnapshotFingerprints keeps a snapshot's fingerprints, so comparing it
// again needs no lexing.
func (s *Store) SetSnapshotFingerprints(ctx context.Context, orgID, submissionID string, run int, fp []byte) error {
	err := s.db.WithContext(ctx).Exec(`UPDATE code_snapshots SET fingerprints = ? WHERE org_id = ? AND submission_id = ? AND run = ?`,
		fp, orgID, submissionID, run).Error
	if err != nil {
		return fmt.Errorf("keep fingerprints of %s run %d: %w", submissionID, run, err)
	}
	return nil
}

// StoreSimilarity replaces what is known of one document's matches, in one
// transaction. For a submission, its own rows are replaced by matches (all
// from its side), and each other submission it matched gets the pair from
// its side too; for a known solution (matches from its side), every
// submission it matched gets the pair. A submission that gains a pair keeps
// its MaxSimilarityMatches closest: a closer newcomer pushes the farthest
// out. Running it again with the same matches changes nothing.
func (s *Store) StoreSimilarity(ctx context.Context, orgID string, doc SimilarityDoc, matches []SimilarityMatch) error {
	return s.tx(ctx, func(tx *gorm.DB) error {
		// One organisation's results are stored one document at a time: two
		// tasks writing the same pair from its two sides would otherwise
		// lock its rows in opposite orders.
		if err := tx.Exec(`SELECT pg_advisory_xact_lock(hashtext('similarity:' || ?))`, orgID).Error; err != nil {
			return fmt.Errorf("lock similarity results: %w", err)
		}
		gained := map[string]bool{}
		switch doc.Kind {
		case OtherSubmission:
			if err := tx.Exec(`DELETE FROM similarity_matches WHERE org_id = ? AND submission_id = ?`, orgID, doc.ID).Error; err != nil {
				return fmt.Errorf("clear similarity of %s: %w", doc.ID, err)
			}
			for _, m := range matches {
				if err := putMatch(tx, orgID, m); err != nil {
					return err
				}
				if m.OtherKind == OtherSubmission {
					if err := putMatch(tx, orgID, m.Swapped()); err != nil {
						return err
					}
					gained[m.OtherID] = true
				}
			}
		case OtherKnownSolution:
			if err := tx.Exec(`DELETE FROM similarity_matches WHERE org_id = ? AND known_solution_id = ?`, orgID, doc.ID).Error; err != nil {
				return fmt.Errorf("clear similarity of known solution %s: %w", doc.ID, err)
			}
			for _, m := range matches {
				// The pair from the submission's side: its "other" is the solution.
				seen := m.Swapped()
				seen.OtherKind, seen.OtherRun = OtherKnownSolution, 0
				if err := putMatch(tx, orgID, seen); err != nil {
					return err
				}
				gained[seen.SubmissionID] = true
			}
		default:
			return fmt.Errorf("store similarity: unknown kind %q", doc.Kind)
		}
		for id := range gained {
			err := tx.Exec(`DELETE FROM similarity_matches WHERE submission_id = ? AND other_id NOT IN
				(SELECT other_id FROM similarity_matches WHERE submission_id = ? ORDER BY similarity DESC, other_id LIMIT ?)`,
				id, id, MaxSimilarityMatches).Error
			if err != nil {
				return fmt.Errorf("keep the closest matches of %s: %w", id, err)
			}
		}
		return nil
	})
}

// putMatch writes one pair from its submission's side.
func putMatch(tx *gorm.DB, orgID string, m SimilarityMatch) error {
	if len(m.Fragments) > MaxStoredFragments {
		m.Fragments = m.Fragments[:MaxStoredFragments]
	}
	longest, err := json.Marshal(m.Longest)
	if err != nil {
		return fmt.Errorf("encode longest fragment: %w", err)
	}
	fragments, err := json.Marshal(m.Fragments)
	if err != nil {
		return fmt.Errorf("encode fragments: %w", err)
	}
	var otherSub, otherRun, known any
	if m.OtherKind == OtherKnownSolution {
		known = m.OtherID
	} else {
		otherSub, otherRun = m.OtherID, m.OtherRun
	}
	err = tx.Exec(`INSERT INTO similarity_matches (org_id, submission_id, run, other_submission_id, other_run, known_solution_id,
			similarity, similarity_self, similarity_other, shared, lines_self, lines_other, longest, fragments)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (submission_id, other_id) DO UPDATE SET run = EXCLUDED.run, other_run = EXCLUDED.other_run,
			similarity = EXCLUDED.similarity, similarity_self = EXCLUDED.similarity_self, similarity_other = EXCLUDED.similarity_other,
			shared = EXCLUDED.shared, lines_self = EXCLUDED.lines_self, lines_other = EXCLUDED.lines_other,
			longest = EXCLUDED.longest, fragments = EXCLUDED.fragments, computed_at = now()`,
		orgID, m.SubmissionID, m.Run, otherSub, otherRun, known, m.Similarity, m.SimilaritySelf, m.SimilarityOther,
		m.Shared, m.LinesSelf, m.LinesOther, longest, fragments).Error
	if err != nil {
		return fmt.Errorf("store similarity of %s with %s: %w", m.SubmissionID, m.OtherID, err)
	}
	return nil
}

// matchRow is a similarity_matches row with its assessment's threshold and
// the pair's mark.
type matchRow struct {
	SubmissionID, OtherKind, OtherID string
	Run, OtherRun                    int
	Similarity, SimilaritySelf       float64
	SimilarityOther                  float64
	Shared, LinesSelf, LinesOther    int
	Longest, Fragments               []byte
	ComputedAt                       time.Time
	Threshold                        float64
	MarkedBy                         *string
	MarkedAt                         *time.Time
}

const matchSelect = `SELECT m.submission_id, m.run, m.other_id,
		CASE WHEN m.known_solution_id IS NULL THEN 'submission' ELSE 'known_solution' END AS other_kind,
		COALESCE(m.other_run, 0) AS other_run, m.similarity, m.similarity_self, m.similarity_other, m.shared,
		m.lines_self, m.lines_other, m.longest, %s AS fragments, m.computed_at, a.similarity_threshold AS threshold,
		COALESCE(u.email, k.marked_label) AS marked_by, k.created_at AS marked_at
	FROM similarity_matches m
	JOIN submissions s ON s.id = m.submission_id
	JOIN assessments a ON a.id = s.assessment_id
	LEFT JOIN similarity_marks k ON k.org_id = m.org_id
		AND k.a_id = LEAST(m.submission_id, m.other_id) AND k.b_id = GREATEST(m.submission_id, m.other_id)
	LEFT JOIN users u ON u.id = k.marked_by`

func (r matchRow) match(withFragments bool) (SimilarityMatch, error) {
	m := SimilarityMatch{SubmissionID: r.SubmissionID, Run: r.Run, OtherKind: r.OtherKind, OtherID: r.OtherID,
		OtherRun: r.OtherRun, Similarity: r.Similarity, SimilaritySelf: r.SimilaritySelf, SimilarityOther: r.SimilarityOther,
		Shared: r.Shared, LinesSelf: r.LinesSelf, LinesOther: r.LinesOther, ComputedAt: r.ComputedAt}
	if err := json.Unmarshal(r.Longest, &m.Longest); err != nil {
		return m, fmt.Errorf("read longest fragment of %s: %w", r.SubmissionID, err)
	}
	if withFragments {
		if err := json.Unmarshal(r.Fragments, &m.Fragments); err != nil {
			return m, fmt.Errorf("read fragments of %s: %w", r.SubmissionID, err)
		}
	}
	if r.MarkedAt != nil {
		m.Reviewed = &SimilarityMark{By: authorName(deref(r.MarkedBy)), At: *r.MarkedAt}
	}
	m.Flagged = m.Reviewed == nil && m.Similarity >= r.Threshold
	return m, nil
}

// SubmissionSimilarity lists a submission's closest matches, most similar
// first, without their fragments, and its assessment's threshold.
func (s *Store) SubmissionSimilarity(ctx context.Context, orgID, submissionID string) ([]SimilarityMatch, float64, error) {
	sub, err := s.submissionOf(ctx, orgID, submissionID)
	if err != nil {
		return nil, 0, err
	}
	var threshold float64
	if err := s.db.WithContext(ctx).Raw(`SELECT similarity_threshold FROM assessments WHERE id = ?`, sub.AssessmentID).
		Row().Scan(&threshold); err != nil {
		return nil, 0, fmt.Errorf("similarity threshold of %s: %w", submissionID, err)
	}
	var rows []matchRow
	err = s.db.WithContext(ctx).Raw(fmt.Sprintf(matchSelect, "NULL")+`
		WHERE m.org_id = ? AND m.submission_id = ? ORDER BY m.similarity DESC, m.other_id`, orgID, submissionID).Scan(&rows).Error
	if err != nil {
		return nil, 0, fmt.Errorf("similarity of %s: %w", submissionID, err)
	}
	out := make([]SimilarityMatch, 0, len(rows))
	for _, r := range rows {
		m, err := r.match(false)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, m)
	}
	return out, threshold, nil
}

// SimilarityPair is one match of a submission of the organisation, with its
// fragments; ErrNotFound when the two were not found alike.
func (s *Store) SimilarityPair(ctx context.Context, orgID, submissionID, otherID string) (*SimilarityMatch, error) {
	if !validUUID(submissionID) || !validUUID(otherID) {
		return nil, fmt.Errorf("similarity pair %q/%q: %w", submissionID, otherID, ErrNotFound)
	}
	var rows []matchRow
	err := s.db.WithContext(ctx).Raw(fmt.Sprintf(matchSelect, "m.fragments")+`
		WHERE m.org_id = ? AND m.submission_id = ? AND m.other_id = ?`, orgID, submissionID, otherID).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("similarity pair of %s: %w", submissionID, err)
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("similarity of %s with %s: %w", submissionID, otherID, ErrNotFound)
	}
	m, err := rows[0].match(true)
	if err != nil {
		return nil, err
	}
	return &m, nil
}

// SimilarityFlags gives, for the submissions of the organisation among ids
// that are flagged (a match at or over their assessment's threshold, not
// marked "not a concern"), their highest such similarity.
func (s *Store) SimilarityFlags(ctx context.Context, orgID string, ids []string) (map[string]float64, error) {
	out := map[string]float64{}
	var valid []string
	for _, id := range ids {
		if validUUID(id) {
			valid = append(valid, id)
		}
	}
	if len(valid) == 0 {
		return out, nil
	}
	var rows []struct {
		SubmissionID string
		Similarity   float64
	}
	err := s.db.WithContext(ctx).Raw(`SELECT m.submission_id, max(m.similarity) AS similarity
		FROM similarity_matches m JOIN submissions s ON s.id = m.submission_id JOIN assessments a ON a.id = s.assessment_id
		WHERE m.org_id = ? AND m.submission_id IN ? AND m.similarity >= a.similarity_threshold
		AND NOT EXISTS (SELECT 1 FROM similarity_marks k WHERE k.org_id = m.org_id
			AND k.a_id = LEAST(m.submission_id, m.other_id) AND k.b_id = GREATEST(m.submission_id, m.other_id))
		GROUP BY m.submission_id`, orgID, valid).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("similarity flags: %w", err)
	}
	for _, r := range rows {
		out[r.SubmissionID] = r.Similarity
	}
	return out, nil
}

// MarkSimilarity records (reviewed) or withdraws a's "reviewed: not a
// concern" on the pair of a submission of a's organisation and one of its
// matches, whichever side it is made from. Audited.
func (s *Store) MarkSimilarity(ctx context.Context, a Actor, submissionID, otherID string, reviewed bool) (*SimilarityMatch, error) {
	m, err := s.SimilarityPair(ctx, a.OrgID, submissionID, otherID)
	if err != nil {
		return nil, err
	}
	lo, hi := min(submissionID, otherID), max(submissionID, otherID)
	var by any
	if a.UserID != "" {
		by = a.UserID
	}
	err = s.tx(ctx, func(tx *gorm.DB) error {
		action := "similarity.marked"
		res := tx.Exec(`INSERT INTO similarity_marks (org_id, a_id, b_id, marked_by, marked_label) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT DO NOTHING`, a.OrgID, lo, hi, by, a.Label)
		if !reviewed {
			action = "similarity.unmarked"
			res = tx.Exec(`DELETE FROM similarity_marks WHERE org_id = ? AND a_id = ? AND b_id = ?`, a.OrgID, lo, hi)
		}
		if res.Error != nil {
			return fmt.Errorf("mark similarity of %s with %s: %w", submissionID, otherID, res.Error)
		}
		if res.RowsAffected == 0 {
			return nil // already so: nothing to audit
		}
		return audit(tx, a, action, "submission", submissionID, map[string]any{
			"other_kind": m.OtherKind, "other_id": otherID, "similarity": m.Similarity})
	})
	if err != nil {
		return nil, err
	}
	return s.SimilarityPair(ctx, a.OrgID, submissionID, otherID)
}

// AssessmentOrg is the organisation of an assessment, for the command line,
// which acts for no signed-in user.
func (s *Store) AssessmentOrg(ctx context.Context, assessmentID string) (string, error) {
	if !validUUID(assessmentID) {
		return "", fmt.Errorf("assessment %q: %w", assessmentID, ErrNotFound)
	}
	var orgs []string
	if err := s.db.WithContext(ctx).Raw(`SELECT org_id FROM assessments WHERE id = ?`, assessmentID).Scan(&orgs).Error; err != nil {
		return "", fmt.Errorf("assessment %s: %w", assessmentID, err)
	}
	if len(orgs) == 0 {
		return "", fmt.Errorf("assessment %s: %w", assessmentID, ErrNotFound)
	}
	return orgs[0], nil
}
