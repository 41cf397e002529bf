package mail

import (
	"bytes"
	"fmt"
	htmltemplate "html/template"
	texttemplate "text/template"
	"time"

	"github.com/assayhq/assay/internal/store"
)

// The messages, each as a subject and a plain-text and an HTML body
// made from the same data. html/template escapes every candidate-controlled
// string in the HTML part.
var (
	textTemplates = texttemplate.Must(texttemplate.New("").Funcs(texttemplate.FuncMap{"when": when}).Parse(`
{{define "invitation"}}Hello {{.Name}},

You are invited to the take-home assessment "{{.Title}}".

Open your personal link to read the brief, download the starter kit and submit your work:

{{.Link}}

You have {{.Hours}} hours from the moment you first open the link, and {{.Attempts}} attempt(s).
Keep this link to yourself: anyone with it can submit in your name.
{{end}}
{{define "reminder"}}Hello {{.Name}},

Your deadline for "{{.Title}}" is {{when .Deadline}}, less than 24 hours from now.

Submit through the personal link from your invitation email.
{{end}}
{{define "receipt"}}Hello {{.Name}},

We received your submission for "{{.Title}}" (attempt {{.Attempt}}):

  repository: {{.Repo}}{{if .Ref}}
  ref:        {{.Ref}}{{end}}
  received:   {{when .At}}

It is being graded now; your invitation page shows its progress.
{{end}}
{{define "new_link"}}Hello {{.Name}},

Here is a new personal link for the take-home assessment "{{.Title}}":

{{.Link}}

The link you had before no longer works. Keep this one to yourself: anyone with it can submit in your name.
{{end}}
{{define "grant"}}Hello {{.Name}},

Good news about "{{.Title}}":{{if .Attempts}}
  - you have {{.Attempts}} more attempt(s);{{end}}{{if .Hours}}
  - you have {{.Hours}} more hour(s){{if not .Deadline.IsZero}}: your deadline is now {{when .Deadline}}{{end}};{{end}}

Submit through the personal link from your invitation email.
{{end}}`))

	htmlTemplates = htmltemplate.Must(htmltemplate.New("").Funcs(htmltemplate.FuncMap{"when": when}).Parse(`
{{define "invitation"}}<!doctype html><html><body style="font-family:sans-serif;line-height:1.5">
<p>Hello {{.Name}},</p>
<p>You are invited to the take-home assessment <strong>{{.Title}}</strong>.</p>
<p><a href="{{.Link}}">Open your personal link</a> to read the brief, download the starter kit and submit your work:<br><code>{{.Link}}</code></p>
<p>You have {{.Hours}} hours from the moment you first open the link, and {{.Attempts}} attempt(s).
Keep this link to yourself: anyone with it can submit in your name.</p>
</body></html>{{end}}
{{define "reminder"}}<!doctype html><html><body style="font-family:sans-serif;line-height:1.5">
<p>Hello {{.Name}},</p>
<p>Your deadline for <strong>{{.Title}}</strong> is {{when .Deadline}}, less than 24 hours from now.</p>
<p>Submit through the personal link from your invitation email.</p>
</body></html>{{end}}
{{define "receipt"}}<!doctype html><html><body style="font-family:sans-serif;line-height:1.5">
<p>Hello {{.Name}},</p>
<p>We received your submission for <strong>{{.Title}}</strong> (attempt {{.Attempt}}):</p>
<ul><li>repository: <code>{{.Repo}}</code></li>{{if .Ref}}<li>ref: <code>{{.Ref}}</code></li>{{end}}<li>received: {{when .At}}</li></ul>
<p>It is being graded now; your invitation page shows its progress.</p>
</body></html>{{end}}
{{define "new_link"}}<!doctype html><html><body style="font-family:sans-serif;line-height:1.5">
<p>Hello {{.Name}},</p>
<p>Here is a new personal link for the take-home assessment <strong>{{.Title}}</strong>:<br>
<a href="{{.Link}}">Open your personal link</a> <code>{{.Link}}</code></p>
<p>The link you had before no longer works. Keep this one to yourself: anyone with it can submit in your name.</p>
</body></html>{{end}}
{{define "grant"}}<!doctype html><html><body style="font-family:sans-serif;line-height:1.5">
<p>Hello {{.Name}},</p>
<p>Good news about <strong>{{.Title}}</strong>:</p>
<ul>{{if .Attempts}}<li>you have {{.Attempts}} more attempt(s);</li>{{end}}{{if .Hours}}<li>you have {{.Hours}} more hour(s){{if not .Deadline.IsZero}}: your deadline is now {{when .Deadline}}{{end}};</li>{{end}}</ul>
<p>Submit through the personal link from your invitation email.</p>
</body></html>{{end}}`))
)

