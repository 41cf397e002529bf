package pipeline

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/assayhq/assay/internal/store"
	"github.com/assayhq/assay/internal/takehome"
)

// TakehomeStore is what checking an organisation's take-home version needs
// of the platform database.
type TakehomeStore interface {
	TakehomeBundle(ctx context.Context, orgID, versionID string) (*store.TakehomeVersion, error)
	FinishTakehomeCheck(ctx context.Context, orgID, versionID, status string, report json.RawMessage, message string) error
}

// TakehomeChecker decides whether a version of an organisation's take-home
// may be issued: it grades the bundle's reference solution and each flawed
// variant (takehome.Check) and records the verdict table.
type TakehomeChecker struct {
	Store TakehomeStore
	// Grade supplies the engine for one bundle (BundleEngine.GradeFunc).
	Grade func(b *takehome.Bundle) takehome.GradeFunc
}

// Check checks one version. A version already decided is left alone, so a
// task delivered twice decides once. An error is the platform's (the
// engine could not run): the caller retries, and gives up with GiveUp.
func (c *TakehomeChecker) Check(ctx context.Context, orgID, versionID string) error {
	v, err := c.Store.TakehomeBundle(ctx, orgID, versionID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil // deleted with its organisation
	case err != nil:
		return err
	case v.Status != store.TakehomeChecking:
		return nil
	}
	log := slog.With("takehome_version", versionID, "number", v.Number)
	b, _, err := takehome.LoadZip(bytes.NewReader(v.Bundle), int64(len(v.Bundle)))
	if err != nil {
		// It loaded when it was uploaded; a parser that changed since may
		// refuse it, which its author must hear about.
		return c.finish(ctx, orgID, versionID, store.TakehomeRejected, nil, "the bundle no longer loads: "+err.Error())
	}
	rep, err := takehome.Check(ctx, b, c.Grade(b))
	if err != nil {
		return fmt.Errorf("check take-home version %s: %w", versionID, err)
	}
	raw, err := json.Marshal(rep)
	if err != nil {
		return fmt.Errorf("encode verdict table: %w", err)
	}
	status := store.TakehomeIssuable
	if !rep.Issuable {
		status = store.TakehomeRejected
	}
	log.Info("take-home version checked", "status", status)
	return c.finish(ctx, orgID, versionID, status, raw, Verdict(rep))
}

// GiveUp rejects a version whose check could not run, saying why.
func (c *TakehomeChecker) GiveUp(ctx context.Context, orgID, versionID string, cause error) error {
	return c.finish(ctx, orgID, versionID, store.TakehomeRejected, nil, "the check could not run: "+cause.Error())
}

func (c *TakehomeChecker) finish(ctx context.Context, orgID, versionID, status string, report json.RawMessage, message string) error {
	err := c.Store.FinishTakehomeCheck(context.WithoutCancel(ctx), orgID, versionID, status, report, message)
	if errors.Is(err, store.ErrFinished) {
		return nil
	}
	return err
}

// Verdict says in one line why a version cannot be issued ("" when it
// can): the first solution that did not score as declared and its first
// unexpected verdict.
func Verdict(rep *takehome.Report) string {
	if rep.Issuable {
		return ""
	}
	var bad []string
	for _, row := range rep.Rows {
		if row.OK() {
			continue
		}
		what := fmt.Sprintf("%s scored %d/%d", row.Name, row.Score, row.MaxScore)
		if row.Name != "reference" {
			what = "variant " + what
		}
		bad = append(bad, fmt.Sprintf("%s (%s)", what, row.Unexpected[0]))
	}
	return strings.Join(bad, "; ")
}
