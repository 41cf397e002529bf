package webhooks

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Signature is the webhook-signature header of the Standard Webhooks
// specification: "v1," and the base64 HMAC-SHA256 of "id.timestamp.body",
// once per secret (space separated), so a receiver holding either the new
// or the rotated-out secret accepts the message.
func Signature(secrets []string, msgID string, ts time.Time, body []byte) (string, error) {
	if len(secrets) == 0 {
		return "", fmt.Errorf("sign %s: no secret", msgID)
	}
	signed := []byte(msgID + "." + strconv.FormatInt(ts.Unix(), 10) + ".")
	signed = append(signed, body...)
	parts := make([]string, 0, len(secrets))
	for _, s := range secrets {
		key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(s, "whsec_"))
		if err != nil {
			return "", fmt.Errorf("sign %s: secret is not whsec_ + base64: %w", msgID, err)
		}
		mac := hmac.New(sha256.New, key)
		mac.Write(signed)
		parts = append(parts, "v1,"+base64.StdEncoding.EncodeToString(mac.Sum(nil)))
	}
	return strings.Join(parts, " "), nil
}
