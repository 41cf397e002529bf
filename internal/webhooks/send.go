package webhooks

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/assayhq/assay/internal/store"
	"github.com/assayhq/assay/internal/tasks"
	"github.com/hibiken/asynq"
)

// DefaultSchedule is the wait before each retry: growing from seconds to
// hours, about three days in all, then the delivery is marked failed.
var DefaultSchedule = []time.Duration{
	5 * time.Second, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 5 * time.Hour,
	10 * time.Hour, 10 * time.Hour, 10 * time.Hour, 14 * time.Hour, 20 * time.Hour,
}

// responseLogBytes is how much of a receiver's answer each attempt keeps.
const responseLogBytes = 1024

// Store is what the sender needs of the platform's data.
type Store interface {
	OutgoingDelivery(ctx context.Context, id string) (*store.OutgoingDelivery, error)
	RecordDeliveryAttempt(ctx context.Context, id string, at store.DeliveryAttempt, final bool) error
	RequeueStaleDeliveries(ctx context.Context, olderThan time.Duration) (int, error)
}

// Callback builds the request of a partner callback (callback_kind), such
// as Greenhouse's "mark test as completed" PATCH.
type Callback func(ctx context.Context, d *store.OutgoingDelivery) (*http.Request, error)

// Sender delivers webhook:deliver tasks.
type Sender struct {
	Store  Store
	Client *http.Client // from NewClient
	// BaseURL is the public URL links in messages point to.
	BaseURL       string
	AllowLoopback bool
	Callbacks     map[string]Callback
	// Schedule is the wait before each retry; DefaultSchedule when nil.
	Schedule []time.Duration
}

func (s *Sender) schedule() []time.Duration {
	if s.Schedule == nil {
		return DefaultSchedule
	}
	return s.Schedule
}

// Sweep requeues, every interval until ctx ends, deliveries the queue may
// have lost: pending and untouched for a day, longer than any retry waits.
func (s *Sender) Sweep(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		n, err := s.Store.RequeueStaleDeliveries(ctx, staleAfter)
		switch {
		case err != nil && ctx.Err() == nil:
			slog.Warn("webhook sweeper", "err", err)
		case n > 0:
			slog.Info("webhook sweeper requeued deliveries the queue lost", "count", n)
		}
	}
}

// staleAfter is longer than the longest retry wait of DefaultSchedule.
const staleAfter = 24 * time.Hour

// RetryDelay is the asynq retry delay of a delivery that failed n times
// before this one.
func (s *Sender) RetryDelay(n int, _ error) time.Duration {
	sch := s.schedule()
	return sch[min(n, len(sch)-1)]
}

// HandleTask is the asynq handler of webhook:deliver. The attempt after
// the last scheduled retry (or asynq's own retry limit) is final.
func (s *Sender) HandleTask(ctx context.Context, t *asynq.Task) error {
	var p tasks.DeliverPayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil || p.DeliveryID == "" {
		return fmt.Errorf("webhook task with a bad payload %q: %w", t.Payload(), asynq.SkipRetry)
	}
	retried, _ := asynq.GetRetryCount(ctx)
	limit := len(s.schedule())
	if maxRetry, ok := asynq.GetMaxRetry(ctx); ok {
		limit = min(limit, maxRetry)
	}
	return s.Deliver(ctx, p.DeliveryID, retried >= limit)
}

// errPermanent marks a delivery that retrying cannot help: a refused URL,
// a disabled endpoint, an unknown callback kind.
var errPermanent = errors.New("permanent")

