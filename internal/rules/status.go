package rules

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/assayhq/assay/internal/intake"
	"github.com/assayhq/assay/internal/store"
	"github.com/assayhq/assay/internal/takehome"
	"github.com/assayhq/assay/internal/webhooks"
)

// InternalMessage is all a server error tells the client; the error itself
// is logged.
const InternalMessage = "internal error; it has been logged"

// Status maps an error to the HTTP status both front ends answer with, and
// the message for whoever sent the request: for a client error what to
// change, for a server error nothing of the internals.
func Status(err error) (int, string) {
	var maxErr *http.MaxBytesError
	var bundleErr *takehome.LoadError
	switch {
	case errors.As(err, &maxErr):
		return http.StatusRequestEntityTooLarge, fmt.Sprintf("the request is larger than %d bytes", maxErr.Limit)
	case errors.As(err, &bundleErr):
		return http.StatusUnprocessableEntity, "the bundle does not load:\n" + bundleErr.Error()
	case errors.Is(err, store.ErrNotFound):
		return http.StatusNotFound, "not found"
	case errors.Is(err, store.ErrInvalid), errors.Is(err, intake.ErrRejected), errors.Is(err, webhooks.ErrRefused):
		return http.StatusBadRequest, Message(err)
	case errors.Is(err, intake.ErrUnreachable):
		return http.StatusUnprocessableEntity, Message(err)
	case errors.Is(err, store.ErrConflict):
		return http.StatusConflict, Message(err)
	case errors.Is(err, store.ErrClosed):
		return http.StatusForbidden, Message(err)
	}
	return http.StatusInternalServerError, InternalMessage
}

// sentinels are the errors whose wrapped text is meant for people.
var sentinels = []error{store.ErrInvalid, store.ErrConflict, store.ErrClosed, intake.ErrRejected, webhooks.ErrRefused}

// Message keeps the part of a wrapped error meant for people: the text after
// its sentinel ("conflict: the assessment is archived" → "the assessment is
// archived"); a rules.Error is all meant for them.
func Message(err error) string {
	msg := err.Error()
	for _, s := range sentinels {
		if i := strings.Index(msg, s.Error()+": "); i >= 0 {
			return msg[i+len(s.Error())+2:]
		}
	}
	return msg
}
