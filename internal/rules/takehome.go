package rules

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/assayhq/assay/internal/intake"
	"github.com/assayhq/assay/internal/store"
	"github.com/assayhq/assay/internal/takehome"
)

// MaxBundleBytes is the largest take-home bundle a front end takes, zipped.
const MaxBundleBytes = takehome.MaxZipBytes

// Problems lists what is wrong with a bundle that did not load, one line each
// with its place ("takehome.yaml:12:5: unknown key \"stauts\""); nil for any
// other error.
func Problems(err error) []string {
	var le *takehome.LoadError
	if !errors.As(err, &le) {
		return nil
	}
	out := make([]string, len(le.Problems))
	for i, p := range le.Problems {
		out[i] = p.String()
	}
	return out
}

// TakehomeUpload reads an uploaded bundle (a zip) into the version to store
// and the slug it declares. A bundle that does not load is a
// *takehome.LoadError (422, every problem with its line); a file that is no
// bundle at all is invalid (400).
func TakehomeUpload(zip []byte) (string, *store.TakehomeVersion, error) {
	b, _, err := takehome.LoadZip(bytes.NewReader(zip), int64(len(zip)))
	var le *takehome.LoadError
	switch {
	case errors.As(err, &le):
		return "", nil, err
	case err != nil:
		return "", nil, fmt.Errorf("%w: the bundle: %v", store.ErrInvalid, err)
	}
	return b.Slug, &store.TakehomeVersion{SuiteVersion: b.Version, Title: b.Title, Brief: b.Brief,
		Source: store.TakehomeSourceUpload, Bundle: zip}, nil
}

// BundleFetcher fetches a repository at ref, as the worker fetches a
// candidate's (gitfetch, the shared address policy), and zips its tree.
type BundleFetcher func(ctx context.Context, repoURL, ref string) (zip []byte, commit string, err error)

// TakehomeFromRepo reads a bundle from a repository: the URL and ref are
// checked as a candidate's are (allowed hosts, the server asked first), then
// fetched and loaded as an upload.
func TakehomeFromRepo(ctx context.Context, p intake.Policy, fetch BundleFetcher, rawURL, ref string) (string, *store.TakehomeVersion, error) {
	if fetch == nil {
		return "", nil, fmt.Errorf("%w: this server does not fetch take-homes from repositories; upload a zip", store.ErrInvalid)
	}
	repo, err := p.RepoURL(rawURL)
	if err != nil {
		return "", nil, err
	}
	if err := intake.Ref(ref); err != nil {
		return "", nil, err
	}
	if err := p.Reachable(ctx, repo, ref); err != nil {
		return "", nil, err
	}
	zip, commit, err := fetch(ctx, repo, ref)
	if err != nil {
		return "", nil, &intake.Unreachable{Field: "repo_url", Reason: "the repository could not be fetched: " + err.Error()}
	}
	slug, v, err := TakehomeUpload(zip)
	if err != nil {
		return "", nil, err
	}
	v.Source, v.RepoURL, v.CommitSHA = store.TakehomeSourceGit, &repo, &commit
	return slug, v, nil
}
