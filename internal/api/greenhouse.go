package api

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/assayhq/assay/internal/auth"
	"github.com/assayhq/assay/internal/greenhouse"
	"github.com/assayhq/assay/internal/rules"
	"github.com/assayhq/assay/internal/store"
	"github.com/gin-gonic/gin"
)

// registerGreenhouse adds Greenhouse's Assessment Partner endpoints (HTTP
// Basic with the organisation's API key) and the admins' route that makes
// that key.
func (a *api) registerGreenhouse(v1, staff *gin.RouterGroup, admins gin.HandlerFunc) {
	p := &greenhouse.Partner{Store: a.Store, BaseURL: a.BaseURL, SecretKey: a.SecretKey, AllowLoopback: a.Intake.AllowLoopback,
		RequireHTTPS: a.Production}
	g := v1.Group("/greenhouse")
	g.GET("/list_tests", partnerAuth(p), func(c *gin.Context) {
		tests, err := p.ListTests(c.Request.Context(), c.GetString(partnerOrgKey))
		if err != nil {
			respondError(c, err)
			return
		}
		c.JSON(http.StatusOK, tests)
	})
	g.POST("/send_test", partnerAuth(p), func(c *gin.Context) {
		var req greenhouse.SendTestRequest
		// Unknown fields are fine: Greenhouse may add properties.
		if err := decodeJSON(c, &req, false); err != nil {
			respondError(c, err)
			return
		}
		if err := rules.NoNULIn(&req); err != nil {
			respondError(c, err)
			return
		}
		resp, err := p.SendTest(c.Request.Context(), c.GetString(partnerOrgKey), req)
		if err != nil {
			respondError(c, err)
			return
		}
		c.JSON(http.StatusOK, resp)
	})
	g.GET("/test_status", partnerAuth(p), func(c *gin.Context) {
		st, err := p.TestStatus(c.Request.Context(), c.GetString(partnerOrgKey), c.Query("partner_interview_id"))
		if err != nil {
			respondError(c, err)
			return
		}
		c.JSON(http.StatusOK, st)
	})
	g.POST("/response_error", partnerAuth(p), func(c *gin.Context) {
		var report struct {
			APICall            string   `json:"api_call"`
			Errors             []string `json:"errors"`
			PartnerTestID      any      `json:"partner_test_id"`
			PartnerInterviewID any      `json:"partner_interview_id"`
		}
		if err := decodeJSON(c, &report, false); err != nil {
			respondError(c, err)
			return
		}
		slog.Warn("greenhouse reports a malformed response", "org", c.GetString(partnerOrgKey), "api_call", report.APICall,
			"errors", report.Errors, "partner_test_id", report.PartnerTestID, "partner_interview_id", report.PartnerInterviewID)
		c.Status(http.StatusOK)
	})
	// Assay's completion calls to Greenhouse, with their attempts: what
	// admins look at when Greenhouse did not hear of a result.
	staff.GET("/greenhouse/callbacks", admins, func(c *gin.Context) {
		pg, err := page(c)
		if err != nil {
			respondError(c, err)
			return
		}
		ds, next, err := a.Store.CallbackDeliveries(c.Request.Context(), auth.Current(c).OrgID, store.CallbackGreenhouse, pg)
		if err != nil {
			respondError(c, err)
			return
		}
		list(c, ds, next)
	})
	staff.POST("/greenhouse/key", admins, func(c *gin.Context) {
		key, err := p.RotateKey(c.Request.Context(), actor(c))
		if err != nil {
			respondError(c, err)
			return
		}
		c.JSON(http.StatusCreated, gin.H{"api_key": key, "endpoints": p.Endpoints()})
	})
}

const partnerOrgKey = "partner_org"

// partnerAuth admits a request with a known API key and notes its
// organisation.
func partnerAuth(p *greenhouse.Partner) gin.HandlerFunc {
	return func(c *gin.Context) {
		org, err := p.Authenticate(c.Request.Context(), c.Request)
		if errors.Is(err, greenhouse.ErrUnauthorized) {
			c.Header("WWW-Authenticate", `Basic realm="Assay Greenhouse partner API"`)
			c.AbortWithStatusJSON(http.StatusUnauthorized, gin.H{"error": err.Error()})
			return
		}
		if err != nil {
			respondError(c, err)
			return
		}
		c.Set(partnerOrgKey, org)
		c.Next()
	}
}
