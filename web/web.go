// Package web holds the dashboard's templates and static assets (the
// stylesheet, a small script, and htmx vendored from the npm registry),
// embedded in the binary. The handlers are in internal/web.
package web

import "embed"

// FS holds templates/ and static/.
//
//go:embed templates static
var FS embed.FS
