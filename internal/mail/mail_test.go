package mail_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"errors"
	"io"
	"math/big"
	"mime"
	"mime/multipart"
	"net"
	netmail "net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/assayhq/assay/internal/mail"
	"github.com/assayhq/assay/internal/store"
	"github.com/assayhq/assay/internal/storetest"
	"github.com/assayhq/assay/internal/tasks"
	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
	"github.com/hibiken/asynq"
)

// received is one message an SMTP server in the test accepted.
type received struct {
	from, to string
	data     []byte
	tls      bool
	user     string
}

// smtpServer is a real SMTP server (go-smtp) on loopback that offers
// STARTTLS with its own certificate and PLAIN auth.
type smtpServer struct {
	addr  string
	certs *x509.CertPool
	mu    sync.Mutex
	got   []received
}

func startSMTP(t *testing.T) *smtpServer {
	t.Helper()
	cert, pool := selfSigned(t)
	s := &smtpServer{certs: pool}
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return &session{srv: s, conn: c}, nil
	}))
	srv.Domain = "localhost"
	srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}}
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.addr = l.Addr().String()
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return s
}

func (s *smtpServer) messages() []received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]received(nil), s.got...)
}

type session struct {
	srv  *smtpServer
	conn *smtp.Conn
	cur  received
}

func (s *session) AuthMechanisms() []string { return []string{sasl.Plain} }
func (s *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != "mailer" || pass != "s3cret" {
			return errors.New("bad credentials")
		}
		s.cur.user = user
		return nil
	}), nil
}
func (s *session) Mail(from string, _ *smtp.MailOptions) error { s.cur.from = from; return nil }
func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error   { s.cur.to = to; return nil }
func (s *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	_, s.cur.tls = s.conn.TLSConnectionState()
	s.cur.data = b
	s.srv.mu.Lock()
	s.srv.got = append(s.srv.got, s.cur)
	s.srv.mu.Unlock()
	return nil
}
func (s *session) Reset()        {}
func (s *session) Logout() error { return nil }

func selfSigned(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "localhost"},
		DNSNames: []string{"localhost"}, IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

// parts reads a multipart/alternative message into its parts by type.
func parts(t *testing.T, raw []byte) (*netmail.Message, map[string]string) {
	t.Helper()
	msg, err := netmail.ReadMessage(strings.NewReader(string(raw)))
	if err != nil {
		t.Fatalf("read message: %v", err)
	}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("content type %q: %v", msg.Header.Get("Content-Type"), err)
	}
	out := map[string]string{}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := mr.NextPart() // decodes quoted-printable
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(p)
		ct, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		out[ct] = string(b)
	}
	return msg, out
}

type fixture struct {
	st    *store.Store
	actor store.Actor
	as    store.Assessment
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	db := storetest.New(t)
	f := &fixture{st: db.Store, actor: db.Actor}
	f.as = store.Assessment{Takehome: "shopping-list", SuiteVersion: "1", Title: "Backend <take-home>",
		HoursAllowed: 48, MaxSubmissions: 2, CandidateView: store.ViewTotal}
	if err := f.st.CreateAssessment(context.Background(), f.actor, &f.as); err != nil {
		t.Fatal(err)
	}
	return f
}

// invite creates an invitation with its mail and returns the token and the
// mail:send task the outbox holds for it.
func (f *fixture) invite(t *testing.T, name, email string) (string, *asynq.Task) {
	t.Helper()
	inv := store.Invitation{AssessmentID: f.as.ID, CandidateName: name, CandidateEmail: email}
	token, err := f.st.InviteWithMail(context.Background(), f.actor, &inv, func(token string, as *store.Assessment) (store.MailContent, error) {
		return mail.Invitation(&inv, as, "http://assay.test/c/"+token)
	})
	if err != nil {
		t.Fatal(err)
	}
	return token, f.task(t, inv.ID, store.MailInvitation)
}

// task finds the outbox row of the mail about subject and makes the task
// the relay would enqueue.
func (f *fixture) task(t *testing.T, subject, kind string) *asynq.Task {
	t.Helper()
	var payload []byte
	err := f.st.SQL().QueryRow(`SELECT o.payload FROM outbox o JOIN mail_messages m ON m.id::text = o.task_id
		WHERE o.task_type = $1 AND m.subject_id = $2 AND m.kind = $3`, tasks.SendMail, subject, kind).Scan(&payload)
	if err != nil {
		t.Fatalf("outbox row of the %s mail: %v", kind, err)
	}
	return asynq.NewTask(tasks.SendMail, payload)
}

