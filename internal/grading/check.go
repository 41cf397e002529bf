package grading

import (
	"context"
	"fmt"
	"strings"
)

// maxExchanges caps the HTTP exchanges kept as evidence for one check.
const maxExchanges = 20

// C is one running check.
type C struct {
	ctx      context.Context
	message  string
	evidence map[string]any
}

// Context is the grading run's context.
func (c *C) Context() context.Context { return c.ctx }

// Failf fails the check. The message is one line telling the candidate what
// to change; only the first failure is the check's message, later ones are
// kept as evidence.
func (c *C) Failf(format string, args ...any) {
	msg := strings.Join(strings.Fields(fmt.Sprintf(format, args...)), " ")
	if c.message == "" {
		c.message = msg
		return
	}
	more, _ := c.evidence["more_failures"].([]string)
	c.evidence["more_failures"] = append(more, msg)
}

// Failed reports whether Failf was called.
func (c *C) Failed() bool { return c.message != "" }

// Evidence keeps a value for reviewers (values compared, SQL counts...).
// It must marshal to JSON.
func (c *C) Evidence(key string, v any) { c.evidence[key] = v }

// Do sends one HTTP request to the service and keeps the exchange as
// evidence. A nil error means an HTTP response arrived, whatever its status.
func (c *C) Do(s *Service, method, path string, body any) (*Response, error) {
	resp, err := s.Do(c.ctx, method, path, body)
	c.keep(resp.Exchange)
	return resp, err
}

// Keep adds an exchange made outside this check (for example a listing
// shared by several checks) to its evidence.
func (c *C) Keep(r *Response) {
	if r != nil {
		c.keep(r.Exchange)
	}
}

func (c *C) keep(x *Exchange) {
	list, _ := c.evidence["exchanges"].([]*Exchange)
	if len(list) >= maxExchanges {
		n, _ := c.evidence["exchanges_omitted"].(int)
		c.evidence["exchanges_omitted"] = n + 1
		return
	}
	c.evidence["exchanges"] = append(list, x)
}
