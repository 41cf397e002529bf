package main

import (
	"context"
	"errors"
	"os"
)

func init() {
	register("migrate", "apply (up), roll back one (down) or list (status) schema migrations", runMigrate)
}

func runMigrate(ctx context.Context, args []string) error {
	if len(args) != 1 {
		return errors.New("usage: assay migrate up|down|status")
	}
	_, st, err := openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	return st.Migrate(ctx, args[0], os.Stdout)
}
