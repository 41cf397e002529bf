package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/assayhq/assay/internal/config"
	"github.com/assayhq/assay/internal/gitfetch"
	"github.com/assayhq/assay/internal/pipeline"
	"github.com/assayhq/assay/internal/takehome"
)

func init() {
	register("takehome", "check a take-home bundle: `takehome check DIR` grades its reference and variants", runTakehome)
}

// errNotIssuable is the exit status of a bundle whose solutions did not
// score as declared: the table says which.
var errNotIssuable = errors.New("the bundle cannot be issued as it is")

func runTakehome(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "check" {
		return errors.New("usage: assay takehome check DIR")
	}
	fs := flag.NewFlagSet("takehome check", flag.ContinueOnError)
	fs.SetOutput(os.Stderr)
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("usage: assay takehome check DIR (the folder holding takehome.yaml)")
	}
	dir := fs.Arg(0)
	// The bundle is loaded before anything is opened: a bundle with problems
	// is reported at once, on any machine.
	b, err := takehome.Load(os.DirFS(dir))
	if err != nil {
		return fmt.Errorf("%s:\n%w", dir, err)
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
	engine := &pipeline.BundleEngine{Sandbox: sb, DB: db, Fetch: gitfetch.Options{AllowLoopbackHTTP: cfg.AllowLoopback},
		OnPhase: func(solution, phase string) { fmt.Fprintf(os.Stderr, "… %s: %s\n", solution, phase) }}
	return checkBundle(ctx, b, engine.GradeFunc(b), os.Stdout)
}

// checkBundle grades the bundle's reference and variants through grade and
// prints the verdict table; a bundle that cannot be issued is an error, so
// the command exits non-zero.
func checkBundle(ctx context.Context, b *takehome.Bundle, grade takehome.GradeFunc, out io.Writer) error {
	rep, err := takehome.Check(ctx, b, grade)
	if err != nil {
		return err
	}
	if _, err := io.WriteString(out, rep.Table()); err != nil {
		return err
	}
	if !rep.Issuable {
		return errNotIssuable
	}
	return nil
}
