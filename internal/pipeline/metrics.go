package pipeline

import "github.com/prometheus/client_golang/prometheus"

// Metrics of grading: time per phase, outcomes, and how long submissions
// wait in the queue.
type Metrics struct {
	phaseDuration *prometheus.HistogramVec
	total         prometheus.Histogram
	outcomes      *prometheus.CounterVec
	queueLatency  prometheus.Histogram
}

// NewMetrics registers the grading metrics with reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	buckets := []float64{.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1200}
	m := &Metrics{
		phaseDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "assay_grading_phase_seconds", Help: "Duration of each grading phase.", Buckets: buckets,
		}, []string{"phase"}),
		total: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "assay_grading_seconds", Help: "Duration of a whole grading run.", Buckets: buckets,
		}),
		outcomes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "assay_grading_outcomes_total", Help: "Finished gradings by status.",
		}, []string{"status"}),
		queueLatency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "assay_queue_latency_seconds", Help: "Time from queued to a worker taking the submission.", Buckets: buckets,
		}),
	}
	reg.MustRegister(m.phaseDuration, m.total, m.outcomes, m.queueLatency)
	return m
}