func TestInvitationSentOverSTARTTLSWithBothParts(t *testing.T) {
	f := newFixture(t)
	srv := startSMTP(t)
	sender, err := mail.NewSender("smtp://mailer:s3cret@"+srv.addr+"?from=hiring@acme.test", "")
	if err != nil {
		t.Fatal(err)
	}
	sender.TLS = &tls.Config{RootCAs: srv.certs, ServerName: "127.0.0.1"}
	d := &mail.Deliverer{Store: f.st, Sender: sender}

	token, task := f.invite(t, "Ada <Lovelace>", "ada@example.com")
	if err := d.HandleTask(context.Background(), task); err != nil {
		t.Fatal(err)
	}
	// A task delivered twice sends once.
	if err := d.HandleTask(context.Background(), task); err != nil {
		t.Fatal(err)
	}
	got := srv.messages()
	if len(got) != 1 {
		t.Fatalf("%d messages received, want 1", len(got))
	}
	m := got[0]
	if !m.tls || m.user != "mailer" || m.from != "hiring@acme.test" || m.to != "ada@example.com" {
		t.Errorf("envelope: tls=%v user=%q from=%q to=%q", m.tls, m.user, m.from, m.to)
	}
	msg, ps := parts(t, m.data)
	subject, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if subject != "Your take-home assessment: Backend <take-home>" || msg.Header.Get("To") != "ada@example.com" {
		t.Errorf("headers: subject %q to %q", subject, msg.Header.Get("To"))
	}
	link := "http://assay.test/c/" + token
	if !strings.Contains(ps["text/plain"], link) || !strings.Contains(ps["text/plain"], "Hello Ada <Lovelace>,") {
		t.Errorf("text part lacks the link or the name:\n%s", ps["text/plain"])
	}
	if !strings.Contains(ps["text/html"], `href="`+link+`"`) || !strings.Contains(ps["text/html"], "Ada &lt;Lovelace&gt;") {
		t.Errorf("html part lacks the link or escapes nothing:\n%s", ps["text/html"])
	}
	// Delivered: the secret link is no longer kept.
	rows, _, err := f.st.MailOutbox(context.Background(), f.actor.OrgID, store.Page{})
	if err != nil || len(rows) != 1 || rows[0].Status != store.MailSent || rows[0].TextBody != "" || rows[0].SentAt == nil {
		t.Fatalf("outbox after sending: %+v %v", rows, err)
	}
}

func TestWithoutSMTPMailIsHeldForTheAdminPage(t *testing.T) {
	f := newFixture(t)
	d := &mail.Deliverer{Store: f.st}
	token, task := f.invite(t, "Grace", "grace@example.com")
	if err := d.HandleTask(context.Background(), task); err != nil {
		t.Fatal(err)
	}
	rows, _, err := f.st.MailOutbox(context.Background(), f.actor.OrgID, store.Page{})
	if err != nil || len(rows) != 1 {
		t.Fatalf("outbox: %+v %v", rows, err)
	}
	if rows[0].Status != store.MailHeld || !strings.Contains(rows[0].TextBody, token) {
		t.Errorf("held mail: status %s body %q", rows[0].Status, rows[0].TextBody)
	}
}

func TestReceiptAndReminder(t *testing.T) {
	f := newFixture(t)
	srv := startSMTP(t)
	sender, err := mail.NewSender("smtp://"+srv.addr, "assay@acme.test")
	if err != nil {
		t.Fatal(err)
	}
	sender.TLS = &tls.Config{RootCAs: srv.certs, ServerName: "127.0.0.1"}
	d := &mail.Deliverer{Store: f.st, Sender: sender}
	ctx := context.Background()

	// Opened 47 hours into a 48-hour window: a reminder is due, once.
	token, _ := f.invite(t, "Linus", "linus@example.com")
	if _, err := f.st.OpenInvitation(ctx, token); err != nil {
		t.Fatal(err)
	}
	if _, err := f.st.SQL().Exec(`UPDATE invitations SET opened_at = now() - interval '47 hours',
		expires_at = now() + interval '1 hour' WHERE candidate_email = 'linus@example.com'`); err != nil {
		t.Fatal(err)
	}
	for i, want := range []int{1, 0} {
		n, err := f.st.QueueReminders(ctx, mail.Reminder)
		if err != nil || n != want {
			t.Fatalf("sweep %d queued %d reminders (%v), want %d", i, n, err, want)
		}
	}
	var invID string
	f.st.SQL().QueryRow(`SELECT id FROM invitations WHERE candidate_email = 'linus@example.com'`).Scan(&invID)
	if err := d.HandleTask(ctx, f.task(t, invID, store.MailReminder)); err != nil {
		t.Fatal(err)
	}

	sub, err := f.st.SubmitWithReceipt(ctx, token, "https://github.com/linus/shop", "main", false, mail.Receipt)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.HandleTask(ctx, f.task(t, sub.ID, store.MailReceipt)); err != nil {
		t.Fatal(err)
	}
	got := srv.messages()
	if len(got) != 2 {
		t.Fatalf("%d messages, want reminder and receipt", len(got))
	}
	_, reminder := parts(t, got[0].data)
	_, receipt := parts(t, got[1].data)
	if !strings.Contains(reminder["text/plain"], "less than 24 hours") || !strings.Contains(reminder["text/html"], "less than 24 hours") {
		t.Errorf("reminder:\n%s", reminder["text/plain"])
	}
	for _, p := range []string{"text/plain", "text/html"} {
		if !strings.Contains(receipt[p], "https://github.com/linus/shop") || !strings.Contains(receipt[p], "attempt 1") {
			t.Errorf("receipt %s:\n%s", p, receipt[p])
		}
	}
	// The receipt was written with the submission and its grading task.
	var payload json.RawMessage
	if err := f.st.SQL().QueryRow(`SELECT payload FROM outbox WHERE task_type = $1 AND task_id = $2`,
		tasks.GradeSubmission, sub.ID).Scan(&payload); err != nil {
		t.Errorf("grading task of the submission: %v", err)
	}
}

func TestSMTPDownIsRetried(t *testing.T) {
	f := newFixture(t)
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := l.Addr().String()
	l.Close() // nothing listens there now
	sender, err := mail.NewSender("smtp://"+addr, "assay@acme.test")
	if err != nil {
		t.Fatal(err)
	}
	d := &mail.Deliverer{Store: f.st, Sender: sender}
	_, task := f.invite(t, "Ken", "ken@example.com")
	if err := d.HandleTask(context.Background(), task); err == nil {
		t.Fatal("sending to a closed port succeeded")
	}
	rows, _, _ := f.st.MailOutbox(context.Background(), f.actor.OrgID, store.Page{})
	if len(rows) != 1 || rows[0].Status != store.MailQueued || rows[0].Attempts != 1 || rows[0].LastError == "" {
		t.Errorf("after a failed attempt: %+v", rows)
	}
}
