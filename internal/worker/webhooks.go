package worker

import (
	"github.com/assayhq/assay/internal/store"
	"github.com/assayhq/assay/internal/webhooks"
)

// HandleWebhooks routes webhook:deliver tasks to the sender, with its
// growing retry schedule (seconds to hours, about three days).
func (w *Worker) HandleWebhooks(s *webhooks.Sender) {
	w.Handle(store.TaskDeliverWebhook, s.HandleTask)
	w.retryDelays[store.TaskDeliverWebhook] = s.RetryDelay
}
