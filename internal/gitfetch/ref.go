package gitfetch

import (
	"regexp"
	"strings"
)

var (
	fullSHA = regexp.MustCompile(`^([0-9a-f]{40}|[0-9a-f]{64})$`)
	// refName is a conservative subset of git-check-ref-format: what branch
	// and tag names look like in practice, nothing an option parser or a
	// revision expression ("@{", "^", "~", ":") could read differently.
	refName = regexp.MustCompile(`^[A-Za-z0-9_+@][A-Za-z0-9._/+@-]{0,199}$`)
)

// checkRef returns the refspec to fetch: HEAD for the default branch, a full
// commit sha, or a branch or tag name.
func checkRef(ref string) (string, error) {
	switch {
	case ref == "":
		return "HEAD", nil
	case fullSHA.MatchString(ref):
		return ref, nil
	case !refName.MatchString(ref) || strings.Contains(ref, "..") || strings.Contains(ref, "//") ||
		strings.HasSuffix(ref, "/") || strings.HasSuffix(ref, ".") || strings.HasSuffix(ref, ".lock"):
		return "", refused("ref %q is not a branch, tag or full commit sha", ref)
	}
	return ref, nil
}
