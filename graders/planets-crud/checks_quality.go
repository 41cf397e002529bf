package planetscrud

import (
	"github.com/assayhq/assay/internal/grading"
)

// qualityChecks judge the answers collected by the other checks: the JSON
// ones must say so, and the expected errors must be JSON objects with a
// message. Answers of routes that do not work are not held against these.
func (r *run) qualityChecks() {
	if len(r.jsonAnswers) == 0 {
		r.g.NotRun("http.content_type", "no route answered a planet, so there was nothing to judge")
	} else {
		r.g.Check("http.content_type", func(c *grading.C) {
			for _, resp := range r.jsonAnswers {
				if !resp.IsJSON() {
					c.Keep(resp)
					c.Failf("%s %s answered Content-Type %q; send Content-Type: application/json with JSON answers",
						resp.Exchange.Method, resp.Exchange.Path, resp.Header.Get("Content-Type"))
					return
				}
			}
			c.Evidence("answers_judged", len(r.jsonAnswers))
		})
	}
	if len(r.errorAnswers) == 0 {
		r.g.NotRun("http.error_json", "no route answered an expected error, so there was nothing to judge")
		return
	}
	r.g.Check("http.error_json", func(c *grading.C) {
		for _, resp := range r.errorAnswers {
			var v map[string]any
			if !resp.IsJSON() || resp.JSON(&v) != nil || !hasMessage(v) {
				c.Keep(resp)
				c.Failf("%s %s answered %d with %s; answer errors as a JSON object with a message, such as {\"error\": \"planet not found\"}",
					resp.Exchange.Method, resp.Exchange.Path, resp.Status, jsonText(string(resp.Body)))
				return
			}
		}
		c.Evidence("answers_judged", len(r.errorAnswers))
	})
}

func hasMessage(v map[string]any) bool {
	for _, x := range v {
		if s, ok := x.(string); ok && s != "" {
			return true
		}
	}
	return false
}
