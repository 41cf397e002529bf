package pgwire

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
)

// Request codes of the untyped packets a client may send first
// (PostgreSQL protocol, "Message Formats").
const (
	codeCancel = 80877102
	codeSSL    = 80877103
	codeGSSENC = 80877104
)

// maxStartupLen is PostgreSQL's own limit (MAX_STARTUP_PACKET_LENGTH).
const maxStartupLen = 10000

// maxNegotiations bounds SSL/GSSENC requests answered before the startup
// message; libpq sends at most one of each.
const maxNegotiations = 4

// NoTLS is the reason given when a client hangs up on the declined TLS
// request: the forward has no TLS (the hop never leaves the box).
const NoTLS = "the database here has no TLS: use sslmode=disable or $DATABASE_URL"

// DemandedTLS reports whether a client hung up when TLS was declined and no
// client ever logged in without it: a service with sslmode=require, whose
// driver's own words ("the server does not support SSL connections") do
// not say what to change; NoTLS does. A client that tries TLS first and
// reconnects without it (sslmode=prefer in some drivers) logs in.
func (p *Proxy) DemandedTLS() bool { return p.tlsHangups.Load() > 0 && p.logins.Load() == 0 }

// admission is what the forward does with a StartupMessage.
type admission int

const (
	refused admission = iota // answered with an error; the connection is finished
	passed                   // forwarded as is: the submission's own login
	mapped                   // served the submission's own login instead (MapLogins)
)

// startup reads the client's first packets, declines encryption (the hop is
// inside the sandbox's own network namespace), handles cancel requests and
// checks the StartupMessage. It returns the StartupMessage and what to do
// with it.
func (p *Proxy) startup(client net.Conn, in *bufio.Reader) ([]byte, admission) {
	declinedTLS := false
	for range maxNegotiations {
		pkt, err := readPacket(in)
		if err != nil {
			if declinedTLS && errors.Is(err, io.EOF) {
				p.tlsHangups.Add(1)
			}
			return nil, refused
		}
		code := binary.BigEndian.Uint32(pkt[4:8])
		switch {
		case code == codeSSL || code == codeGSSENC:
			declinedTLS = declinedTLS || code == codeSSL
			if _, err := client.Write([]byte{'N'}); err != nil {
				return nil, refused
			}
		case code == codeCancel:
			p.cancel(pkt)
			return nil, refused
		case code>>16 == 3:
			how := p.checkStartup(client, pkt)
			if how != refused {
				p.logins.Add(1)
			}
			return pkt, how
		default:
			p.refuse("unsupported protocol version %d.%d", code>>16, code&0xffff)
			writeError(client, "FATAL", "08P01", "assay: unsupported frontend protocol")
			return nil, refused
		}
	}
	p.refuse("client kept negotiating encryption without starting up")
	return nil, refused
}

// readPacket reads one length-prefixed untyped packet, length included.
func readPacket(in *bufio.Reader) ([]byte, error) {
	var hdr [4]byte
	if _, err := io.ReadFull(in, hdr[:]); err != nil {
		return nil, err
	}
	n := binary.BigEndian.Uint32(hdr[:])
	if n < 8 || n > maxStartupLen {
		return nil, fmt.Errorf("startup packet of %d bytes", n)
	}
	pkt := make([]byte, n)
	copy(pkt, hdr[:])
	if _, err := io.ReadFull(in, pkt[4:]); err != nil {
		return nil, err
	}
	return pkt, nil
}

// checkStartup lets the StartupMessage through for the configured user and
// database; with MapLogins any other login is served those instead, and
// without it refused. A refusal is answered here, so nothing reaches the
// server. Replication connections are refused in every mode.
func (p *Proxy) checkStartup(client net.Conn, pkt []byte) admission {
	params := startupParams(pkt[8:])
	user, db := params["user"], params["database"]
	if db == "" {
		db = user // PostgreSQL's own default
	}
	msg := fmt.Sprintf("assay: only the submission's own database is reachable; connect with $DATABASE_URL (user %q, database %q)", p.User, p.Database)
	switch {
	case params["replication"] != "" && params["replication"] != "false" && params["replication"] != "off":
		p.refuse("replication connection as user %q refused: connect with $DATABASE_URL", user)
		msg = "assay: replication connections are not allowed; connect with $DATABASE_URL"
	case user == p.User && db == p.Database:
		return passed
	case p.MapLogins:
		return mapped
	default:
		p.refuse("login as user %q to database %q refused: only the submission's own is reachable, connect with $DATABASE_URL", user, db)
	}
	writeError(client, "FATAL", "28000", msg)
	return refused
}

// startupParams decodes the name/value pairs of a StartupMessage body.
func startupParams(b []byte) map[string]string {
	params := make(map[string]string)
	for {
		name, rest, ok := bytes.Cut(b, []byte{0})
		if !ok || len(name) == 0 {
			return params
		}
		value, rest, ok := bytes.Cut(rest, []byte{0})
		if !ok {
			return params
		}
		params[string(name)] = string(value)
		b = rest
	}
}

// writeError sends an ErrorResponse; the connection is closed after it.
func writeError(w io.Writer, severity, code, msg string) {
	var body bytes.Buffer
	for _, f := range []struct {
		typ byte
		val string
	}{{'S', severity}, {'V', severity}, {'C', code}, {'M', msg}} {
		body.WriteByte(f.typ)
		body.WriteString(f.val)
		body.WriteByte(0)
	}
	body.WriteByte(0)
	out := make([]byte, 5, 5+body.Len())
	out[0] = 'E'
	binary.BigEndian.PutUint32(out[1:], uint32(4+body.Len()))
	w.Write(append(out, body.Bytes()...))
}
