package api

import (
	"context"
	"crypto/subtle"
	"net/http"
	"strconv"
	"time"

	"github.com/assayhq/assay/internal/auth"
	"github.com/assayhq/assay/internal/store"
	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics are the web process's Prometheus metrics.
type Metrics struct {
	registry            *prometheus.Registry
	requestDuration     *prometheus.HistogramVec
	submissionsReceived prometheus.Counter
}

// QueueDepth reports tasks waiting per queue; nil when the queue is not reachable.
type QueueDepth func(ctx context.Context) (map[string]int, error)

// NewMetrics registers the API's metrics, submissions by status (read from
// PostgreSQL at scrape time) and the queue depth.
func NewMetrics(st *store.Store, depth QueueDepth) *Metrics {
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		requestDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "assay_http_request_duration_seconds", Help: "HTTP request durations by route.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"method", "route", "status"}),
		submissionsReceived: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "assay_submissions_received_total", Help: "Submissions accepted by this process.",
		}),
	}
	m.registry.MustRegister(m.requestDuration, m.submissionsReceived, &stateCollector{store: st, depth: depth})
	return m
}

// Handler serves the API's metrics and the process-wide default registry's
// (Go runtime, process, and grading when the worker runs in this process).
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(prometheus.Gatherers{m.registry, prometheus.DefaultGatherer}, promhttp.HandlerOpts{})
}

// requireToken admits only "Authorization: Bearer token": the metrics
// name routes and counts of every organisation, and the web listener is
// public. A token works with Prometheus's own bearer_token setting and
// any proxy in front, where a second listener would need a second port
// opened and kept private.
func requireToken(token string) gin.HandlerFunc {
	return func(c *gin.Context) {
		if subtle.ConstantTimeCompare([]byte(auth.BearerToken(c.Request)), []byte(token)) != 1 {
			c.AbortWithStatusJSON(http.StatusUnauthorized, gin.H{"error": "metrics need Authorization: Bearer with ASSAY_METRICS_TOKEN"})
			return
		}
		c.Next()
	}
}

func (m *Metrics) middleware() gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		route := c.FullPath()
		if route == "" {
			route = "unmatched"
		}
		m.requestDuration.WithLabelValues(c.Request.Method, route, strconv.Itoa(c.Writer.Status())).
			Observe(time.Since(start).Seconds())
	}
}

var (
	submissionsDesc = prometheus.NewDesc("assay_submissions", "Submissions by status.", []string{"status"}, nil)
	queueDesc       = prometheus.NewDesc("assay_queue_depth", "Tasks waiting, by queue (outbox: not yet handed to Redis).", []string{"queue"}, nil)
)

// stateCollector reads counts when Prometheus scrapes, so they are right
// whichever process changed them.
type stateCollector struct {
	store *store.Store
	depth QueueDepth
}

func (s *stateCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- submissionsDesc
	ch <- queueDesc
}

func (s *stateCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if counts, err := s.store.SubmissionCounts(ctx); err == nil {
		for _, st := range store.SubmissionStatuses {
			ch <- prometheus.MustNewConstMetric(submissionsDesc, prometheus.GaugeValue, float64(counts[st]), st)
		}
	}
	if n, err := s.store.PendingOutbox(ctx); err == nil {
		ch <- prometheus.MustNewConstMetric(queueDesc, prometheus.GaugeValue, float64(n), "outbox")
	}
	if s.depth != nil {
		if d, err := s.depth(ctx); err == nil {
			for q, n := range d {
				ch <- prometheus.MustNewConstMetric(queueDesc, prometheus.GaugeValue, float64(n), q)
			}
		}
	}
}
