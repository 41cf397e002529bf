package store

import (
	"encoding/base64"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
)

// Page asks for one page of a list, newest first.
type Page struct {
	Limit  int    // 1..200; 0 means 50
	Cursor string // opaque, from the previous page's Next
}

const (
	defaultPageSize = 50
	maxPageSize     = 200
)

// cursor marks the last row of a page: rows are ordered by (created_at, id) descending.
type cursor struct {
	createdAt time.Time
	id        string
}

func (c cursor) String() string {
	return base64.RawURLEncoding.EncodeToString([]byte(c.createdAt.Format(time.RFC3339Nano) + "|" + c.id))
}

func parseCursor(s string) (cursor, error) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return cursor{}, fmt.Errorf("%w: cursor is not one this API gave out", ErrInvalid)
	}
	ts, id, ok := strings.Cut(string(raw), "|")
	t, err := time.Parse(time.RFC3339Nano, ts)
	if !ok || err != nil || id == "" {
		return cursor{}, fmt.Errorf("%w: cursor is not one this API gave out", ErrInvalid)
	}
	return cursor{createdAt: t, id: id}, nil
}

// paginate runs q for one page ordered newest first and returns the rows and
// the cursor of the next page ("" when this is the last). table qualifies the
// ordering columns when q joins.
func paginate[T any](q *gorm.DB, table string, p Page, key func(*T) cursor) ([]T, string, error) {
	limit := p.Limit
	if limit <= 0 {
		limit = defaultPageSize
	}
	if limit > maxPageSize {
		return nil, "", fmt.Errorf("%w: limit must be between 1 and %d", ErrInvalid, maxPageSize)
	}
	if p.Cursor != "" {
		c, err := parseCursor(p.Cursor)
		if err != nil {
			return nil, "", err
		}
		q = q.Where("("+table+".created_at, "+table+".id) < (?, ?)", c.createdAt, c.id)
	}
	var rows []T
	if err := q.Order(table + ".created_at DESC, " + table + ".id DESC").Limit(limit + 1).Find(&rows).Error; err != nil {
		return nil, "", err
	}
	next := ""
	if len(rows) > limit {
		rows = rows[:limit]
		next = key(&rows[limit-1]).String()
	}
	return rows, next, nil
}
