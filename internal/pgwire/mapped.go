package pgwire

import (
	"bufio"
	"context"
	"encoding/binary"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
)

// Login is what a client asked to log in as: never its password.
type Login struct{ User, Database string }

// maxMapped caps the distinct logins kept, against a service trying names in a loop.
const maxMapped = 20

// Mapped lists, in order, the distinct logins served the submission's own
// role and database instead (MapLogins).
func (p *Proxy) Mapped() []Login {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.mapped)
}

func (p *Proxy) noteMapped(l Login) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.mapped) < maxMapped && !slices.Contains(p.mapped, l) {
		p.mapped = append(p.mapped, l)
	}
}

// serveMapped serves a login as another user or database with the
// submission's own: the forward logs in upstream as User to Database with
// Password, tells the client it is in (its own password never matters and
// never travels), then relays. The client's other startup parameters
// (application_name, options, client_encoding...) are passed on.
func (p *Proxy) serveMapped(client net.Conn, in *bufio.Reader, startup []byte) {
	params := startupParams(startup[8:])
	asked := Login{User: params["user"], Database: params["database"]}
	if asked.Database == "" {
		asked.Database = asked.User
	}
	p.noteMapped(asked)
	delete(params, "user")
	delete(params, "database")
	var unsupported []string
	for name := range params {
		if strings.HasPrefix(name, "_pq_.") {
			unsupported = append(unsupported, name)
			delete(params, name)
		}
	}

	ctx, cancel := context.WithTimeout(context.Background(), startupTimeout)
	defer cancel()
	server, err := p.loginUpstream(ctx, params)
	if err != nil {
		p.refuse("mapped login as user %q to database %q failed upstream: %v", asked.User, asked.Database, err)
		writeError(client, "FATAL", "08006", "assay: the grading database is unreachable")
		return
	}
	defer server.Conn.Close()
	if !p.track(server.Conn) {
		return
	}
	defer p.untrack(server.Conn)

	key := binary.BigEndian.AppendUint32(nil, server.PID)
	key = append(key, server.SecretKey...)
	p.addKey(string(key))
	defer p.removeKey(string(key))

	var hello []byte
	// A client asking for a newer minor protocol version, or for protocol
	// options, is told the session speaks 3.0, as the server would.
	if minor := binary.BigEndian.Uint32(startup[4:8]) & 0xffff; minor > 0 || len(unsupported) > 0 {
		body := binary.BigEndian.AppendUint32(nil, 0)
		body = binary.BigEndian.AppendUint32(body, uint32(len(unsupported)))
		for _, name := range unsupported {
			body = append(append(body, name...), 0)
		}
		hello = appendMessage(hello, 'v', body)
	}
	hello = appendMessage(hello, 'R', binary.BigEndian.AppendUint32(nil, 0)) // AuthenticationOk
	names := make([]string, 0, len(server.ParameterStatuses))
	for name := range server.ParameterStatuses {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		body := append(append([]byte(name), 0), server.ParameterStatuses[name]...)
		hello = appendMessage(hello, 'S', append(body, 0))
	}
	hello = appendMessage(hello, 'K', key)
	hello = appendMessage(hello, 'Z', []byte{server.TxStatus})
	if _, err := client.Write(hello); err != nil {
		return
	}
	p.relay(client, in, server.Conn)
}

// loginUpstream logs in to Upstream as the submission's own role and
// database, and hands the idle session over.
func (p *Proxy) loginUpstream(ctx context.Context, params map[string]string) (*pgconn.HijackedConn, error) {
	host, port, err := net.SplitHostPort(p.Upstream)
	if err != nil {
		return nil, fmt.Errorf("upstream %q: %w", p.Upstream, err)
	}
	portNum, err := strconv.ParseUint(port, 10, 16)
	if err != nil {
		return nil, fmt.Errorf("upstream port %q: %w", port, err)
	}
	// ParseConfig must build the config; every field that matters is then
	// set here, so the grading process's own PG* variables play no part.
	cfg, err := pgconn.ParseConfig("sslmode=disable")
	if err != nil {
		return nil, err
	}
	cfg.Host, cfg.Port = host, uint16(portNum)
	cfg.User, cfg.Password, cfg.Database = p.User, p.Password, p.Database
	cfg.TLSConfig, cfg.Fallbacks = nil, nil
	cfg.ValidateConnect, cfg.AfterConnect = nil, nil
	cfg.RuntimeParams = params
	cfg.LookupFunc = func(_ context.Context, host string) ([]string, error) { return []string{host}, nil }
	cfg.DialFunc = func(ctx context.Context, _, _ string) (net.Conn, error) { return p.dial(ctx) }
	conn, err := pgconn.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, err
	}
	hc, err := conn.Hijack()
	if err != nil {
		conn.Close(ctx)
		return nil, err
	}
	return hc, nil
}

// appendMessage appends one typed protocol message.
func appendMessage(b []byte, typ byte, body []byte) []byte {
	b = append(b, typ)
	b = binary.BigEndian.AppendUint32(b, uint32(4+len(body)))
	return append(b, body...)
}
