package store

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestSessionsEndAndStayEnded(t *testing.T) {
	st, a := newTestStore(t)
	ctx := context.Background()
	u := User{Email: "rev@acme.test", Role: RoleReviewer, PasswordHash: "x"}
	if err := st.CreateUser(ctx, a, &u); err != nil {
		t.Fatal(err)
	}
	live := func(s *Session) bool {
		_, err := st.SessionUser(ctx, s.ID, u.OrgID, u.ID)
		if err != nil && !errors.Is(err, ErrNotFound) {
			t.Fatal(err)
		}
		return err == nil
	}
	start := func() *Session {
		s, err := st.StartSession(ctx, &u, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if !live(s) {
			t.Fatal("a new session is not live")
		}
		return s
	}

	one, two := start(), start()
	if err := st.EndSession(ctx, one.ID); err != nil {
		t.Fatal(err)
	}
	if live(one) || !live(two) {
		t.Fatal("ending one session did not end exactly that one")
	}
	if _, err := st.RenewSession(ctx, one.ID, time.Hour); !errors.Is(err, ErrNotFound) {
		t.Fatalf("renewing an ended session: %v, want ErrNotFound", err)
	}
	if live(one) {
		t.Fatal("renewal brought an ended session back")
	}
	renewed, err := st.RenewSession(ctx, two.ID, 2*time.Hour)
	if err != nil || !renewed.ExpiresAt.After(two.ExpiresAt) {
		t.Fatalf("renewing a live session: %v, expires %v (was %v)", err, renewed, two.ExpiresAt)
	}

	// Saving the same role ends nothing; a new role, disabling, or a new
	// password ends every session.
	same := RoleReviewer
	if _, err := st.UpdateUser(ctx, a, u.ID, &same, nil); err != nil || !live(two) {
		t.Fatalf("an unchanged role ended the session (%v)", err)
	}
	recruiter, on := RoleRecruiter, true
	for name, change := range map[string]func() error{
		"role":     func() error { _, err := st.UpdateUser(ctx, a, u.ID, &recruiter, nil); return err },
		"disabled": func() error { _, err := st.UpdateUser(ctx, a, u.ID, nil, &on); return err },
		"password": func() error { return st.SetPassword(ctx, a, u.ID, "y") },
	} {
		s := start()
		if err := change(); err != nil {
			t.Fatal(err)
		}
		if live(s) {
			t.Errorf("a %s change left the session live", name)
		}
		enabled := false // the next change starts from an enabled user
		if _, err := st.UpdateUser(ctx, a, u.ID, nil, &enabled); err != nil {
			t.Fatal(err)
		}
	}
}