// Deliver makes one attempt at a delivery and records it. An error means
// asynq should retry; a final failure is recorded and ends the task.
func (s *Sender) Deliver(ctx context.Context, id string, final bool) error {
	d, err := s.Store.OutgoingDelivery(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil // its endpoint was deleted: nothing left to send
	}
	if err != nil {
		return err
	}
	if d.State != store.DeliveryPending {
		return nil // a task handed over twice: the first one finished it
	}
	at := store.DeliveryAttempt{At: time.Now().UTC()}
	req, err := s.request(ctx, d, at.At)
	if err == nil {
		// A name resolving only to refused addresses is as permanent as a
		// refused URL.
		if err := s.send(req, &at); refused(err) {
			final = true
		}
		if d.CallbackKind != nil && !at.OK && at.StatusCode != 0 && !retryableStatus(at.StatusCode) {
			// A partner's API refusing the call (Greenhouse answers 4xx
			// for a hired candidate's test) says the same on every retry.
			final = true
			slog.Warn("partner callback refused", "delivery", id, "kind", *d.CallbackKind, "status", at.StatusCode,
				"answer", firstLine(at.Response))
		}
	} else {
		at.Error = err.Error()
		if errors.Is(err, errPermanent) || refused(err) {
			final = true
		}
	}
	// Record even when the task's context ends (a worker shutting down):
	// the attempt happened.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := s.Store.RecordDeliveryAttempt(rctx, id, at, final && !at.OK); err != nil {
		return fmt.Errorf("delivery %s: %w", id, err)
	}
	switch {
	case at.OK:
		return nil
	case final:
		return fmt.Errorf("delivery %s failed for good: %s: %w", id, at.Error, asynq.SkipRetry)
	default:
		return fmt.Errorf("delivery %s: %s", id, at.Error)
	}
}

// request builds the signed request of an endpoint delivery, or the
// partner's own request for a callback, after checking the URL.
func (s *Sender) request(ctx context.Context, d *store.OutgoingDelivery, now time.Time) (*http.Request, error) {
	if err := CheckURL(d.URL, s.AllowLoopback); err != nil {
		return nil, err
	}
	if d.CallbackKind != nil {
		cb, ok := s.Callbacks[*d.CallbackKind]
		if !ok {
			return nil, fmt.Errorf("%w: no sender for %s callbacks", errPermanent, *d.CallbackKind)
		}
		return cb(ctx, d)
	}
	if !d.Enabled && d.EventType != store.EventPing {
		return nil, fmt.Errorf("%w: the endpoint is disabled", errPermanent)
	}
	body, err := Body(d.EventType, d.EventCreatedAt, d.EventData, s.BaseURL)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errPermanent, err)
	}
	sig, err := Signature(d.Secrets, d.EventID, now, body)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errPermanent, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.URL, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errPermanent, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Assay-Webhooks/1")
	req.Header.Set("webhook-id", d.EventID)
	req.Header.Set("webhook-timestamp", strconv.FormatInt(now.Unix(), 10))
	req.Header.Set("webhook-signature", sig)
	return req, nil
}

// send makes the request and notes the outcome: any 2xx is success. It
// returns the transport's error, if any.
func (s *Sender) send(req *http.Request, at *store.DeliveryAttempt) error {
	resp, err := s.Client.Do(req)
	at.Duration = time.Since(at.At)
	if err != nil {
		// Without the URL: it may carry a token of the receiver's, and
		// this text is logged and shown.
		at.Error = err.Error()
		var ue *url.Error
		if errors.As(err, &ue) {
			at.Error = ue.Err.Error()
		}
		return err
	}
	defer resp.Body.Close()
	head, _ := io.ReadAll(io.LimitReader(resp.Body, responseLogBytes))
	// Read a little more so the connection can be reused; a receiver
	// answering megabytes is not waited for.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	at.StatusCode, at.Response = resp.StatusCode, string(bytes.ToValidUTF8(head, []byte("?")))
	at.OK = resp.StatusCode >= 200 && resp.StatusCode < 300
	if !at.OK {
		at.Error = "HTTP " + strconv.Itoa(resp.StatusCode)
		if loc := resp.Header.Get("Location"); loc != "" && resp.StatusCode >= 300 && resp.StatusCode < 400 {
			at.Error += " redirect to " + loc + " (redirects are not followed)"
		}
	}
	return nil
}

// retryableStatus is an answer of a partner's API worth trying again:
// its own failure (5xx), a timeout (408) or a rate limit (429).
func retryableStatus(code int) bool {
	return code >= 500 || code == http.StatusRequestTimeout || code == http.StatusTooManyRequests
}

// firstLine is the first line of an answer, for logs.
func firstLine(s string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(line)
}
