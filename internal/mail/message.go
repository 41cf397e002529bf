// Package mail composes the messages Assay sends candidates (invitation,
// deadline reminder, submission receipt) and delivers them over SMTP from a
// queued task. Each message has a plain-text and an HTML part.
package mail

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/textproto"
	"strings"
	"time"
)

// Message is one composed email.
type Message struct {
	From, To, Subject string
	Text, HTML        string
}

// Bytes renders the message as RFC 5322 with a multipart/alternative body:
// the plain-text part first, so clients that cannot show HTML read that.
func (m Message) Bytes(now time.Time) ([]byte, error) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	hdr := func(k, v string) { fmt.Fprintf(&buf, "%s: %s\r\n", k, v) }
	hdr("From", m.From)
	hdr("To", m.To)
	hdr("Subject", mime.QEncoding.Encode("utf-8", oneLine(m.Subject)))
	hdr("Date", now.UTC().Format(time.RFC1123Z))
	hdr("Message-ID", "<"+randomID()+"@assay>")
	hdr("MIME-Version", "1.0")
	hdr("Content-Type", "multipart/alternative; boundary="+mw.Boundary())
	buf.WriteString("\r\n")
	for _, p := range []struct{ typ, body string }{{"text/plain", m.Text}, {"text/html", m.HTML}} {
		w, err := mw.CreatePart(textproto.MIMEHeader{
			"Content-Type":              {p.typ + "; charset=utf-8"},
			"Content-Transfer-Encoding": {"quoted-printable"},
		})
		if err != nil {
			return nil, fmt.Errorf("mail part %s: %w", p.typ, err)
		}
		qp := quotedprintable.NewWriter(w)
		if _, err := qp.Write([]byte(p.body)); err != nil {
			return nil, fmt.Errorf("mail part %s: %w", p.typ, err)
		}
		if err := qp.Close(); err != nil {
			return nil, fmt.Errorf("mail part %s: %w", p.typ, err)
		}
	}
	if err := mw.Close(); err != nil {
		return nil, fmt.Errorf("mail body: %w", err)
	}
	return buf.Bytes(), nil
}

// oneLine keeps a header value on one line: a candidate's name in a subject
// must not start a header of its own.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

func randomID() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("crypto/rand failed: %v", err))
	}
	return hex.EncodeToString(b)
}
