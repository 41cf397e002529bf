package web

import (
	"net/http"
	"strings"

	"github.com/assayhq/assay/internal/auth"
	"github.com/assayhq/assay/internal/rules"
	"github.com/assayhq/assay/internal/store"
	"github.com/assayhq/assay/internal/webhooks"
	"github.com/gin-gonic/gin"
)

// The admins' webhook endpoints: the API's /webhooks routes as a page. The
// URL check is the webhooks package's pure function, as the API uses it.

const deliveriesShown = 10

type webhooksData struct {
	Endpoints  []endpointView
	EventTypes []string
	Form       webhookForm
	// Secret is shown once, right after it was made (creation or rotation).
	Secret, SecretURL string
	Notice            string
	// Callbacks are the recent completion calls to Greenhouse: a refused
	// one (Greenhouse answers 4xx for a hired candidate) is not retried,
	// so admins read its status and answer here.
	Callbacks []callbackView
}

type callbackView struct {
	store.WebhookDelivery
	// LastAnswer is the first line of the last attempt's answer body.
	LastAnswer string
}

type endpointView struct {
	store.WebhookEndpoint
	Deliveries []store.WebhookDelivery
}

type webhookForm struct {
	URL, Description string
	Events           map[string]bool
	Error            string
}

func (s *server) webhooksPage(c *gin.Context, status int, d webhooksData) {
	ctx := c.Request.Context()
	orgID := auth.Current(c).OrgID
	eps, _, err := s.Store.WebhookEndpoints(ctx, orgID, store.Page{Limit: 100})
	if err != nil {
		s.fail(c, err)
		return
	}
	for _, ep := range eps {
		ds, _, err := s.Store.WebhookDeliveries(ctx, orgID, ep.ID, store.Page{Limit: deliveriesShown})
		if err != nil {
			s.fail(c, err)
			return
		}
		d.Endpoints = append(d.Endpoints, endpointView{WebhookEndpoint: ep, Deliveries: ds})
	}
	cbs, _, err := s.Store.CallbackDeliveries(ctx, orgID, store.CallbackGreenhouse, store.Page{Limit: deliveriesShown})
	if err != nil {
		s.fail(c, err)
		return
	}
	for _, cb := range cbs {
		v := callbackView{WebhookDelivery: cb}
		if n := len(cb.AttemptLog); n > 0 {
			v.LastAnswer, _, _ = strings.Cut(strings.TrimSpace(cb.AttemptLog[n-1].Response), "\n")
		}
		d.Callbacks = append(d.Callbacks, v)
	}
	d.EventTypes = store.EventTypes
	if d.Form.Events == nil {
		d.Form.Events = map[string]bool{}
	}
	s.render(c, status, "webhooks", "Webhooks", d)
}

func (s *server) webhooks(c *gin.Context) { s.webhooksPage(c, http.StatusOK, webhooksData{}) }

func (s *server) createWebhook(c *gin.Context) {
	f := webhookForm{URL: strings.TrimSpace(c.PostForm("url")), Description: strings.TrimSpace(c.PostForm("description")),
		Events: map[string]bool{}}
	var types []string
	for _, t := range c.PostFormArray("event_types") {
		f.Events[t] = true
		types = append(types, t)
	}
	urlErr, descriptionErr := webhooks.CheckURL(f.URL, s.Intake.AllowLoopback), rules.WebhookDescription(f.Description)
	switch {
	case urlErr != nil:
		f.Error = sentence("the URL is refused: " + rules.Message(urlErr))
	case descriptionErr != nil:
		f.Error = broken("the description", descriptionErr)
	case len(types) == 0:
		f.Error = "Choose at least one event."
	}
	if f.Error != "" {
		s.webhooksPage(c, http.StatusUnprocessableEntity, webhooksData{Form: f})
		return
	}
	ep := store.WebhookEndpoint{URL: f.URL, Description: f.Description, EventTypes: types}
	if err := s.Store.CreateWebhookEndpoint(c.Request.Context(), actor(c), &ep); err != nil {
		if status, msg := rules.Status(err); status == http.StatusBadRequest {
			f.Error = sentence(msg)
			s.webhooksPage(c, http.StatusUnprocessableEntity, webhooksData{Form: f})
			return
		}
		s.fail(c, err)
		return
	}
	s.webhooksPage(c, http.StatusCreated, webhooksData{Secret: ep.Secret, SecretURL: ep.URL})
}

// updateWebhook enables, disables or rotates the secret of an endpoint.
func (s *server) updateWebhook(c *gin.Context) {
	var ch store.WebhookEndpointChanges
	switch c.PostForm("action") {
	case "enable", "disable":
		on := c.PostForm("action") == "enable"
		ch.Enabled = &on
	case "rotate":
		ch.RotateSecret = true
	default:
		s.webhooksPage(c, http.StatusUnprocessableEntity, webhooksData{Notice: "Unknown action."})
		return
	}
	ep, err := s.Store.UpdateWebhookEndpoint(c.Request.Context(), actor(c), c.Param("id"), ch)
	if err != nil {
		s.fail(c, err)
		return
	}
	if ch.RotateSecret {
		s.webhooksPage(c, http.StatusOK, webhooksData{Secret: ep.Secret, SecretURL: ep.URL,
			Notice: "The previous secret keeps signing for 24 hours, so the receiver can switch."})
		return
	}
	c.Redirect(http.StatusSeeOther, "/admin/webhooks")
}

func (s *server) testWebhook(c *gin.Context) {
	if _, err := s.Store.PingWebhookEndpoint(c.Request.Context(), actor(c), c.Param("id")); err != nil {
		s.fail(c, err)
		return
	}
	s.webhooksPage(c, http.StatusOK, webhooksData{Notice: "A ping was queued; its delivery shows below in a moment."})
}

func (s *server) deleteWebhook(c *gin.Context) {
	if err := s.Store.DeleteWebhookEndpoint(c.Request.Context(), actor(c), c.Param("id")); err != nil {
		s.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/admin/webhooks")
}
