package takehome

import (
	"encoding/json"
	"net/http"
	"sync"
)

// stubServer serves the bundle's upstream stubs to the service: each route
// answers its templated response, the first fail_first requests 503, and
// every request is counted for `stubs` in expressions.
type stubServer struct {
	r *runState

	mu   sync.Mutex
	hits map[string]map[string]int // stub → "GET /rates" → requests
}

// handlers are the stubs as grading.StartOptions.Endpoints: the engine sets
// each stub's variable to its URL.
func (s *stubServer) handlers(stubs map[string][]*route) map[string]http.Handler {
	out := map[string]http.Handler{}
	for name, routes := range stubs {
		s.hits[name] = map[string]int{}
		for _, rt := range routes {
			s.hits[name][rt.method+" "+rt.path] = 0
		}
		out[name] = http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) { s.serve(name, routes, w, req) })
	}
	return out
}

func (s *stubServer) serve(name string, routes []*route, w http.ResponseWriter, req *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	for _, rt := range routes {
		if rt.method != req.Method || rt.path != req.URL.Path {
			continue
		}
		key := rt.method + " " + rt.path
		s.mu.Lock()
		s.hits[name][key]++
		n := s.hits[name][key]
		s.mu.Unlock()
		if n <= rt.failFirst {
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Write([]byte(`{"error":"the upstream is unavailable, try again"}`))
			return
		}
		s.answer(rt, w, req)
		return
	}
	w.WriteHeader(http.StatusNotFound)
	json.NewEncoder(w).Encode(map[string]string{"error": "no route " + req.Method + " " + req.URL.Path + " on " + name})
}

func (s *stubServer) answer(rt *route, w http.ResponseWriter, req *http.Request) {
	ctx := req.Context()
	var body []byte
	switch {
	case rt.text != nil:
		t, err := rt.text.renderString(ctx, s.r, nil)
		if err != nil {
			s.fail(w, err)
			return
		}
		body = []byte(t)
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	case rt.body != nil:
		v, err := rt.body.render(ctx, s.r, nil)
		if err == nil {
			body, err = json.Marshal(v)
		}
		if err != nil {
			s.fail(w, err)
			return
		}
	}
	for name, t := range rt.headers {
		v, err := t.renderString(ctx, s.r, nil)
		if err != nil {
			s.fail(w, err)
			return
		}
		w.Header().Set(name, v)
	}
	w.WriteHeader(rt.status)
	w.Write(body)
}

// fail answers a stub whose template could not be rendered: the bundle's
// fault, which the service sees as an upstream error.
func (s *stubServer) fail(w http.ResponseWriter, err error) {
	w.WriteHeader(http.StatusInternalServerError)
	json.NewEncoder(w).Encode(map[string]string{"error": "the take-home's stub could not answer: " + err.Error()})
}

// counts is `stubs` in expressions: name → {requests: {"GET /rates": n}}.
func (s *stubServer) counts() map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]any, len(s.hits))
	for name, h := range s.hits {
		req := map[string]any{}
		for k, v := range h {
			req[k] = int64(v)
		}
		out[name] = map[string]any{"requests": req}
	}
	return out
}
