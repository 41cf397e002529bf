package gradingdb

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"regexp"
	"strings"
)

// Database is one submission's database and the role that owns it.
// Name and User are the same identifier.
type Database struct {
	Name, User, Password string
	Host                 string // the grading server
	Port                 int
}

// URL is the DATABASE_URL given to the service, for the address at which it
// reaches the server (the pgwire forward inside the sandbox).
func (d *Database) URL(hostport string) string {
	u := d.url(hostport)
	u.RawQuery = "sslmode=disable"
	return u.String()
}

func (d *Database) url(hostport string) *url.URL {
	return &url.URL{
		Scheme: "postgres",
		User:   url.UserPassword(d.User, d.Password),
		Host:   hostport,
		Path:   "/" + d.Name,
	}
}

// namePrefix starts every name this package creates; Drop and
// CleanupLeftovers touch nothing else.
const namePrefix = "assay_sub_"

// maxPrefix keeps names under PostgreSQL's 63-byte identifier limit:
// "assay_sub_" + prefix + "_" + 12 hex digits.
const maxPrefix = 30

var ourName = regexp.MustCompile(`^assay_sub_[a-z0-9_]{1,30}_[0-9a-f]{12}$`)

// newName makes assay_sub_<prefix>_<random>. The prefix (a submission id,
// a take-home slug) is folded to [a-z0-9_] so the name needs no quoting
// surprises and stays recognisable.
func newName(prefix string) (string, error) {
	clean := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			return r
		case r >= 'A' && r <= 'Z':
			return r + ('a' - 'A')
		}
		return '_'
	}, prefix)
	if len(clean) > maxPrefix {
		clean = clean[:maxPrefix]
	}
	if clean == "" {
		return "", fmt.Errorf("gradingdb: empty name prefix")
	}
	return namePrefix + clean + "_" + randomHex(6), nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b) // never fails (crypto/rand, Go 1.24+)
	return hex.EncodeToString(b)
}
