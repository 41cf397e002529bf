package takehome

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"cel.dev/cel-go/cel"
	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/assayhq/assay/internal/grading"
)

// evalIn compiles and evaluates src in scope sc of a run with seed, over vars.
func evalIn(t *testing.T, seed int64, src string, sc scope, vars map[string]any) (any, error) {
	t.Helper()
	r, err := newRun(context.Background(), &Bundle{prog: &program{}}, seed)
	if err != nil {
		t.Fatal(err)
	}
	x, err := compileExpr(r.envs, src, pos{}, sc)
	if err != nil {
		t.Fatalf("compile %s: %v", src, err)
	}
	v, err := r.eval(context.Background(), x, vars)
	if err != nil {
		return nil, err
	}
	return toNative(v)
}

// TestCostLimitStopsRunaway: a comprehension of a million steps fails with
// the cost limit's message, quickly, instead of holding the run.
func TestCostLimitStopsRunaway(t *testing.T) {
	var nums []string
	for i := range 100 {
		nums = append(nums, fmt.Sprint(i))
	}
	list := "[" + strings.Join(nums, ",") + "]"
	src := list + ".map(a, " + list + ".map(b, " + list + ".map(c, a * b * c))).size() > 0"
	start := time.Now()
	_, err := evalIn(t, 1, src, scopeBase, nil)
	if !errors.Is(err, errCostLimit) {
		t.Fatalf("got %v, want the cost limit", err)
	}
	if !strings.Contains(err.Error(), "expression exceeded its cost limit") {
		t.Errorf("message %q does not say the cost limit stopped it", err)
	}
	if took := time.Since(start); took > evalTimeout {
		t.Errorf("stopping it took %s", took)
	}
	// The same shape, small, is fine: the limit stops runaways only.
	if v, err := evalIn(t, 1, "[1,2,3].map(a, [1,2].map(b, a * b)).size() == 3", scopeBase, nil); err != nil || v != true {
		t.Errorf("a small comprehension: %v, %v", v, err)
	}
}

func TestPerRunValues(t *testing.T) {
	get := func(seed int64, src string) any {
		v, err := evalIn(t, seed, src, scopeBase, nil)
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		return v
	}
	a, again, other := get(7, "rand_string('order', 12)"), get(7, "rand_string('order', 12)"), get(8, "rand_string('order', 12)")
	if a != again || a == other || len(a.(string)) != 12 {
		t.Errorf("rand_string: seed 7 gave %v then %v, seed 8 gave %v: want the same per seed and name, another for another seed", a, again, other)
	}
	if get(7, "rand_string('order', 12)") == get(7, "rand_string('customer', 12)") {
		t.Error("two names gave the same value")
	}
	for range 20 {
		n := get(time.Now().UnixNano(), "rand_int('n', 3, 5)").(int64)
		if n < 3 || n > 5 {
			t.Fatalf("rand_int('n', 3, 5) = %d", n)
		}
	}
	if _, err := evalIn(t, 1, "rand_bytes('x', 100000000)", scopeBase, nil); err == nil {
		t.Error("rand_bytes of 100 MB was allowed")
	}
}

// TestStandardWebhookSignature: the sugar signs as the Standard Webhooks
// library does, so a receiver using it accepts the grader's events.
func TestStandardWebhookSignature(t *testing.T) {
	secret := "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	wh, err := standardwebhooks.NewWebhook(secret)
	if err != nil {
		t.Fatal(err)
	}
	ts := time.Unix(1_700_000_000, 0)
	want, err := wh.Sign("msg_1", ts, []byte(`{"a":1}`))
	if err != nil {
		t.Fatal(err)
	}
	got, err := evalIn(t, 1, `standard_webhook_signature("`+secret+`", "msg_1", 1700000000, '{"a":1}')`, scopeBase, nil)
	if err != nil || got != want {
		t.Fatalf("got %v (%v), want %s", got, err, want)
	}
	// The same by hand, with the functions it is sugar for.
	byHand := `"v1," + base64(hmac_sha256(base64_decode("` + strings.TrimPrefix(secret, "whsec_") + `"), "msg_1.1700000000.{\"a\":1}"))`
	if got, err := evalIn(t, 1, byHand, scopeBase, nil); err != nil || got != want {
		t.Fatalf("by hand: got %v (%v), want %s", got, err, want)
	}
}

