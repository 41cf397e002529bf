package main

import (
	"net/url"

	"github.com/assayhq/assay/internal/config"
	"github.com/assayhq/assay/internal/mail"
	"github.com/assayhq/assay/internal/store"
)

// newDeliverer sends mail through ASSAY_SMTP_URL; without it messages are
// held for the admin page. The sender defaults to no-reply at the public
// host unless the URL says ?from=.
func newDeliverer(cfg *config.Config, st *store.Store) (*mail.Deliverer, error) {
	d := &mail.Deliverer{Store: st}
	if cfg.SMTPURL == "" {
		return d, nil
	}
	host := "localhost"
	if u, err := url.Parse(cfg.BaseURL); err == nil && u.Hostname() != "" {
		host = u.Hostname()
	}
	sender, err := mail.NewSender(cfg.SMTPURL, "no-reply@"+host)
	if err != nil {
		return nil, err
	}
	d.Sender = sender
	return d, nil
}
