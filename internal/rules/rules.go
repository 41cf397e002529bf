// Package rules holds what the two front ends, the JSON API (internal/api)
// and the dashboard (internal/web), both enforce: the limits on what people
// enter, which roles may do what, and which HTTP status an error gets. Each
// front end words its answers its own way; the rules themselves are here
// once, so the two cannot drift apart.
package rules

import (
	"github.com/assayhq/assay/internal/store"
)

// Error is input that breaks a rule. Field names the input as the API's
// JSON does ("hours_allowed"); Rule says what is allowed ("must be from 1 to
// 720"), so the dashboard can put it under its own label. It is a kind of
// store.ErrInvalid: every error mapping treats it as the client's.
type Error struct {
	Field, Rule string
}

func (e *Error) Error() string { return e.Field + " " + e.Rule }

func (e *Error) Unwrap() error { return store.ErrInvalid }
