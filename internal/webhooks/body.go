package webhooks

import (
	"encoding/json"
	"fmt"
	"time"
)

// message is the body of every webhook, as the Standard Webhooks
// specification suggests: type, timestamp of the event, data.
type message struct {
	Type      string          `json:"type"`
	Timestamp time.Time       `json:"timestamp"`
	Data      json.RawMessage `json:"data"`
}

// Body renders an event. Submission events get links to the scorecard
// (dashboard and API) under the public base URL. The same event renders
// the same bytes on every attempt.
func Body(eventType string, at time.Time, data json.RawMessage, baseURL string) ([]byte, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(data, &fields); err != nil {
		return nil, fmt.Errorf("event data: %w", err)
	}
	var sub string
	if raw, ok := fields["submission_id"]; ok && baseURL != "" {
		if err := json.Unmarshal(raw, &sub); err == nil && sub != "" {
			links, _ := json.Marshal(map[string]string{
				"scorecard": baseURL + "/submissions/" + sub,
				"api":       baseURL + "/api/v1/submissions/" + sub,
			})
			fields["links"] = links
		}
	}
	out, err := json.Marshal(fields)
	if err != nil {
		return nil, fmt.Errorf("event data: %w", err)
	}
	return json.Marshal(message{Type: eventType, Timestamp: at.UTC(), Data: out})
}