func TestFunctions(t *testing.T) {
	for src, want := range map[string]any{
		`json({"b": [1, 2.5, null], "a": "x"})`: `{"a":"x","b":[1,2.5,null]}`,
		`unix_rfc3339ms(1700000000, 42)`:        "2023-11-14T22:13:20.042Z",
		`base64(sha256("abc")).size()`:          int64(44),
		`now_unix() > 1700000000`:               true,
		`now_rfc3339ms().endsWith("Z")`:         true,
		`"a,b".split(",").size() == 2`:          true, // the strings extension
		`math.greatest(1, 5, 3) == 5`:           true, // the math extension
		`2.5 < 3 && 3 > 2.5`:                    true, // ordering compares int with double
	} {
		got, err := evalIn(t, 1, src, scopeBase, nil)
		if err != nil || got != want {
			t.Errorf("%s = %v (%v), want %v", src, got, err, want)
		}
	}
}

func TestTemplates(t *testing.T) {
	r, err := newRun(context.Background(), &Bundle{prog: &program{}}, 1)
	if err != nil {
		t.Fatal(err)
	}
	r.values["n"] = int64(3)
	r.values["name"] = "Ann"
	for src, want := range map[string]any{
		"${values.n}":                       int64(3), // a lone expression keeps its type
		"n=${values.n}":                     "n=3",
		"${values.name} has ${values.n}":    "Ann has 3",
		`${ {"k": values.n}.k + 1 } braces`: "4 braces",
		"${ {'a': [1]} }":                   map[string]any{"a": []any{int64(1)}},
		"no template":                       "no template",
	} {
		tm, err := parseTemplate(r.envs, src, pos{}, scopeBase)
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		got, err := tm.render(context.Background(), r, nil)
		if err != nil || fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s rendered %#v (%v), want %#v", src, got, err, want)
		}
	}
}

// TestFailureMessages: a failed expectation says in one line what was
// expected and what came back.
func TestFailureMessages(t *testing.T) {
	b, err := Load(bundleFS(validYAML))
	if err != nil {
		t.Fatal(err)
	}
	r, err := newRun(context.Background(), b, 1)
	if err != nil {
		t.Fatal(err)
	}
	httpScope := map[string]any{"status": int64(200), "headers": map[string]string{}, "text": `{"status":"created"}`,
		"body": map[string]any{"status": "created", "items": []any{1, 2}}, "duration_ms": int64(5)}
	for _, tc := range []struct {
		src, message string
		want         string
	}{
		{`body.status == "paid"`, "", `expected body.status == "paid"; got "created"`},
		{`size(body.items) >= 3`, "", `expected size(body.items) >= 3; got 2`},
		{`body.status.startsWith("p")`, "", `expected body.status.startsWith("p"); got POST /x: 200 {"status":"created"}`},
		{`body.missing == 1`, "", `expected body.missing == 1; it could not be evaluated (no such key: missing); got POST /x: 200 {"status":"created"}`},
		{`body.status == "paid"`, "pay the order first", "pay the order first"},
	} {
		x, err := compileExpr(r.envs, tc.src, pos{}, scopeHTTP, cel.BoolType)
		if err != nil {
			t.Fatal(err)
		}
		ex := &executor{r: r}
		g := grading.NewGrader(context.Background(), b.Suite(), nil, &grading.Scorecard{Metrics: map[string]float64{}})
		var got string
		g.Check("items.create", func(gc *grading.C) {
			got = ex.judge(context.Background(), gc, &step{expect: []expectation{{x: x, message: tc.message}}}, httpScope, `POST /x: 200 {"status":"created"}`)
		})
		if got != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.src, got, tc.want)
		}
	}
}
