package rules

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/assayhq/assay/internal/store"
)

// Identity is a candidate as one viewer may see them.
type Identity struct {
	Name    string
	Email   string // empty when hidden
	RepoURL string // the owner replaced when hidden
	Blind   bool   // the name is a number: the viewer reviews blind
}

// Candidate is what the viewer with role may see of a candidate. It is the
// one place that decides blind review: on an assessment reviewed blind, a
// reviewer sees "Candidate 7" (a stable number within the assessment), no
// email and no repository owner until a decision is recorded; recruiters and
// admins always see who the candidate is.
type Candidate struct {
	Name, Email, RepoURL string
	Number               int  // the candidate's number within the assessment
	BlindReview          bool // the assessment's switch
	Decided              bool // a decision is recorded
}

// ForViewer applies blind review to c for a viewer of role.
func (c Candidate) ForViewer(role string) Identity {
	if !c.BlindReview || c.Decided || role != store.RoleReviewer {
		return Identity{Name: c.Name, Email: c.Email, RepoURL: c.RepoURL}
	}
	return Identity{Name: fmt.Sprintf("Candidate %d", c.Number), RepoURL: hideOwner(c.RepoURL), Blind: true}
}

// SearchSkipsBlind says a search by name must pass over candidates under
// blind review: for a viewer who sees them blind, a match would name them.
func SearchSkipsBlind(role string) bool { return role == store.RoleReviewer }

// hideOwner replaces the owner part of a repository URL
// (https://github.com/ada/shop → https://github.com/candidate/shop); a URL it
// cannot read is hidden whole.
func hideOwner(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "(hidden)"
	}
	u.User = nil
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	if len(parts) < 2 {
		return u.Scheme + "://" + u.Host + "/(hidden)"
	}
	parts[0] = "candidate"
	// Nested groups (gitlab.com/group/sub/repo) hide every part but the repository.
	for i := 1; i < len(parts)-1; i++ {
		parts[i] = "candidate"
	}
	u.Path = "/" + strings.Join(parts, "/")
	u.RawQuery, u.Fragment = "", ""
	return u.String()
}
