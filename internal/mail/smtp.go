package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/smtp"
	"net/url"
	"time"
)

// Sender delivers messages to one SMTP server.
type Sender struct {
	addr     string // host:port
	host     string
	implicit bool // smtps://: TLS from the first byte
	user     *url.Userinfo
	// From is the envelope and header sender.
	From string
	// TLS, when set, replaces the default TLS settings (tests trust their
	// own certificate with it).
	TLS *tls.Config
	// Timeout bounds one delivery; 0 means 30 s.
	Timeout time.Duration
}

// NewSender reads ASSAY_SMTP_URL: smtp://user:pass@host:587 (STARTTLS when
// the server offers it) or smtps://user:pass@host:465 (TLS throughout), with
// an optional ?from=address. fallbackFrom is used without one.
func NewSender(rawURL, fallbackFrom string) (*Sender, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Hostname() == "" {
		return nil, errors.New("ASSAY_SMTP_URL: want smtp://user:pass@host:port")
	}
	port := u.Port()
	if port == "" {
		port = map[string]string{"smtp": "587", "smtps": "465"}[u.Scheme]
	}
	from := u.Query().Get("from")
	if from == "" {
		from = fallbackFrom
	}
	if _, err := mail.ParseAddress(from); err != nil {
		return nil, fmt.Errorf("ASSAY_SMTP_URL: from address %q: %w", from, err)
	}
	return &Sender{addr: net.JoinHostPort(u.Hostname(), port), host: u.Hostname(),
		implicit: u.Scheme == "smtps", user: u.User, From: from}, nil
}

// Send delivers one message. Credentials are only ever sent over TLS (or to
// a server on this machine): net/smtp's PLAIN auth refuses otherwise.
func (s *Sender) Send(ctx context.Context, m Message) error {
	timeout := s.Timeout
	if timeout == 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	m.From = s.From
	body, err := m.Bytes(time.Now())
	if err != nil {
		return err
	}
	to, err := mail.ParseAddress(m.To)
	if err != nil {
		return fmt.Errorf("recipient %q: %w", m.To, err)
	}
	conn, err := s.dial(ctx)
	if err != nil {
		return err
	}
	// The deadline covers the whole SMTP conversation, not only the dial.
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	c, err := smtp.NewClient(conn, s.host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("smtp greeting from %s: %w", s.addr, err)
	}
	defer c.Close()
	if err := s.converse(c, to.Address, body); err != nil {
		return fmt.Errorf("smtp %s: %w", s.addr, err)
	}
	return nil
}

func (s *Sender) dial(ctx context.Context) (net.Conn, error) {
	d := &net.Dialer{}
	if s.implicit {
		td := &tls.Dialer{NetDialer: d, Config: s.tlsConfig()}
		conn, err := td.DialContext(ctx, "tcp", s.addr)
		if err != nil {
			return nil, fmt.Errorf("connect to %s (TLS): %w", s.addr, err)
		}
		return conn, nil
	}
	conn, err := d.DialContext(ctx, "tcp", s.addr)
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", s.addr, err)
	}
	return conn, nil
}

func (s *Sender) tlsConfig() *tls.Config {
	if s.TLS != nil {
		return s.TLS
	}
	return &tls.Config{ServerName: s.host, MinVersion: tls.VersionTLS12}
}

func (s *Sender) converse(c *smtp.Client, to string, body []byte) error {
	if err := c.Hello("assay"); err != nil {
		return fmt.Errorf("EHLO: %w", err)
	}
	if ok, _ := c.Extension("STARTTLS"); ok && !s.implicit {
		if err := c.StartTLS(s.tlsConfig()); err != nil {
			return fmt.Errorf("STARTTLS: %w", err)
		}
	}
	if s.user != nil {
		pass, _ := s.user.Password()
		if err := c.Auth(smtp.PlainAuth("", s.user.Username(), pass, s.host)); err != nil {
			return fmt.Errorf("AUTH: %w", err)
		}
	}
	if err := c.Mail(s.From); err != nil {
		return fmt.Errorf("MAIL FROM: %w", err)
	}
	if err := c.Rcpt(to); err != nil {
		return fmt.Errorf("RCPT TO: %w", err)
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("DATA: %w", err)
	}
	if _, err := w.Write(body); err != nil {
		return fmt.Errorf("DATA: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("DATA: %w", err)
	}
	return c.Quit()
}
