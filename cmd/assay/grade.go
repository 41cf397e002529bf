package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"sort"
	"strings"

	"github.com/assayhq/assay/graders"
	"github.com/assayhq/assay/internal/config"
	"github.com/assayhq/assay/internal/gitfetch"
	"github.com/assayhq/assay/internal/grading"
	"github.com/assayhq/assay/internal/grading/run"
)

func init() {
	register("grade", "grade a repository against a take-home, without the web server (contract §6)", runGrade)
}

type gradeFlags struct {
	takehome, repo, ref, format, mode string
	all                               bool
	seed                              int64
}

func parseGradeFlags(args []string, stderr io.Writer) (*gradeFlags, error) {
	f := &gradeFlags{}
	fs := flag.NewFlagSet("grade", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&f.takehome, "takehome", "", "take-home slug: "+strings.Join(slugs(), ", "))
	fs.StringVar(&f.repo, "repo", "", "repository: an https URL or a local path")
	fs.StringVar(&f.ref, "ref", "", "branch, tag or commit (default: the default branch)")
	fs.StringVar(&f.format, "format", "text", "output: text or json")
	fs.BoolVar(&f.all, "all", false, "show hidden checks too")
	fs.StringVar(&f.mode, "mode", grading.ModeAdaptive, "how the repository is run: adaptive or strict (contract §1a)")
	fs.Int64Var(&f.seed, "seed", 0, "seed of the generated data (default: derived from the commit, as the scorecard shows)")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	switch {
	case fs.NArg() > 0:
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	case f.takehome == "" || f.repo == "":
		return nil, errors.New("--takehome and --repo are required")
	case graders.All[f.takehome] == nil:
		return nil, fmt.Errorf("unknown take-home %q (known: %s)", f.takehome, strings.Join(slugs(), ", "))
	case f.format != "text" && f.format != "json":
		return nil, fmt.Errorf("--format %q: want text or json", f.format)
	case !grading.ValidMode(f.mode):
		return nil, fmt.Errorf("--mode %q: want adaptive or strict", f.mode)
	}
	return f, nil
}

// runGrade runs the worker's pipeline once and prints the scorecard. It
// exits 0 whenever a scorecard was produced, whatever the score.
func runGrade(ctx context.Context, args []string) error {
	f, err := parseGradeFlags(args, os.Stderr)
	if err != nil {
		return err
	}
	cfg, err := config.Load()
	if err != nil {
		return err
	}
	sb, db, err := openGrading(ctx, cfg)
	if err != nil {
		return err
	}
	useWarmCache(cfg, sb)
	card, err := run.Run(ctx, run.Options{
		Suite: graders.All[f.takehome], RepoURL: f.repo, Ref: f.ref, Sandbox: sb, DB: db,
		// A local path is accepted here only, never from a web submission.
		Fetch:   gitfetch.Options{AllowLocal: true, AllowLoopbackHTTP: cfg.AllowLoopback},
		Seed:    f.seed,
		Mode:    f.mode,
		OnPhase: func(phase string) { fmt.Fprintf(os.Stderr, "… %s\n", phase) },
	})
	if err != nil {
		return err
	}
	return writeScorecard(os.Stdout, card, f.format, f.all)
}

// writeScorecard prints the scorecard. Without all it is the candidate's
// report: the checks a candidate sees of it (grading's ForCandidate, as the
// dashboard shows them), the full totals, and a line saying how many points
// the checks left out hold. The rest (phases, notices, evidence) is the
// candidate's own service's and is kept.
func writeScorecard(w io.Writer, card *grading.Scorecard, format string, all bool) error {
	shown, shared := card, card.ForCandidate(grading.ViewVisibleChecks, false)
	if !all {
		shown = new(grading.Scorecard)
		*shown = *card
		shown.Checks = slices.DeleteFunc(slices.Clone(card.Checks), func(c grading.CheckResult) bool { return !shared.Shares(c.ID) })
	}
	if format == "json" {
		return grading.WriteJSON(w, shown)
	}
	if err := grading.WriteText(w, shown); err != nil {
		return err
	}
	if !all && shared.Unshared != "" {
		_, err := fmt.Fprintf(w, "(%s; --all shows them)\n", shared.Unshared)
		return err
	}
	return nil
}

func slugs() []string {
	out := make([]string, 0, len(graders.All))
	for s := range graders.All {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}
