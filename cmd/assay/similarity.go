package main

import (
	"context"
	"errors"
	"flag"
	"fmt"

	"github.com/assayhq/assay/internal/simjob"
)

func init() {
	register("similarity", "compare submissions again: similarity recompute --assessment ID", runSimilarity)
}

// runSimilarity recomputes the similarity results of an assessment's
// take-home in its organisation from the stored fingerprints (lexing only
// snapshots that have none yet, such as those graded before similarity).
func runSimilarity(ctx context.Context, args []string) error {
	const usage = "usage: assay similarity recompute --assessment ID"
	if len(args) == 0 || args[0] != "recompute" {
		return errors.New(usage)
	}
	fs := flag.NewFlagSet("similarity recompute", flag.ContinueOnError)
	assessment := fs.String("assessment", "", "the assessment whose take-home's submissions are compared again")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *assessment == "" {
		return errors.New(usage)
	}
	_, st, err := openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	orgID, err := st.AssessmentOrg(ctx, *assessment)
	if err != nil {
		return err
	}
	job := &simjob.Job{Store: st, Catalog: builtinCatalog()}
	done, err := job.Recompute(ctx, orgID, *assessment)
	if err != nil {
		return err
	}
	fmt.Printf("compared %d submissions and known solutions; %d submissions flagged\n", done.Documents, done.Flagged)
	return nil
}
