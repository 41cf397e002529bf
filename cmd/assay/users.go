package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/assayhq/assay/internal/auth"
	"github.com/assayhq/assay/internal/store"
	"golang.org/x/term"
)

func init() {
	register("users", "manage staff users: users create --org NAME --email E --role R [--password P] [--operator]", runUsers)
}

func runUsers(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "create" {
		return errors.New("usage: assay users create --org NAME --email E --role admin|recruiter|reviewer [--password P] [--operator]")
	}
	fs := flag.NewFlagSet("users create", flag.ContinueOnError)
	org := fs.String("org", "", "organisation name (created when missing)")
	email := fs.String("email", "", "the user's email address")
	role := fs.String("role", "", "admin, recruiter or reviewer")
	password := fs.String("password", "", "password (asked for when not given)")
	// Only here: no web route can make an operator, so no organisation's
	// admin can grant themselves the installation-wide queue monitor.
	operator := fs.Bool("operator", false, "a platform operator: may open the queue monitor (/admin/queues), which shows every organisation's tasks")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *org == "" || *email == "" || !store.ValidRole(*role) {
		return errors.New("--org, --email and --role (admin, recruiter or reviewer) are required")
	}
	pw := *password
	if pw == "" {
		var err error
		if pw, err = askPassword(); err != nil {
			return err
		}
	}
	hash, err := auth.HashPassword(pw)
	if err != nil {
		return err
	}
	_, st, err := openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	o, err := st.EnsureOrganization(ctx, *org)
	if err != nil {
		return err
	}
	u := store.User{Email: *email, Role: *role, PasswordHash: hash, PlatformOperator: *operator}
	if err := st.CreateUser(ctx, store.Actor{OrgID: o.ID, Label: "system:cli"}, &u); err != nil {
		return err
	}
	kind := u.Role
	if u.PlatformOperator {
		kind += ", platform operator"
	}
	fmt.Printf("created %s (%s) in %q\n", u.Email, kind, o.Name)
	return nil
}

// askPassword reads a password without echo from a terminal, or a line from
// standard input when it is not one.
func askPassword() (string, error) {
	fd := int(os.Stdin.Fd())
	if !term.IsTerminal(fd) {
		line, err := bufio.NewReader(os.Stdin).ReadString('\n')
		if err != nil && line == "" {
			return "", fmt.Errorf("read password from standard input: %w", err)
		}
		return strings.TrimRight(line, "\r\n"), nil
	}
	fmt.Fprint(os.Stderr, "Password: ")
	pw, err := term.ReadPassword(fd)
	fmt.Fprintln(os.Stderr)
	if err != nil {
		return "", fmt.Errorf("read password: %w", err)
	}
	return string(pw), nil
}
