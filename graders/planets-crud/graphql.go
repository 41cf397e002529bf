package planetscrud

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"unicode"
)

// ContractQuery is the query the brief asks the service to send.
const ContractQuery = "query Query {allPlanets{planets{name population terrains climates}}}"

// Endpoint is the GraphQL endpoint the grader serves to the service: it
// answers the contract's selection with the run's data set, answers 400 to
// anything else, records every request, and can answer the first requests
// with 503 to see whether the service retries.
type Endpoint struct {
	body []byte

	mu        sync.Mutex
	failFirst int
	requests  []GraphQLRequest
}

// GraphQLRequest is what the service asked and what it was answered.
type GraphQLRequest struct {
	Query  string `json:"query"`
	Status int    `json:"status"`
	Reason string `json:"reason,omitempty"`
}

// NewEndpoint serves planets; the first failFirst requests get 503.
func NewEndpoint(planets []Planet, failFirst int) *Endpoint {
	body, err := json.Marshal(map[string]any{"data": map[string]any{"allPlanets": map[string]any{"planets": planets}}})
	if err != nil {
		panic(fmt.Sprintf("planets-crud: encode data set: %v", err)) // plain structs always encode
	}
	return &Endpoint{body: body, failFirst: failFirst}
}

// Requests returns the requests received so far.
func (e *Endpoint) Requests() []GraphQLRequest {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.requests)
}

func (e *Endpoint) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	status, reason, query := e.answer(r)
	e.mu.Lock()
	e.requests = append(e.requests, GraphQLRequest{Query: query, Status: status, Reason: reason})
	e.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	if status == http.StatusOK {
		w.Write(e.body)
		return
	}
	json.NewEncoder(w).Encode(map[string]any{"errors": []map[string]string{{"message": reason}}})
}

func (e *Endpoint) answer(r *http.Request) (status int, reason, query string) {
	e.mu.Lock()
	fail := e.failFirst > 0
	if fail {
		e.failFirst--
	}
	e.mu.Unlock()
	if r.Method != http.MethodPost {
		return http.StatusMethodNotAllowed, "send the query with POST", ""
	}
	var req struct {
		Query string `json:"query"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 64<<10)).Decode(&req); err != nil {
		return http.StatusBadRequest, "the body must be JSON: {\"query\": \"...\"}", ""
	}
	if fail {
		return http.StatusServiceUnavailable, "temporarily unavailable, try again", req.Query
	}
	if err := checkSelection(req.Query); err != nil {
		return http.StatusBadRequest, err.Error(), req.Query
	}
	return http.StatusOK, "", req.Query
}

// checkSelection accepts the contract's selection whatever the whitespace,
// commas, field order and operation name.
func checkSelection(q string) error {
	toks := tokens(q)
	if len(toks) > 0 && toks[0] == "query" {
		toks = toks[1:]
		if len(toks) > 0 && toks[0] != "{" {
			toks = toks[1:] // the operation name
		}
	}
	ok := len(toks) == 12 && strings.Join(toks[:5], " ") == "{ allPlanets { planets {" &&
		strings.Join(toks[9:], " ") == "} } }"
	if ok {
		fields := slices.Clone(toks[5:9])
		slices.Sort(fields)
		ok = strings.Join(fields, " ") == "climates name population terrains"
	}
	if !ok {
		return fmt.Errorf("this endpoint answers only %s", ContractQuery)
	}
	return nil
}

// tokens splits a GraphQL document into names and braces; commas are
// whitespace in GraphQL, anything else is kept as a token of its own so that
// it makes the selection differ.
func tokens(q string) []string {
	var out []string
	var name strings.Builder
	flush := func() {
		if name.Len() > 0 {
			out = append(out, name.String())
			name.Reset()
		}
	}
	for _, r := range q {
		switch {
		case r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
			name.WriteRune(r)
		case unicode.IsSpace(r) || r == ',':
			flush()
		default:
			flush()
			out = append(out, string(r))
		}
	}
	flush()
	return out
}
