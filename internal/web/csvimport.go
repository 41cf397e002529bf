package web

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/assayhq/assay/internal/rules"
)

// maxCSVRows bounds one upload: a hiring round, not a mailing list.
const maxCSVRows = 500

// csvRow is one candidate of an upload, with what is wrong with it.
type csvRow struct {
	Line        int
	Name, Email string
	Error       string
	// AlreadyInvited: the email has an invitation to the assessment that
	// is not revoked; the row is skipped unless the recruiter asks.
	AlreadyInvited bool
}

// parseCandidates reads "name,email" lines (an optional header line naming
// the columns is skipped) and checks each row on its own, so a preview can
// show every problem at once. A file that is not CSV at all is an error.
func parseCandidates(src string) ([]csvRow, error) {
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(src, "\ufeff")))
	r.FieldsPerRecord = -1
	r.TrimLeadingSpace = true
	var rows []csvRow
	seen := map[string]int{}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("the file is not valid CSV: %w", err)
		}
		line, _ := r.FieldPos(0)
		if len(rows) == 0 && isHeader(rec) {
			continue
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		if len(rows) == maxCSVRows {
			return nil, fmt.Errorf("the file has more than %d candidates; split it", maxCSVRows)
		}
		row := csvRow{Line: line}
		if len(rec) != 2 {
			row.Error = fmt.Sprintf("want 2 columns (name, email), found %d", len(rec))
			if len(rec) > 0 {
				row.Name = rec[0]
			}
			rows = append(rows, row)
			continue
		}
		row.Name = strings.TrimSpace(rec[0])
		row.Email = strings.ToLower(strings.TrimSpace(rec[1]))
		nameErr, emailErr := rules.CandidateName(row.Name), rules.Email("email", row.Email)
		switch {
		case nameErr != nil:
			row.Error = brokenRule("the name", nameErr)
		case emailErr != nil:
			row.Error = brokenRule("the email", emailErr)
		case seen[row.Email] > 0:
			row.Error = fmt.Sprintf("the same email as line %d", seen[row.Email])
		}
		if row.Error == "" {
			seen[row.Email] = line
		}
		rows = append(rows, row)
	}
	if len(rows) == 0 {
		return nil, errors.New("the file has no candidates: one line per candidate, name then email")
	}
	return rows, nil
}

func isHeader(rec []string) bool {
	return len(rec) >= 2 && strings.EqualFold(strings.TrimSpace(rec[0]), "name") &&
		strings.EqualFold(strings.TrimSpace(rec[1]), "email")
}
