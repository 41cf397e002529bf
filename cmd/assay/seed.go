package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"

	"github.com/assayhq/assay/internal/demo"
)

func init() {
	register("seed", "create the demo organisation, its users and assessments (idempotent)", runSeed)
}

func runSeed(ctx context.Context, args []string) error {
	cfg, st, err := openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	pw := cfg.DemoPassword
	generated := pw == ""
	if generated {
		b := make([]byte, 12)
		_, _ = rand.Read(b)
		pw = base64.RawURLEncoding.EncodeToString(b)
	}
	res, err := demo.Seed(ctx, st, demoTakehomes(), pw)
	if err != nil {
		return err
	}
	fmt.Printf("seed: %d users and %d assessments created in organisation %q\n", res.UsersCreated, res.AssessmentsCreated, demo.OrgName)
	if res.UsersCreated == 0 {
		fmt.Println("  the demo users already exist; their password is unchanged")
	}
	if res.UsersCreated > 0 {
		for _, u := range demo.Users {
			fmt.Printf("  %-22s %s\n", u.Email, u.Role)
		}
		if generated {
			fmt.Printf("  demo password: %s (set ASSAY_DEMO_PASSWORD to choose it)\n", pw)
		}
	}
	return nil
}
