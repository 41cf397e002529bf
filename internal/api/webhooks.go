package api

import (
	"net/http"
	"strings"

	"github.com/assayhq/assay/internal/auth"
	"github.com/assayhq/assay/internal/rules"
	"github.com/assayhq/assay/internal/store"
	"github.com/assayhq/assay/internal/webhooks"
	"github.com/gin-gonic/gin"
)

// registerWebhooks adds the admins' webhook routes. URL checks come from
// the webhooks package (a pure function; the address actually connected to
// is checked again at send time).
func (a *api) registerWebhooks(staff *gin.RouterGroup, admins gin.HandlerFunc) {
	staff.GET("/webhooks", admins, a.listWebhooks)
	staff.POST("/webhooks", admins, a.createWebhook)
	staff.PATCH("/webhooks/:id", admins, a.updateWebhook)
	staff.DELETE("/webhooks/:id", admins, a.deleteWebhook)
	staff.POST("/webhooks/:id/test", admins, a.pingWebhook)
	staff.GET("/webhooks/:id/deliveries", admins, a.listDeliveries)
	staff.POST("/deliveries/:id/redeliver", admins, a.redeliver)
}

// webhookWithSecret is an endpoint as shown right after its secret was
// made: the only time the secret is shown.
type webhookWithSecret struct {
	store.WebhookEndpoint
	Secret string `json:"secret"`
}

func (a *api) checkWebhookURL(raw string) error {
	if err := webhooks.CheckURL(strings.TrimSpace(raw), a.Intake.AllowLoopback); err != nil {
		return badRequest("url: %s", rules.Message(err))
	}
	return nil
}

func (a *api) listWebhooks(c *gin.Context) {
	p, err := page(c)
	if err != nil {
		respondError(c, err)
		return
	}
	eps, next, err := a.Store.WebhookEndpoints(c.Request.Context(), auth.Current(c).OrgID, p)
	if err != nil {
		respondError(c, err)
		return
	}
	list(c, eps, next)
}

type createWebhookRequest struct {
	URL         string   `json:"url"`
	Description string   `json:"description"`
	EventTypes  []string `json:"event_types"`
}

func (a *api) createWebhook(c *gin.Context) {
	var req createWebhookRequest
	if err := decode(c, &req); err != nil {
		respondError(c, err)
		return
	}
	if err := a.checkWebhookURL(req.URL); err != nil {
		respondError(c, err)
		return
	}
	if err := rules.WebhookDescription(req.Description); err != nil {
		respondError(c, err)
		return
	}
	ep := store.WebhookEndpoint{URL: strings.TrimSpace(req.URL), Description: req.Description, EventTypes: req.EventTypes}
	if err := a.Store.CreateWebhookEndpoint(c.Request.Context(), actor(c), &ep); err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusCreated, webhookWithSecret{ep, ep.Secret})
}

type updateWebhookRequest struct {
	URL          *string   `json:"url"`
	Description  *string   `json:"description"`
	EventTypes   *[]string `json:"event_types"`
	Enabled      *bool     `json:"enabled"`
	RotateSecret bool      `json:"rotate_secret"`
}

func (a *api) updateWebhook(c *gin.Context) {
	var req updateWebhookRequest
	if err := decode(c, &req); err != nil {
		respondError(c, err)
		return
	}
	if req.URL != nil {
		if err := a.checkWebhookURL(*req.URL); err != nil {
			respondError(c, err)
			return
		}
		*req.URL = strings.TrimSpace(*req.URL)
	}
	if err := check(req.Description, rules.WebhookDescription); err != nil {
		respondError(c, err)
		return
	}
	ep, err := a.Store.UpdateWebhookEndpoint(c.Request.Context(), actor(c), c.Param("id"), store.WebhookEndpointChanges{
		URL: req.URL, Description: req.Description, EventTypes: req.EventTypes, Enabled: req.Enabled, RotateSecret: req.RotateSecret,
	})
	if err != nil {
		respondError(c, err)
		return
	}
	if req.RotateSecret {
		c.JSON(http.StatusOK, webhookWithSecret{*ep, ep.Secret})
		return
	}
	c.JSON(http.StatusOK, ep)
}

func (a *api) deleteWebhook(c *gin.Context) {
	if err := a.Store.DeleteWebhookEndpoint(c.Request.Context(), actor(c), c.Param("id")); err != nil {
		respondError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (a *api) pingWebhook(c *gin.Context) {
	d, err := a.Store.PingWebhookEndpoint(c.Request.Context(), actor(c), c.Param("id"))
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusAccepted, d)
}

func (a *api) listDeliveries(c *gin.Context) {
	p, err := page(c)
	if err != nil {
		respondError(c, err)
		return
	}
	ds, next, err := a.Store.WebhookDeliveries(c.Request.Context(), auth.Current(c).OrgID, c.Param("id"), p)
	if err != nil {
		respondError(c, err)
		return
	}
	list(c, ds, next)
}

func (a *api) redeliver(c *gin.Context) {
	d, err := a.Store.Redeliver(c.Request.Context(), actor(c), c.Param("id"))
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusAccepted, d)
}
