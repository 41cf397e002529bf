package grading

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// Caps on what is kept: bodies as evidence, responses read at all.
const (
	evidenceBodyBytes = 4 << 10
	maxResponseBytes  = 8 << 20
)

// Exchange is one HTTP request and its response, kept as evidence.
type Exchange struct {
	Method       string `json:"method"`
	Path         string `json:"path"`
	RequestBody  string `json:"request_body,omitempty"`
	Status       int    `json:"status,omitempty"`
	ContentType  string `json:"content_type,omitempty"`
	ResponseBody string `json:"response_body,omitempty"`
	Error        string `json:"error,omitempty"`
	DurationMS   int64  `json:"duration_ms"`
}

// Response is the service's answer.
type Response struct {
	Status   int
	Header   http.Header
	Body     []byte
	Exchange *Exchange
}

// JSON decodes the body; numbers decode as json.Number into interface
// values so that large integers keep every digit.
func (r *Response) JSON(v any) error {
	dec := json.NewDecoder(bytes.NewReader(r.Body))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("response to %s %s is not the JSON expected: %w", r.Exchange.Method, r.Exchange.Path, err)
	}
	return nil
}

// IsJSON reports whether the response says it carries JSON.
func (r *Response) IsJSON() bool {
	ct := strings.ToLower(r.Header.Get("Content-Type"))
	return strings.HasPrefix(ct, "application/json")
}

// Do sends one request without recording it (checks use C.Do). body is sent
// as is when it is a string or []byte (to send malformed JSON), otherwise
// marshalled to JSON; nil sends no body. The returned Response is never nil:
// its Exchange describes what happened even when err is not.
func (s *Service) Do(ctx context.Context, method, path string, body any) (*Response, error) {
	var raw []byte
	switch b := body.(type) {
	case nil:
	case string:
		raw = []byte(b)
	case []byte:
		raw = b
	default:
		var err error
		if raw, err = json.Marshal(b); err != nil {
			return &Response{Exchange: &Exchange{Method: method, Path: path}, Header: http.Header{}},
				fmt.Errorf("encode request body: %w", err)
		}
	}
	h := http.Header{"Accept": {"application/json"}}
	if body != nil {
		h.Set("Content-Type", "application/json")
	}
	return s.Send(ctx, method, path, h, raw)
}

// Send sends one request with exactly the given headers and body (nil for
// none), for a suite whose requests carry headers of their own (a
// signature, an idempotency key). Like Do, it does not record the exchange
// and the returned Response is never nil.
func (s *Service) Send(ctx context.Context, method, path string, header http.Header, body []byte) (*Response, error) {
	x := &Exchange{Method: method, Path: path, RequestBody: capText(body)}
	resp := &Response{Exchange: x, Header: http.Header{}}
	ctx, cancel := context.WithTimeout(ctx, requestTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, s.URL()+path, bytes.NewReader(body))
	if err != nil {
		return resp, fmt.Errorf("build request %s %s: %w", method, path, err)
	}
	for k, v := range header {
		req.Header[http.CanonicalHeaderKey(k)] = v
	}
	start := time.Now()
	hr, err := s.client.Do(req)
	if err != nil {
		x.DurationMS = time.Since(start).Milliseconds()
		x.Error = err.Error()
		return resp, fmt.Errorf("%s %s got no answer: %w", method, path, err)
	}
	defer hr.Body.Close()
	resp.Body, err = io.ReadAll(io.LimitReader(hr.Body, maxResponseBytes))
	x.DurationMS = time.Since(start).Milliseconds()
	resp.Status, resp.Header = hr.StatusCode, hr.Header
	x.Status, x.ContentType, x.ResponseBody = hr.StatusCode, hr.Header.Get("Content-Type"), capText(resp.Body)
	if err != nil {
		x.Error = err.Error()
		return resp, fmt.Errorf("%s %s: reading the answer: %w", method, path, err)
	}
	return resp, nil
}

// capText keeps evidence readable and bounded.
func capText(b []byte) string {
	if len(b) <= evidenceBodyBytes {
		return strings.ToValidUTF8(string(b), "\uFFFD")
	}
	cut := strings.ToValidUTF8(string(b[:evidenceBodyBytes]), "\uFFFD")
	return fmt.Sprintf("%s… (%d bytes in all)", cut, len(b))
}
