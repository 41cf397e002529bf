// Package webhookreceiver is the webhook-receiver take-home (contract §7),
// declared as a bundle: takehome.yaml says what to run and check, and
// internal/takehome grades it. This package only embeds the folder.
package webhookreceiver

import (
	"embed"
	"io/fs"
)

//go:embed takehome.yaml BRIEF.md starter reference variants
var files embed.FS

// Bundle is the take-home's folder: takehome.yaml, BRIEF.md, starter/,
// reference/ and variants/.
var Bundle fs.FS = files