func when(t time.Time) string { return t.UTC().Format("Mon 2 Jan 2006 15:04 MST") }

// data is what the templates read.
type data struct {
	Name, Title, Link, Repo, Ref string
	Hours, Attempts, Attempt     int
	Deadline, At                 time.Time
}

func compose(kind, subject string, d data, to string) (store.MailContent, error) {
	var text, html bytes.Buffer
	if err := textTemplates.ExecuteTemplate(&text, kind, d); err != nil {
		return store.MailContent{}, fmt.Errorf("compose %s (text): %w", kind, err)
	}
	if err := htmlTemplates.ExecuteTemplate(&html, kind, d); err != nil {
		return store.MailContent{}, fmt.Errorf("compose %s (html): %w", kind, err)
	}
	return store.MailContent{To: to, Subject: oneLine(subject), Text: text.String(), HTML: html.String()}, nil
}

// Invitation is the message that carries a candidate's link.
func Invitation(inv *store.Invitation, as *store.Assessment, link string) (store.MailContent, error) {
	return compose(store.MailInvitation, "Your take-home assessment: "+as.Title, data{
		Name: inv.CandidateName, Title: as.Title, Link: link, Hours: as.HoursAllowed, Attempts: as.MaxSubmissions,
	}, inv.CandidateEmail)
}

// Reminder tells a candidate their deadline is less than a day away. It
// cannot carry the link: only the token's hash is stored.
func Reminder(inv *store.Invitation, as *store.Assessment) (store.MailContent, error) {
	var deadline time.Time
	if inv.ExpiresAt != nil {
		deadline = *inv.ExpiresAt
	}
	return compose(store.MailReminder, "Reminder: less than 24 hours left for "+as.Title, data{
		Name: inv.CandidateName, Title: as.Title, Deadline: deadline,
	}, inv.CandidateEmail)
}

// Receipt confirms a submission was received.
func Receipt(sub *store.Submission, inv *store.Invitation, as *store.Assessment) (store.MailContent, error) {
	return compose(store.MailReceipt, "We received your submission for "+as.Title, data{
		Name: inv.CandidateName, Title: as.Title, Repo: sub.RepoURL, Ref: sub.Ref, Attempt: sub.Attempt, At: sub.CreatedAt,
	}, inv.CandidateEmail)
}

// NewLink carries the fresh link a recruiter issued; the old one no longer works.
func NewLink(inv *store.Invitation, as *store.Assessment, link string) (store.MailContent, error) {
	return compose(store.MailNewLink, "Your new link for "+as.Title, data{
		Name: inv.CandidateName, Title: as.Title, Link: link,
	}, inv.CandidateEmail)
}

// Grant tells a candidate they have more attempts or more time (and the new
// deadline, when the clock has started).
func Grant(inv *store.Invitation, as *store.Assessment, g store.Grant) (store.MailContent, error) {
	var deadline time.Time
	if inv.ExpiresAt != nil && g.Hours > 0 {
		deadline = *inv.ExpiresAt
	}
	return compose(store.MailGrant, "More time or attempts for "+as.Title, data{
		Name: inv.CandidateName, Title: as.Title, Attempts: g.Attempts, Hours: g.Hours, Deadline: deadline,
	}, inv.CandidateEmail)
}
