// Package store is the platform's data: models, queries and transactions.
// Every query about an organisation's objects takes that organisation's id,
// so a caller can never read or change another organisation's rows.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/assayhq/assay/internal/sealbox"
	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
	"gorm.io/gorm/logger"
)

// Errors the API maps to status codes in one place.
var (
	ErrNotFound = errors.New("not found")
	ErrConflict = errors.New("conflict")
	ErrInvalid  = errors.New("invalid")
)

// Store wraps the platform database.
type Store struct {
	db      *gorm.DB
	secrets *sealbox.Box // seals webhook signing secrets; nil without a key
}

// Option configures a Store.
type Option func(*Store) error

// WithSealKey gives the store the platform's secret key (ASSAY_SECRET_KEY), which
// seals the secrets it must read back: webhook signing secrets. Without it, the store
// refuses to make or read one.
func WithSealKey(secret []byte) Option {
	return func(s *Store) error {
		b, err := sealbox.New(secret, webhookSecretLabel)
		if err != nil {
			return err
		}
		s.secrets = b
		return nil
	}
}

// Open connects to the platform database.
func Open(ctx context.Context, url string, opts ...Option) (*Store, error) {
	db, err := gorm.Open(postgres.Open(url), &gorm.Config{
		Logger:                 logger.Discard,
		SkipDefaultTransaction: true,
		NowFunc:                func() time.Time { return time.Now().UTC() },
		TranslateError:         false,
	})
	if err != nil {
		return nil, fmt.Errorf("open platform database: %w", err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, fmt.Errorf("open platform database: %w", err)
	}
	sqlDB.SetMaxOpenConns(20)
	sqlDB.SetMaxIdleConns(10)
	sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	if err := sqlDB.PingContext(ctx); err != nil {
		return nil, fmt.Errorf("reach platform database: %w", err)
	}
	s := &Store{db: db}
	for _, o := range opts {
		if err := o(s); err != nil {
			return nil, fmt.Errorf("open platform database: %w", err)
		}
	}
	return s, nil
}

// SQL returns the underlying connection pool (migrations, health checks).
func (s *Store) SQL() *sql.DB {
	d, _ := s.db.DB()
	return d
}

// Close closes the pool.
func (s *Store) Close() error { return s.SQL().Close() }

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error { return s.SQL().PingContext(ctx) }

// tx runs fn in one transaction.
func (s *Store) tx(ctx context.Context, fn func(tx *gorm.DB) error) error {
	return s.db.WithContext(ctx).Transaction(fn)
}

// notFound turns gorm's record-not-found into ErrNotFound with context.
func notFound(err error, what string) error {
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return fmt.Errorf("%s: %w", what, ErrNotFound)
	}
	return fmt.Errorf("%s: %w", what, err)
}

// isUniqueViolation reports a PostgreSQL unique_violation.
func isUniqueViolation(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "23505"
}

// validUUID reports whether id can be a row id; anything else is simply not
// found, instead of an error from PostgreSQL's uuid parser.
func validUUID(id string) bool {
	if len(id) != 36 {
		return false
	}
	for i, c := range id {
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
	}
	return true
}

// forUpdate locks the selected rows until the transaction ends.
var forUpdate = clause.Locking{Strength: "UPDATE"}

func notFoundOrNil(err error, what string) error {
	if err == nil {
		return nil
	}
	return notFound(err, what)
}

// truncate cuts s to at most n bytes: error messages and responses kept in rows.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
