// Package gradingdb creates the per-submission databases on the grading
// PostgreSQL server: one role and one database per grading run, the database
// owned by that role alone and closed to every other login, so that a
// candidate's service sees nothing but its own empty database.
package gradingdb

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Server is the grading PostgreSQL server, reached with a superuser (or a
// role with CREATEROLE and CREATEDB) URL. It holds no connection: each
// operation opens its own, since they are few and may run concurrently.
type Server struct {
	adminURL string
	host     string
	port     int
	query    string // connection options of the admin URL (sslmode, ...), reused for direct URLs
}

// Open checks that adminURL reaches a server where it may create roles and
// databases.
func Open(ctx context.Context, adminURL string) (*Server, error) {
	u, err := url.Parse(adminURL)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return nil, fmt.Errorf("gradingdb: admin URL must be a postgres:// URL")
	}
	cfg, err := pgconn.ParseConfig(adminURL)
	if err != nil {
		return nil, fmt.Errorf("gradingdb: parse admin URL: %w", err)
	}
	s := &Server{adminURL: adminURL, host: cfg.Host, port: int(cfg.Port), query: u.RawQuery}
	conn, err := s.connect(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close(context.Background())
	var allowed bool
	err = conn.QueryRow(ctx, "select rolsuper or (rolcreaterole and rolcreatedb) from pg_roles where rolname = current_user").Scan(&allowed)
	if err != nil {
		return nil, fmt.Errorf("gradingdb: check privileges: %w", err)
	}
	if !allowed {
		return nil, errors.New("gradingdb: the admin URL's role needs SUPERUSER or CREATEROLE and CREATEDB")
	}
	return s, nil
}

func (s *Server) connect(ctx context.Context) (*pgx.Conn, error) {
	conn, err := pgx.Connect(ctx, s.adminURL)
	if err != nil {
		return nil, fmt.Errorf("gradingdb: connect to %s: %w", s.hostport(), err)
	}
	return conn, nil
}

func (s *Server) hostport() string {
	return net.JoinHostPort(s.host, strconv.Itoa(s.port))
}

// DirectURL reaches d on the grading server itself, logged in as d's own
// role (never as the admin: the grader inspects data a candidate wrote, and
// a superuser reading a hostile view or function would run it with
// superuser rights).
func (s *Server) DirectURL(d *Database) string {
	u := d.url(s.hostport())
	u.RawQuery = s.query
	return u.String()
}
